# Writes OUTPUT, a C++ source defining disputed::sdk::testkit::detail::kManifestSchema with the
# text of INPUT (the plugin manifest schema). Run by the build:
#   cmake -DINPUT=<schema.json> -DOUTPUT=<file.cpp> -P embed_schema.cmake
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "embed_schema.cmake needs -DINPUT=... and -DOUTPUT=...")
endif()
file(READ "${INPUT}" text)
set(delimiter "manifest_schema")  # at most 16 characters
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by sdk/testkit/cmake/embed_schema.cmake; do not edit.
#include \"manifest_schema.hpp\"

namespace disputed::sdk::testkit::detail {
const char kManifestSchema[] = R\"${delimiter}(${text})${delimiter}\";
}  // namespace disputed::sdk::testkit::detail
")
