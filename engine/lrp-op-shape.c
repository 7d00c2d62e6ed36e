/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-ops-private.h"

const LrpOpClass *const lrp_ops_shape[] = {
  NULL,
};
