# Writes OUTPUT, a C++ source defining disputed_plugin_manifest_json with the bytes of INPUT.
file(READ ${INPUT} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\nextern \"C\" __attribute__((visibility(\"default\"))) const char disputed_plugin_manifest_json[] = {${bytes} 0x00};\n")
