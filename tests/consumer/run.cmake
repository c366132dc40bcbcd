# Builds and runs tests/consumer against smmap as users get it.
#   cmake -DMODE=... -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DLIBDIR=...
#         -DCXX=... -DCXX_FLAGS=... -P run.cmake
# MODE:
#   add_subdirectory  the source tree added to the consumer's project.
#   static            the static library of BUILD_DIR installed into a prefix;
#                     consumers through find_package() and pkg-config --static.
#   shared            the shared library built and installed into a prefix that
#                     also holds the static one (as Debian's libsmmap-dev
#                     does); consumers through find_package() (the default,
#                     each component) and pkg-config. The library must have
#                     its SONAME and export nothing of smmap::detail.
#   installed         the library installed in PREFIX (Debian's packages in
#                     /usr): the same checks and consumers as shared.
# Each consumer must run, and link the kind of library it asked for.
file(REMOVE_RECURSE ${WORK_DIR})
if(MODE STREQUAL "installed")
  set(prefix ${PREFIX})
else()
  set(prefix ${WORK_DIR}/prefix)
endif()

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGV}\n${output}")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

find_program(READELF NAMES readelf REQUIRED)
find_program(NM NAMES nm REQUIRED)

# Runs |program| and checks whether it needs libsmmap.so (|kind| shared) or
# holds the library (static).
function(check_consumer program kind)
  run(${program})
  message(STATUS "${program}: ${run_output}")
  if(NOT run_output MATCHES "^consumer ok")
    message(FATAL_ERROR "${program} said: ${run_output}")
  endif()
  run(${READELF} -d ${program})
  if(run_output MATCHES "NEEDED.*libsmmap\\.so")
    set(linked shared)
  else()
    set(linked static)
  endif()
  if(NOT linked STREQUAL kind)
    message(FATAL_ERROR "${program} linked the ${linked} library, not the ${kind} one")
  endif()
endfunction()

# A consumer built by CMake through find_package(), asking for |component|
# (and configured with any further arguments).
function(consumer_by_cmake name component kind)
  set(build ${WORK_DIR}/${name})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${build} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_PREFIX_PATH=${prefix} -DSMMAP_COMPONENT=${component} ${ARGN})
  run(${CMAKE_COMMAND} --build ${build} -j 2)
  check_consumer(${build}/consumer ${kind})
endfunction()

# A consumer built by the compiler alone with pkg-config's flags.
function(consumer_by_pkg_config name kind)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
  set(static_flag)
  if(kind STREQUAL "static")
    set(static_flag --static)
  endif()
  run(pkg-config --exists --print-errors "smmap >= 5.1")
  run(pkg-config --cflags --libs ${static_flag} smmap)
  string(STRIP "${run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS}")
  set(program ${WORK_DIR}/${name})
  run(${CXX} -std=c++20 ${cxx_flags} ${SOURCE_DIR}/tests/consumer/main.cpp -o ${program} ${flags}
      -Wl,-rpath,${prefix}/${LIBDIR})
  check_consumer(${program} ${kind})
endfunction()

# The shared library in the prefix: libsmmap.so.0 with its SONAME and the
# development link libsmmap.so; it exports the public API and nothing of
# smmap::detail.
function(check_shared_library)
  set(library ${prefix}/${LIBDIR}/libsmmap.so.0)
  if(NOT EXISTS ${library} OR NOT IS_SYMLINK ${prefix}/${LIBDIR}/libsmmap.so)
    message(FATAL_ERROR "no libsmmap.so.0 and libsmmap.so link in ${prefix}/${LIBDIR}")
  endif()
  run(${READELF} -d ${library})
  if(NOT run_output MATCHES "SONAME[^\n]*\\[libsmmap\\.so\\.0\\]")
    message(FATAL_ERROR "libsmmap.so.0 has the wrong SONAME:\n${run_output}")
  endif()
  # Exported: the public API, nothing of its internals.
  run(${NM} -D -C --defined-only ${library})
  string(REGEX MATCHALL "[^\n]+" symbols "${run_output}")
  set(internal)
  foreach(symbol IN LISTS symbols)
    if(symbol MATCHES " [A-Za-z] ((typeinfo|typeinfo name|vtable|VTT|guard variable) for )?smmap::detail::")
      list(APPEND internal "${symbol}")
    endif()
  endforeach()
  list(LENGTH symbols count)
  if(internal)
    list(JOIN internal "\n" internal)
    message(FATAL_ERROR "libsmmap.so exports internals:\n${internal}")
  endif()
  foreach(public IN ITEMS "smmap::version()" "smmap::SlidingWindowMapManager::SlidingWindowMapManager"
                          "smmap::WindowCursor::use_region_slow" "smmap::SlidingWindowMapBuffer::read")
    string(FIND "${run_output}" "${public}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "libsmmap.so does not export ${public}")
    endif()
  endforeach()
  message(STATUS "libsmmap.so.0 exports ${count} symbols, none of smmap::detail")
endfunction()

set(install_static ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component library)

if(MODE STREQUAL "add_subdirectory")
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build
      -DCMAKE_BUILD_TYPE=Release -DSMMAP_SOURCE_DIR=${SOURCE_DIR})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
  check_consumer(${WORK_DIR}/build/consumer static)
elseif(MODE STREQUAL "static")
  run(${install_static})
  consumer_by_cmake(cmake "" static)
  consumer_by_cmake(cmake_static static static)
  consumer_by_pkg_config(pkg_config static)
elseif(MODE STREQUAL "shared")
  # The library alone, shared, as a packager builds it.
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/library -DCMAKE_BUILD_TYPE=Release
      -DBUILD_SHARED_LIBS=ON -DSMMAP_INSTALL=ON -DSMMAP_BUILD_TESTS=OFF -DSMMAP_BUILD_TOOLS=OFF
      -DSMMAP_BUILD_EXAMPLES=OFF -DSMMAP_BUILD_BENCHMARKS=OFF -DSMMAP_BUILD_PYTHON=OFF
      -DCMAKE_INSTALL_LIBDIR=${LIBDIR})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/library -j 2)
  run(${CMAKE_COMMAND} --install ${WORK_DIR}/library --prefix ${prefix} --component library)
  run(${install_static})

  check_shared_library()

  consumer_by_cmake(cmake "" shared)
  consumer_by_cmake(cmake_shared shared shared)
  consumer_by_cmake(cmake_static static static)
  # Without a component, smmap_SHARED_LIBS, then BUILD_SHARED_LIBS decide.
  consumer_by_cmake(cmake_smmap_shared_libs "" static -Dsmmap_SHARED_LIBS=OFF
                    -DBUILD_SHARED_LIBS=ON)
  consumer_by_cmake(cmake_build_shared_libs "" static -DBUILD_SHARED_LIBS=OFF)
  consumer_by_pkg_config(pkg_config shared)
elseif(MODE STREQUAL "installed")
  check_shared_library()
  consumer_by_cmake(cmake "" shared)
  consumer_by_cmake(cmake_static static static)
  consumer_by_pkg_config(pkg_config shared)
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
