// scr_fifo: a first-word-fall-through FIFO; RAM_STYLE picks its storage.
//
// RAM_STYLE "distributed" (LUT RAM): the read side is asynchronous, a
// pushed word is at the output one clock later. For the narrow per-frame
// queues.
//
// RAM_STYLE "block": storage and output register are block RAM. The word at
// the head is held in the RAM's own output latch (read with an enable, so
// that it stays put while nobody pops): a wide FIFO costs no LUT-RAM and no
// flip-flops for data, only pointers. A pushed word is visible at the output
// two clocks later; back to back pops stream at one word per clock. For the
// frame data.
//
// Either way `full` and `empty` come straight from registers, so that the
// AXI4-Stream ready/valid signals built from them stay shallow, and the
// caller never pushes when full nor pops when empty.
`default_nettype none

module scr_fifo #(
    parameter WIDTH      = 8,
    parameter DEPTH_LOG2 = 2,
    parameter RAM_STYLE  = "distributed"
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             push,
    input  wire [WIDTH-1:0] din,
    input  wire             pop,
    output wire [WIDTH-1:0] dout,
    output wire             empty,
    output wire             full
);
  localparam DEPTH = 1 << DEPTH_LOG2;

  // One extra bit tells a full FIFO from an empty one.
  reg [DEPTH_LOG2:0] wr_ptr, rd_ptr;

  generate
    if (RAM_STYLE == "block") begin : g_block
      (* ram_style = "block" *) reg [WIDTH-1:0] mem[0:DEPTH-1];
      reg [WIDTH-1:0] dout_q;
      reg [DEPTH_LOG2:0] count;  // words in the RAM and in dout_q
      reg dout_valid;
      // Refill the output latch when it is empty or being popped.
      wire load = wr_ptr != rd_ptr && (!dout_valid || pop);

      assign dout  = dout_q;
      assign empty = !dout_valid;
      assign full  = count[DEPTH_LOG2];

      always @(posedge clk) begin
        if (push) mem[wr_ptr[DEPTH_LOG2-1:0]] <= din;
        if (load) dout_q <= mem[rd_ptr[DEPTH_LOG2-1:0]];
      end

      always @(posedge clk) begin
        if (rst) begin
          wr_ptr <= {(DEPTH_LOG2 + 1) {1'b0}};
          rd_ptr <= {(DEPTH_LOG2 + 1) {1'b0}};
          count <= {(DEPTH_LOG2 + 1) {1'b0}};
          dout_valid <= 1'b0;
        end else begin
          if (push) wr_ptr <= wr_ptr + 1'b1;
          if (load) rd_ptr <= rd_ptr + 1'b1;
          dout_valid <= load || (dout_valid && !pop);
          count <= count + {{DEPTH_LOG2{1'b0}}, push} - {{DEPTH_LOG2{1'b0}}, pop};
        end
      end
    end else begin : g_distributed
      reg [WIDTH-1:0] mem[0:DEPTH-1];

      assign empty = wr_ptr == rd_ptr;
      assign full  = (wr_ptr[DEPTH_LOG2-1:0] == rd_ptr[DEPTH_LOG2-1:0]) &&
                     (wr_ptr[DEPTH_LOG2] != rd_ptr[DEPTH_LOG2]);
      assign dout  = mem[rd_ptr[DEPTH_LOG2-1:0]];

      always @(posedge clk) begin
        if (push) mem[wr_ptr[DEPTH_LOG2-1:0]] <= din;
      end

      always @(posedge clk) begin
        if (rst) begin
          wr_ptr <= {(DEPTH_LOG2 + 1) {1'b0}};
          rd_ptr <= {(DEPTH_LOG2 + 1) {1'b0}};
        end else begin
          if (push) wr_ptr <= wr_ptr + 1'b1;
          if (pop) rd_ptr <= rd_ptr + 1'b1;
        end
      end
    end
  endgenerate
endmodule

`default_nettype wire
