// scr_frame_user: the tuser of each frame's first input beat, queued per
// frame in block RAM and shown on the output only with that frame's first
// output beat (zero on every other beat).
//
// Why not a gate per bit on the output: the word is read into the RAM's own
// output latch when the output reaches a frame boundary, and the latch is
// reset once the first beat has left, so the output costs no logic per bit.
// The word of the next frame is loaded in the cycle the previous frame's
// last beat leaves (or, if it arrives later, as soon as it can be read), so
// `valid` never holds a frame back longer than its first beat would wait
// for its data anyway.
`default_nettype none

module scr_frame_user #(
    parameter WIDTH      = 128,
    parameter DEPTH_LOG2 = 3
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             push,       // a frame's first input beat
    input  wire [WIDTH-1:0] din,
    input  wire             at_first,   // the offered output beat is a first beat
    input  wire             frame_end,  // a frame's last beat leaves
    input  wire             taken,      // a first beat leaves
    output wire [WIDTH-1:0] dout,
    output reg              valid,
    output wire             full
);
  localparam DEPTH = 1 << DEPTH_LOG2;

  (* ram_style = "block" *) reg [WIDTH-1:0] mem[0:DEPTH-1];
  reg [WIDTH-1:0] q;
  reg [DEPTH_LOG2:0] wr_ptr, rd_ptr;
  wire have = wr_ptr != rd_ptr;
  // Load at a boundary: a first beat waits for its word, or the frame being
  // sent ends now (its own word left with its first beat, possibly now).
  wire load = have && ((at_first && !valid) || frame_end);
  wire clear = taken && !load;

  assign dout = q;
  assign full = wr_ptr == {~rd_ptr[DEPTH_LOG2], rd_ptr[DEPTH_LOG2-1:0]};

  always @(posedge clk) begin
    if (push) mem[wr_ptr[DEPTH_LOG2-1:0]] <= din;
    if (rst || clear) q <= {WIDTH{1'b0}};
    else if (load) q <= mem[rd_ptr[DEPTH_LOG2-1:0]];
  end

  always @(posedge clk) begin
    if (rst) begin
      wr_ptr <= {(DEPTH_LOG2 + 1) {1'b0}};
      rd_ptr <= {(DEPTH_LOG2 + 1) {1'b0}};
      valid  <= 1'b0;
    end else begin
      if (push) wr_ptr <= wr_ptr + 1'b1;
      if (load) rd_ptr <= rd_ptr + 1'b1;
      if (load) valid <= 1'b1;
      else if (taken) valid <= 1'b0;
    end
  end
endmodule

`default_nettype wire
