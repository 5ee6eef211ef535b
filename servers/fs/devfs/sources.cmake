list(APPEND AXO_FS_LOGIC_SOURCES ${CMAKE_CURRENT_LIST_DIR}/chacha20.cc
                                 ${CMAKE_CURRENT_LIST_DIR}/device_file_system.cc)
