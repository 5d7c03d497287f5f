/* SPDX-License-Identifier: MIT */
/*
 * store/store_int.h - shared by the store backends only: the embedded
 * migrations (generated from the migrations folder) and the SQLite backend's
 * connection struct and statement helpers.
 */
#ifndef QZ_STORE_INT_H
#define QZ_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

struct store_migration {
    const char *name; /* "001_init.sql"; the order is the file-name order */
    const char *sql;
};

extern const struct store_migration store_migrations[];

#define SQ_CACHE_SLOTS 64

struct sq {
    struct store base;
    sqlite3 *db;
    struct {
        const char *sql; /* keyed by the address of a static SQL string */
        sqlite3_stmt *stmt;
    } cache[SQ_CACHE_SLOTS];
};

extern const struct store_ops sq_ops;

struct store *sq_open(const struct config *cfg);

/* Logs the SQLite error for 'what' and returns ERR_STORE (or ERR_CONFLICT
 * for a constraint violation). */
enum err sq_fail(struct sq *s, const char *what);

/* Prepares (cached) 'sql' and binds arguments by 'fmt': 's' text (NULL binds
 * NULL), 'i' int64_t, 'b' bool. Returns NULL after logging on failure. */
sqlite3_stmt *sq_stmt(struct sq *s, const char *sql, const char *fmt, ...);

/* Steps a statement that returns no rows. */
enum err sq_exec(struct sq *s, const char *sql, const char *fmt, ...);

char *sq_col_text(struct arena *a, sqlite3_stmt *st, int col); /* NULL stays NULL */

/* Steps 'q' once: ERR_OK with a row to read (reset 'q' after reading),
 * ERR_NOT_FOUND (reset done) or the failure. */
enum err sq_row(struct sq *s, sqlite3_stmt *q, const char *what);

/* Grows an arena array of 'size'-byte elements to hold one more; returns
 * the (possibly moved) array. '*cap' tracks its capacity. */
void *sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size);

/* Entity operations (store_sqlite_ident.c, store_sqlite_kb.c); the ops table
 * in store_sqlite.c points at them. Contracts are in store.h. */
enum err sq_tenant_by_name(struct store *st, struct arena *a, const char *name,
                           struct tenant_row *out);
enum err sq_tenant_get(struct store *st, struct arena *a, int64_t id, struct tenant_row *out);
enum err sq_tenant_insert(struct store *st, const char *name, bool is_demo, int64_t now,
                          int64_t *id);
enum err sq_tenant_demo(struct store *st, int64_t *id);
enum err sq_person_upsert(struct store *st, struct arena *a, struct person_row *p);
enum err sq_person_list(struct store *st, struct arena *a, int64_t tenant,
                        struct person_row **rows, size_t *n);
enum err sq_fs_tenant_key_get(struct store *st, struct arena *a, int64_t tenant, char **key);
enum err sq_fs_tenant_key_set(struct store *st, int64_t tenant, const char *key);
enum err sq_fs_app_upsert(struct store *st, struct arena *a, struct fs_app_row *app,
                          const char *new_secret);
enum err sq_fs_app_list(struct store *st, struct arena *a, int64_t tenant,
                        struct fs_app_row **rows, size_t *n);
enum err sq_fs_open_id_ensure(struct store *st, struct arena *a, int64_t app, int64_t person,
                              const char *candidate, char **open_id);
enum err sq_wc_corp_get(struct store *st, struct arena *a, int64_t tenant, char **corpid);
enum err sq_wc_corp_find(struct store *st, const char *corpid, int64_t *tenant);
enum err sq_wc_corp_set(struct store *st, int64_t tenant, const char *corpid);
enum err sq_wc_secret_add(struct store *st, int64_t tenant, const char *secret);
enum err sq_wc_secret_find(struct store *st, struct arena *a, const char *secret,
                           struct wc_secret_row *out);
enum err sq_wc_secret_list(struct store *st, struct arena *a, int64_t tenant,
                           struct wc_secret_row **rows, size_t *n);
enum err sq_udesk_get(struct store *st, struct arena *a, int64_t tenant, struct udesk_row *out);
enum err sq_udesk_set(struct store *st, const struct udesk_row *u);
enum err sq_token_insert(struct store *st, const struct token_row *t);
enum err sq_token_get(struct store *st, struct arena *a, const char *token, struct token_row *out);
enum err sq_token_live(struct store *st, struct arena *a, int kind, int64_t principal, int64_t now,
                       struct token_row *out);
enum err sq_kb_cat_insert(struct store *st, struct kb_cat_row *c);
enum err sq_kb_cat_get(struct store *st, struct arena *a, int64_t tenant, const char *space,
                       const char *ext_id, struct kb_cat_row *out);
enum err sq_kb_cat_by_name(struct store *st, struct arena *a, int64_t tenant, const char *space,
                           const char *name, struct kb_cat_row *out);
enum err sq_kb_cat_count(struct store *st, int64_t tenant, const char *space, int64_t *n);
enum err sq_kb_cat_rename(struct store *st, int64_t id, const char *name);
enum err sq_kb_cat_delete(struct store *st, int64_t id);
enum err sq_kb_cat_list(struct store *st, struct arena *a, int64_t tenant, const char *space,
                        int64_t after, int64_t limit, struct kb_cat_row **rows, size_t *n);

#endif
