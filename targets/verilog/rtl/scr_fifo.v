// scr_fifo: a small first-word-fall-through FIFO.
//
// The read side is asynchronous so that synthesis can map the storage to
// distributed (LUT) RAM; `full` and `empty` come straight from registers so
// that the AXI4-Stream ready/valid signals built from them stay shallow.
// The caller never pushes when full nor pops when empty.
`default_nettype none

module scr_fifo #(
    parameter WIDTH      = 8,
    parameter DEPTH_LOG2 = 2
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

  reg [WIDTH-1:0] mem[0:DEPTH-1];
  // One extra bit tells a full FIFO from an empty one.
  reg [DEPTH_LOG2:0] wr_ptr;
  reg [DEPTH_LOG2:0] rd_ptr;

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
endmodule

`default_nettype wire
