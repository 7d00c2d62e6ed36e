/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Splitting loops over the machine's cores: memory-bound ones
 * (activations, pooling, elementwise sums) and the matrix products, which
 * lrp_sgemm cuts into one single-threaded OpenBLAS call per core.
 */
#pragma once

#include <gio/gio.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef void (*LrpRangeFunc) (int64_t begin, int64_t end, gpointer data);

/* Calls @func on consecutive ranges covering [0, @n), in parallel when
 * @n is at least @grain (each range then has at least @grain items), and
 * returns when all are done.  @func must not touch shared state but its
 * own range.  Called from inside @func (a product inside a parallel loop),
 * it runs serially: the pool's threads are busy with the outer loop. */
void lrp_parallel_for (int64_t n, int64_t grain, LrpRangeFunc func, gpointer data);

/* The number of parts lrp_parallel_for cuts @n items into when the cores
 * are free: a fixed function of @n, @grain and the machine.  Work whose
 * rounding depends on where it is cut (matrix products) cuts itself into
 * this many pieces and runs them through lrp_parallel_for one piece per
 * item, so that it gives the same bits when it ends up running serially
 * (nested, or beside another caller). */
int lrp_parallel_parts (int64_t n, int64_t grain);

/* Until lrp_parallel_serial_end, every loop this thread posts runs on it
 * alone.  For a pass so small (a 28×28 model: half a millisecond) that
 * handing parts to another core costs more than it saves: a sleeping
 * worker takes tens of microseconds to wake, and milliseconds when that
 * core runs something else.  The bits are the same either way (see
 * lrp_parallel_parts).  Returns what to hand lrp_parallel_serial_end. */
gboolean lrp_parallel_serial_begin (gboolean serial);
void lrp_parallel_serial_end (gboolean was_serial);

/* For the parts of a loop that can be cancelled: TRUE once @cancellable
 * is, remembered in *@flag (shared by the parts, 0 at first) so that every
 * part stops at its next check.  The caller sets the GError after the
 * loop. */
gboolean lrp_parallel_cancelled (gint *flag, GCancellable *cancellable);

G_END_DECLS
