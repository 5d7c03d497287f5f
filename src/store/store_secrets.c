/* SPDX-License-Identifier: MIT */
/*
 * store/store_secrets.c - secrets at rest: the digest and sealed forms the
 * entity operations store instead of plain secrets, the check that the
 * server key is the database's, and the one-time conversion of rows written
 * in plain text before migration 010 (the columns are the table registry's,
 * store_tables.c). The primitives are core/seal.c; which
 * column holds which form is docs/reliability.md, "Secrets at rest".
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <string.h>

char *store_digest(const struct store *s, struct arena *a, const char *secret)
{
    return seal_digest(a, &s->key, secret);
}

char *store_seal(const struct store *s, struct arena *a, const char *plain)
{
    return seal_seal(a, &s->key, plain);
}

/* Opening a sealed secret is an AES-GCM key setup and a decryption, and
 * the same few are opened over and over (a Udesk company's API token checks
 * every signed request, twice for a write). Each thread keeps the last
 * MEMO_N it opened, by their sealed text and the key: a sealing's random
 * nonce makes its text its own, so an entry is never stale. Fixed buffers
 * (nothing to free when a thread ends); longer secrets are not kept. */
#define MEMO_N 8
#define MEMO_SEALED 256
#define MEMO_PLAIN 160

struct unseal_memo {
    struct seal_key key;
    char sealed[MEMO_SEALED];
    char plain[MEMO_PLAIN];
};

static __thread struct unseal_memo memo[MEMO_N];
static __thread unsigned memo_next;

static const char *memo_find(const struct seal_key *key, const char *sealed)
{
    for (size_t i = 0; i < MEMO_N; i++)
        if (memo[i].sealed[0] != '\0' && strcmp(memo[i].sealed, sealed) == 0
            && memcmp(memo[i].key.b, key->b, sizeof(key->b)) == 0)
            return memo[i].plain;
    return NULL;
}

static void memo_keep(const struct seal_key *key, const char *sealed, const char *plain)
{
    struct unseal_memo *m = &memo[memo_next++ % MEMO_N];

    size_t ns = strlen(sealed) + 1, np = strlen(plain) + 1;

    if (ns > MEMO_SEALED || np > MEMO_PLAIN)
        return;
    m->key = *key;
    memcpy(m->sealed, sealed, ns);
    memcpy(m->plain, plain, np);
}

enum err store_unseal(struct store *s, struct arena *a, const char *sealed, const char **plain)
{
    const char *kept = sealed != NULL ? memo_find(&s->key, sealed) : NULL;
    char *p;

    if (kept != NULL) {
        *plain = arena_strdup(a, kept);
        return ERR_OK;
    }
    if (!seal_open(a, &s->key, sealed, &p)) {
        log_error("store: a sealed secret does not open (another secret_key_file, or damage)");
        s->failed = true;
        *plain = "";
        return ERR_STORE;
    }
    if (p != NULL)
        memo_keep(&s->key, sealed, p);
    *plain = p;
    return ERR_OK;
}

/* The meta row that tells which key the database was written with: a
 * digest of a fixed text, which reveals nothing about the key. */
static const char KEY_CHECK_TEXT[] = "qunzu secret_key_check v1";
static const char SQL_KEY_CHECK_PUT[] =
    "INSERT INTO meta (key, value) VALUES ('secret_key_check', $1) ON CONFLICT (key) DO NOTHING";
static const char SQL_KEY_CHECK_GET[] = "SELECT value FROM meta WHERE key = 'secret_key_check'";
/* Concurrent starts serialise on the marker row: the second waits for the
 * first to commit, then deletes nothing and converts nothing. */
static const char SQL_PLAIN_TAKE[] = "DELETE FROM meta WHERE key = 'secrets_plain' RETURNING 1";

/* Rewrites the registry's secret columns of every row of 't'. */
static enum err convert_table(struct store *s, const struct store_table *t, size_t *rows)
{
    struct sql_arg p[1 + TABLE_SECRETS];
    struct arena a;
    struct sql_res r;
    size_t n = 0;
    enum err e;

    arena_init(&a, 16384);
    e = sql_exec(s, &a, store_table_sql(t, TABLE_SECRETS_SELECT), NULL, 0, &r);
    while (n < TABLE_SECRETS && t->secrets[n].column != NULL)
        n++;
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        p[0] = ARG_TEXT(sql_text(&r, i, 0));
        for (size_t j = 0; j < n; j++) {
            const char *plain = sql_text(&r, i, 1 + j);
            char *v = t->secrets[j].form == 'D' ? store_digest(s, &a, plain)
                                                : store_seal(s, &a, plain);

            p[1 + j] = ARG_TEXT(v);
        }
        e = sql_exec(s, NULL, store_table_sql(t, TABLE_SECRETS_UPDATE), p, (int)(1 + n), NULL);
    }
    *rows = r.nrows;
    arena_release(&a);
    return e;
}

enum err store_secrets_init(struct store *s)
{
    struct arena a;
    struct sql_res r;
    char *check, *stored = NULL;
    enum err e;

    arena_init(&a, 1024);
    check = seal_digest(&a, &s->key, KEY_CHECK_TEXT);
    e = store_q(s, NULL, NULL, SQL_KEY_CHECK_PUT, ARG_TEXT(check));
    if (e == ERR_OK)
        e = sql_one(store_q(s, &a, &r, SQL_KEY_CHECK_GET), &r);
    if (e == ERR_OK)
        stored = (char *)sql_text(&r, 0, 0);
    if (e == ERR_OK && !seal_str_eq(stored, check)) {
        log_error("the server key (secret_key_file) is not the one this database was written "
                  "with: its secrets do not open; start with the database's key file");
        e = ERR_FORBIDDEN;
    }
    if (e == ERR_OK)
        e = store_q(s, &a, &r, SQL_PLAIN_TAKE);
    for (size_t i = 0; e == ERR_OK && r.nrows > 0 && i < store_table_count; i++) {
        const struct store_table *t = &store_tables[i];
        size_t rows = 0;

        if (t->secret_key == NULL)
            continue;
        e = convert_table(s, t, &rows);
        if (e == ERR_OK && rows > 0)
            log_info("secrets at rest: converted %zu plain rows of %s", rows, t->name);
    }
    arena_release(&a);
    return e;
}
