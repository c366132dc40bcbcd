# The library users link has no test hooks; the library its tests link has.
#   cmake -DNM=nm -DLIBRARY=libsmmap.a -DTESTING_LIBRARY=libsmmap_testing.a -P no_test_hooks.cmake
set(_hooks replaceable_system_calls reset_system_calls override_window_costs)
foreach(_which LIBRARY TESTING_LIBRARY)
  execute_process(COMMAND ${NM} -C --defined-only ${${_which}}
                  OUTPUT_VARIABLE _symbols RESULT_VARIABLE _failed)
  if(_failed)
    message(FATAL_ERROR "${NM} failed on ${${_which}}")
  endif()
  foreach(_hook IN LISTS _hooks)
    string(FIND "${_symbols}" "smmap::detail::${_hook}(" _at)
    if(_which STREQUAL "LIBRARY" AND NOT _at EQUAL -1)
      message(FATAL_ERROR "${${_which}} defines the test hook ${_hook}")
    elseif(_which STREQUAL "TESTING_LIBRARY" AND _at EQUAL -1)
      message(FATAL_ERROR "${${_which}} lacks the test hook ${_hook}")
    endif()
  endforeach()
endforeach()
message(STATUS "no test hook in ${LIBRARY}; all in ${TESTING_LIBRARY}")
