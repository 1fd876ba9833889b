# Table-driven parser vectors (tests/porter/vectors/*.json): one ctest per
# section runs `klein-porter inspect` on every case and compares its JSON.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_vec_dir ${CMAKE_CURRENT_SOURCE_DIR}/vectors)
foreach(_sec A-lines B-exec D-environment F-specifiers G-dropins H-values)
  add_test(NAME porter_vectors_${_sec}
           COMMAND ${Python3_EXECUTABLE} ${_vec_dir}/run --porter $<TARGET_FILE:klein-porter>
                   ${_vec_dir}/${_sec}.json)
  set_tests_properties(porter_vectors_${_sec} PROPERTIES LABELS "unit;vectors" TIMEOUT 300)
endforeach()
# The same vectors checked against systemd 252 itself, so that the data
# cannot drift from the reference; skipped where systemd is not installed.
file(GLOB _vec_files CONFIGURE_DEPENDS ${_vec_dir}/*.json)
add_test(NAME porter_vectors_oracle
         COMMAND ${Python3_EXECUTABLE} ${_vec_dir}/run --oracle ${_vec_files})
set_tests_properties(porter_vectors_oracle PROPERTIES LABELS "unit;vectors" TIMEOUT 600
                     SKIP_RETURN_CODE 77)
