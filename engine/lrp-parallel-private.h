/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Splitting memory-bound loops (activations, pooling, elementwise sums)
 * over the machine's cores; BLAS has its own threads.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef void (*LrpRangeFunc) (int64_t begin, int64_t end, gpointer data);

/* Calls @func on consecutive ranges covering [0, @n), in parallel when
 * @n is at least @grain (each range then has at least @grain items), and
 * returns when all are done.  @func must not touch shared state but its
 * own range. */
void lrp_parallel_for (int64_t n, int64_t grain, LrpRangeFunc func, gpointer data);

G_END_DECLS
