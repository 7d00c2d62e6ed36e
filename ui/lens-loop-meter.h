/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void lens_loop_meter_start (void);
double lens_loop_meter_get_longest_ms (void);

G_END_DECLS
