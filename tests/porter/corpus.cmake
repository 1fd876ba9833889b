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
                 $<TARGET_FILE:klein-porter> ${PROJECT_SOURCE_DIR}/../shared/corpus/socktimer-dev)
set_tests_properties(porter_socket_oracle PROPERTIES LABELS "corpus" TIMEOUT 300
                     SKIP_RETURN_CODE 77)
