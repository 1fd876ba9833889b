# libFuzzer targets for the unit line parser and the Exec word splitter.
# Built only with clang (tests/run uses clang) when -fsanitize=fuzzer links.
# They compile the parser sources they need themselves, with fuzzer flags,
# rather than linking porter_core (which may carry other instrumentation).
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(STATUS "fuzz: not clang; libFuzzer targets skipped")
  return()
endif()
include(CheckCSourceCompiles)
set(_fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer")
set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer")
check_c_source_compiles("
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }"
  KLEIN_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT KLEIN_HAVE_LIBFUZZER)
  message(STATUS "fuzz: -fsanitize=fuzzer does not link (libclang-rt-dev missing?); skipped")
  return()
endif()

find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_porter ${PROJECT_SOURCE_DIR}/porter)
set(_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
foreach(_t unit words)
  if(_t STREQUAL "unit")
    set(_src ${_fuzz}/fuzz_unit.c ${_porter}/unit.c ${_porter}/words.c ${PROJECT_SOURCE_DIR}/lib/diag.c)
    set(_kind unit)
  else()
    set(_src ${_fuzz}/fuzz_words.c ${_porter}/words.c ${PROJECT_SOURCE_DIR}/lib/diag.c)
    set(_kind exec)
  endif()
  add_executable(fuzz_${_t} ${_src})
  target_include_directories(fuzz_${_t} PRIVATE ${_porter} ${PROJECT_SOURCE_DIR})
  target_compile_definitions(fuzz_${_t} PRIVATE _GNU_SOURCE)
  target_compile_options(fuzz_${_t} PRIVATE ${_fuzz_flags})
  target_link_options(fuzz_${_t} PRIVATE ${_fuzz_flags})
  target_link_libraries(fuzz_${_t} PRIVATE project_warnings project_sanitizers)
  add_test(NAME porter_fuzz_${_t}
           COMMAND ${Python3_EXECUTABLE} ${_fuzz}/run-fuzz --target $<TARGET_FILE:fuzz_${_t}>
                   --kind ${_kind} --seconds 20 --rss-mb 2048
                   --corpus ${PROJECT_SOURCE_DIR}/../shared/corpus/debian-dev
                   --vectors ${CMAKE_CURRENT_SOURCE_DIR}/vectors
                   --artifacts ${CMAKE_CURRENT_BINARY_DIR}/fuzz-artifacts)
  set_tests_properties(porter_fuzz_${_t} PROPERTIES LABELS "fuzz" TIMEOUT 180)
endforeach()
