# project_warnings: the warning set every target links (PRIVATE).
# -Werror is not here: CI adds -DCMAKE_COMPILE_WARNING_AS_ERROR=ON.
add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
  -Wmissing-prototypes -Wold-style-definition -Wvla -Wpointer-arith
  -Wcast-qual -Wwrite-strings -Wnull-dereference -Wundef
  -Wno-unused-parameter)
