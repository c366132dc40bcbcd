# Toolchain file for the Windows build of `make test-windows`: Debian's
# MinGW-w64 cross compiler with the posix thread model (package
# g++-mingw-w64-x86-64-posix), whose std::thread and std::mutex work.
# Programs run under Wine (cmake/windows.cmake sets the emulator).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${MINGW_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The C++ runtime (libstdc++, libgcc, winpthread) linked in, so the programs
# run without MinGW's DLLs next to them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
