# Support for the Windows build of `make test-windows`, passed as
# CMAKE_PROJECT_smmap_INCLUDE together with the toolchain file
# cmake/mingw-w64.cmake:
#  - GoogleTest is built from Debian's sources (/usr/src/googletest, package
#    googletest) inside this build, as for the 32-bit build (cmake/m32.cmake);
#    find_package(GTest) then finds these targets.
#  - Programs, the tests' discovery included, run under Wine (package wine64,
#    whose loader /usr/lib/wine/wine64 is not on PATH), in a Wine prefix of
#    this build directory (WINE_PREFIX), with Wine's own messages off.
set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
include(${CMAKE_CURRENT_LIST_DIR}/googletest-from-source.cmake)

find_program(WINE64 wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(NOT WINE64)
  message(FATAL_ERROR "no Wine loader in /usr/lib/wine: install wine64")
endif()
set(WINE_PREFIX ${CMAKE_BINARY_DIR}/wineprefix CACHE PATH "The Wine prefix the programs run in")
set(CMAKE_CROSSCOMPILING_EMULATOR env WINEPREFIX=${WINE_PREFIX} WINEDEBUG=-all ${WINE64})
