/* SPDX-License-Identifier: MIT */
/*
 * dialect/admin/ad.h - qunzu's own admin API (/admin/v1/): seeding tenants,
 * reading their resolved identities, moving the server clock.
 * Documented in docs/admin-api.md.
 */
#ifndef QZ_DIALECT_AD_H
#define QZ_DIALECT_AD_H

#include "dialect/dialect.h"

extern const struct dialect ad_dialect;

#endif
