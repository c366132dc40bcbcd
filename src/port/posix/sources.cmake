# The POSIX port: Linux, and any system with mmap, pread and SIGBUS.
# SMMAP_PORT_SEAM is compiled apart for the library and for its tests.
set(_port ${CMAKE_CURRENT_LIST_DIR})
set(SMMAP_PORT_SOURCES
  ${_port}/guarded_copy.cpp
  ${_port}/mapping.cpp
  ${_port}/memory.cpp
  ${_port}/open_file.cpp)
set(SMMAP_PORT_SEAM ${_port}/system_calls.cpp)
