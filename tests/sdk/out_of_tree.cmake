# Proves a plugin builds out of tree: copies sdk/template to WORK (so nothing can reach back into
# this tree), configures it against the disputed_sdk package, builds it and runs its contract
# tests. Run by ctest (see CMakeLists.txt):
#   cmake -DTEMPLATE=<sdk/template> -DWORK=<dir> -DGENERATOR=<gen> -DCXX=<compiler>
#         -DBUILD_TYPE=<type> [-DCXX_FLAGS=... -DLINK_FLAGS=...]
#         (-DSDK_DIR=<build>/sdk-package | -DINSTALL_FROM=<build dir> -DFORBIDDEN=<dir>;...)
#         -P out_of_tree.cmake
foreach(required TEMPLATE WORK GENERATOR CXX)
  if(NOT ${required})
    message(FATAL_ERROR "out_of_tree.cmake needs -D${required}=...")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(COPY "${TEMPLATE}/" DESTINATION "${WORK}/src")

if(INSTALL_FROM)
  run("install the SDK" "${CMAKE_COMMAND}" --install "${INSTALL_FROM}" --component disputed_sdk --prefix "${WORK}/prefix")
  # An installed package must not point back into the tree it was built in.
  file(GLOB_RECURSE package_files "${WORK}/prefix/*.cmake")
  foreach(file IN LISTS package_files)
    file(READ "${file}" text)
    foreach(dir IN LISTS FORBIDDEN)
      string(FIND "${text}" "${dir}" at)
      if(NOT at EQUAL -1)
        message(FATAL_ERROR "${file} refers to ${dir}: the installed package is not relocatable")
      endif()
    endforeach()
  endforeach()
  set(locate "-DCMAKE_PREFIX_PATH=${WORK}/prefix")
else()
  set(locate "-Ddisputed_sdk_DIR=${SDK_DIR}")
endif()

run("configure the template" "${CMAKE_COMMAND}" -S "${WORK}/src" -B "${WORK}/build" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" "${locate}"
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}"
    "-DCMAKE_MODULE_LINKER_FLAGS=${LINK_FLAGS}")
run("build the template" "${CMAKE_COMMAND}" --build "${WORK}/build" -j 2)
run("run its contract tests" "${CMAKE_CTEST_COMMAND}" --test-dir "${WORK}/build" --output-on-failure)
