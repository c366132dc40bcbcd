# GoogleTest built from Debian's sources (/usr/src/googletest, package
# googletest) inside this build, for the builds whose target Debian's
# libgtest is not for: 32-bit (cmake/m32.cmake), Windows (cmake/windows.cmake)
# and ARM64 (`make test-arm64`, which passes this file as
# CMAKE_PROJECT_smmap_INCLUDE). find_package(GTest) then finds these targets.
include(FetchContent)
set(GTEST_SOURCE_DIR /usr/src/googletest CACHE PATH "GoogleTest sources to build")
FetchContent_Declare(GTest SOURCE_DIR ${GTEST_SOURCE_DIR} OVERRIDE_FIND_PACKAGE)
set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
FetchContent_MakeAvailable(GTest)
