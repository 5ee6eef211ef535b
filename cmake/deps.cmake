# Third-party dependencies of the target tree, from Debian and never committed
# (DESIGN.md §2): newlib 3.3.0 (package newlib-source) and lwIP 2.1.3 (Debian source package,
# fetched by `./axo deps`). Both are unpacked and built under AXO_DEPS_DIR and cached there:
#
#   newlib-<version>-<recipe hash>/   built at build time by cmake/deps/build-newlib.sh;
#                                     the directory name changes whenever the recipe or the
#                                     compiler does, and `stamp` marks a finished install
#   lwip-<version>/                   the unpacked upstream tarball (configure time)
#
# Provides:
#   axo_newlib            INTERFACE target: newlib's headers, the -U flags it needs, and
#                         libc.a + libm.a + libgcc to link; depends on the newlib build
#   AXO_NEWLIB_SYSROOT    <dir>/i686-elf with include/ and lib/
#   AXO_LWIP_DIR          lwIP's source tree (servers/net builds the library from it)
include_guard(GLOBAL)

if(NOT AXO_DEPS_DIR)
    message(FATAL_ERROR "AXO_DEPS_DIR is not set: build through `./axo build`, which passes "
        "<build>/deps to the target tree")
endif()

# ---- newlib -------------------------------------------------------------------------------

set(AXO_NEWLIB_VERSION 3.3.0)
set(AXO_NEWLIB_TARBALL "/usr/src/newlib/newlib-${AXO_NEWLIB_VERSION}.tar.xz")
set(_axo_newlib_recipe "${CMAKE_CURRENT_LIST_DIR}/deps/build-newlib.sh")

# The cache key: the recipe's text (all configure flags live in it) and the compiler that
# runs it. Equal key, equal directory: a finished build there is reused as is.
file(READ "${_axo_newlib_recipe}" _axo_recipe_text)
# The patches are part of the recipe: a changed or added patch builds a fresh newlib.
file(GLOB _axo_newlib_patches "${CMAKE_CURRENT_LIST_DIR}/deps/newlib-patches/*.patch")
list(SORT _axo_newlib_patches)
foreach(_axo_patch IN LISTS _axo_newlib_patches)
    file(READ "${_axo_patch}" _axo_patch_text)
    get_filename_component(_axo_patch_name "${_axo_patch}" NAME)
    string(APPEND _axo_recipe_text "${_axo_patch_name}:${_axo_patch_text}")
endforeach()
string(SHA256 _axo_newlib_key "${_axo_recipe_text}${CMAKE_C_COMPILER_ID}${CMAKE_C_COMPILER_VERSION}")
string(SUBSTRING "${_axo_newlib_key}" 0 12 _axo_newlib_key)
set(AXO_NEWLIB_DIR "${AXO_DEPS_DIR}/newlib-${AXO_NEWLIB_VERSION}-${_axo_newlib_key}")
set(AXO_NEWLIB_SYSROOT "${AXO_NEWLIB_DIR}/i686-elf")

if(NOT EXISTS "${AXO_NEWLIB_DIR}/stamp" AND NOT EXISTS "${AXO_NEWLIB_TARBALL}")
    message(FATAL_ERROR "${AXO_NEWLIB_TARBALL} is missing: run `./axo deps` "
        "(it installs the Debian package newlib-source)")
endif()

cmake_host_system_information(RESULT _axo_cores QUERY NUMBER_OF_LOGICAL_CORES)

# Built at build time, not configure time: configuring stays quick, the 2-3 minute build
# runs in parallel with everything that does not need newlib, and its progress streams
# through Ninja's console pool (USES_TERMINAL). The only input is the stamp's absence: the
# key is already in the path, so a touched-but-unchanged recipe does not rebuild.
add_custom_command(
    OUTPUT "${AXO_NEWLIB_DIR}/stamp"
    BYPRODUCTS "${AXO_NEWLIB_SYSROOT}/lib/libc.a" "${AXO_NEWLIB_SYSROOT}/lib/libm.a"
    COMMAND bash "${_axo_newlib_recipe}" "${AXO_NEWLIB_TARBALL}" "${AXO_NEWLIB_DIR}" ${_axo_cores}
    COMMENT "newlib ${AXO_NEWLIB_VERSION} (recipe ${_axo_newlib_key})"
    USES_TERMINAL
    VERBATIM)
add_custom_target(axo_newlib_build DEPENDS "${AXO_NEWLIB_DIR}/stamp")

execute_process(
    COMMAND ${CMAKE_C_COMPILER} -m32 -print-libgcc-file-name
    OUTPUT_VARIABLE AXO_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
# gcc's own headers (stddef.h, stdarg.h, float.h, limits.h ...), which newlib expects.
execute_process(
    COMMAND ${CMAKE_C_COMPILER} -m32 -print-file-name=include
    OUTPUT_VARIABLE _axo_gcc_include OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)

add_library(axo_newlib INTERFACE)
# Followed transitively: whatever links axo_newlib compiles only after newlib is installed.
add_dependencies(axo_newlib axo_newlib_build)
target_compile_options(axo_newlib INTERFACE
    # Only newlib's and gcc's headers: a glibc header that slipped in from /usr/include would
    # compile and then fail at link time, or worse, not fail.
    -nostdinc
    # The same -U's newlib was built with (see build-newlib.sh).
    -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix
    # Code linked with a C library is hosted: undo the toolchain's -ffreestanding so gcc may
    # treat memcpy, strlen, printf ... as the builtins they are. C only: g++ has no -fhosted,
    # so C++ stays freestanding (no builtins) until there is a libstdc++ for newlib.
    $<$<COMPILE_LANGUAGE:C>:-fhosted>
    # gcc's headers after newlib's (newlib's limits.h include_next's gcc's). An option, not an
    # include directory: CMake drops the compiler's implicit include directories from those.
    "SHELL:-isystem ${_axo_gcc_include}")
target_include_directories(axo_newlib SYSTEM INTERFACE "${AXO_NEWLIB_SYSROOT}/include")
# libc and libm call into libgcc (64-bit division) and each other; a rescanned group resolves
# that whatever order the archives come in. CMake knows the linker flags for RESCAN only on
# the platforms it recognises, and the target tree is "Generic".
foreach(_axo_lang C CXX)
    set(CMAKE_${_axo_lang}_LINK_GROUP_USING_RESCAN "LINKER:--start-group" "LINKER:--end-group")
    set(CMAKE_${_axo_lang}_LINK_GROUP_USING_RESCAN_SUPPORTED TRUE)
endforeach()
target_link_libraries(axo_newlib INTERFACE
    "$<LINK_GROUP:RESCAN,${AXO_NEWLIB_SYSROOT}/lib/libc.a,${AXO_NEWLIB_SYSROOT}/lib/libm.a,${AXO_LIBGCC}>")

# ---- lwIP ---------------------------------------------------------------------------------

set(AXO_LWIP_VERSION 2.1.3)
set(_axo_lwip_download "${AXO_DEPS_DIR}/src/lwip-${AXO_LWIP_VERSION}")
set(AXO_LWIP_DIR "${AXO_DEPS_DIR}/lwip-${AXO_LWIP_VERSION}")

# Unpacked at configure time: it takes well under a second, and the library's source list
# must exist before the build system can be generated. Debian's patches are not applied:
# they touch only the socket API, tcpip thread, PPP and Debian's own port, none of which a
# NO_SYS build compiles.
if(NOT EXISTS "${AXO_LWIP_DIR}/stamp")
    file(GLOB _axo_lwip_tarball "${_axo_lwip_download}/lwip_${AXO_LWIP_VERSION}*.orig.tar.*")
    if(NOT _axo_lwip_tarball)
        message(FATAL_ERROR "lwIP ${AXO_LWIP_VERSION} source not found in "
            "${_axo_lwip_download}: run `./axo deps` (it downloads Debian's source package)")
    endif()
    message(STATUS "Unpacking ${_axo_lwip_tarball}")
    # Unpack beside the final place and rename, so an interrupted unpack is never mistaken
    # for a complete one.
    file(REMOVE_RECURSE "${AXO_LWIP_DIR}" "${AXO_LWIP_DIR}.tmp")
    file(ARCHIVE_EXTRACT INPUT "${_axo_lwip_tarball}" DESTINATION "${AXO_LWIP_DIR}.tmp")
    file(RENAME "${AXO_LWIP_DIR}.tmp/lwip-${AXO_LWIP_VERSION}" "${AXO_LWIP_DIR}")
    file(REMOVE_RECURSE "${AXO_LWIP_DIR}.tmp")
    file(TOUCH "${AXO_LWIP_DIR}/stamp")
endif()
# Deleting the unpacked tree (or the whole deps directory) re-runs this at the next build.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${AXO_LWIP_DIR}/stamp")
