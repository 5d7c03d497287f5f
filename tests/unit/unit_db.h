/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/unit_db.h - a fixture for the tests of svc rules: an
 * in-memory SQLite store with a seed document applied, and a svc context
 * over it (no request, no dialect).
 */
#ifndef QZ_UNIT_DB_H
#define QZ_UNIT_DB_H

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "svc/svc.h"

struct unit_db {
    struct config cfg;
    struct store *st;
    struct arena a;
    struct err_info ei;
    struct svc_ctx c; /* now 1000, tenant 0, no event format */
};

/* Opens the store and applies 'seed' (docs/seed.md) in a committed
 * transaction; a failure counts as a failed check. */
void unit_db_open(struct unit_db *db, const char *seed);
void unit_db_close(struct unit_db *db);

#endif
