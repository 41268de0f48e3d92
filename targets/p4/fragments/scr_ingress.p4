// ---- scr_ingress.p4: ingress pipeline (hand-written) ----
// Ingress only stamps the frame and picks the egress port; the sequencer
// itself runs in egress, the only place Tofino knows the frame length.

#ifndef SCR_SERVER_PORT
#define SCR_SERVER_PORT 0   // default port of the SCR server (override with -D)
#endif

struct scr_ingress_headers_t {
    scr_bridge_h bridge;
}

struct scr_ingress_metadata_t {
}

parser ScrIngressParser(packet_in pkt,
                        out scr_ingress_headers_t hdr,
                        out scr_ingress_metadata_t meta,
                        out ingress_intrinsic_metadata_t ig_intr_md) {
    state start {
        pkt.extract(ig_intr_md);
        pkt.advance(PORT_METADATA_SIZE);
        transition accept;
    }
}

control ScrIngress(inout scr_ingress_headers_t hdr,
                   inout scr_ingress_metadata_t meta,
                   in ingress_intrinsic_metadata_t ig_intr_md,
                   in ingress_intrinsic_metadata_from_parser_t ig_prsr_md,
                   inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md,
                   inout ingress_intrinsic_metadata_for_tm_t ig_tm_md) {
    // Frames towards the server are sequenced; the server's own traffic
    // (and anything else the control plane says) is forwarded untouched.
    action scr_sequence_to(PortId_t port) {
        ig_tm_md.ucast_egress_port = port;
        hdr.bridge.sequence = 1;
    }
    action scr_forward_to(PortId_t port) {
        ig_tm_md.ucast_egress_port = port;
        hdr.bridge.sequence = 0;
    }
    action scr_drop() {
        ig_dprsr_md.drop_ctl = 1;
    }
    table scr_port {
        key = { ig_intr_md.ingress_port : exact; }
        actions = { scr_sequence_to; scr_forward_to; scr_drop; }
        default_action = scr_sequence_to(SCR_SERVER_PORT);
        size = 512;
    }
    apply {
        hdr.bridge.setValid();
        hdr.bridge.pad = 0;
        hdr.bridge.ts = ig_intr_md.ingress_mac_tstamp;
        scr_port.apply();
    }
}

control ScrIngressDeparser(packet_out pkt,
                           inout scr_ingress_headers_t hdr,
                           in scr_ingress_metadata_t meta,
                           in ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md) {
    apply {
        pkt.emit(hdr.bridge);
    }
}
