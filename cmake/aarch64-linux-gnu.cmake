# Toolchain file for the ARM64 build of `make test-arm64`: Debian's cross
# compiler (package g++-aarch64-linux-gnu). Programs, the tests' discovery
# included, run under qemu-aarch64 (package qemu-user) with the ARM64 C and
# C++ runtimes of /usr/aarch64-linux-gnu, and with SMMAP_TEST_EMULATED=qemu-aarch64 set:
# the emulator cannot re-execute a program, so death tests fork only, and the
# few tests that meet its limits skip or shrink (tests/reliability_support.hpp).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(ARM64_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${ARM64_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${ARM64_TRIPLE}-g++)
set(CMAKE_FIND_ROOT_PATH /usr/${ARM64_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(QEMU_AARCH64 qemu-aarch64)
if(NOT QEMU_AARCH64)
  message(FATAL_ERROR "no qemu-aarch64 to run ARM64 programs: install qemu-user")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_AARCH64} -L /usr/${ARM64_TRIPLE} -E SMMAP_TEST_EMULATED=qemu-aarch64)
