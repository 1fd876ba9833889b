# The `image` target builds klein:latest (see Dockerfile and tests/image/).
# Kept as a separate module so the build of the programs never depends on
# Docker: `image` is not part of `all`, and nothing here runs at configure time.
#
#   cmake --build build --target image
#
# first builds the local base (cmake/make-base-image; skipped when the base
# tag exists), then `docker build --build-arg BASE=<base> -t <image> .`.
set(KLEIN_BASE_IMAGE "klein-base:bookworm" CACHE STRING
    "base image the Klein image is built FROM (built by cmake/make-base-image)")
set(KLEIN_IMAGE "klein:latest" CACHE STRING "tag of the Klein image")
# Build containers share the host's network: apt inside `docker build` then
# reaches whatever mirror the host reaches, bridge or no bridge.
set(KLEIN_DOCKER_BUILD_FLAGS "--network=host" CACHE STRING
    "extra flags for every docker build of Klein images")
separate_arguments(_klein_build_flags UNIX_COMMAND "${KLEIN_DOCKER_BUILD_FLAGS}")

find_program(DOCKER_EXECUTABLE docker)
if(DOCKER_EXECUTABLE)
  add_custom_target(image
    COMMAND ${PROJECT_SOURCE_DIR}/cmake/make-base-image ${KLEIN_BASE_IMAGE}
    COMMAND ${CMAKE_COMMAND} -E env DOCKER_BUILDKIT=0
            ${DOCKER_EXECUTABLE} build -q ${_klein_build_flags}
            --build-arg BASE=${KLEIN_BASE_IMAGE} -t ${KLEIN_IMAGE} ${PROJECT_SOURCE_DIR}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "Building ${KLEIN_IMAGE} FROM ${KLEIN_BASE_IMAGE}"
    USES_TERMINAL
    VERBATIM)
else()
  add_custom_target(image
    COMMAND ${CMAKE_COMMAND} -E echo "image: docker is not installed"
    COMMAND ${CMAKE_COMMAND} -E false
    VERBATIM)
endif()
