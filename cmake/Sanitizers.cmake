# project_sanitizers: ASan + UBSan when ENABLE_SANITIZERS is on (the test build).
option(ENABLE_SANITIZERS "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(project_sanitizers INTERFACE)
if(ENABLE_SANITIZERS)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(project_sanitizers INTERFACE ${_san})
  target_link_options(project_sanitizers INTERFACE ${_san})
endif()
