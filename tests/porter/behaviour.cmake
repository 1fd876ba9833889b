# Behaviour tests: convert units with klein-porter, run them for real under
# runsvdir in a private PID namespace, and compare what a probe program
# received with what systemd 252 would have given it. One ctest per family.
set(_bh ${CMAKE_CURRENT_SOURCE_DIR}/behaviour)

# The probe is a measuring instrument, so it is deliberately built without
# project_sanitizers: the ASan runtime changes what it measures (it lowers
# RLIMIT_CORE to 0 at startup whatever __asan_default_options says), and
# LeakSanitizer cannot run in a process that changed uid. It is tiny and is
# exercised by every behaviour test.
add_executable(behaviour_probe ${_bh}/probe.c)
target_link_libraries(behaviour_probe PRIVATE project_warnings)

# The pieces under test are optional at configure time (they land separately);
# the harness skips (exit 77) when one it needs is missing or a placeholder.
set(_bh_env "KLEIN_PROBE=$<TARGET_FILE:behaviour_probe>"
            "KLEIN_PORTER=$<TARGET_FILE:klein-porter>"
            "KLEIN_CORPUS=${KLEIN_SHARED}/corpus/debian-dev"
            "KLEIN_ORACLE=${KLEIN_SHARED}/tools/systemd-oracle")
if(TARGET klein-svc)
  list(APPEND _bh_env "KLEIN_SVC=$<TARGET_FILE:klein-svc>")
endif()
if(TARGET klein-init)
  list(APPEND _bh_env "KLEIN_INIT=$<TARGET_FILE:klein-init>")
endif()

set(_bh_families argv environment identity process directories stdio forking notify
    oneshot restart stop reload dependencies init property timer credentials)
foreach(fam ${_bh_families})
  add_test(NAME behaviour.${fam}
           COMMAND ${Python3_EXECUTABLE} ${_bh}/behaviour.py ${fam})
  set_tests_properties(behaviour.${fam} PROPERTIES
    ENVIRONMENT "${_bh_env}" LABELS blackbox SKIP_RETURN_CODE 77 TIMEOUT 120)
endforeach()

# The corpus sweep in eight shards (shellcheck is the slow part).
foreach(shard 0 1 2 3 4 5 6 7)
  add_test(NAME behaviour.corpus.${shard}
           COMMAND ${Python3_EXECUTABLE} ${_bh}/corpus.py ${shard} 8)
  set_tests_properties(behaviour.corpus.${shard} PROPERTIES
    ENVIRONMENT "${_bh_env}" LABELS corpus SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
