/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long the main loop went without returning, for tools/bench-ui.sh:
 * a high-priority tick every few milliseconds notes the longest gap
 * between two ticks, from the moment the window is mapped.  Off unless
 * LRPLENS_MEASURE_LOOP is set, so that a normal run never wakes up for it.
 */
#define G_LOG_DOMAIN "lens-loop-meter"

#include "config.h"

#include "lens-loop-meter.h"

#define TICK_MS 2

static gint64 last_tick;
static gint64 longest_gap;

static gboolean
tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_tick)
    longest_gap = MAX (longest_gap, now - last_tick);
  last_tick = now;
  return G_SOURCE_CONTINUE;
}

void
lens_loop_meter_start (void)
{
  if (last_tick || g_getenv ("LRPLENS_MEASURE_LOOP") == NULL)
    return;
  last_tick = g_get_monotonic_time ();
  g_timeout_add_full (G_PRIORITY_HIGH, TICK_MS, tick_cb, NULL, NULL);
}

/* The longest the loop was busy elsewhere (the gap less the tick), or -1
 * when not measuring. */
double
lens_loop_meter_get_longest_ms (void)
{
  if (last_tick == 0)
    return -1;
  return MAX (0, (double) longest_gap / 1000.0 - TICK_MS);
}
