/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the fuzz targets: libFuzzer's entry points, and the checks every
 * target makes on what the engine hands back.
 */
#pragma once

#include "lrp.h"

#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Once per process: serial engine (one core per fuzzer), criticals and
 * warnings fatal, so that a GLib complaint is a finding too. */
void fuzz_setup (void);

/* The GError convention: FALSE/NULL if and only if an error is set, and the
 * error is in one of the engine's domains (or GIO's, for cancellation).
 * Aborts otherwise. */
void fuzz_check_result (gboolean ok, const GError *error, const char *what);

/* The memory ceiling, measured (fuzz builds only, through ASan's malloc
 * hooks; elsewhere these do nothing): fuzz_heap_start() marks the heap in
 * use, fuzz_heap_check() aborts if its peak since then passed @limit bytes. */
void fuzz_heap_start (void);
void fuzz_heap_check (size_t limit, const char *what, size_t size);

G_END_DECLS
