/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small helpers shared by the engine tests.
 */
#pragma once

#include "lrp-tensor-private.h"

G_BEGIN_DECLS

/* g_test_init with a UTF-8 locale (messages use typographic quotes) and
 * the engine initialised. */
void lrp_test_init (int *argc, char ***argv);

/* Directory named by environment variable @var, or NULL when unset or
 * missing (tests then skip and say why). */
char *lrp_test_dir_from_env (const char *var);

/* Largest |got - want| / (atol + rtol |want|); > 1 means "not close".
 * Shapes and types must match, else returns INFINITY. */
double lrp_test_closeness (const LrpTensor *got, const LrpTensor *want, double rtol, double atol);

/* max |got - want| / max |want| */
double lrp_test_rel_error (const LrpTensor *got, const LrpTensor *want);

LrpTensor *lrp_test_load_pb (const char *path, char **name, GError **error);

G_END_DECLS
