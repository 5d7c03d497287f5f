/* SPDX-License-Identifier: MIT */
/* tests/unit/test_store.c - the SQLite backend through the ops table, and the
 * knowledge-base rules in svc on top of it. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/store_int.h"
#include "svc/svc.h"

struct fixture {
    struct config cfg;
    struct store *st;
    struct arena a;
    struct err_info ei;
    struct svc_ctx c;
};

static void setup(struct fixture *f)
{
    char err[256];
    char *argv[] = { "qunzu", "--db", "sqlite::memory:", NULL };
    const char *env[] = { NULL };
    json_t *doc, *res = NULL;

    memset(f, 0, sizeof(*f));
    CHECK(config_load(&f->cfg, 3, argv, env, err, sizeof(err)) == 0);
    f->st = store_open(&f->cfg);
    CHECK(f->st != NULL);
    arena_init(&f->a, 0);
    f->c = (struct svc_ctx){ .st = f->st, .a = &f->a, .ei = &f->ei, .now = 1000 };
    doc = json_pack("{s:[{s:s,s:{s:s,s:[s]}},{s:s,s:{s:s,s:[s]}}]}", "tenants", "name", "A",
                    "wecom", "corpid", "wwa", "secrets", "sa", "name", "B", "wecom", "corpid",
                    "wwb", "secrets", "sb");
    CHECK(store_begin(f->st, true) == ERR_OK);
    CHECK(svc_seed_apply(&f->c, doc, &res) == ERR_OK);
    CHECK(store_commit(f->st) == ERR_OK);
    json_decref(doc);
    json_decref(res);
}

static void teardown(struct fixture *f)
{
    store_close(f->st);
    arena_release(&f->a);
    config_release(&f->cfg);
}

static int64_t tenant_of(struct fixture *f, const char *corpid, const char *secret)
{
    int64_t t = 0, p = 0;

    CHECK(svc_wc_credential(&f->c, corpid, secret, &t, &p) == ERR_OK);
    return t;
}

static void credentials(void)
{
    struct fixture f;
    int64_t t, p;

    setup(&f);
    CHECK(svc_wc_credential(&f.c, "wwa", "sa", &t, &p) == ERR_OK);
    CHECK(svc_wc_credential(&f.c, "nope", "sa", &t, &p) == ERR_UNAUTHENTICATED
          && f.ei.subj == SUBJ_TENANT);
    CHECK(svc_wc_credential(&f.c, "wwa", "zz", &t, &p) == ERR_UNAUTHENTICATED
          && f.ei.subj == SUBJ_SECRET);
    CHECK(svc_wc_credential(&f.c, "wwa", "sb", &t, &p) == ERR_UNAUTHENTICATED
          && f.ei.subj == SUBJ_SECRET_OTHER);
    teardown(&f);
}

static void token_reuse_and_expiry(void)
{
    static const struct token_policy pol = { TOKEN_WECOM, 7200, 1, "", 16 };
    struct fixture f;
    struct token_row t1, t2, chk;
    int64_t t = 0, p = 0;

    setup(&f);
    CHECK(svc_wc_credential(&f.c, "wwa", "sa", &t, &p) == ERR_OK);
    CHECK(svc_token_issue(&f.c, &pol, t, p, 0, &t1) == ERR_OK);
    f.c.now += 100;
    CHECK(svc_token_issue(&f.c, &pol, t, p, 0, &t2) == ERR_OK);
    CHECK_STR(t1.token, t2.token); /* same token while valid */
    CHECK(t2.expires_at - f.c.now == 7100);
    CHECK(svc_token_check(&f.c, TOKEN_WECOM, t1.token, &chk) == ERR_OK && f.c.tenant == t);
    CHECK(svc_token_check(&f.c, TOKEN_WECOM, "garbage", &chk) == ERR_UNAUTHENTICATED);
    f.c.now += 7100;
    CHECK(svc_token_check(&f.c, TOKEN_WECOM, t1.token, &chk) == ERR_EXPIRED);
    CHECK(svc_token_issue(&f.c, &pol, t, p, 0, &t2) == ERR_OK);
    CHECK(strcmp(t1.token, t2.token) != 0); /* a new one after expiry */
    teardown(&f);
}

static void kb_rules(void)
{
    const struct kb_policy *p = &svc_kb_wecom;
    struct fixture f;
    struct kb_cat_row g, *rows;
    size_t n;
    bool more;
    char name[16];

    setup(&f);
    f.c.tenant = tenant_of(&f, "wwa", "sa");
    CHECK(svc_kb_cat_list(&f.c, p, 0, 10, &rows, &n, &more) == ERR_OK);
    CHECK(n == 1 && rows[0].is_default && !more);
    CHECK_STR(rows[0].name, "默认分组");
    CHECK(svc_kb_cat_rename(&f.c, p, rows[0].ext_id, "x") == ERR_FORBIDDEN);
    CHECK(svc_kb_cat_delete(&f.c, p, rows[0].ext_id) == ERR_FORBIDDEN);
    CHECK(svc_kb_cat_add(&f.c, p, "FAQ", &g) == ERR_OK);
    CHECK(svc_kb_cat_add(&f.c, p, "FAQ", &g) == ERR_CONFLICT);
    CHECK(svc_kb_cat_add(&f.c, p, "1234567890123", &g) == ERR_BAD_REQUEST);
    CHECK(svc_kb_cat_rename(&f.c, p, g.ext_id, "FAQ") == ERR_OK); /* its own name */
    CHECK(svc_kb_cat_rename(&f.c, p, "nope", "x") == ERR_NOT_FOUND);
    /* 100 in all, the default included: 98 more fit. */
    for (int i = 0; i < 98; i++) {
        snprintf(name, sizeof(name), "g%d", i);
        CHECK(svc_kb_cat_add(&f.c, p, name, &g) == ERR_OK);
    }
    CHECK(svc_kb_cat_add(&f.c, p, "one more", &g) == ERR_LIMIT);
    CHECK(svc_kb_cat_list(&f.c, p, 0, 60, &rows, &n, &more) == ERR_OK && n == 60 && more);
    CHECK(svc_kb_cat_list(&f.c, p, rows[59].id, 60, &rows, &n, &more) == ERR_OK && n == 40
          && !more);
    /* The other tenant sees only its own default group. */
    f.c.tenant = tenant_of(&f, "wwb", "sb");
    CHECK(svc_kb_cat_list(&f.c, p, 0, 1000, &rows, &n, &more) == ERR_OK && n == 1);
    CHECK(svc_kb_cat_get(&f.c, p, g.ext_id, &g) == ERR_NOT_FOUND);
    teardown(&f);
}

static void seed_idempotent(void)
{
    struct fixture f;
    json_t *doc, *r1 = NULL, *r2 = NULL;

    setup(&f);
    doc = json_pack("{s:[{s:s,s:[{s:s}],s:{s:s,s:[{s:s}]}}]}", "tenants", "name", "A", "users",
                    "user_id", "u1", "feishu", "tenant_key", "ka", "apps", "app_id", "cli_1");
    CHECK(svc_seed_apply(&f.c, doc, &r1) == ERR_OK);
    CHECK(svc_seed_apply(&f.c, doc, &r2) == ERR_OK);
    CHECK(json_equal(r1, r2)); /* same union_id, open_id and generated secret */
    json_decref(doc);
    json_decref(r1);
    json_decref(r2);
    doc = json_pack("{s:[{s:s,s:{s:s}}]}", "tenants", "name", "C", "wecom", "corpid", "wwa");
    CHECK(svc_seed_apply(&f.c, doc, &r1) == ERR_CONFLICT); /* corpid of tenant A */
    json_decref(doc);
    teardown(&f);
}

static const char SQL_TABLES[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_migrations' "
    "AND name NOT LIKE 'sqlite_%' ORDER BY name";

/* Every table of the schema is copied by --copy-to. */
static void copy_lists_every_table(void)
{
    struct fixture f;
    struct sql_res r;

    setup(&f);
    CHECK(store_q(f.st, &f.a, &r, SQL_TABLES, "") == ERR_OK);
    CHECK(r.nrows == store_copy_table_count());
    for (size_t i = 0; i < r.nrows; i++) {
        bool listed = false;

        for (size_t j = 0; j < store_copy_table_count(); j++)
            listed = listed || strcmp(sql_text(&r, i, 0), store_copy_table_name(j)) == 0;
        if (!listed)
            fprintf(stderr, "  table '%s' is not in copy_tables\n", sql_text(&r, i, 0));
        CHECK(listed);
    }
    teardown(&f);
}

const struct unit_case store_cases[] = {
    { "store/copy_lists_every_table", copy_lists_every_table },
    { "store/credentials", credentials },
    { "store/seed_idempotent", seed_idempotent },
    { NULL, NULL },
};

const struct unit_case svc_cases[] = {
    { "svc/token_reuse_and_expiry", token_reuse_and_expiry },
    { "svc/kb_rules", kb_rules },
    { NULL, NULL },
};
