# The `image` target builds klein:latest (see Dockerfile and tests/image/).
# Kept as a separate module so the build of the programs never depends on
# Docker: `image` is not part of `all`, and nothing here runs at configure time.
#
#   cmake --build build --target image
#
# first builds the local base (cmake/make-base-image; skipped when the base
# tag exists), then `docker build --build-arg BASE=<base> -t <image> .`.
# Debian 13 (trixie, systemd 257) by default; -DKLEIN_DEBIAN_SUITE=bookworm
# builds on Debian 12 (systemd 252). KLEIN_BASE_IMAGE, when set, names the
# base tag instead of klein-base:SUITE (an empty default, so that changing
# the suite in an existing cache changes the base too).
set(KLEIN_DEBIAN_SUITE "trixie" CACHE STRING
    "Debian suite of the local base image: trixie (Debian 13) or bookworm (Debian 12)")
set_property(CACHE KLEIN_DEBIAN_SUITE PROPERTY STRINGS trixie bookworm)
set(KLEIN_BASE_IMAGE "" CACHE STRING
    "base image the Klein image is built FROM (empty: klein-base:KLEIN_DEBIAN_SUITE, built by cmake/make-base-image)")
set(_klein_base "${KLEIN_BASE_IMAGE}")
if(NOT _klein_base)
  set(_klein_base "klein-base:${KLEIN_DEBIAN_SUITE}")
endif()
set(KLEIN_IMAGE "klein:latest" CACHE STRING "tag of the Klein image")
# Build containers share the host's network: apt inside `docker build` then
# reaches whatever mirror the host reaches, bridge or no bridge.
set(KLEIN_DOCKER_BUILD_FLAGS "--network=host" CACHE STRING
    "extra flags for every docker build of Klein images")
separate_arguments(_klein_build_flags UNIX_COMMAND "${KLEIN_DOCKER_BUILD_FLAGS}")

find_program(DOCKER_EXECUTABLE docker)
if(DOCKER_EXECUTABLE)
  add_custom_target(image
    COMMAND ${PROJECT_SOURCE_DIR}/cmake/make-base-image --suite ${KLEIN_DEBIAN_SUITE} ${_klein_base}
    COMMAND ${CMAKE_COMMAND} -E env DOCKER_BUILDKIT=0
            ${DOCKER_EXECUTABLE} build -q ${_klein_build_flags}
            --build-arg BASE=${_klein_base} -t ${KLEIN_IMAGE} ${PROJECT_SOURCE_DIR}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "Building ${KLEIN_IMAGE} FROM ${_klein_base}"
    USES_TERMINAL
    VERBATIM)
else()
  add_custom_target(image
    COMMAND ${CMAKE_COMMAND} -E echo "image: docker is not installed"
    COMMAND ${CMAKE_COMMAND} -E false
    VERBATIM)
endif()
