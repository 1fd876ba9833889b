# Parser and loader tests (porter/unit.c, words.c, specifier.c, values.c,
# load.c) and the `klein-porter inspect` contract.
foreach(t unit words values spec load table)
  add_executable(porter_test_${t} ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_${t}.c)
  target_link_libraries(porter_test_${t} PRIVATE porter_core project_warnings project_sanitizers)
  target_include_directories(porter_test_${t} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_test(NAME porter.parse.${t} COMMAND porter_test_${t})
  set_tests_properties(porter.parse.${t} PROPERTIES LABELS unit)
endforeach()

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME porter.inspect.contract
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/unit/inspect_contract.py
                   $<TARGET_FILE:klein-porter>)
  set_tests_properties(porter.inspect.contract PROPERTIES LABELS blackbox)
endif()

# Every byte 0x01..0xff in Environment= names/values, Exec argv words and
# list settings, against systemd 252's answers recorded in
# unit/bytes_fixtures.json (re-record: unit/bytes_table.py record).
if(Python3_FOUND)
  add_test(NAME porter.parse.bytes
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/unit/bytes_table.py check
                   --porter $<TARGET_FILE:klein-porter>)
  set_tests_properties(porter.parse.bytes PROPERTIES LABELS "unit;vectors" TIMEOUT 600)
endif()
