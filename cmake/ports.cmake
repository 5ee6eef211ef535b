# Upstream programs from Debian source packages (DESIGN.md §1 and §6, apps/ports/README.md):
#
#   axo_port(<name> PACKAGE <debian source package> VERSION <upstream version>
#            PROGRAMS <file>... [TARBALL <glob>])
#
# builds apps/ports/<name>/ (the directory of the calling CMakeLists) with
# cmake/ports/port-build.sh: the orig tarball that `./axo deps` downloaded into
# AXO_DEPS_DIR/src/<package>-<version>/ (found by TARBALL, default <package>_<version>.orig.tar.*),
# the recipe's patches/*.patch, then its build.sh with the cross toolchain (i586-axolotl-elf-*,
# libposix/README.md), which leaves PROGRAMS in ${CMAKE_CURRENT_BINARY_DIR}/bin. Gives:
#   target port_<name>                     builds them (part of ALL)
#   AXO_PORT_<name>_BIN                    the directory PROGRAMS are in
# Install them with axo_rootfs_install_file(<file> <path> port_<name>) (cmake/rootfs.cmake).
#
# The unpacked and configured tree lives in the build tree (apps/ports/<name>/work) and is
# reused; only a change of the recipe unpacks again. Every build relinks against the sysroot,
# since libposix changes more often than the ports do.
include_guard(GLOBAL)

set(AXO_PORT_BUILD_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/ports/port-build.sh")

function(axo_port name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "PACKAGE;VERSION;TARBALL" "PROGRAMS")
    if(NOT arg_PACKAGE OR NOT arg_VERSION OR NOT arg_PROGRAMS)
        message(FATAL_ERROR "axo_port(${name}): PACKAGE, VERSION and PROGRAMS are required")
    endif()
    if(NOT arg_TARBALL)
        set(arg_TARBALL "${arg_PACKAGE}_${arg_VERSION}.orig.tar.*")
    endif()
    set(download "${AXO_DEPS_DIR}/src/${arg_PACKAGE}-${arg_VERSION}")
    file(GLOB tarball "${download}/${arg_TARBALL}")
    list(FILTER tarball EXCLUDE REGEX "\\.asc$")
    if(NOT tarball)
        message(FATAL_ERROR "${arg_PACKAGE} ${arg_VERSION} source not found in ${download}: "
            "run `./axo deps` (it downloads Debian's source packages)")
    endif()
    list(GET tarball 0 tarball)

    set(recipe "${CMAKE_CURRENT_SOURCE_DIR}")
    set(bin "${CMAKE_CURRENT_BINARY_DIR}/bin")
    file(GLOB patches CONFIGURE_DEPENDS "${recipe}/patches/*.patch")
    set(outputs)
    foreach(program IN LISTS arg_PROGRAMS)
        list(APPEND outputs "${bin}/${program}")
    endforeach()
    add_custom_command(
        OUTPUT ${outputs}
        COMMAND bash "${AXO_PORT_BUILD_SCRIPT}" ${name} "${tarball}" "${recipe}"
                "${CMAKE_CURRENT_BINARY_DIR}/work" "${bin}" "${CMAKE_BINARY_DIR}/toolchain/bin"
        DEPENDS "${AXO_PORT_BUILD_SCRIPT}" "${recipe}/build.sh" ${patches} "${tarball}"
                axo_sysroot "${CMAKE_BINARY_DIR}/sysroot/stamp"
        COMMENT "Port ${name} ${arg_VERSION} (Debian source package ${arg_PACKAGE})"
        USES_TERMINAL
        VERBATIM)
    add_custom_target(port_${name} ALL DEPENDS ${outputs})
    set(AXO_PORT_${name}_BIN "${bin}" PARENT_SCOPE)
endfunction()
