#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# Fixture: builds (or refreshes) the Klein image through the `image` target,
# the same command users run. usage: build-klein.sh CMAKE_BINARY_DIR
. "$(dirname "$0")/lib.sh"
require_docker
cmake --build "${1:?usage: build-klein.sh CMAKE_BINARY_DIR}" --target image ||
	fail "cmake --build --target image failed"
require_image "$KLEIN_IMAGE"
ok "built $KLEIN_IMAGE"
