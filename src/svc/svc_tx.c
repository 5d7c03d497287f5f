/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_tx.c - the database as the request pipeline sees it (svc_tx.h).
 */
#include "svc/svc_tx.h"

enum err svc_tx_begin(struct store *st, bool write)
{
    return store_begin(st, write);
}

enum err svc_tx_begin_versioned(struct store *st)
{
    return store_begin_versioned(st);
}

enum err svc_tx_commit(struct store *st)
{
    return store_commit(st);
}

void svc_tx_rollback(struct store *st)
{
    store_rollback(st);
}

struct store *svc_db_open(const struct config *cfg)
{
    return store_fault_wrap(store_open(cfg), cfg);
}

void svc_db_attach(struct store *st, struct store_group *g, bool wait)
{
    store_group_attach(st, g, wait);
}

void svc_db_close(struct store *st)
{
    store_close(st);
}

enum err svc_db_ping(struct store *st)
{
    return store_ping(st);
}

enum err svc_group_submit(struct store_group *g, struct store_job *j)
{
    return store_group_submit(g, j);
}

void svc_group_stats(struct store_group *g, struct store_group_stats *out)
{
    store_group_stats(g, out);
}
