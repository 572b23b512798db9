# Shared settings for every target of our own code.

add_library(disputed_warnings INTERFACE)
target_compile_options(disputed_warnings INTERFACE -Wall -Wextra -Werror -Wpedantic)

if(DISPUTED_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer (scripts/tsan.sh). GCC warns that TSan does not model the standalone fences in
# Boost.Asio's handler completion (-Wtsan); Asio's queues are mutex-protected, so that warning
# is no error here.
if(DISPUTED_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()

# The fuzz build (fuzz/, scripts/fuzz.sh): every library instrumented for libFuzzer's coverage and
# checked by ASan + UBSan; only the harnesses link libFuzzer's main.
if(DISPUTED_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DISPUTED_FUZZ needs clang (scripts/fuzz.sh configures clang++-14)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# disputed_module(NAME SOURCES ... DEPENDS ...): one core module = one folder = one static library.
function(disputed_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(disputed_${name} STATIC ${ARG_SOURCES})
  add_library(disputed::${name} ALIAS disputed_${name})
  target_include_directories(disputed_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(disputed_${name} PUBLIC ${ARG_DEPENDS} PRIVATE disputed_warnings)
  set_target_properties(disputed_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# disputed_test(NAME SOURCES ... DEPENDS ...): one GoogleTest executable registered with ctest.
function(disputed_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest_main GTest::gmock disputed_warnings)
  target_compile_definitions(${name} PRIVATE
    DISPUTED_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DISPUTED_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC")
endfunction()
