/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

gboolean lens_cli_is_command (int argc, char **argv);
int lens_cli_run (int argc, char **argv);
