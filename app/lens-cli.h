/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

int lens_cli_run (int argc, char **argv);
