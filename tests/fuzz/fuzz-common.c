/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef LRPLENS_FUZZING
#include <sanitizer/allocator_interface.h>

static size_t heap_now, heap_peak;

static void
malloc_hook (const volatile void *ptr,
             size_t size)
{
  size_t now = __atomic_add_fetch (&heap_now, size, __ATOMIC_RELAXED);
  size_t peak = __atomic_load_n (&heap_peak, __ATOMIC_RELAXED);

  (void) ptr;
  while (now > peak
         && !__atomic_compare_exchange_n (&heap_peak, &peak, now, TRUE, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED))
    ;
}

static void
free_hook (const volatile void *ptr)
{
  if (ptr != NULL)
    __atomic_sub_fetch (&heap_now, __sanitizer_get_allocated_size (ptr), __ATOMIC_RELAXED);
}

static size_t heap_base;

void
fuzz_heap_start (void)
{
  heap_base = __atomic_load_n (&heap_now, __ATOMIC_RELAXED);
  __atomic_store_n (&heap_peak, heap_base, __ATOMIC_RELAXED);
}

void
fuzz_heap_check (size_t limit,
                 const char *what,
                 size_t size)
{
  size_t used = __atomic_load_n (&heap_peak, __ATOMIC_RELAXED) - heap_base;

  if (used > limit)
    {
      fprintf (stderr, "%s: a %zu-byte input took %zu bytes of heap at its peak, more than "
               "the ceiling of %zu\n", what, size, used, limit);
      abort ();
    }
}
#else
void
fuzz_heap_start (void)
{
}

void
fuzz_heap_check (size_t limit,
                 const char *what,
                 size_t size)
{
  (void) limit;
  (void) what;
  (void) size;
}
#endif

/* Criticals and warnings abort (not G_BREAKPOINT's SIGTRAP, which
 * libFuzzer does not turn into a saved input); the rest is dropped. */
static void
log_handler (const char *domain,
             GLogLevelFlags level,
             const char *message,
             gpointer data)
{
  (void) data;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", domain ? domain : "?", message);
      abort ();
    }
}

static GLogWriterOutput
log_writer (GLogLevelFlags level,
            const GLogField *fields,
            gsize n_fields,
            gpointer data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;
  log_handler (domain, level, message ? message : "", data);
  return G_LOG_WRITER_HANDLED;
}

void
fuzz_setup (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* One fuzzer per core: the engine's own pool would only compete. */
      g_setenv ("LRPLENS_SERIAL", "1", TRUE);
      g_log_set_default_handler (log_handler, NULL);
      g_log_set_writer_func (log_writer, NULL, NULL);
#ifdef LRPLENS_FUZZING
      __sanitizer_install_malloc_and_free_hooks (malloc_hook, free_hook);
#endif
      lrp_init ();
      g_once_init_leave (&done, 1);
    }
}

void
fuzz_check_result (gboolean ok,
                   const GError *error,
                   const char *what)
{
  static int verbose = -1;

  if (verbose < 0)
    verbose = g_getenv ("LRPLENS_FUZZ_VERBOSE") != NULL;
  if (verbose && error != NULL)
    fprintf (stderr, "%s: %s\n", what, error->message);
  if (ok && error != NULL)
    {
      fprintf (stderr, "%s: success with an error set: %s\n", what, error->message);
      abort ();
    }
  if (!ok && error == NULL)
    {
      fprintf (stderr, "%s: failure without an error\n", what);
      abort ();
    }
  if (error != NULL && error->domain != LRP_ONNX_ERROR && error->domain != LRP_MODEL_ERROR
      && error->domain != LRP_RUN_ERROR && error->domain != LRP_INPUT_ERROR)
    {
      fprintf (stderr, "%s: error outside the engine's domains (%s): %s\n", what,
               g_quark_to_string (error->domain), error->message);
      abort ();
    }
  if (error != NULL && (error->message == NULL || error->message[0] == '\0'
                        || !g_utf8_validate (error->message, -1, NULL)))
    {
      fprintf (stderr, "%s: error without a readable message\n", what);
      abort ();
    }
}
