/* SPDX-License-Identifier: MIT */
/* Forwarding header: diagnostics live in lib/ (see docs/architecture-todo.md). */
#include "lib/diag.h"
