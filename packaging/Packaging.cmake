# `make package` (cmake --build build --target package): a Debian package made by CPack.
#
#   /usr/lib/disputed/bin/disputed        the engine (/usr/bin/disputed links to it), stripped
#   /usr/lib/disputed/plugins/            the connector plugins and their manifests (the binary
#                                         looks in <its dir>/../plugins)
#   /etc/disputed/                        the shipped configuration (conffiles), the database in
#                                         /var/lib/disputed/disputed.db
#   /lib/systemd/system/disputed.service  the hardened unit (packaging/disputed.service)
#   /usr/share/doc/disputed/              README, docs, copyright (with the AGPL note), changelog
#
# postinst creates the system user `disputed`. tests/package/package_test.sh builds the package
# and checks it (dpkg-deb -c, lintian, systemd-analyze verify); docs/operations.md.
# CPack (and `cmake --install`) take what is built: they do not build every target first (the
# tests and benches are not in the package). Build disputed and the plugins before (make package).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(DISPUTED_DEB_PREFIX /usr/lib/disputed)
set(DISPUTED_DEB_STAGE ${CMAKE_BINARY_DIR}/packaging)

# Only in the package, not in `cmake --install --prefix DIR` (component deb, not installed by
# default): the configuration for /etc, the unit, the documentation, the command's link.
file(MAKE_DIRECTORY ${DISPUTED_DEB_STAGE})
file(CREATE_LINK ../lib/disputed/bin/disputed ${DISPUTED_DEB_STAGE}/disputed SYMBOLIC)
file(READ ${PROJECT_SOURCE_DIR}/packaging/changelog disputed_changelog)
string(REPLACE "@VERSION@" "${PROJECT_VERSION}" disputed_changelog "${disputed_changelog}")
file(WRITE ${DISPUTED_DEB_STAGE}/changelog "${disputed_changelog}")
# Debian wants the changelog compressed, reproducibly (gzip -9n); a native package names it
# changelog.gz.
execute_process(COMMAND gzip -9nf ${DISPUTED_DEB_STAGE}/changelog COMMAND_ERROR_IS_FATAL ANY)

# The shipped disputed.json, with the database where the unit keeps its state.
file(READ ${PROJECT_SOURCE_DIR}/configs/disputed.json disputed_engine_config)
string(REPLACE "\"path\": \"disputed.db\"" "\"path\": \"/var/lib/disputed/disputed.db\""
       disputed_engine_config "${disputed_engine_config}")
if(NOT disputed_engine_config MATCHES "/var/lib/disputed/disputed.db")
  message(FATAL_ERROR "packaging: configs/disputed.json has no \"path\": \"disputed.db\" to rewrite")
endif()
file(WRITE ${DISPUTED_DEB_STAGE}/disputed.json "${disputed_engine_config}")

install(FILES ${DISPUTED_DEB_STAGE}/disputed DESTINATION /usr/bin COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${DISPUTED_DEB_STAGE}/disputed.json
              ${PROJECT_SOURCE_DIR}/configs/roles.json
              ${PROJECT_SOURCE_DIR}/configs/categories.json
        DESTINATION /etc/disputed COMPONENT deb EXCLUDE_FROM_ALL)
foreach(dir calendars workflows templates)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/${dir} DESTINATION /etc/disputed
          COMPONENT deb EXCLUDE_FROM_ALL)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/schemas ${PROJECT_SOURCE_DIR}/configs/examples
        DESTINATION /usr/share/doc/disputed/configs COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/disputed.service
        DESTINATION /lib/systemd/system COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/packaging/copyright
        DESTINATION /usr/share/doc/disputed COMPONENT deb EXCLUDE_FROM_ALL)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION /usr/share/doc/disputed
        COMPONENT deb EXCLUDE_FROM_ALL PATTERN screenshots EXCLUDE)
install(FILES ${DISPUTED_DEB_STAGE}/changelog.gz DESTINATION /usr/share/doc/disputed
        COMPONENT deb EXCLUDE_FROM_ALL)

# Every file under /etc is a conffile: dpkg keeps the operator's edits on upgrade.
set(disputed_conffiles /etc/disputed/disputed.json /etc/disputed/roles.json
    /etc/disputed/categories.json)
foreach(dir calendars workflows templates)
  file(GLOB_RECURSE files RELATIVE ${PROJECT_SOURCE_DIR}/configs ${PROJECT_SOURCE_DIR}/configs/${dir}/*)
  list(SORT files)
  foreach(f IN LISTS files)
    list(APPEND disputed_conffiles /etc/disputed/${f})
  endforeach()
endforeach()
list(JOIN disputed_conffiles "\n" disputed_conffiles_text)
file(WRITE ${DISPUTED_DEB_STAGE}/conffiles "${disputed_conffiles_text}\n")
foreach(script postinst prerm postrm)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/${script} ${DISPUTED_DEB_STAGE}/${script} COPYONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME disputed)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the disputed authors")
set(CPACK_PACKAGE_CONTACT "disputed maintainers <maintainers@disputed.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "invoice-dispute engine with connector plugins")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "disputed registers invoice disputes, holds their dunning, routes each step of a\n"
    "workflow to the people who decide it, mirrors the steps as tasks in Zendesk,\n"
    "Salesforce and Microsoft To Do, and sends its messages by SMTP. One process\n"
    "serves the REST API and the web app, runs the timers and the connectors, and\n"
    "keeps its state in one SQLite database.")
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://disputed.invalid/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${DISPUTED_DEB_STAGE}/conffiles ${DISPUTED_DEB_STAGE}/postinst ${DISPUTED_DEB_STAGE}/prerm
    ${DISPUTED_DEB_STAGE}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${DISPUTED_DEB_PREFIX})
set(CPACK_STRIP_FILES ON)
# One package of every component: the default one (the binary, the plugins) and deb.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified deb)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
