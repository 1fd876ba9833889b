# [Timer] parsing: klein-porter inspect vs systemd 252's dumps of the
# socktimer-dev corpus timers and of the crafted cases in timer_cases/.
add_test(NAME porter.timer_oracle
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/timer_oracle.py
                 $<TARGET_FILE:klein-porter> ${PROJECT_SOURCE_DIR}/../shared/corpus/socktimer-dev)
set_tests_properties(porter.timer_oracle PROPERTIES LABELS "corpus;oracle" TIMEOUT 300)
