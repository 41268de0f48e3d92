# Writes the RTL files INPUTS into OUT as C++ raw string literals, so that
# the RTL stays real Verilog in rtl/ and is still part of the binary.
set(TEXT "// Generated from targets/verilog/rtl by EmbedRtl.cmake. Do not edit.\n")
foreach(F ${INPUTS})
  file(READ ${F} BODY)
  get_filename_component(NAME ${F} NAME)
  string(APPEND TEXT "{\"${NAME}\", R\"scrrtl(${BODY})scrrtl\"},\n")
endforeach()
file(WRITE ${OUT} "${TEXT}")
