// ---- scr_common.p4: headers shared by ingress and egress (hand-written) ----

// What ingress hands to egress in front of the frame.
header scr_bridge_h {
    bit<7>  pad;
    bit<1>  sequence;   // 1: sequence this frame (it goes to the SCR server)
    bit<48> ts;         // ig_intr_md.ingress_mac_tstamp, ns
}

// Outer Ethernet header of tor mode (docs/packet-format.md).
header scr_outer_ethernet_h {
    bit<48> dst;
    bit<48> src;
    bit<16> ether_type;
}

// The SCR header scr_h is generated from scr::HeaderFormat (P4Emitter.cpp).
