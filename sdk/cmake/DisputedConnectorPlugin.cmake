# add_connector_plugin(<name> MANIFEST <manifest.json> SOURCES <src>... [LINK <libs>...])
#
# Builds a connector plugin: a shared library `lib<name>.so` in the plugin output directory
# (DISPUTED_PLUGIN_OUTPUT_DIR, default ${CMAKE_BINARY_DIR}/plugins), with its manifest embedded
# (symbol disputed_plugin_manifest_json) and copied beside it as lib<name>.manifest.json.
# Symbols are hidden except the three the SDK's DISPUTED_CONNECTOR_PLUGIN macro exports.

function(add_connector_plugin name)
  cmake_parse_arguments(ARG "" "MANIFEST" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_MANIFEST)
    message(FATAL_ERROR "add_connector_plugin(${name}): MANIFEST <file> is required")
  endif()
  get_filename_component(manifest ${ARG_MANIFEST} ABSOLUTE)
  set(sdk_cmake_dir ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  set(output_dir ${DISPUTED_PLUGIN_OUTPUT_DIR})
  if(NOT output_dir)
    set(output_dir ${CMAKE_BINARY_DIR}/plugins)
  endif()
  set(embedded ${CMAKE_CURRENT_BINARY_DIR}/${name}_manifest.cpp)
  add_custom_command(
    OUTPUT ${embedded}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${manifest} -DOUTPUT=${embedded}
            -P ${sdk_cmake_dir}/EmbedManifest.cmake
    DEPENDS ${manifest} ${sdk_cmake_dir}/EmbedManifest.cmake
    COMMENT "Embedding ${name} manifest")
  add_library(${name} MODULE ${ARG_SOURCES} ${embedded})
  target_link_libraries(${name} PRIVATE disputed::sdk ${ARG_LINK})
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${output_dir})
  target_compile_options(${name} PRIVATE -Wall -Wextra)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${manifest}
            ${output_dir}/lib${name}.manifest.json)
endfunction()
