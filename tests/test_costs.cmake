# Read by ctest, after the test cases that doctest_discover_tests found (see
# tests/CMakeLists.txt): every discovered test whose name matches one of
# MAILFERRY_TEST_COSTS ("REGEX=SECONDS" entries) gets that COST. ctest starts
# the costliest tests first; it learns their times from a run
# (Testing/Temporary/CTestCostData.txt, which then takes precedence), so
# without these a fresh clone may start a two-minute test last and leave the
# other core idle at the end.
file(GLOB discovered_lists "${MAILFERRY_DISCOVERED_TESTS_DIR}/*_tests_tests-*.cmake")
foreach(discovered IN LISTS discovered_lists)
  file(STRINGS "${discovered}" added REGEX "^add_test\\(")
  foreach(line IN LISTS added)
    if(NOT line MATCHES "^add_test\\( \\[==\\[(.*)\\]==\\] ")
      continue()
    endif()
    set(name "${CMAKE_MATCH_1}")
    foreach(entry IN LISTS MAILFERRY_TEST_COSTS)
      string(REGEX MATCH "^(.*)=([0-9]+)$" parts "${entry}")
      set(seconds "${CMAKE_MATCH_2}")
      if(name MATCHES "${CMAKE_MATCH_1}")
        set_tests_properties("${name}" PROPERTIES COST "${seconds}")
        break()
      endif()
    endforeach()
  endforeach()
endforeach()
