# Support for the -m32 build of `make test-m32`, passed as
# CMAKE_PROJECT_smmap_INCLUDE:
#  - GoogleTest is built from Debian's sources (/usr/src/googletest, package
#    googletest) inside this build, as the packaged libgtest is 64-bit only;
#    find_package(GTest) then finds these targets.
#  - Where the kernel cannot run 32-bit programs (some sandboxes), tests run
#    under qemu-i386 (package qemu-user), with SMMAP_TEST_EMULATED=qemu-i386 set for
#    them: the emulator cannot re-execute a program, so death tests fork only.
include(${CMAKE_CURRENT_LIST_DIR}/googletest-from-source.cmake)

if(NOT DEFINED CMAKE_CROSSCOMPILING_EMULATOR)
  set(probe_source ${CMAKE_BINARY_DIR}/m32_probe.cpp)
  file(WRITE ${probe_source} "int main() { return sizeof(void*) == 4 ? 0 : 1; }\n")
  try_run(probe_exit probe_compiles ${CMAKE_BINARY_DIR}/m32_probe ${probe_source})
  if(NOT probe_compiles)
    message(FATAL_ERROR "cannot build 32-bit programs: install g++-multilib")
  endif()
  if(NOT probe_exit STREQUAL "0")
    find_program(QEMU_I386 qemu-i386)
    if(NOT QEMU_I386)
      message(FATAL_ERROR "this machine cannot run 32-bit programs: install qemu-user")
    endif()
    message(STATUS "32-bit programs run under ${QEMU_I386}")
    set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_I386} -E SMMAP_TEST_EMULATED=qemu-i386)
  endif()
endif()
