/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small fork-join pool: one worker thread per extra core, each taking a
 * fixed share of every loop.  Workers spin for a short while after a loop
 * before they sleep, because the engine posts loops back to back (16
 * products of a Winograd band, a product per layer, the elementwise pass
 * after it) and waking a sleeping thread costs tens of microseconds, 10 %
 * of a 0.5 ms product.  The spin is bounded, and OpenBLAS is kept
 * single-threaded (lrp-blas.c), so no more threads than cores ever run.
 */
#define G_LOG_DOMAIN "lrp-parallel"

#include "config.h"

#include "lrp-parallel-private.h"

#include <gio/gio.h>

#define MAX_PARTS 64

/* How long a worker (or a caller waiting for them) spins before it
 * sleeps. */
#define SPIN_MICROSECONDS 200

typedef struct
{
  LrpRangeFunc func;
  gpointer data;
  int64_t n;
  int parts;
  gint pending;            /* parts not yet finished, the caller's excluded */
} Loop;

static int n_workers;

/* The loop being run.  @posting serializes callers: a second caller while
 * a loop runs (two explanations in two threads) runs its loop by itself.
 * @generation counts posted loops; workers read it, @current and
 * @current_parts together under @lock. */
static GMutex posting;
static GMutex lock;
static GCond wake;
static GCond finished;
static Loop *current;
static int current_parts;
static gint generation;

/* Set while a thread runs a range: nested loops then stay on that thread,
 * since waiting for workers that are busy with the outer loop could wait
 * forever. */
static GPrivate in_range;

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

static void
run_part (Loop *loop,
          int part)
{
  g_private_set (&in_range, GINT_TO_POINTER (1));
  loop->func (loop->n * part / loop->parts, loop->n * (part + 1) / loop->parts, loop->data);
  g_private_set (&in_range, NULL);
}

/* Spins while *@value is (@equal) or is not (!@equal) @than, for at most
 * the spin time. */
static void
spin_while (gint *value,
            gboolean equal,
            gint than)
{
  gint64 until = g_get_monotonic_time () + SPIN_MICROSECONDS;

  for (int i = 1; (g_atomic_int_get (value) == than) == equal; i++)
    {
      if ((i & 255) == 0 && g_get_monotonic_time () > until)
        return;
      cpu_relax ();
    }
}

static gpointer
worker (gpointer data)
{
  int part = GPOINTER_TO_INT (data);
  gint seen = 0;

  for (;;)
    {
      Loop *loop;
      int parts;

      spin_while (&generation, TRUE, seen);
      g_mutex_lock (&lock);
      while (g_atomic_int_get (&generation) == seen)
        g_cond_wait (&wake, &lock);
      seen = g_atomic_int_get (&generation);
      loop = current;
      parts = current_parts;
      g_mutex_unlock (&lock);

      /* Not in this loop: @loop may already be gone, do not touch it. */
      if (part >= parts)
        continue;
      run_part (loop, part);
      if (g_atomic_int_dec_and_test (&loop->pending))
        {
          g_mutex_lock (&lock);
          g_cond_broadcast (&finished);
          g_mutex_unlock (&lock);
        }
    }
  return NULL;
}

static void
ensure_workers (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      /* LRPLENS_SERIAL: one thread, to compare. */
      n_workers = g_getenv ("LRPLENS_SERIAL") ? 0
                  : (int) CLAMP (g_get_num_processors (), 1, MAX_PARTS) - 1;
      for (int i = 0; i < n_workers; i++)
        g_thread_unref (g_thread_new ("lrp-worker", worker, GINT_TO_POINTER (i + 1)));
      g_once_init_leave (&once, 1);
    }
}

int
lrp_parallel_parts (int64_t n,
                    int64_t grain)
{
  ensure_workers ();
  return (int) MAX (1, MIN ((int64_t) n_workers + 1, n / MAX (grain, 1)));
}

void
lrp_parallel_for (int64_t n,
                  int64_t grain,
                  LrpRangeFunc func,
                  gpointer data)
{
  Loop loop = { func, data, n, 0, 0 };

  loop.parts = lrp_parallel_parts (n, grain);
  if (loop.parts < 2 || g_private_get (&in_range) != NULL || !g_mutex_trylock (&posting))
    {
      if (n > 0)
        func (0, n, data);
      return;
    }
  loop.pending = loop.parts - 1;
  g_mutex_lock (&lock);
  current = &loop;
  current_parts = loop.parts;
  g_atomic_int_inc (&generation);
  g_cond_broadcast (&wake);
  g_mutex_unlock (&lock);

  /* The caller takes the first part itself. */
  run_part (&loop, 0);
  spin_while (&loop.pending, FALSE, 0);
  g_mutex_lock (&lock);
  while (g_atomic_int_get (&loop.pending) > 0)
    g_cond_wait (&finished, &lock);
  g_mutex_unlock (&lock);
  g_mutex_unlock (&posting);
}

gboolean
lrp_parallel_serial_begin (gboolean serial)
{
  gboolean was = g_private_get (&in_range) != NULL;

  if (serial)
    g_private_set (&in_range, GINT_TO_POINTER (1));
  return was;
}

void
lrp_parallel_serial_end (gboolean was_serial)
{
  g_private_set (&in_range, was_serial ? GINT_TO_POINTER (1) : NULL);
}

gboolean
lrp_parallel_cancelled (gint *flag,
                        GCancellable *cancellable)
{
  if (g_atomic_int_get (flag) || g_cancellable_is_cancelled (cancellable))
    {
      g_atomic_int_set (flag, 1);
      return TRUE;
    }
  return FALSE;
}
