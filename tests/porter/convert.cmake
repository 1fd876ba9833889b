# klein-porter convert: C unit tests for translate/emit/outdir/config, golden
# trees for units (tests/porter/golden, samples/) and CLI behaviour tests.
foreach(t emit translate outdir convert_config)
  add_executable(porter_test_${t} ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_${t}.c)
  target_link_libraries(porter_test_${t} PRIVATE porter_core project_warnings project_sanitizers)
  target_include_directories(porter_test_${t} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_test(NAME porter.convert.${t} COMMAND porter_test_${t})
  set_tests_properties(porter.convert.${t} PROPERTIES LABELS unit)
endforeach()

# Golden trees: tests/porter/golden/NAME.service -> NAME.out/.err/.code.
set(_golden ${CMAKE_CURRENT_SOURCE_DIR}/golden)
file(GLOB _golden_units CONFIGURE_DEPENDS ${_golden}/*.service)
foreach(_u ${_golden_units})
  get_filename_component(_base ${_u} NAME)
  string(REGEX REPLACE "\\.service$" "" _stem "${_base}")
  add_test(NAME porter.convert.golden.${_stem}
           COMMAND sh ${_golden}/run $<TARGET_FILE:klein-porter> ${_golden}/${_stem})
  set_tests_properties(porter.convert.golden.${_stem} PROPERTIES LABELS golden TIMEOUT 60)
endforeach()
# Every samples/**/*.service that has an expected tree in golden/samples/.
file(GLOB_RECURSE _sample_units CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/samples/*.service)
foreach(_u ${_sample_units})
  get_filename_component(_base ${_u} NAME)
  string(REGEX REPLACE "\\.service$" "" _stem "${_base}")
  if(EXISTS ${_golden}/samples/${_stem}.out)
    add_test(NAME porter.convert.sample.${_stem}
             COMMAND sh ${_golden}/run $<TARGET_FILE:klein-porter> ${_golden}/samples/${_stem} ${_u})
    set_tests_properties(porter.convert.sample.${_stem} PROPERTIES LABELS golden TIMEOUT 60)
  endif()
endforeach()

# The command line: exit codes, --enabled, links, idempotence, hand edits, --force.
add_test(NAME porter.convert.cli
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/convert_cli.sh $<TARGET_FILE:klein-porter>)
set_tests_properties(porter.convert.cli PROPERTIES LABELS blackbox TIMEOUT 120)

# --help: golden text; every getopt option and every exit code documented.
add_test(NAME porter.convert.golden.help
         COMMAND sh ${_golden}/help.sh $<TARGET_FILE:klein-porter>
                 ${PROJECT_SOURCE_DIR}/porter/cmd_convert.c ${_golden}/help.txt)
set_tests_properties(porter.convert.golden.help PROPERTIES LABELS golden TIMEOUT 30)

# Converted services run under runsv for real (start limit, ExecStartPost=,
# identity through klein-svc, EnvironmentFile= globs); needs root and runit.
if(TARGET klein-svc)
  add_test(NAME porter.convert.live
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/convert_live.sh
                   $<TARGET_FILE:klein-porter> $<TARGET_FILE:klein-svc>)
  set_tests_properties(porter.convert.live PROPERTIES LABELS blackbox TIMEOUT 60
                       SKIP_RETURN_CODE 77)
endif()

# Issue 14 item 6: linear in the items of list directives (CPU-time ratio).
add_test(NAME porter.convert.time_bounds
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/time_bounds.py
                 $<TARGET_FILE:klein-porter>)
set_tests_properties(porter.convert.time_bounds PROPERTIES LABELS blackbox TIMEOUT 600)

# --systemd / porter.conf `systemd =` / the root's os-release pick the version.
add_test(NAME porter.systemd_version
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/systemd_version.sh $<TARGET_FILE:klein-porter>)
set_tests_properties(porter.systemd_version PROPERTIES LABELS blackbox TIMEOUT 60)

# A re-convert in a later Docker layer (overlayfs, lower directories cannot be renamed).
add_test(NAME porter.convert.overlay
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/overlay_reconvert.sh $<TARGET_FILE:klein-porter>)
set_tests_properties(porter.convert.overlay PROPERTIES LABELS blackbox TIMEOUT 60 SKIP_RETURN_CODE 77)
