# Writes the hand-written P4 fragments into a C++ source as raw strings.
file(READ ${COMMON} C)
file(READ ${INGRESS} I)
file(WRITE ${OUT} "// Generated from targets/p4/fragments; do not edit.\n"
  "namespace scrp4 {\n"
  "extern const char *const FragmentCommon;\n"
  "extern const char *const FragmentIngress;\n"
  "const char *const FragmentCommon = R\"SCRP4(${C})SCRP4\";\n"
  "const char *const FragmentIngress = R\"SCRP4(${I})SCRP4\";\n"
  "} // namespace scrp4\n")
