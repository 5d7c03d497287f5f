/* SPDX-License-Identifier: MIT */
/*
 * store/store_fault.c - store fault injection for the reliability tests
 * (config key store_fault_every). A wrapper driver passes every call to the
 * real one, except that every Nth begin, tenant lock, statement or commit
 * of the whole process fails with ERR_STORE, as a database that went away
 * or a disk that filled up would. A failed commit rolls the transaction
 * back first: the work is gone, exactly as when the real commit fails.
 *
 * The counter is process-wide, so the failures move across requests,
 * workers and event delivery as the load interleaves.
 */
#include "store/store.h"
#include "store/store_int.h"

#include "config/config.h"
#include "core/log.h"
#include "core/arena.h"

#include <stdatomic.h>
#include <stdlib.h>

struct fault_store {
    struct store base;
    struct store_ops ops; /* the wrapper's, named after the real driver */
    struct store *inner;
    int64_t every;
};

static atomic_llong fault_calls;

static struct store *inner(struct store *s)
{
    return ((struct fault_store *)s)->inner;
}

static bool fail_now(struct store *s, const char *what)
{
    struct fault_store *f = (struct fault_store *)s;

    if ((atomic_fetch_add(&fault_calls, 1) + 1) % f->every != 0)
        return false;
    log_warn("store: injected fault in %s", what);
    return true;
}

static void f_close(struct store *s)
{
    store_close(inner(s));
    free(s);
}

static enum err f_ping(struct store *s)
{
    return inner(s)->ops->ping(inner(s));
}

static enum err f_begin(struct store *s, bool write)
{
    if (fail_now(s, "begin"))
        return ERR_STORE;
    return inner(s)->ops->begin(inner(s), write);
}

static enum err f_begin_alone(struct store *s)
{
    if (fail_now(s, "begin"))
        return ERR_STORE;
    return store_begin_alone(inner(s));
}

static enum err f_commit(struct store *s)
{
    if (fail_now(s, "commit")) {
        inner(s)->ops->rollback(inner(s));
        return ERR_STORE;
    }
    return inner(s)->ops->commit(inner(s));
}

static void f_rollback(struct store *s)
{
    inner(s)->ops->rollback(inner(s));
}

static enum err f_lock_tenant(struct store *s, int64_t tenant)
{
    if (fail_now(s, "tenant lock"))
        return ERR_STORE;
    return inner(s)->ops->lock_tenant(inner(s), tenant);
}

static enum err f_query(struct store *s, struct arena *a, const char *sql,
                        const struct sql_arg *args, int nargs, struct sql_res *res)
{
    if (fail_now(s, "statement"))
        return ERR_STORE;
    return inner(s)->ops->query(inner(s), a, sql, args, nargs, res);
}

static enum err f_script(struct store *s, const char *sql)
{
    return inner(s)->ops->script(inner(s), sql);
}

static enum err f_ids_follow(struct store *s)
{
    return inner(s)->ops->ids_follow(inner(s));
}

static void f_group_attach(struct store *s, struct store_group *g, bool wait)
{
    store_group_attach(inner(s), g, wait);
}

/* The optional operations are passed on when the real driver has them, so
 * fault trials run with the caches and the deferred statements a server
 * runs with; faults fall on them as on their plain counterparts. */
static enum err f_later(struct store *s, const char *sql, const struct sql_arg *args, int nargs)
{
    if (fail_now(s, "statement"))
        return ERR_STORE;
    return inner(s)->ops->later(inner(s), sql, args, nargs);
}

static enum err f_unflushed(struct store *s)
{
    return inner(s)->ops->unflushed(inner(s));
}

static int64_t f_cache_epoch(struct store *s, bool now)
{
    return inner(s)->ops->cache_epoch(inner(s), now);
}

static enum err f_begin_versioned(struct store *s)
{
    if (fail_now(s, "begin"))
        return ERR_STORE;
    return inner(s)->ops->begin_versioned(inner(s));
}

static int64_t f_data_version(struct store *s)
{
    return inner(s)->ops->data_version(inner(s));
}

struct store *store_fault_wrap(struct store *st, const struct config *cfg)
{
    int64_t every = cfg->store_fault_every;
    struct fault_store *f;

    if (st != NULL && cfg->sqlite_fault_every > 0)
        sq_fault_arm();
    if (st == NULL || every <= 0)
        return st;
    f = xcalloc(1, sizeof(*f));
    f->ops = (struct store_ops){
        .name = st->ops->name,
        .close = f_close,
        .ping = f_ping,
        .begin = f_begin,
        .begin_alone = f_begin_alone,
        .commit = f_commit,
        .rollback = f_rollback,
        .lock_tenant = f_lock_tenant,
        .query = f_query,
        .script = f_script,
        .ids_follow = f_ids_follow,
        .group_attach = f_group_attach,
        .later = st->ops->later ? f_later : NULL,
        .unflushed = st->ops->unflushed ? f_unflushed : NULL,
        .cache_epoch = st->ops->cache_epoch ? f_cache_epoch : NULL,
        .begin_versioned = st->ops->begin_versioned ? f_begin_versioned : NULL,
        .data_version = st->ops->data_version ? f_data_version : NULL,
    };
    f->base.ops = &f->ops;
    f->base.key = st->key;
    f->inner = st;
    f->every = every;
    return &f->base;
}
