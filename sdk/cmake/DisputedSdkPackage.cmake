# The disputed_sdk CMake package, so a plugin builds out of tree with
#   find_package(disputed_sdk 2.0 REQUIRED)            # disputed::sdk + add_connector_plugin()
#   find_package(disputed_sdk 2.0 REQUIRED COMPONENTS kit)       # + disputed::sdk_kit
#   find_package(disputed_sdk 2.0 REQUIRED COMPONENTS testkit)   # + disputed::sdk_testkit
# usable two ways:
#   - from this build tree: -Ddisputed_sdk_DIR=<build>/sdk-package (what tests/sdk does);
#   - from an install: cmake --install <build> --component disputed_sdk --prefix <dir>, then
#     -DCMAKE_PREFIX_PATH=<dir>.
# Included by sdk/CMakeLists.txt after the targets exist.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# One version: the SDK release in version.hpp.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/../include/disputed/sdk/version.hpp" disputed_sdk_version_line
     REGEX "^#define DISPUTED_SDK_VERSION \"[0-9]+\\.[0-9]+\\.[0-9]+\"")
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" DISPUTED_SDK_PACKAGE_VERSION "${disputed_sdk_version_line}")
if(NOT DISPUTED_SDK_PACKAGE_VERSION)
  message(FATAL_ERROR "cannot read DISPUTED_SDK_VERSION from sdk/include/disputed/sdk/version.hpp")
endif()

set(disputed_sdk_package_dir "${CMAKE_BINARY_DIR}/sdk-package")
set(disputed_sdk_install_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/disputed_sdk")
set(disputed_sdk_component COMPONENT disputed_sdk)

set_target_properties(disputed_sdk PROPERTIES EXPORT_NAME sdk)
install(TARGETS disputed_sdk EXPORT disputed_sdkTargets ${disputed_sdk_component})
install(DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/../include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        ${disputed_sdk_component})
install(EXPORT disputed_sdkTargets NAMESPACE disputed:: DESTINATION "${disputed_sdk_install_cmake_dir}"
        ${disputed_sdk_component})
export(EXPORT disputed_sdkTargets NAMESPACE disputed:: FILE "${disputed_sdk_package_dir}/disputed_sdkTargets.cmake")

# The connector kit: its own export set (it needs nlohmann_json, found by the package config).
if(TARGET disputed_sdk_kit)
  install(TARGETS disputed_sdk_kit EXPORT disputed_sdkKitTargets
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" ${disputed_sdk_component})
  install(DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/../kit/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
          ${disputed_sdk_component})
  install(EXPORT disputed_sdkKitTargets NAMESPACE disputed:: DESTINATION "${disputed_sdk_install_cmake_dir}"
          ${disputed_sdk_component})
  export(EXPORT disputed_sdkKitTargets NAMESPACE disputed::
         FILE "${disputed_sdk_package_dir}/disputed_sdkKitTargets.cmake")
endif()

# The test kit is its own export set: a consumer without GoogleTest still gets disputed::sdk.
if(TARGET disputed_sdk_testkit)
  install(TARGETS disputed_sdk_testkit EXPORT disputed_sdkTestkitTargets
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" ${disputed_sdk_component})
  install(DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/../testkit/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
          ${disputed_sdk_component})
  install(EXPORT disputed_sdkTestkitTargets NAMESPACE disputed:: DESTINATION "${disputed_sdk_install_cmake_dir}"
          ${disputed_sdk_component})
  export(EXPORT disputed_sdkTestkitTargets NAMESPACE disputed::
         FILE "${disputed_sdk_package_dir}/disputed_sdkTestkitTargets.cmake")
endif()

# add_connector_plugin() and its helper: from the source tree in the build-tree package, copied
# beside the config file in an install.
install(FILES "${CMAKE_CURRENT_LIST_DIR}/DisputedConnectorPlugin.cmake" "${CMAKE_CURRENT_LIST_DIR}/EmbedManifest.cmake"
        DESTINATION "${disputed_sdk_install_cmake_dir}" ${disputed_sdk_component})

set(DISPUTED_SDK_FUNCTIONS_DIR "${CMAKE_CURRENT_LIST_DIR}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/disputed_sdkConfig.cmake.in"
               "${disputed_sdk_package_dir}/disputed_sdkConfig.cmake" @ONLY)
set(DISPUTED_SDK_FUNCTIONS_DIR "\${CMAKE_CURRENT_LIST_DIR}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/disputed_sdkConfig.cmake.in"
               "${CMAKE_CURRENT_BINARY_DIR}/install/disputed_sdkConfig.cmake" @ONLY)
# SameMajorVersion: the ABI major is the SDK major (version.hpp).
write_basic_package_version_file("${disputed_sdk_package_dir}/disputed_sdkConfigVersion.cmake"
                                 VERSION ${DISPUTED_SDK_PACKAGE_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/install/disputed_sdkConfig.cmake"
              "${disputed_sdk_package_dir}/disputed_sdkConfigVersion.cmake"
        DESTINATION "${disputed_sdk_install_cmake_dir}" ${disputed_sdk_component})

# For integrators: the schemas their editor can check manifest.json and instance files against,
# the plugin template to copy, and the guide.
install(FILES "${PROJECT_SOURCE_DIR}/configs/schemas/plugin-manifest.schema.json"
              "${PROJECT_SOURCE_DIR}/configs/schemas/connector-instance.schema.json"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/disputed_sdk/schemas" ${disputed_sdk_component})
install(DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/../template/" DESTINATION "${CMAKE_INSTALL_DATADIR}/disputed_sdk/template"
        ${disputed_sdk_component} PATTERN "build*" EXCLUDE)
if(EXISTS "${PROJECT_SOURCE_DIR}/docs/plugin-guide.md")
  install(FILES "${PROJECT_SOURCE_DIR}/docs/plugin-guide.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
          ${disputed_sdk_component})
endif()
