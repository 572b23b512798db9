# The one CMake call that declares a connector plugin with its sandbox, tests and benches, in and
# out of tree:
#
#   add_connector_plugin(<name>
#     MANIFEST <manifest.json>
#     SOURCES <src>...                     the plugin: lib<name>.so
#     [LINK <libs>...]                     what the plugin links besides disputed::sdk
#     [VARIANTS <name>=<manifest>...]      more plugins from the same sources with another manifest
#     [SANDBOX <src>...]                   the system's emulator: an object library <name>_sandbox
#     [SANDBOX_LINK <libs>...]
#     [TESTS <test.cpp>...]                one GoogleTest executable <name>_<file name> each
#     [TEST_LINK <libs>...]                what tests and benches link besides the sandbox and kit
#     [SPEC <api description>]             the vendor's API description (conformance tests)
#     [BENCH <bench.cpp>...]               one executable <name>_<file name> each
#     [TEST_ONLY])                         a plugin for tests only (its sandbox is not shipped)
#
# The plugin is a shared library `lib<name>.so` in DISPUTED_PLUGIN_OUTPUT_DIR (default
# ${CMAKE_BINARY_DIR}/plugins), with its manifest embedded (symbol disputed_plugin_manifest_json)
# and copied beside it as lib<name>.manifest.json; symbols are hidden except the three the SDK's
# DISPUTED_CONNECTOR_PLUGIN macro exports.
#
# Tests and benches are built when the contract kit (disputed::sdk_testkit) and GoogleTest are
# found and DISPUTED_PLUGIN_TESTS / DISPUTED_PLUGIN_BENCH are not OFF. Each test and bench links
# the sandbox, disputed::sdk_testkit and TEST_LINK, and sees <NAME>_PLUGIN (the library),
# <NAME>_MANIFEST, <NAME>_PLUGIN_DIR and, with SPEC, <NAME>_SPEC (the same for each variant),
# plus DISPUTED_SOURCE_DIR and DISPUTED_BINARY_DIR. A test file whose name contains
# "conformance" is one ctest entry <name>.conformance (label conformance); the others' tests are
# discovered one by one.
#
# Within disputed's own build the project sets DISPUTED_SANDBOX_KIT (the library every sandbox
# builds on) and DISPUTED_PLUGIN_SUPPORT (warnings for tests and benches); each sandbox is then
# recorded in the global property DISPUTED_SANDBOXES (or DISPUTED_TEST_SANDBOXES with TEST_ONLY),
# from which `disputed-sandbox` links every system: adding a system touches no shared file.

function(add_connector_plugin name)
  cmake_parse_arguments(ARG "TEST_ONLY" "MANIFEST;SPEC"
                        "SOURCES;LINK;VARIANTS;SANDBOX;SANDBOX_LINK;TESTS;TEST_LINK;BENCH" ${ARGN})
  if(NOT ARG_MANIFEST)
    message(FATAL_ERROR "add_connector_plugin(${name}): MANIFEST <file> is required")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "add_connector_plugin(${name}): SOURCES <file>... is required")
  endif()
  set(sdk_cmake_dir ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  set(output_dir ${DISPUTED_PLUGIN_OUTPUT_DIR})
  if(NOT output_dir)
    set(output_dir ${CMAKE_BINARY_DIR}/plugins)
  endif()

  # The plugin and its variants: the same sources, each with its own manifest.
  set(builds "${name}=${ARG_MANIFEST}" ${ARG_VARIANTS})
  set(plugins "")
  set(defines "")
  foreach(build IN LISTS builds)
    string(REPLACE "=" ";" parts "${build}")
    list(GET parts 0 target)
    list(GET parts 1 manifest_file)
    get_filename_component(manifest ${manifest_file} ABSOLUTE)
    set(embedded ${CMAKE_CURRENT_BINARY_DIR}/${target}_manifest.cpp)
    add_custom_command(
      OUTPUT ${embedded}
      COMMAND ${CMAKE_COMMAND} -DINPUT=${manifest} -DOUTPUT=${embedded}
              -P ${sdk_cmake_dir}/EmbedManifest.cmake
      DEPENDS ${manifest} ${sdk_cmake_dir}/EmbedManifest.cmake
      COMMENT "Embedding ${target} manifest")
    add_library(${target} MODULE ${ARG_SOURCES} ${embedded})
    target_link_libraries(${target} PRIVATE disputed::sdk ${ARG_LINK})
    set_target_properties(${target} PROPERTIES
      PREFIX "lib"
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON
      LIBRARY_OUTPUT_DIRECTORY ${output_dir})
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    if(DISPUTED_PLUGIN_INCLUDE_DIR)
      target_include_directories(${target} PRIVATE ${DISPUTED_PLUGIN_INCLUDE_DIR})
    endif()
    if(DISPUTED_PLUGIN_SUPPORT)
      target_link_libraries(${target} PRIVATE ${DISPUTED_PLUGIN_SUPPORT})
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E copy_if_different ${manifest}
              ${output_dir}/lib${target}.manifest.json)
    string(TOUPPER ${target} upper)
    list(APPEND plugins ${target})
    list(APPEND defines "${upper}_PLUGIN=\"$<TARGET_FILE:${target}>\""
                        "${upper}_MANIFEST=\"${manifest}\""
                        "${upper}_PLUGIN_DIR=\"$<TARGET_FILE_DIR:${target}>\"")
    if(ARG_SPEC)
      get_filename_component(spec ${ARG_SPEC} ABSOLUTE)
      list(APPEND defines "${upper}_SPEC=\"${spec}\"")
    endif()
  endforeach()

  # The sandbox: an object library, so that a registration in it is never dropped by the linker.
  set(sandbox "")
  if(ARG_SANDBOX)
    set(sandbox ${name}_sandbox)
    add_library(${sandbox} OBJECT ${ARG_SANDBOX})
    set_target_properties(${sandbox} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_link_libraries(${sandbox} PUBLIC disputed::sdk ${DISPUTED_SANDBOX_KIT} ${ARG_SANDBOX_LINK})
    if(DISPUTED_PLUGIN_INCLUDE_DIR)
      target_include_directories(${sandbox} PUBLIC ${DISPUTED_PLUGIN_INCLUDE_DIR})
    endif()
    if(DISPUTED_PLUGIN_SUPPORT)
      target_link_libraries(${sandbox} PRIVATE ${DISPUTED_PLUGIN_SUPPORT})
    endif()
    if(ARG_TEST_ONLY)
      set_property(GLOBAL APPEND PROPERTY DISPUTED_TEST_SANDBOXES ${sandbox})
    else()
      set_property(GLOBAL APPEND PROPERTY DISPUTED_SANDBOXES ${sandbox})
    endif()
  endif()

  if(NOT TARGET disputed::sdk_testkit OR NOT TARGET GTest::gtest_main)
    return()
  endif()
  include(GoogleTest)
  # Tests and benches: the sandbox, the kits, the plugin's paths.
  function(disputed_plugin_executable target source)
    add_executable(${target} ${source})
    target_link_libraries(${target} PRIVATE ${sandbox} disputed::sdk_testkit ${ARG_TEST_LINK}
                                            ${DISPUTED_PLUGIN_SUPPORT} ${ARGN})
    if(DISPUTED_PLUGIN_INCLUDE_DIR)
      target_include_directories(${target} PRIVATE ${DISPUTED_PLUGIN_INCLUDE_DIR})
    endif()
    target_compile_definitions(${target} PRIVATE ${defines}
      DISPUTED_SOURCE_DIR="${PROJECT_SOURCE_DIR}" DISPUTED_BINARY_DIR="${PROJECT_BINARY_DIR}")
    add_dependencies(${target} ${plugins})
  endfunction()

  if(NOT DEFINED DISPUTED_PLUGIN_TESTS OR DISPUTED_PLUGIN_TESTS)
    foreach(source IN LISTS ARG_TESTS)
      get_filename_component(stem ${source} NAME_WE)
      set(target ${name}_${stem})
      disputed_plugin_executable(${target} ${source} GTest::gtest_main GTest::gmock)
      if(stem MATCHES "conformance")
        add_test(NAME ${name}.conformance COMMAND ${target})
        set_tests_properties(${name}.conformance PROPERTIES LABELS conformance TIMEOUT 300
                             ENVIRONMENT "TZ=UTC")
      else()
        gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC")
      endif()
    endforeach()
  endif()
  if(NOT DEFINED DISPUTED_PLUGIN_BENCH OR DISPUTED_PLUGIN_BENCH)
    foreach(source IN LISTS ARG_BENCH)
      get_filename_component(stem ${source} NAME_WE)
      disputed_plugin_executable(${name}_${stem} ${source})
    endforeach()
  endif()
endfunction()
