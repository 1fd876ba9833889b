# The `image` target builds klein:latest (see Dockerfile and tests/image/).
# Filled in by the image work; kept as a separate module so the build of the
# programs never depends on Docker.
