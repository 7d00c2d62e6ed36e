/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-parallel"

#include "config.h"

#include "lrp-parallel-private.h"

#include <gio/gio.h>

typedef struct
{
  LrpRangeFunc func;
  gpointer data;
  int64_t begin, end;
  GMutex *lock;
  GCond *done;
  int *pending;
} Chunk;

static GThreadPool *pool;
static int n_workers;

/* Set while a thread runs a range: nested loops then stay on that thread,
 * since waiting for pool threads that are busy with the outer loop could
 * wait forever. */
static GPrivate in_range;

static void
run_range (LrpRangeFunc func,
           int64_t begin,
           int64_t end,
           gpointer data)
{
  g_private_set (&in_range, GINT_TO_POINTER (1));
  func (begin, end, data);
  g_private_set (&in_range, NULL);
}

static void
run_chunk (gpointer item,
           gpointer user_data)
{
  Chunk *c = item;

  (void) user_data;
  run_range (c->func, c->begin, c->end, c->data);
  g_mutex_lock (c->lock);
  if (--*c->pending == 0)
    g_cond_signal (c->done);
  g_mutex_unlock (c->lock);
}

static void
ensure_pool (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      /* LRPLENS_SERIAL: one thread, to compare. */
      n_workers = g_getenv ("LRPLENS_SERIAL") ? 0
                  : (int) CLAMP (g_get_num_processors (), 1, 64) - 1;
      if (n_workers > 0)
        pool = g_thread_pool_new (run_chunk, NULL, n_workers, TRUE, NULL);
      g_once_init_leave (&once, 1);
    }
}

void
lrp_parallel_for (int64_t n,
                  int64_t grain,
                  LrpRangeFunc func,
                  gpointer data)
{
  int parts;
  int pending;
  GMutex lock;
  GCond done;
  Chunk chunks[64];

  ensure_pool ();
  parts = (int) MIN ((int64_t) n_workers + 1, n / MAX (grain, 1));
  if (pool == NULL || parts < 2 || g_private_get (&in_range) != NULL)
    {
      if (n > 0)
        func (0, n, data);
      return;
    }
  g_mutex_init (&lock);
  g_cond_init (&done);
  pending = parts - 1;
  for (int i = 0; i < parts; i++)
    {
      chunks[i] = (Chunk) { func, data, n * i / parts, n * (i + 1) / parts, &lock, &done,
                            &pending };
      if (i > 0)
        g_thread_pool_push (pool, &chunks[i], NULL);
    }
  /* The caller takes the first range itself. */
  run_range (func, chunks[0].begin, chunks[0].end, data);
  g_mutex_lock (&lock);
  while (pending > 0)
    g_cond_wait (&done, &lock);
  g_mutex_unlock (&lock);
  g_mutex_clear (&lock);
  g_cond_clear (&done);
}
