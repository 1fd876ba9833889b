# Differential test: klein-porter inspect vs systemd 252 (recorded fixtures,
# or the live oracle with KLEIN_LIVE_ORACLE=1) over the Debian corpus, which
# lives in ${KLEIN_SHARED} (shared/ beside the repository). Skipped only if absent.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME porter_corpus_oracle
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/compare
                 --porter $<TARGET_FILE:klein-porter>
                 --corpus ${KLEIN_SHARED}/corpus/debian-dev)
set_tests_properties(porter_corpus_oracle PROPERTIES LABELS "corpus" TIMEOUT 900
                     SKIP_RETURN_CODE 77)

# The same against systemd 257 over the Debian 13 corpus: its recorded
# fixtures (fixtures-257/) always; and, when the trixie chroot of
# tools/systemd257-oracle exists, live (which also checks that the fixtures
# still say what systemd 257 says). Units not read as 257 yet are listed in
# expected-fail-257.json, a list that only shrinks.
add_test(NAME porter.trixie_chroot
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/trixie_chroot.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(porter.trixie_chroot PROPERTIES LABELS "oracle-live" TIMEOUT 1200
                     FIXTURES_SETUP trixie_chroot SKIP_RETURN_CODE 77)
foreach(_mode fixtures live)
  set(_name porter_trixie_oracle)
  set(_labels corpus)
  set(_env KLEIN_SHARED=${KLEIN_SHARED})
  if(_mode STREQUAL live)
    set(_name porter_trixie_oracle_live)
    set(_labels "corpus;oracle-live")
    list(APPEND _env KLEIN_LIVE_ORACLE=1)
  endif()
  add_test(NAME ${_name}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/compare --systemd 257
                   --porter $<TARGET_FILE:klein-porter>
                   --corpus ${KLEIN_SHARED}/corpus/trixie-dev
                   --expect-fail ${CMAKE_CURRENT_SOURCE_DIR}/oracle/expected-fail-257.json)
  set_tests_properties(${_name} PROPERTIES LABELS "${_labels}" TIMEOUT 1200
                       ENVIRONMENT "${_env}" SKIP_RETURN_CODE 77)
endforeach()
# The live one runs on the chroot the fixture makes (or skips without it).
set_tests_properties(porter_trixie_oracle_live PROPERTIES FIXTURES_REQUIRED trixie_chroot)

# bench/parse-corpus's in-process driver (unit_load() on every corpus unit).
# The smoke test checks it runs and that no unit fails with a system error;
# the timing itself is bench/parse-corpus's business (an optimized build).
add_executable(parse_corpus_bench ${PROJECT_SOURCE_DIR}/bench/parse-corpus.c)
target_link_libraries(parse_corpus_bench PRIVATE porter_core project_warnings project_sanitizers)
add_test(NAME porter_corpus_bench_smoke
         COMMAND parse_corpus_bench ${KLEIN_SHARED}/corpus/debian-dev 1)
set_tests_properties(porter_corpus_bench_smoke PROPERTIES LABELS "corpus" TIMEOUT 300
                     SKIP_RETURN_CODE 77)

# [Socket] parsing against systemd 252's dumps of every real .socket unit of
# the socktimer corpus (recorded by tools/systemd-oracle-units).
add_test(NAME porter_socket_oracle
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/socket_oracle.py
                 $<TARGET_FILE:klein-porter> ${KLEIN_SHARED}/corpus/socktimer-dev)
set_tests_properties(porter_socket_oracle PROPERTIES LABELS "corpus" TIMEOUT 300
                     SKIP_RETURN_CODE 77)
# The same (corpus and socket_cases/), asking systemd now; skips (77) without it.
add_test(NAME porter_socket_oracle_live
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/socket_oracle.py --live
                 $<TARGET_FILE:klein-porter> ${KLEIN_SHARED}/corpus/socktimer-dev)
set_tests_properties(porter_socket_oracle_live PROPERTIES LABELS "oracle-live" TIMEOUT 600
                     SKIP_RETURN_CODE 77)

# What changed between systemd versions, and the three parse bugs of issue 13
# (SuccessAction= without ExecStart=, a bad Exec line in a drop-in, the
# OnFailureJobMode= values): small units under oracle/versions/units/, read
# with --systemd 252 and --systemd 257, each compared with that systemd's
# recorded answer; live too when the oracle is there (label oracle-live).
foreach(_v 252 257)
  foreach(_mode fixtures live)
    set(_name porter_versions_oracle_${_v})
    set(_labels porter)
    set(_env KLEIN_SHARED=${KLEIN_SHARED})
    if(_mode STREQUAL live)
      set(_name porter_versions_oracle_${_v}_live)
      set(_labels oracle-live)
      list(APPEND _env KLEIN_LIVE_ORACLE=1)
    endif()
    add_test(NAME ${_name}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/compare --systemd ${_v}
                     --porter $<TARGET_FILE:klein-porter>
                     --corpus ${CMAKE_CURRENT_SOURCE_DIR}/oracle/versions/units
                     --fixtures ${CMAKE_CURRENT_SOURCE_DIR}/oracle/versions/fixtures-${_v})
    set_tests_properties(${_name} PROPERTIES LABELS "${_labels}" TIMEOUT 300
                         ENVIRONMENT "${_env}" SKIP_RETURN_CODE 77)
  endforeach()
  if(_v STREQUAL 257)
    set_tests_properties(${_name} PROPERTIES FIXTURES_REQUIRED trixie_chroot)
  endif()
endforeach()
