# The root file system's contents beside image/rootfs/ (image/CMakeLists.txt packs them):
#   axo_rootfs_install(<target> <absolute path in the image>)   a program built in this tree
#   axo_rootfs_link(<absolute path> <symlink target>)           e.g. busybox's applet links
function(axo_rootfs_install target path)
    set_property(GLOBAL APPEND PROPERTY AXO_ROOTFS_FILES "${target}=${path}")
endfunction()

function(axo_rootfs_link path points_to)
    set_property(GLOBAL APPEND PROPERTY AXO_ROOTFS_LINKS "${path}=${points_to}")
endfunction()
