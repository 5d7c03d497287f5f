/* SPDX-License-Identifier: MIT */
/* tests/unit/test_secrets.c - secrets at rest in the store: rows written in plain
 * text before migration 010 are converted once at open and read back as before; the
 * database then holds none of the plain values; another key is refused. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/store_int.h"
#include "svc/svc.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

/* Every kind of secret, as a version before 010 wrote it. */
static const char PLAIN_ROWS[] =
    "INSERT INTO tenant (id, name, created_at) VALUES (1, 'Old', 0);"
    "INSERT INTO person (id, tenant_id, user_id, union_id, name) VALUES (1, 1, 'u1', 'on_1', 'U');"
    "INSERT INTO fs_app VALUES (1, 1, 'cli_old', 'old-app-secret', 'Old App');"
    "INSERT INTO wc_corp VALUES (1, 'wwold');"
    "INSERT INTO wc_secret (id, tenant_id, secret) VALUES (1, 1, 'old-wc-secret');"
    "INSERT INTO udesk_company (tenant_id, subdomain, admin_email, api_token, admin_password) "
    "VALUES (1, 'old', 'a@old.test', 'old-api-token', 'old-admin-pass');"
    "INSERT INTO token (token, kind, tenant_id, principal, created_at, expires_at) "
    "VALUES ('old-access-token', 1, 1, 1, 0, 100000);"
    "INSERT INTO fs_auth_code (code, tenant_id, app_ref, person_id, expires_at) "
    "VALUES ('old-oauth-code', 1, 1, 1, 100000);"
    "INSERT INTO fs_chat (id, tenant_id, chat_id, owner_kind, owner_ref, chat_mode, chat_type, "
    "name, description, avatar, i18n_names, settings, status, top_notice, created_at, active_at) "
    "VALUES (1, 1, 'oc_old', 1, 1, 'group', 'private', 'n', '', '', '{}', '{}', 'normal', '', 0, "
    "0);"
    "INSERT INTO fs_chat_link VALUES ('old-link-token', 1, 0, 1, 1, 0);"
    "INSERT INTO fs_subscription VALUES (1, 'http://127.0.0.1:9/cb', 'old-encrypt-key', "
    "'old-verify-token', '[]');";

static const char *const PLAIN[] = {
    "old-app-secret", "old-wc-secret",  "old-api-token",   "old-admin-pass",
    "old-access-token", "old-oauth-code", "old-link-token", "old-encrypt-key",
    "old-verify-token", NULL,
};

/* Fails the check when a cell holds one of the plain values. */
static int no_plain_cell(void *arg, int ncols, char **vals, char **names)
{
    (void)names;
    for (int i = 0; i < ncols; i++)
        for (size_t j = 0; vals[i] != NULL && PLAIN[j] != NULL; j++)
            if (strstr(vals[i], PLAIN[j]) != NULL) {
                fprintf(stderr, "  %s still holds '%s'\n", (const char *)arg, PLAIN[j]);
                unit_failures++;
            }
    return 0;
}

static void check_no_plain(const char *path)
{
    static const char *const tables[] = { "fs_app", "wc_secret", "udesk_company", "token",
                                          "fs_auth_code", "fs_chat_link", "fs_subscription",
                                          "meta", NULL };
    sqlite3 *db = NULL;
    char sql[128];

    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    for (size_t i = 0; tables[i] != NULL; i++) {
        snprintf(sql, sizeof(sql), "SELECT * FROM %s", tables[i]);
        CHECK(sqlite3_exec(db, sql, no_plain_cell, (void *)tables[i], NULL) == SQLITE_OK);
    }
    sqlite3_close(db);
}

/* A database at migration 009 holding plain rows. */
static void make_old_db(const char *path)
{
    sqlite3 *db = NULL;
    char sql[256];

    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, "
                           "applied_at BIGINT NOT NULL)", NULL, NULL, NULL) == SQLITE_OK);
    for (const struct store_migration *m = store_migrations_sqlite; m->name != NULL; m++) {
        if (strcmp(m->name, "010") >= 0)
            break;
        CHECK(sqlite3_exec(db, m->sql, NULL, NULL, NULL) == SQLITE_OK);
        snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES ('%s', 0)", m->name);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    }
    CHECK(sqlite3_exec(db, PLAIN_ROWS, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

/* Every secret reads back as the plain value it was. */
static void check_reads(struct store *st)
{
    struct arena a;
    struct err_info ei;
    struct svc_ctx c = { .st = st, .a = &a, .ei = &ei, .now = 1000 };
    struct fs_app_row app;
    struct udesk_row ud;
    struct token_row tok;
    struct fs_subscription_row sub;
    struct wc_secret_row *secrets;
    struct actor creator;
    int64_t t = 0, p = 0, app_ref = 0, chat = 0, expires = -1;
    const char *app_secret = NULL;
    size_t n = 0;

    arena_init(&a, 0);
    CHECK(store_begin(st, true) == ERR_OK);
    CHECK(svc_wc_credential(&c, "wwold", "old-wc-secret", &t, &p) == ERR_OK && t == 1 && p == 1);
    CHECK(store_wc_secret_list(st, &a, 1, &secrets, &n) == ERR_OK && n == 1);
    if (n == 1)
        CHECK_STR(secrets[0].secret, "old-wc-secret");
    CHECK(store_fs_app_by_app_id(st, &a, "cli_old", &app) == ERR_OK);
    CHECK(store_fs_app_secret(st, &a, &app, &app_secret) == ERR_OK);
    CHECK_STR(app_secret, "old-app-secret");
    CHECK(store_udesk_get(st, &a, 1, &ud) == ERR_OK);
    CHECK_STR(ud.api_token, "old-api-token");
    CHECK_STR(ud.admin_password, "old-admin-pass");
    CHECK(store_token_get(st, &a, "old-access-token", &tok) == ERR_OK && tok.kind == 1);
    CHECK(store_token_live(st, &a, 1, 1, 1000, &tok) == ERR_OK);
    CHECK_STR(tok.token, "old-access-token");
    CHECK(store_fs_link_get(st, "old-link-token", &chat, &expires, &creator) == ERR_OK);
    CHECK(chat == 1 && expires == 0);
    CHECK(store_fs_subscription_get(st, &a, 1, &sub) == ERR_OK);
    CHECK_STR(sub.encrypt_key, "old-encrypt-key");
    CHECK_STR(sub.verification_token, "old-verify-token");
    /* Rolled back below: the code stays unused for the next open. */
    CHECK(store_fs_code_take(st, &a, "old-oauth-code", 1000, &t, &app_ref, &p) == ERR_OK);
    CHECK(app_ref == 1 && p == 1);
    store_rollback(st);
    arena_release(&a);
}

static void convert_plain_rows(void)
{
    char path[] = "/tmp/qz-unit-XXXXXX", dbflag[64], keyf[64], err[256];
    char *argv[] = { "qunzu", "--db", dbflag, NULL };
    struct config cfg;
    struct store *st;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    make_old_db(path);
    snprintf(dbflag, sizeof(dbflag), "sqlite:%s", path);
    snprintf(keyf, sizeof(keyf), "%s.key", path);
    CHECK(config_load(&cfg, 3, argv, (const char *const[]){ NULL }, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&cfg, err, sizeof(err)) == 0);

    /* Twice: the second open converts nothing again. */
    for (int i = 0; i < 2; i++) {
        st = store_open(&cfg);
        CHECK(st != NULL);
        if (st != NULL)
            check_reads(st);
        store_close(st);
        check_no_plain(path);
    }
    /* Another key does not open the database. */
    cfg.secret_key.b[0] ^= 1;
    st = store_open(&cfg);
    CHECK(st == NULL);
    store_close(st);
    config_release(&cfg);
    unlink(path);
    unlink(keyf);
}

const struct unit_case secrets_cases[] = {
    { "store/secrets_convert_plain_rows", convert_plain_rows },
    { NULL, NULL },
};
