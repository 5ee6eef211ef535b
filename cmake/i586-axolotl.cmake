# Toolchain file for Axolotl's target tree: freestanding i586 (Pentium) code built by the
# host gcc with -m32 (see ../shared/NOTES-toolchain.md). P6 instructions (cmov, sysenter)
# stay out because the Bochs tests run on a Pentium CPU model that faults on them.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR i586)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_ASM_COMPILER gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(AXO_TARGET_FLAGS "-m32 -march=pentium -ffreestanding -fno-pie -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables")
set(CMAKE_C_FLAGS_INIT "${AXO_TARGET_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${AXO_TARGET_FLAGS} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "-m32")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32 -nostdlib -static -no-pie -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
