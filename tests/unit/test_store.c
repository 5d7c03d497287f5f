/* SPDX-License-Identifier: MIT */
/* tests/unit/test_store.c - the SQLite backend through the ops table, and the
 * knowledge-base rules in svc on top of it. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/store_int.h"
#include "svc/svc.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

struct fixture {
    struct config cfg;
    struct store *st;
    struct arena a;
    struct err_info ei;
    struct svc_ctx c;
};

/* Two tenants with WeCom corps, Udesk companies and agents 101 and 102. */
static const char FIXTURE_SEED[] =
    "{\"tenants\": ["
    "{\"name\": \"A\", \"wecom\": {\"corpid\": \"wwa\", \"secrets\": [\"sa\"]},"
    " \"users\": [{\"user_id\": \"a1\", \"udesk_agent_id\": 101},"
    "             {\"user_id\": \"a2\", \"udesk_agent_id\": 102}],"
    " \"udesk\": {\"subdomain\": \"a\", \"admin_email\": \"admin@a.test\","
    "             \"api_token\": \"ta\", \"admin_password\": \"pa\"}},"
    "{\"name\": \"B\", \"wecom\": {\"corpid\": \"wwb\", \"secrets\": [\"sb\"]},"
    " \"users\": [{\"user_id\": \"b1\", \"udesk_agent_id\": 101}],"
    " \"udesk\": {\"subdomain\": \"b\", \"admin_email\": \"admin@b.test\","
    "             \"api_token\": \"tb\"}}]}";

static void setup(struct fixture *f)
{
    char err[256];
    char *argv[] = { "qunzu", "--db", "sqlite::memory:", NULL };
    const char *env[] = { NULL };
    json_t *doc, *res = NULL;

    memset(f, 0, sizeof(*f));
    CHECK(config_load(&f->cfg, 3, argv, env, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&f->cfg, err, sizeof(err)) == 0);
    f->st = store_open(&f->cfg);
    CHECK(f->st != NULL);
    arena_init(&f->a, 0);
    f->c = (struct svc_ctx){ .st = f->st, .a = &f->a, .ei = &f->ei, .now = 1000 };
    doc = json_loads(FIXTURE_SEED, 0, NULL);
    CHECK(doc != NULL);
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

/* A statement that fails inside a transaction dooms it: the commit rolls
 * everything back and fails, even when the caller ignored the failure. */
static void failed_statement_dooms_commit(void)
{
    static const struct token_policy pol = { TOKEN_WECOM, 7200, 1, "", 16 };
    struct fixture f;
    struct token_row tok, chk;
    int64_t t = 0, p = 0;

    setup(&f);
    CHECK(svc_wc_credential(&f.c, "wwa", "sa", &t, &p) == ERR_OK);
    CHECK(store_begin(f.st, true) == ERR_OK);
    CHECK(svc_token_issue(&f.c, &pol, t, p, 0, &tok) == ERR_OK);
    CHECK(sql_exec(f.st, NULL, "SELECT no_such_column FROM no_such_table", NULL, 0, NULL)
          == ERR_STORE);
    CHECK(store_commit(f.st) == ERR_STORE);
    CHECK(svc_token_check(&f.c, TOKEN_WECOM, tok.token, &chk) == ERR_UNAUTHENTICATED);
    /* The next transaction starts clean. */
    CHECK(store_begin(f.st, true) == ERR_OK);
    CHECK(svc_token_issue(&f.c, &pol, t, p, 0, &tok) == ERR_OK);
    CHECK(store_commit(f.st) == ERR_OK);
    CHECK(svc_token_check(&f.c, TOKEN_WECOM, tok.token, &chk) == ERR_OK);
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

/* Adds a category named 'name' with no type, parent or owner. */
static enum err add(struct fixture *f, const struct kb_policy *p, const char *name,
                    struct kb_cat_row *g)
{
    *g = (struct kb_cat_row){ .name = name };
    return svc_kb_cat_add(&f->c, p, g);
}

/* A WeCom intent of question 'q' with one answer and no attachments. */
static struct kb_item intent_of(const char *q)
{
    return (struct kb_item){ .row = { .title = q, .content = "answer" } };
}

static void kb_item_rules(void)
{
    const struct kb_item_policy *p = &svc_kb_wecom_intent;
    struct fixture f;
    struct kb_cat_row g;
    struct kb_item it, got, *items;
    const char *sim[] = { "s1", "s2" };
    char q[16];
    size_t n;
    bool more;
    int64_t total;

    setup(&f);
    f.c.tenant = tenant_of(&f, "wwa", "sa");
    CHECK(add(&f, &svc_kb_wecom, "FAQ", &g) == ERR_OK);
    it = intent_of("q");
    it.similar = sim;
    it.nsimilar = 2;
    CHECK(svc_kb_item_add(&f.c, p, g.ext_id, 0, &it) == ERR_OK);
    CHECK(svc_kb_item_get(&f.c, p, it.row.ext_id, 0, &got) == ERR_OK);
    CHECK(got.nsimilar == 2 && got.natt == 0);
    CHECK_STR(got.similar[1], "s2");
    CHECK_STR(got.row.category_ext, g.ext_id);
    /* Unique questions, a group required, the quota. */
    it = intent_of("q");
    CHECK(svc_kb_item_add(&f.c, p, g.ext_id, 0, &it) == ERR_CONFLICT);
    CHECK(f.c.ei->subj == SUBJ_QUESTION);
    it = intent_of("other");
    CHECK(svc_kb_item_add(&f.c, p, NULL, 0, &it) == ERR_MISSING);
    CHECK(svc_kb_item_add(&f.c, p, "nope", 0, &it) == ERR_NOT_FOUND);
    for (int i = 1; i < 200; i++) {
        snprintf(q, sizeof(q), "q%d", i);
        it = intent_of(q);
        CHECK(svc_kb_item_add(&f.c, p, g.ext_id, 0, &it) == ERR_OK);
    }
    it = intent_of("q200");
    CHECK(svc_kb_item_add(&f.c, p, g.ext_id, 0, &it) == ERR_LIMIT);
    CHECK(svc_kb_item_list(&f.c, p, g.ext_id, 0, 0, 0, 150, &items, &n, &more, &total) == ERR_OK);
    CHECK(n == 150 && more && total == 200);
    /* A change replaces only the parts given. */
    it = (struct kb_item){ .has_similar = true };
    CHECK(svc_kb_item_mod(&f.c, p, got.row.ext_id, 0, NULL, &it) == ERR_OK);
    CHECK(svc_kb_item_get(&f.c, p, got.row.ext_id, 0, &got) == ERR_OK);
    CHECK(got.nsimilar == 0);
    CHECK_STR(got.row.title, "q");
    /* The group takes its intents; another tenant sees none of them. */
    CHECK(svc_kb_cat_delete(&f.c, &svc_kb_wecom, g.ext_id, 0) == ERR_OK);
    CHECK(svc_kb_item_get(&f.c, p, got.row.ext_id, 0, &got) == ERR_NOT_FOUND);
    CHECK(svc_kb_item_list(&f.c, p, NULL, 0, 0, 0, 10, &items, &n, &more, NULL) == ERR_OK);
    CHECK(n == 0);
    teardown(&f);
}

static void kb_rules(void)
{
    const struct kb_policy *p = &svc_kb_wecom;
    struct fixture f;
    struct kb_cat_row g, bad, *rows;
    size_t n;
    bool more;
    char name[16];

    setup(&f);
    f.c.tenant = tenant_of(&f, "wwa", "sa");
    CHECK(svc_kb_cat_list(&f.c, p, 0, 10, &rows, &n, &more) == ERR_OK);
    CHECK(n == 1 && rows[0].is_default && !more);
    CHECK_STR(rows[0].name, "默认分组");
    CHECK(svc_kb_cat_rename(&f.c, p, rows[0].ext_id, 0, "x") == ERR_FORBIDDEN);
    CHECK(svc_kb_cat_delete(&f.c, p, rows[0].ext_id, 0) == ERR_FORBIDDEN);
    CHECK(add(&f, p, "FAQ", &g) == ERR_OK);
    CHECK(add(&f, p, "FAQ", &bad) == ERR_CONFLICT);
    CHECK(add(&f, p, "1234567890123", &bad) == ERR_BAD_REQUEST);
    CHECK(svc_kb_cat_rename(&f.c, p, g.ext_id, 0, "FAQ") == ERR_OK); /* its own name */
    CHECK(svc_kb_cat_rename(&f.c, p, "nope", 0, "x") == ERR_NOT_FOUND);
    /* 100 in all, the default included: 98 more fit. */
    for (int i = 0; i < 98; i++) {
        snprintf(name, sizeof(name), "g%d", i);
        CHECK(add(&f, p, name, &g) == ERR_OK);
    }
    CHECK(add(&f, p, "one more", &bad) == ERR_LIMIT);
    CHECK(svc_kb_cat_list(&f.c, p, 0, 60, &rows, &n, &more) == ERR_OK && n == 60 && more);
    CHECK(svc_kb_cat_list(&f.c, p, rows[59].id, 60, &rows, &n, &more) == ERR_OK && n == 40
          && !more);
    /* The other tenant sees only its own default group. */
    f.c.tenant = tenant_of(&f, "wwb", "sb");
    CHECK(svc_kb_cat_list(&f.c, p, 0, 1000, &rows, &n, &more) == ERR_OK && n == 1);
    CHECK(svc_kb_cat_get(&f.c, p, g.ext_id, &g) == ERR_NOT_FOUND);
    teardown(&f);
}

/* Adds a Udesk catalog; returns its id, or 0 after checking the expected error. */
static int64_t ud_add(struct fixture *f, const char *type, int64_t parent, int64_t owner,
                      const char *name, enum err want)
{
    struct kb_cat_row g = { .name = name, .type = type, .parent_id = parent, .owner_id = owner };
    enum err e = svc_kb_cat_add(&f->c, &svc_kb_udesk, &g);

    CHECK(e == want);
    if (e != want)
        fprintf(stderr, "  add '%s': got %s, want %s\n", name, err_name(e), err_name(want));
    return e == ERR_OK ? g.id : 0;
}

static const char *ref(struct fixture *f, int64_t id)
{
    return arena_printf(&f->a, "%lld", (long long)id);
}

static size_t tree_size(struct fixture *f, const char *type, int64_t owner)
{
    struct kb_cat_row *rows;
    size_t n = 0;

    CHECK(svc_kb_cat_all(&f->c, &svc_kb_udesk, type, owner, &rows, &n) == ERR_OK);
    return n;
}

/* The Udesk policy on the shared model: types, parents, owners, depth, moves
 * without cycles, subtree delete, tenant scoping. */
static void kb_tree_rules(void)
{
    const struct kb_policy *p = &svc_kb_udesk;
    struct fixture f;
    int64_t p1, p2, root, child, chain[40], bad;
    char long_name[3 * 256 + 1];

    setup(&f);
    f.c.tenant = tenant_of(&f, "wwa", "sa");
    CHECK(svc_ud_agent(&f.c, 101, &p1) == ERR_OK && p1 > 0);
    CHECK(svc_ud_agent(&f.c, 102, &p2) == ERR_OK && p2 > 0 && p2 != p1);
    CHECK(svc_ud_agent(&f.c, 0, &bad) == ERR_OK && bad == 0);
    CHECK(svc_ud_agent(&f.c, 999, &bad) == ERR_NOT_FOUND && f.ei.subj == SUBJ_AGENT);

    root = ud_add(&f, "question", 0, 0, "root", ERR_OK);
    ud_add(&f, "bogus", 0, 0, "x", ERR_BAD_REQUEST);
    ud_add(&f, NULL, 0, 0, "x", ERR_MISSING);
    ud_add(&f, "question", 0, 0, "", ERR_MISSING);
    /* 255 characters fit, 256 do not; a Chinese character counts once. */
    memset(long_name, 0, sizeof(long_name));
    for (int i = 0; i < 255; i++)
        memcpy(long_name + 3 * i, "问", 3);
    ud_add(&f, "question", 0, 0, long_name, ERR_OK);
    memcpy(long_name + 3 * 255, "问", 3);
    ud_add(&f, "question", 0, 0, long_name, ERR_BAD_REQUEST);
    ud_add(&f, "question", 0, 0, "root", ERR_OK); /* names may repeat */

    child = ud_add(&f, "question", root, 0, "child", ERR_OK);
    ud_add(&f, "useful_link", root, 0, "x", ERR_BAD_REQUEST);
    CHECK(f.ei.subj == SUBJ_PARENT);
    ud_add(&f, "question", root, p1, "x", ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_PARENT);
    ud_add(&f, "question", 999999, 0, "x", ERR_NOT_FOUND);
    CHECK(f.ei.subj == SUBJ_PARENT);

    /* Owners: only the owner changes a catalog, the administrator included. */
    CHECK(svc_kb_cat_rename(&f.c, p, ref(&f, root), p1, "x") == ERR_FORBIDDEN);
    CHECK(svc_kb_cat_delete(&f.c, p, ref(&f, root), p2) == ERR_FORBIDDEN);
    CHECK(svc_kb_cat_rename(&f.c, p, ref(&f, root), 0, "Root") == ERR_OK);
    bad = ud_add(&f, "question", 0, p1, "mine", ERR_OK);
    CHECK(svc_kb_cat_rename(&f.c, p, ref(&f, bad), 0, "x") == ERR_FORBIDDEN);
    CHECK(svc_kb_cat_rename(&f.c, p, ref(&f, bad), p1, "x") == ERR_OK);
    CHECK(tree_size(&f, "question", p1) == 1 && tree_size(&f, "useful_link", 0) == 0);

    /* Depth: 32 levels, counting the top one. */
    chain[0] = root;
    for (int i = 1; i < 32; i++)
        chain[i] = ud_add(&f, "question", chain[i - 1], 0, "deep", ERR_OK);
    ud_add(&f, "question", chain[31], 0, "too deep", ERR_LIMIT);

    /* Moves: never under itself or below itself; never past the depth. */
    CHECK(svc_kb_cat_move(&f.c, p, ref(&f, root), 0, chain[5]) == ERR_CONFLICT);
    CHECK(svc_kb_cat_move(&f.c, p, ref(&f, root), 0, root) == ERR_CONFLICT);
    CHECK(svc_kb_cat_move(&f.c, p, ref(&f, chain[20]), 0, child) == ERR_OK); /* 12 tall, at 3 */
    bad = ud_add(&f, "question", chain[19], 0, "leaf", ERR_OK); /* at 21 */
    CHECK(svc_kb_cat_move(&f.c, p, ref(&f, chain[20]), 0, bad) == ERR_LIMIT);
    CHECK(svc_kb_cat_move(&f.c, p, ref(&f, chain[20]), 0, 0) == ERR_OK);
    CHECK(svc_kb_cat_move(&f.c, p, ref(&f, child), p1, 0) == ERR_FORBIDDEN);

    /* Deleting a catalog deletes its subtree. */
    CHECK(tree_size(&f, "question", 0) == 3 + 1 + 31 + 1);
    CHECK(svc_kb_cat_delete(&f.c, p, ref(&f, root), 0) == ERR_OK);
    CHECK(tree_size(&f, "question", 0) == 2 + 12); /* the moved chain stays */
    CHECK(svc_kb_cat_get(&f.c, p, ref(&f, chain[5]), &(struct kb_cat_row){ 0 }) == ERR_NOT_FOUND);
    CHECK(svc_kb_cat_delete(&f.c, p, "abc", 0) == ERR_NOT_FOUND);

    /* Another tenant sees none of it; WeCom's groups are another knowledge base. */
    f.c.tenant = tenant_of(&f, "wwb", "sb");
    CHECK(svc_kb_cat_get(&f.c, p, ref(&f, chain[20]), &(struct kb_cat_row){ 0 }) == ERR_NOT_FOUND);
    ud_add(&f, "question", chain[20], 0, "x", ERR_NOT_FOUND);
    CHECK(tree_size(&f, "question", 0) == 0);
    teardown(&f);
}

static int64_t nonce_rows(struct fixture *f)
{
    struct sql_res r;
    int64_t n = -1;

    CHECK(sql_one_int(store_q(f->st, &f->a, &r, "SELECT count(*) FROM nonce"), &r, &n)
          == ERR_OK);
    return n;
}

/* A nonce is single-use for its ttl, per tenant; expired ones are purged. */
static void nonce_claim_and_purge(void)
{
    struct fixture f;
    int64_t a, b;

    setup(&f);
    a = tenant_of(&f, "wwa", "sa");
    b = tenant_of(&f, "wwb", "sb");
    f.c.tenant = a;
    CHECK(svc_nonce_claim(&f.c, "n1", 900) == ERR_OK);
    CHECK(svc_nonce_claim(&f.c, "n1", 900) == ERR_CONFLICT && f.ei.subj == SUBJ_NONCE);
    CHECK(svc_nonce_claim(&f.c, "n2", 900) == ERR_OK);
    f.c.tenant = b;
    CHECK(svc_nonce_claim(&f.c, "n1", 900) == ERR_OK);
    CHECK(nonce_rows(&f) == 3);
    f.c.tenant = a;
    f.c.now += 899;
    CHECK(svc_nonce_claim(&f.c, "n1", 900) == ERR_CONFLICT);
    f.c.now += 1;
    CHECK(svc_nonce_claim(&f.c, "n3", 900) == ERR_OK); /* purges a's n1 and n2 */
    CHECK(nonce_rows(&f) == 2);
    CHECK(svc_nonce_claim(&f.c, "n1", 900) == ERR_OK);
    teardown(&f);
}

/* The company is found by the admin's e-mail, or by the subdomain. */
static void ud_company_lookup(void)
{
    struct fixture f;
    struct udesk_row u;
    json_t *doc, *res = NULL;

    setup(&f);
    CHECK(svc_ud_company(&f.c, NULL, "admin@a.test", &u) == ERR_OK);
    CHECK_STR(u.api_token, "ta");
    CHECK_STR(u.admin_password, "pa");
    CHECK(svc_ud_company(&f.c, "A", "admin@a.test", &u) == ERR_OK);
    CHECK(svc_ud_company(&f.c, NULL, "nobody@a.test", &u) == ERR_UNAUTHENTICATED
          && f.ei.subj == SUBJ_TENANT);
    CHECK(svc_ud_company(&f.c, NULL, NULL, &u) == ERR_UNAUTHENTICATED);
    CHECK(svc_ud_company(&f.c, "b", "admin@a.test", &u) == ERR_UNAUTHENTICATED);
    CHECK(svc_ud_company(&f.c, "zz", "admin@a.test", &u) == ERR_NOT_FOUND
          && f.ei.subj == SUBJ_SUBDOMAIN);
    CHECK(svc_ud_company(&f.c, "b", "admin@b.test", &u) == ERR_OK && u.admin_password == NULL);
    /* One admin, two companies: the subdomain decides. */
    doc = json_loads("{\"tenants\": [{\"name\": \"C\", \"udesk\": {\"subdomain\": \"c\", "
                     "\"admin_email\": \"admin@b.test\"}}]}",
                     0, NULL);
    CHECK(svc_seed_apply(&f.c, doc, &res) == ERR_OK);
    json_decref(doc);
    json_decref(res);
    CHECK(svc_ud_company(&f.c, NULL, "admin@b.test", &u) == ERR_NOT_FOUND
          && f.ei.subj == SUBJ_SUBDOMAIN);
    CHECK(svc_ud_company(&f.c, "c", "admin@b.test", &u) == ERR_OK && strlen(u.api_token) > 0);
    /* Agent ids are unique within a company. */
    doc = json_loads("{\"tenants\": [{\"name\": \"A\", \"users\": [{\"user_id\": \"a3\", "
                     "\"udesk_agent_id\": 102}]}]}",
                     0, NULL);
    CHECK(svc_seed_apply(&f.c, doc, &res) == ERR_CONFLICT);
    json_decref(doc);
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

/* A database made by 001 alone, with WeCom groups in it, is brought up to date
 * at open: the groups keep their ids, names and default flag; from then on a
 * deleted id is never handed out again. */
static void upgrade_keeps_groups(void)
{
    static const char rows[] =
        "INSERT INTO schema_migrations VALUES ('001_init.sql', 0);"
        "INSERT INTO tenant (id, name, created_at) VALUES (1, 'Old', 0);"
        "INSERT INTO wc_corp VALUES (1, 'wwold');"
        "INSERT INTO wc_secret (id, tenant_id, secret) VALUES (1, 1, 'sold');"
        "INSERT INTO kb_category (id, tenant_id, space, ext_id, name, is_default, created_at) "
        "VALUES (3, 1, 'wecom', 'gdef', '默认分组', 1, 0), (7, 1, 'wecom', 'gfaq', 'FAQ', 0, 0),"
        "(8, 1, 'wecom', 'glast', 'last', 0, 0);";
    char path[] = "/tmp/qz-unit-XXXXXX", dbflag[64], err[256];
    char *argv[] = { "qunzu", "--db", dbflag, NULL };
    const char *env[] = { NULL };
    struct fixture f;
    struct kb_cat_row *list, g;
    sqlite3 *db = NULL;
    size_t n = 0;
    bool more;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, "
                           "applied_at BIGINT NOT NULL)", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(strcmp(store_migrations_sqlite[0].name, "001_init.sql") == 0);
    CHECK(sqlite3_exec(db, store_migrations_sqlite[0].sql, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, rows, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);

    memset(&f, 0, sizeof(f));
    snprintf(dbflag, sizeof(dbflag), "sqlite:%s", path);
    CHECK(config_load(&f.cfg, 3, argv, env, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&f.cfg, err, sizeof(err)) == 0);
    f.st = store_open(&f.cfg);
    CHECK(f.st != NULL);
    arena_init(&f.a, 0);
    f.c = (struct svc_ctx){ .st = f.st, .a = &f.a, .ei = &f.ei, .now = 1000 };
    f.c.tenant = tenant_of(&f, "wwold", "sold");
    CHECK(svc_kb_cat_list(&f.c, &svc_kb_wecom, 0, 10, &list, &n, &more) == ERR_OK && n == 3);
    if (n == 3) {
        CHECK(list[0].id == 3 && list[0].is_default && strcmp(list[0].ext_id, "gdef") == 0);
        CHECK(list[1].id == 7 && strcmp(list[1].name, "FAQ") == 0 && list[1].parent_id == 0);
        CHECK_STR(list[1].type, "");
    }
    CHECK(add(&f, &svc_kb_wecom, "FAQ", &g) == ERR_CONFLICT); /* still unique */
    CHECK(svc_kb_cat_delete(&f.c, &svc_kb_wecom, "glast", 0) == ERR_OK);
    CHECK(add(&f, &svc_kb_wecom, "new", &g) == ERR_OK && g.id == 9);
    teardown(&f);
    unlink(path);
    snprintf(dbflag, sizeof(dbflag), "%s.key", path); /* the default key file */
    unlink(dbflag);
}

static const char SQL_TABLES[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_migrations' "
    "AND name NOT LIKE 'sqlite_%' ORDER BY name";

/* Every table of the schema is in the registry, so --copy-to copies it. */
static void copy_lists_every_table(void)
{
    struct fixture f;
    struct sql_res r;
    size_t on_sqlite = 0;

    setup(&f);
    CHECK(store_q(f.st, &f.a, &r, SQL_TABLES) == ERR_OK);
    for (size_t j = 0; j < store_table_count; j++)
        on_sqlite += !store_tables[j].pg_only;
    CHECK(r.nrows == on_sqlite);
    for (size_t i = 0; i < r.nrows; i++) {
        bool listed = false;

        for (size_t j = 0; j < store_table_count; j++)
            listed = listed || strcmp(sql_text(&r, i, 0), store_tables[j].name) == 0;
        if (!listed)
            fprintf(stderr, "  table '%s' is not in store_tables\n", sql_text(&r, i, 0));
        CHECK(listed);
    }
    /* ... and every column of it: a column added by a migration but not
     * copied would be lost by --copy-to. */
    for (size_t j = 0; j < store_table_count; j++) {
        struct sql_res all, copied;
        const struct store_table *t = &store_tables[j];

        if (t->pg_only)
            continue;
        CHECK(sql_exec(f.st, &f.a, arena_printf(&f.a, "SELECT * FROM %s LIMIT 1", t->name),
                       NULL, 0, &all) == ERR_OK);
        CHECK(sql_exec(f.st, &f.a, store_table_sql(t, TABLE_COPY_SELECT), NULL, 0, &copied)
              == ERR_OK);
        if (all.ncols != copied.ncols)
            fprintf(stderr, "  copy of '%s' takes %zu of %zu columns\n", t->name, copied.ncols,
                    all.ncols);
        CHECK(all.ncols == copied.ncols);
    }
    teardown(&f);
}

const struct unit_case store_cases[] = {
    { "store/copy_lists_every_table", copy_lists_every_table },
    { "store/upgrade_keeps_groups", upgrade_keeps_groups },
    { "store/credentials", credentials },
    { "store/kb_item_rules", kb_item_rules },
    { "store/failed_statement_dooms_commit", failed_statement_dooms_commit },
    { "store/seed_idempotent", seed_idempotent },
    { NULL, NULL },
};

const struct unit_case svc_cases[] = {
    { "svc/token_reuse_and_expiry", token_reuse_and_expiry },
    { "svc/kb_rules", kb_rules },
    { "svc/kb_tree_rules", kb_tree_rules },
    { "svc/nonce_claim_and_purge", nonce_claim_and_purge },
    { "svc/ud_company_lookup", ud_company_lookup },
    { NULL, NULL },
};
