# ctest registration of tests that boot the OS: axo_qemu_test() and axo_bochs_test().
# Used by the host tree (tests/system, tests/bochs, tests/harness); see tests/README.md.
#
#   axo_qemu_test(NAME name [CMDLINE "key=value ..."] [KERNEL path] [BOOT_CONFIG file]
#                 [MODULES "path args" ...] [TIMEOUT seconds] [ICOUNT] [GRUB]
#                 [EXPECT regex ...] [EXPECT_PANIC] [NO_TAP] [NO_END_MARKER]
#                 [EXIT_STATUS n] [QEMU_ARGS arg ...] [LABELS label ...] [WILL_FAIL])
#   axo_bochs_test(NAME name [CMDLINE ...] [KERNEL path] [BOOT_CONFIG file] [MODULES ...]
#                  [TIMEOUT seconds]
#                  [EXPECT regex ...] [EXPECT_PANIC] [NO_TAP] [NO_END_MARKER] [MEGS n]
#                  [BOCHSRC_LINES line ...] [LABELS label ...] [WILL_FAIL])
#
# KERNEL defaults to the target tree's kernel; relative MODULES paths are relative to the
# target tree (${AXO_TARGET_DIR}). BOOT_CONFIG boots the modules of a boot-configuration file
# (image/boot.conf is the default system's: one module per line, path in the target tree then
# its words, `#` comments), before any MODULES. Labels are `system` (QEMU) or `bochs` plus LABELS.
# TIMEOUT is the runner's own limit; ctest's is set a little higher so that the runner,
# which stops the emulator and explains why, always speaks first.
# Write regexes as bracket arguments, [[features:.*\bfpu\b]], so CMake leaves `\` alone.
#
# Tests need the target tree built: ctest runs after `ninja` (./axo test builds first). A
# runner that cannot run at all exits with 77; WILL_FAIL tests treat 77 as "not run" so a
# broken harness never passes for an expected failure.
# Functions are global but variables belong to a directory: include once per directory.
include_guard(DIRECTORY)

if(NOT DEFINED AXO_TARGET_DIR)
    set(AXO_TARGET_DIR "${CMAKE_BINARY_DIR}/target")
endif()
if(NOT Python3_EXECUTABLE)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
endif()

set(AXO_KERNEL "${AXO_TARGET_DIR}/kernel/kernel.elf")
set(AXO_TEST_LOG_DIR "${CMAKE_BINARY_DIR}/test-logs")
get_filename_component(_AXO_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(_AXO_HARNESS_ERROR 77)
# What the runners add to TIMEOUT at most: stopping the emulator, building a GRUB ISO.
set(_AXO_QEMU_SLACK 20)
set(_AXO_BOCHS_SLACK 60)

set(_AXO_TEST_OPTIONS EXPECT_PANIC NO_TAP NO_END_MARKER WILL_FAIL)
set(_AXO_TEST_ONE NAME CMDLINE KERNEL TIMEOUT BOOT_CONFIG)

# The modules of a boot-configuration file (image/boot.conf's format), into `out`; the file is
# read when CMake configures, and editing it configures again.
function(axo_boot_config_modules file out)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
    file(READ "${file}" text)
    # Comments go first: they may hold `;`, CMake's list separator (module words never do).
    string(REGEX REPLACE "#[^\n]*" "" text "${text}")
    string(REPLACE "\n" ";" lines "${text}")
    set(modules)
    foreach(line IN LISTS lines)
        string(STRIP "${line}" line)
        if(line STREQUAL "")
            continue()
        endif()
        list(APPEND modules "${line}")
    endforeach()
    set(${out} ${modules} PARENT_SCOPE)
endfunction()
set(_AXO_TEST_MULTI MODULES EXPECT LABELS)

# The arguments both runners share, from the parsed T_* variables of the caller.
macro(_axo_runner_args out default_timeout)
    if(NOT T_NAME)
        message(FATAL_ERROR "axo test: NAME is required")
    endif()
    if(T_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "axo test ${T_NAME}: unknown arguments: ${T_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT T_KERNEL)
        set(T_KERNEL "${AXO_KERNEL}")
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT ${default_timeout})
    endif()
    # `--opt=value` keeps an empty value and one starting with `-` a value.
    set(${out}
        "--kernel=${T_KERNEL}"
        "--append=${T_CMDLINE}"
        "--timeout=${T_TIMEOUT}"
        "--log=${AXO_TEST_LOG_DIR}/${T_NAME}.log")
    if(T_BOOT_CONFIG)
        axo_boot_config_modules("${T_BOOT_CONFIG}" _config_modules)
        list(PREPEND T_MODULES ${_config_modules})
    endif()
    foreach(module IN LISTS T_MODULES)
        if(NOT IS_ABSOLUTE "${module}")
            set(module "${AXO_TARGET_DIR}/${module}")
        endif()
        list(APPEND ${out} "--module=${module}")
    endforeach()
    foreach(regex IN LISTS T_EXPECT)
        list(APPEND ${out} "--expect=${regex}")
    endforeach()
    if(T_EXPECT_PANIC)
        list(APPEND ${out} --expect-panic)
    endif()
    if(T_NO_TAP)
        list(APPEND ${out} --no-tap)
    endif()
    if(T_NO_END_MARKER)
        list(APPEND ${out} --no-end-marker)
    endif()
endmacro()

macro(_axo_test_properties default_label slack)
    math(EXPR _ctest_timeout "${T_TIMEOUT} + ${slack}")
    set(_labels ${default_label} ${T_LABELS})
    set_tests_properties(${T_NAME} PROPERTIES
        LABELS "${_labels}"
        TIMEOUT ${_ctest_timeout})
    if(T_WILL_FAIL)
        set_tests_properties(${T_NAME} PROPERTIES
            WILL_FAIL TRUE
            SKIP_RETURN_CODE ${_AXO_HARNESS_ERROR})
    endif()
endmacro()

function(axo_qemu_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS};ICOUNT;GRUB"
        "${_AXO_TEST_ONE};EXIT_STATUS" "${_AXO_TEST_MULTI};QEMU_ARGS")
    _axo_runner_args(args 30)
    if(T_ICOUNT)
        list(APPEND args --icount)
    endif()
    if(T_GRUB)
        list(APPEND args --grub)
    endif()
    if(DEFINED T_EXIT_STATUS)
        list(APPEND args "--expect-exit=${T_EXIT_STATUS}")
    endif()
    foreach(arg IN LISTS T_QEMU_ARGS)
        list(APPEND args "--extra-qemu-arg=${arg}")
    endforeach()
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${_AXO_SOURCE_ROOT}/tests/system/qemu_run.py" ${args})
    _axo_test_properties(system ${_AXO_QEMU_SLACK})
endfunction()

function(axo_bochs_test)
    cmake_parse_arguments(PARSE_ARGV 0 T "${_AXO_TEST_OPTIONS}"
        "${_AXO_TEST_ONE};MEGS" "${_AXO_TEST_MULTI};BOCHSRC_LINES")
    _axo_runner_args(args 120)
    if(T_MEGS)
        list(APPEND args "--megs=${T_MEGS}")
    endif()
    foreach(line IN LISTS T_BOCHSRC_LINES)
        list(APPEND args "--bochsrc-line=${line}")
    endforeach()
    add_test(NAME ${T_NAME}
        COMMAND "${Python3_EXECUTABLE}" "${_AXO_SOURCE_ROOT}/tests/bochs/bochs_run.py" ${args})
    _axo_test_properties(bochs ${_AXO_BOCHS_SLACK})
endfunction()
