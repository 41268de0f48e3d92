// scr_tb: self-checking testbench for the generated scr_sequencer.
//
// Drives the packets of +stim=FILE (from scr-verilog-vectors) through the
// AXI4-Stream input with random idle cycles (+gap=PERCENT) and random
// back-pressure on the output (+stall=PERCENT), and compares every output
// beat with the reference frames of +expect=FILE byte for byte: data, tkeep,
// tlast and tuser (the input's first-beat tuser on the first beat only).
// Prints one line "PASS ..." or "FAIL ..." with beat and cycle counts.
//
// The bench changes its signals on the falling edge so that what the DUT
// samples on the rising edge is never racy.
`timescale 1ns / 1ps
`default_nettype none

module scr_tb;
  parameter DATA_WIDTH = 1024;
  parameter TUSER_WIDTH = 128;
  parameter TS_BITS = 48;
  parameter MAX_BYTES = 1 << 23;
  localparam W = DATA_WIDTH / 8;

  reg clk = 1'b0;
  always #2 clk = ~clk;
  reg rst = 1'b1;

  reg [7:0] stim[0:MAX_BYTES-1];
  reg [7:0] expb[0:MAX_BYTES-1];
  reg [8*512-1:0] stim_file, exp_file;
  integer seed, gap_pct, stall_pct;

  reg [DATA_WIDTH-1:0] s_tdata;
  reg [W-1:0] s_tkeep;
  reg s_tlast, s_tvalid;
  reg [TUSER_WIDTH-1:0] s_tuser;
  wire s_tready;
  wire [DATA_WIDTH-1:0] m_tdata;
  wire [W-1:0] m_tkeep;
  wire m_tlast, m_tvalid;
  wire [TUSER_WIDTH-1:0] m_tuser;
  reg m_tready;
  reg [TS_BITS-1:0] timestamp;

  scr_sequencer #(
      .DATA_WIDTH (DATA_WIDTH),
      .TUSER_WIDTH(TUSER_WIDTH),
      .TS_BITS    (TS_BITS)
  ) dut (
      .clk(clk),
      .rst(rst),
      .timestamp(timestamp),
      .s_axis_tdata(s_tdata),
      .s_axis_tkeep(s_tkeep),
      .s_axis_tlast(s_tlast),
      .s_axis_tuser(s_tuser),
      .s_axis_tvalid(s_tvalid),
      .s_axis_tready(s_tready),
      .m_axis_tdata(m_tdata),
      .m_axis_tkeep(m_tkeep),
      .m_axis_tlast(m_tlast),
      .m_axis_tuser(m_tuser),
      .m_axis_tvalid(m_tvalid),
      .m_axis_tready(m_tready)
  );

  function integer rd;  // big-endian number of n bytes from a memory
    input integer which, at, n;
    integer k;
    begin
      rd = 0;
      for (k = 0; k < n; k = k + 1) rd = (rd << 8) | (which ? expb[at+k] : stim[at+k]);
    end
  endfunction

  function integer rnd100;
    input integer dummy;
    begin
      rnd100 = {$random(seed)} % 100;
    end
  endfunction

  // Input driver state.
  integer n_pkts, in_pkt, in_ptr, in_len, in_off, i, k;
  reg [63:0] in_ts;
  reg in_fire_pending;
  // Output checker state.
  integer n_frames, out_frame, exp_ptr, exp_len, out_off, errors, want;
  integer cycles, out_beats, ideal_beats, first_cycle, last_cycle, idle;
  reg [W-1:0] want_keep;

  // Reads whitespace-separated hex bytes (as many as the file has).
  task load_hex;
    input [8*512-1:0] name;
    input integer which;
    integer fd, n, v;
    begin
      fd = $fopen(name, "r");
      if (fd == 0) begin
        $display("FAIL cannot open %0s", name);
        $finish;
      end
      n = 0;
      while ($fscanf(fd, "%h", v) == 1) begin
        if (which) expb[n] = v[7:0];
        else stim[n] = v[7:0];
        n = n + 1;
      end
      $fclose(fd);
    end
  endtask

  task load_packet_header;
    begin
      in_len = rd(0, in_ptr, 2);
      in_ts  = {rd(0, in_ptr + 2, 4), rd(0, in_ptr + 6, 4)};
      in_ptr = in_ptr + 10;
      in_off = 0;
    end
  endtask

  task present_beat;
    begin
      for (i = 0; i < W; i = i + 1) begin
        if (in_off + i < in_len) s_tdata[8*i+:8] = stim[in_ptr+in_off+i];
        else s_tdata[8*i+:8] = $random(seed);  // junk past tkeep
        s_tkeep[i] = in_off + i < in_len;
      end
      s_tlast = in_off + W >= in_len;
      s_tuser = in_off == 0 ? in_pkt : {TUSER_WIDTH{1'b1}};
      timestamp = in_ts[TS_BITS-1:0];
      s_tvalid = 1'b1;
    end
  endtask

  task check_beat;
    begin
      want = exp_len - out_off < W ? exp_len - out_off : W;
      for (i = 0; i < W; i = i + 1) want_keep[i] = i < want;
      if (m_tkeep !== want_keep || m_tlast !== (out_off + W >= exp_len) ||
          m_tuser !== (out_off == 0 ? out_frame : 0)) begin
        errors = errors + 1;
        if (errors <= 10)
          $display("mismatch: frame %0d offset %0d: keep/last/user %h/%b/%h, want %h/%b/%h",
                   out_frame, out_off, m_tkeep, m_tlast, m_tuser, want_keep,
                   out_off + W >= exp_len, out_off == 0 ? out_frame : 0);
      end
      for (i = 0; i < want; i = i + 1)
        if (m_tdata[8*i+:8] !== expb[exp_ptr+out_off+i]) begin
          errors = errors + 1;
          if (errors <= 10)
            $display("mismatch: frame %0d byte %0d: got %h, want %h", out_frame,
                     out_off + i, m_tdata[8*i+:8], expb[exp_ptr+out_off+i]);
        end
      out_beats = out_beats + 1;
      last_cycle = cycles;
      out_off = out_off + W;
      if (out_off >= exp_len) begin
        ideal_beats = ideal_beats + (exp_len + W - 1) / W;
        exp_ptr = exp_ptr + exp_len;
        out_frame = out_frame + 1;
        out_off = 0;
        if (out_frame < n_frames) begin
          exp_len = rd(1, exp_ptr, 2);
          exp_ptr = exp_ptr + 2;
        end
      end
    end
  endtask

  initial begin
    if (!$value$plusargs("stim=%s", stim_file) || !$value$plusargs("expect=%s", exp_file)) begin
      $display("FAIL usage: +stim=FILE +expect=FILE [+seed=N +gap=PCT +stall=PCT]");
      $finish;
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("gap=%d", gap_pct)) gap_pct = 0;
    if (!$value$plusargs("stall=%d", stall_pct)) stall_pct = 0;
    load_hex(stim_file, 0);
    load_hex(exp_file, 1);
    n_pkts = rd(0, 0, 4);
    n_frames = rd(1, 0, 4);
    in_pkt = 0;
    in_ptr = 4;
    exp_ptr = 6;
    exp_len = n_frames ? rd(1, 4, 2) : 0;
    out_frame = 0;
    out_off = 0;
    errors = 0;
    cycles = 0;
    out_beats = 0;
    ideal_beats = 0;
    first_cycle = -1;
    last_cycle = 0;
    idle = 0;
    in_fire_pending = 1'b0;
    s_tvalid = 1'b0;
    s_tdata = 0;
    s_tkeep = 0;
    s_tlast = 1'b0;
    s_tuser = 0;
    timestamp = 0;
    m_tready = 1'b0;
    if (n_pkts) load_packet_header;
    repeat (4) @(negedge clk);
    rst = 1'b0;
  end

  always @(negedge clk) begin
    if (!rst) begin
      cycles = cycles + 1;
      idle = idle + 1;
      // The beat offered before the last rising edge was taken.
      if (in_fire_pending) begin
        idle = 0;
        in_off = in_off + W;
        if (in_off >= in_len) begin
          in_ptr = in_ptr + in_len;
          in_pkt = in_pkt + 1;
          if (in_pkt < n_pkts) load_packet_header;
        end
        s_tvalid = 1'b0;
      end
      // AXI4-Stream: a beat once offered stays until it is taken.
      if (!s_tvalid && in_pkt < n_pkts && rnd100(0) >= gap_pct) present_beat;
      m_tready = rnd100(0) >= stall_pct;
      if (m_tvalid && m_tready) begin
        if (first_cycle < 0) first_cycle = cycles;
        idle = 0;
        if (out_frame >= n_frames) begin
          errors = errors + 1;
          if (errors <= 10) $display("mismatch: output beat after the last expected frame");
        end else check_beat;
      end
      in_fire_pending = s_tvalid && s_tready;
      if (out_frame >= n_frames && in_pkt >= n_pkts) begin
        // A few more cycles to catch stray beats.
        repeat (8) begin
          @(negedge clk);
          if (m_tvalid) begin
            errors = errors + 1;
            if (errors <= 10) $display("mismatch: output beat after the last expected frame");
          end
        end
        if (errors == 0)
          $display("PASS frames=%0d beats=%0d ideal=%0d cycles=%0d", n_frames,
                   out_beats, ideal_beats, last_cycle - first_cycle + 1);
        else $display("FAIL errors=%0d frames=%0d/%0d", errors, out_frame, n_frames);
        $finish;
      end
      if (idle > 2000) begin
        $display("FAIL timeout: frame %0d of %0d, packet %0d of %0d sent", out_frame, n_frames,
                 in_pkt, n_pkts);
        $finish;
      end
    end
  end
endmodule

`default_nettype wire
