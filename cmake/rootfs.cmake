# The root file system's contents beside image/rootfs/ (image/CMakeLists.txt packs them):
#   axo_rootfs_install(<target> <absolute path in the image>)   a program built in this tree
#   axo_rootfs_link(<absolute path> <symlink target>)           e.g. busybox's applet links
#   axo_rootfs_install_file(<file> <path> <target>)             a file another target makes (ports)
function(axo_rootfs_install target path)
    set_property(GLOBAL APPEND PROPERTY AXO_ROOTFS_FILES "${target}=${path}")
endfunction()

function(axo_rootfs_link path points_to)
    set_property(GLOBAL APPEND PROPERTY AXO_ROOTFS_LINKS "${path}=${points_to}")
endfunction()

# axo_rootfs_install_file(<file> <absolute path in the image> <target that makes it>)
# A file built by other means than add_executable, e.g. a port (cmake/ports.cmake).
function(axo_rootfs_install_file file path target)
    set_property(GLOBAL APPEND PROPERTY AXO_ROOTFS_BUILT_FILES "${file}=${path}")
    set_property(GLOBAL APPEND PROPERTY AXO_ROOTFS_BUILT_TARGETS "${target}")
endfunction()
