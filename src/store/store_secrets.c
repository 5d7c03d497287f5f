/* SPDX-License-Identifier: MIT */
/*
 * store/store_secrets.c - secrets at rest: the digest and sealed forms the
 * entity operations store instead of plain secrets, the check that the
 * server key is the database's, and the one-time conversion of rows written
 * in plain text before migration 010. The primitives are core/seal.c; which
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

enum err store_unseal(struct store *s, struct arena *a, const char *sealed, const char **plain)
{
    char *p;

    if (!seal_open(a, &s->key, sealed, &p)) {
        log_error("store: a sealed secret does not open (another secret_key_file, or damage)");
        s->failed = true;
        *plain = "";
        return ERR_STORE;
    }
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

/* A table whose rows may hold plain secrets. 'select' reads the row key,
 * then the plain values; 'update' takes the key as $1 and then one value
 * per pair of 'forms': 'D' (digest) or 'S' (sealed) of select column N. */
struct plain_table {
    const char *name;
    const char *select;
    const char *update;
    const char *forms;
};

static const struct plain_table plain_tables[] = {
    { "fs_app", "SELECT id, app_secret FROM fs_app",
      "UPDATE fs_app SET app_secret = $2 WHERE id = $1", "S1" },
    { "wc_secret", "SELECT id, secret FROM wc_secret",
      "UPDATE wc_secret SET secret = $2, sealed = $3 WHERE id = $1", "D1S1" },
    { "udesk_company", "SELECT tenant_id, api_token, admin_password FROM udesk_company",
      "UPDATE udesk_company SET api_token = $2, admin_password = $3 WHERE tenant_id = $1",
      "S1S2" },
    /* Tokens written before 010 are all kept recoverable: the kinds that are
     * never handed out again expire soon enough. */
    { "token", "SELECT token FROM token",
      "UPDATE token SET token = $2, sealed = $3 WHERE token = $1", "D0S0" },
    { "fs_auth_code", "SELECT code FROM fs_auth_code",
      "UPDATE fs_auth_code SET code = $2 WHERE code = $1", "D0" },
    { "fs_chat_link", "SELECT link_token FROM fs_chat_link",
      "UPDATE fs_chat_link SET link_token = $2 WHERE link_token = $1", "D0" },
    { "fs_subscription", "SELECT app_ref, encrypt_key, verification_token FROM fs_subscription",
      "UPDATE fs_subscription SET encrypt_key = $2, verification_token = $3 WHERE app_ref = $1",
      "S1S2" },
};

#define NPLAIN (sizeof(plain_tables) / sizeof(plain_tables[0]))

static enum err convert_table(struct store *s, const struct plain_table *t, size_t *rows)
{
    struct sql_param p[SQL_MAX_PARAMS];
    struct arena a;
    struct sql_res r;
    size_t nforms = strlen(t->forms) / 2;
    enum err e;

    arena_init(&a, 16384);
    e = sql_exec(s, &a, t->select, NULL, 0, &r);
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        p[0] = (struct sql_param){ 's', sql_text(&r, i, 0), 0 };
        for (size_t j = 0; j < nforms; j++) {
            const char *plain = sql_text(&r, i, (size_t)(t->forms[2 * j + 1] - '0'));
            char *v = t->forms[2 * j] == 'D' ? store_digest(s, &a, plain)
                                             : store_seal(s, &a, plain);

            p[1 + j] = (struct sql_param){ 's', v, 0 };
        }
        e = sql_exec(s, NULL, t->update, p, (int)(1 + nforms), NULL);
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
    e = store_q(s, NULL, NULL, SQL_KEY_CHECK_PUT, "s", check);
    if (e == ERR_OK)
        e = sql_one(store_q(s, &a, &r, SQL_KEY_CHECK_GET, ""), &r);
    if (e == ERR_OK)
        stored = (char *)sql_text(&r, 0, 0);
    if (e == ERR_OK && !seal_str_eq(stored, check)) {
        log_error("the server key (secret_key_file) is not the one this database was written "
                  "with: its secrets do not open; start with the database's key file");
        e = ERR_FORBIDDEN;
    }
    if (e == ERR_OK)
        e = store_q(s, &a, &r, SQL_PLAIN_TAKE, "");
    for (size_t i = 0; e == ERR_OK && r.nrows > 0 && i < NPLAIN; i++) {
        size_t rows = 0;

        e = convert_table(s, &plain_tables[i], &rows);
        if (e == ERR_OK && rows > 0)
            log_info("secrets at rest: converted %zu plain rows of %s", rows,
                     plain_tables[i].name);
    }
    arena_release(&a);
    return e;
}
