/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_tx.h - the database as the request pipeline sees it: a request's
 * one transaction (begun, committed, rolled back around its handler), a
 * node's connections and the SQLite write group. Dialects call these, never
 * the store (CONTRIBUTING.md); what each does is the store's (store.h).
 */
#ifndef QZ_SVC_TX_H
#define QZ_SVC_TX_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>

struct config;

/* A request's transaction: a read or a write (store_begin), a read whose
 * data version kept answers are checked against (store_begin_versioned). */
enum err svc_tx_begin(struct store *st, bool write);
enum err svc_tx_begin_versioned(struct store *st);
enum err svc_tx_commit(struct store *st);
void svc_tx_rollback(struct store *st);

/* A connection of the node's own (a worker's, the runner's): opened with the
 * configured fault injection, attached to the write group, closed. */
struct store *svc_db_open(const struct config *cfg);
void svc_db_attach(struct store *st, struct store_group *g, bool wait);
void svc_db_close(struct store *st);
/* Whether the database answers (readiness). */
enum err svc_db_ping(struct store *st);

/* The SQLite write group: a write handed to its writer, and its counters. */
enum err svc_group_submit(struct store_group *g, struct store_job *j);
void svc_group_stats(struct store_group *g, struct store_group_stats *out);

#endif
