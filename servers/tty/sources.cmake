# The tty server's plain logic, shared by its program (CMakeLists.txt) and the host unit tests
# (tests/unit/CMakeLists.txt).
set(AXO_TTY_LOGIC_SOURCES ${CMAKE_CURRENT_LIST_DIR}/line_discipline.cc
                          ${CMAKE_CURRENT_LIST_DIR}/terminal.cc)
