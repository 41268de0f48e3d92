// scr_ring_ram: the history ring in block RAM, stored as the prefix image
// the sequencer sends (docs/verilog.md, "The ring in block RAM").
//
// Row r holds bytes r*W .. r*W+W-1 of the prefix (outer Ethernet, SCR
// header, slot 0 .. N-1), so a prefix beat is one plain row read. The
// header lanes are never written (they stay zero; the core ORs the header
// over them). An entry is written in one cycle at its byte lanes: a
// one-hot register names the lane where the slot starts, and each lane
// takes the entry byte that start puts there (a multiplexer over the entry
// bytes that the reachable starts put at that lane). Each column of 8 lanes
// is its own memory with its own write address, so a slot that straddles
// two rows writes both at once (no column holds bytes of both rows of one
// slot, because ENTRY_BYTES <= W-8).
//
// The rows are zero at configuration (the RAMs' initial contents, as the
// reference sequencer's ring starts). A later reset restarts the slot
// pointer but keeps old entries in the rows: the runtime skips start-up
// slots by number (hist_seq), never by content, and clearing the rows
// would cost a gate on every entry bit. In the cycle after reset row 0 is
// read (`busy` meanwhile). Reads are synchronous with an enable (the
// output register is the RAM's own); a read and a write in the same cycle
// read the old row.
`default_nettype none

module scr_ring_ram #(
    parameter W           = 128,  // bytes per row
    parameter ENTRY_BYTES = 14,
    parameter HIST_DEPTH  = 16,
    parameter RING_OFF    = 20,   // prefix byte of slot 0, below W
    parameter ROWS        = 2,
    parameter ROW_BITS    = 1
) (
    input  wire                     clk,
    input  wire                     rst,
    output wire                     busy,
    input  wire                     rd_en,
    input  wire [     ROW_BITS-1:0] rd_row,
    output wire [          W*8-1:0] rd_data,
    // Write `wr_entry` into the next slot (0, 1, .. N-1, 0, ..).
    input  wire                     wr_en,
    input  wire [ENTRY_BYTES*8-1:0] wr_entry
);
  localparam E = ENTRY_BYTES;
  localparam N = HIST_DEPTH;
  localparam G = 8;  // lanes per column memory
  localparam COLS = W / G;
  localparam LB = $clog2(W + 1);
  localparam SLOT_W = N < 2 ? 1 : $clog2(N);
  localparam integer LAST_SLOT = N - 1;
  localparam integer LAST_ROW = ROWS - 1;
  localparam integer W_I = W;
  localparam integer E_I = E;
  localparam integer OFF_I = RING_OFF;

  // Bit b: some slot starts at lane b of its row.
  function [W-1:0] starts;
    input integer n;
    integer s;
    begin
      starts = {W{1'b0}};
      for (s = 0; s < n; s = s + 1) starts[(RING_OFF+s*E)%W] = 1'b1;
    end
  endfunction
  localparam [W-1:0] STARTS = starts(N);
  // Bit i: some slot puts its entry byte i at lane `here`.
  function [E-1:0] lane_bytes;
    input integer here;
    integer i;
    begin
      for (i = 0; i < E; i = i + 1) lane_bytes[i] = STARTS[(here-i+W)%W];
    end
  endfunction
  // Bit b: a slot starting at lane b puts one of its bytes at lane `here`.
  function [W-1:0] reach_starts;
    input integer here;
    integer i;
    begin
      reach_starts = {W{1'b0}};
      for (i = 0; i < E; i = i + 1)
        if (STARTS[(here-i+W)%W]) reach_starts[(here-i+W)%W] = 1'b1;
    end
  endfunction
  localparam [W-1:0] FIRST_START = {{(W - 1) {1'b0}}, 1'b1} << RING_OFF;

  // Where the next slot starts: row, lane (binary and one-hot).
  reg [SLOT_W-1:0] slot;
  reg [ROW_BITS-1:0] row;
  reg [LB-1:0] lane;
  // One-hot start lane of the next slot. Only lanes where some slot starts
  // have a register: with a slot stride dividing W that is W / stride of
  // them, not W.
  wire [W-1:0] lane_hot;
  reg boot;  // the cycle after reset: row 0 is read
  assign busy = boot;

  wire [LB:0] next_lane = {1'b0, lane} + E_I[LB:0];
  wire next_row = next_lane >= W_I[LB:0];

  always @(posedge clk) begin
    if (rst) begin
      slot <= {SLOT_W{1'b0}};
      row <= {ROW_BITS{1'b0}};
      lane <= OFF_I[LB-1:0];
      boot <= 1'b1;
    end else if (boot) begin
      boot <= 1'b0;
    end else if (wr_en) begin
      if (slot == LAST_SLOT[SLOT_W-1:0]) begin
        slot <= {SLOT_W{1'b0}};
        row <= {ROW_BITS{1'b0}};
        lane <= OFF_I[LB-1:0];
      end else begin
        slot <= slot + 1'b1;
        row <= next_row ? row + 1'b1 : row;
        lane <= next_row ? next_lane[LB-1:0] - W_I[LB-1:0] : next_lane[LB-1:0];
      end
    end
  end

  wire [W-1:0] start_we = lane_hot & {W{wr_en}};
  wire [ROW_BITS-1:0] row_next = row == LAST_ROW[ROW_BITS-1:0] ? row : row + 1'b1;

  genvar c, l, i, b, h;
  generate
    for (h = 0; h < W; h = h + 1) begin : g_hot
      if (STARTS[h]) begin : g_start
        // The start moves on by E lanes per slot (mod W), back to the first
        // one after the last slot.
        localparam integer FROM = (h - E % W + W) % W;
        reg q;
        always @(posedge clk)
          if (rst) q <= FIRST_START[h];
          else if (wr_en) q <= slot == LAST_SLOT[SLOT_W-1:0] ? FIRST_START[h] : lane_hot[FROM];
        assign lane_hot[h] = q;
      end else begin : g_never
        assign lane_hot[h] = 1'b0;
      end
    end

    for (c = 0; c < COLS; c = c + 1) begin : g_col
      (* ram_style = "block" *) reg [G*8-1:0] mem[0:ROWS-1];
      reg [G*8-1:0] q;
      wire [G*8-1:0] wdata;
      wire [G-1:0] be;
      // The slot's bytes in this column lie in its second row when it
      // starts above the column and reaches it by wrapping around.
      wire [W-1:0] wrap_starts;
      for (b = 0; b < W; b = b + 1) begin : g_wrap
        assign wrap_starts[b] = b >= c * G + G && b + E > W + c * G && STARTS[b];
      end
      wire spills = |(lane_hot & wrap_starts);
      for (l = 0; l < G; l = l + 1) begin : g_lane
        // Entry byte i lands here from the slot starting at lane
        // (here - i) mod W. The lane is written only when one of the
        // reachable starts is the current one, so a chain of 2:1
        // multiplexers over them picks the byte (the last one is the
        // default).
        localparam integer HERE = c * G + l;
        localparam [E-1:0] BYTES = lane_bytes(HERE);
        localparam [W-1:0] REACH_STARTS = reach_starts(HERE);
        for (i = E - 1; i >= 0; i = i - 1) begin : g_byte
          localparam integer START = (HERE - i + W) % W;
          localparam REACH = BYTES[i];
          localparam MORE = (BYTES >> (i + 1)) != 0;  // a byte above i is reachable
          // What bytes i.. pick (unused above a lane's last reachable byte).
          /* verilator lint_off UNUSEDSIGNAL */
          wire [7:0] v;
          /* verilator lint_on UNUSEDSIGNAL */
          if (!REACH && i == E - 1) begin : g_zero
            assign v = 8'd0;
          end else if (!REACH) begin : g_none
            assign v = g_byte[i+1].v;
          end else if (MORE) begin : g_pick
            assign v = lane_hot[START] ? wr_entry[i*8+:8] : g_byte[i+1].v;
          end else begin : g_default
            assign v = wr_entry[i*8+:8];
          end
        end
        assign wdata[l*8+:8] = g_byte[0].v;
        // Lanes reached from the same starts share one enable.
        assign be[l] = |(start_we & REACH_STARTS);
      end
      wire [ROW_BITS-1:0] waddr = spills ? row_next : row;
      integer k;
      initial
        for (k = 0; k < ROWS; k = k + 1) mem[k] = {G * 8{1'b0}};
      always @(posedge clk)
        for (k = 0; k < G; k = k + 1)
          if (be[k]) mem[waddr][k*8+:8] <= wdata[k*8+:8];
      // Row 0 is read after reset; afterwards on request.
      always @(posedge clk) if (rd_en || boot) q <= mem[boot ? {ROW_BITS{1'b0}} : rd_row];
      assign rd_data[c*G*8+:G*8] = q;
    end
  endgenerate
endmodule

`default_nettype wire
