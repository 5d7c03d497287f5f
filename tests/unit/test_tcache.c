/* SPDX-License-Identifier: MIT */
/* tests/unit/test_tcache.c - the token-check cache: hits answer like the row,
 * misses fall through, the TTL drops entries, and svc_token_check
 * still says expired for a cached token past its expiry. Also the access-row
 * cache and the answer cache with the store's data version. */
#include "unit.h"

#include "svc/svc.h"
#include "unit_db.h"

#include <unistd.h>

static struct token_row row(int kind, int64_t tenant, int64_t expires_at)
{
    struct token_row r;

    memset(&r, 0, sizeof(r));
    r.kind = kind;
    r.tenant_id = tenant;
    r.principal = 7;
    r.app = 9;
    r.created_at = 100;
    r.expires_at = expires_at;
    return r;
}

static void tcache_hits(void)
{
    struct token_cache *tc = svc_tcache_new(60000);
    struct token_row in = row(TOKEN_WECOM, 3, 7300), out;
    int64_t hits = 0, misses = 0;

    CHECK(tc != NULL);
    CHECK(!svc_tcache_get(tc, "tok-a", &out));
    svc_tcache_put(tc, "tok-a", &in, svc_tcache_epoch(tc));
    CHECK(svc_tcache_get(tc, "tok-a", &out));
    CHECK(out.kind == TOKEN_WECOM && out.tenant_id == 3 && out.principal == 7 && out.app == 9
          && out.created_at == 100 && out.expires_at == 7300);
    CHECK_STR(out.token, "tok-a");
    /* Another token, a prefix, a longer one: misses. */
    CHECK(!svc_tcache_get(tc, "tok-b", &out));
    CHECK(!svc_tcache_get(tc, "tok-", &out));
    CHECK(!svc_tcache_get(tc, "tok-aa", &out));
    svc_tcache_stats(tc, &hits, &misses);
    CHECK(hits == 1 && misses == 4);
    svc_tcache_free(tc);
    /* 0 turns it off: every lookup misses, puts are ignored. */
    CHECK(svc_tcache_new(0) == NULL);
    svc_tcache_put(NULL, "tok-a", &in, svc_tcache_epoch(NULL));
    CHECK(!svc_tcache_get(NULL, "tok-a", &out));
}

static void tcache_ttl(void)
{
    struct token_cache *tc = svc_tcache_new(20);
    struct token_row in = row(TOKEN_WECOM, 3, 7300), out;

    svc_tcache_put(tc, "tok-t", &in, svc_tcache_epoch(tc));
    CHECK(svc_tcache_get(tc, "tok-t", &out));
    usleep(40000);
    CHECK(!svc_tcache_get(tc, "tok-t", &out));
    svc_tcache_free(tc);
}

/* A cached token is checked like a read one: kind and expiry on every use. */
static void tcache_check_expiry_and_kind(void)
{
    struct token_cache *tc = svc_tcache_new(60000);
    struct token_row in = row(TOKEN_WECOM, 3, 1100), out;
    struct err_info ei;
    struct svc_ctx c = { .ei = &ei, .now = 1000, .tokens = tc };

    memset(&ei, 0, sizeof(ei));
    svc_tcache_put(tc, "tok-c", &in, svc_tcache_epoch(tc));
    /* No store is set: a lookup that missed the cache would crash. */
    CHECK(svc_token_check(&c, TOKEN_WECOM, "tok-c", &out) == ERR_OK && c.tenant == 3);
    CHECK(svc_token_check(&c, TOKEN_FS_TENANT, "tok-c", &out) == ERR_UNAUTHENTICATED);
    c.now = 1100;
    CHECK(svc_token_check(&c, TOKEN_WECOM, "tok-c", &out) == ERR_EXPIRED);
    svc_tcache_free(tc);
}

/* A flush empties the cache, and a row read before it is not put back. */
static void tcache_flush_and_epoch(void)
{
    struct token_cache *tc = svc_tcache_new(60000);
    struct token_row in = row(TOKEN_WECOM, 3, 1100), out;
    uint64_t before;

    svc_tcache_put(tc, "tok-f", &in, svc_tcache_epoch(tc));
    CHECK(svc_tcache_get(tc, "tok-f", &out));
    before = svc_tcache_epoch(tc);
    svc_tcache_flush(tc);
    CHECK(!svc_tcache_get(tc, "tok-f", &out));
    svc_tcache_put(tc, "tok-f", &in, before); /* read across the flush */
    CHECK(!svc_tcache_get(tc, "tok-f", &out));
    svc_tcache_put(tc, "tok-f", &in, svc_tcache_epoch(tc));
    CHECK(svc_tcache_get(tc, "tok-f", &out));
    svc_tcache_flush(NULL);
    svc_tcache_free(tc);
}

/* The access-row cache never answers what a committed change replaced, nor
 * hides a transaction's own uncommitted change from it, nor keeps one that
 * was rolled back. */
static const char *scopes_now(struct unit_db *db, int64_t app)
{
    struct fs_access_row acc;
    const char *s = NULL;

    db->c.acc = NULL; /* a new request: it has read no access row yet */
    CHECK(store_begin(db->st, false) == ERR_OK);
    if (svc_app_access(&db->c, app, &acc) == ERR_OK)
        s = acc.scopes;
    store_rollback(db->st);
    return s;
}

static void acache_never_stale(void)
{
    struct unit_db db;
    struct fs_app_row app;
    struct fs_access_row acc;
    json_t *doc = json_loads("{\"tenants\": [{\"name\": \"A\", \"feishu\": {\"apps\":"
                             " [{\"app_id\": \"cli_a\", \"name\": \"Renamed\"}]}}]}", 0, NULL),
           *res = NULL;
    int64_t epoch;

    unit_db_open(&db, "{\"tenants\": [{\"name\": \"A\", \"feishu\": {\"tenant_key\": \"ta\","
                      " \"apps\": [{\"app_id\": \"cli_a\", \"scopes\": [\"im:chat\"]}]}}]}");
    db.c.access = svc_acache_new();
    CHECK(store_fs_app_by_app_id(db.st, &db.a, "cli_a", &app) == ERR_OK);
    CHECK_STR(scopes_now(&db, app.id), "im:chat");
    CHECK_STR(scopes_now(&db, app.id), "im:chat"); /* a hit */
    epoch = store_cache_now(db.st);
    CHECK(epoch >= 0);
    /* Its own change, before commit: read, not cached, and no epoch. */
    CHECK(store_begin(db.st, true) == ERR_OK);
    CHECK(store_fs_access_set(db.st, app.id, true, "im:message") == ERR_OK);
    CHECK(store_cache_epoch(db.st) == -1);
    db.c.acc = NULL;
    CHECK(svc_app_access(&db.c, app.id, &acc) == ERR_OK);
    CHECK_STR(acc.scopes, "im:message");
    CHECK(store_cache_now(db.st) == epoch);
    CHECK(store_commit(db.st) == ERR_OK);
    CHECK(store_cache_now(db.st) > epoch);
    CHECK_STR(scopes_now(&db, app.id), "im:message");
    /* A change rolled back: the epoch moves anyway, the value stays. */
    epoch = store_cache_now(db.st);
    CHECK(store_begin(db.st, true) == ERR_OK);
    CHECK(store_fs_access_set(db.st, app.id, true, "contact:user.base:readonly") == ERR_OK);
    store_rollback(db.st);
    CHECK(store_cache_now(db.st) > epoch);
    CHECK_STR(scopes_now(&db, app.id), "im:message");
    /* The app's own row (its name) is part of what is kept. */
    db.c.acc = NULL;
    CHECK(store_begin(db.st, false) == ERR_OK);
    CHECK(svc_app_access(&db.c, app.id, &acc) == ERR_OK);
    store_rollback(db.st);
    epoch = store_cache_now(db.st);
    CHECK(store_begin(db.st, true) == ERR_OK);
    CHECK(svc_seed_apply(&db.c, doc, &res) == ERR_OK);
    CHECK(store_commit(db.st) == ERR_OK);
    json_decref(doc);
    json_decref(res);
    CHECK(store_cache_now(db.st) > epoch);
    /* The same context (one request) kept the row it read before the seed:
     * the seed dropped it. */
    CHECK(store_begin(db.st, false) == ERR_OK);
    CHECK(svc_app_access(&db.c, app.id, &acc) == ERR_OK);
    CHECK_STR(acc.name, "Renamed");
    store_rollback(db.st);
    svc_acache_free(db.c.access);
    unit_db_close(&db);
}

/* The answer cache: a kept answer comes back only at its version; another
 * version drops it; one answer never takes more than its share; the bytes
 * held stay within the bound. */
static void answers_kept_and_bounded(void)
{
    struct answer_cache *ac = svc_answers_new(16 * 64 * 1024); /* 64 KiB a shard */
    struct kept_answer in = { 200, "application/json", "{\"a\":1}", 7, 0 }, out;
    struct answer_stats st;
    struct arena a;
    char key[64], big[16 * 1024];

    arena_init(&a, 4096);
    CHECK(svc_answers_new(0) == NULL);
    CHECK(!svc_answer_get(ac, "k1", 2, 5, &a, &out));
    svc_answer_put(ac, "k1", 2, 5, &in);
    CHECK(svc_answer_get(ac, "k1", 2, 5, &a, &out));
    CHECK(out.status == 200 && out.len == 7 && memcmp(out.body, "{\"a\":1}", 7) == 0);
    CHECK(!svc_answer_get(ac, "k2", 2, 5, &a, &out)); /* another key */
    CHECK(!svc_answer_get(ac, "k", 1, 5, &a, &out));  /* a prefix */
    CHECK(!svc_answer_get(ac, "k1", 2, 6, &a, &out)); /* the version moved: dropped */
    CHECK(!svc_answer_get(ac, "k1", 2, 5, &a, &out));
    svc_answer_put(ac, "k1", 2, -1, &in); /* no version: not kept */
    CHECK(!svc_answer_get(ac, "k1", 2, -1, &a, &out));
    /* An answer larger than an eighth of its shard is not kept. */
    memset(big, 'x', sizeof(big));
    in.body = big;
    in.len = sizeof(big);
    svc_answer_put(ac, "big", 3, 1, &in);
    CHECK(!svc_answer_get(ac, "big", 3, 1, &a, &out));
    /* Many answers: the least recently used go, the bound holds. */
    in.len = 4000;
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        svc_answer_put(ac, key, strlen(key), 1, &in);
    }
    svc_answers_stats(ac, &st);
    CHECK(st.bytes <= 16 * 64 * 1024 && st.entries > 100 && st.entries < 2000);
    CHECK(svc_answer_get(ac, "key-1999", 8, 1, &a, &out) && out.len == 4000);
    CHECK(!svc_answer_get(ac, "key-0", 5, 1, &a, &out));
    svc_answers_stats(ac, &st);
    CHECK(st.hits == 2 && st.misses == 7);
    /* An answer kept at a newer version frees its shard's older ones. */
    {
        int64_t before = st.entries;

        svc_answer_put(ac, "fresh", 5, 2, &in);
        svc_answers_stats(ac, &st);
        CHECK(st.entries < before);
        CHECK(svc_answer_get(ac, "fresh", 5, 2, &a, &out));
    }
    arena_release(&a);
    svc_answers_free(ac);
}

/* The data version: read when a transaction begins, -1 once it changed
 * rows itself, moved by a commit that changed rows and by nothing else. */
static void data_version_moves(void)
{
    struct unit_db db;
    struct fs_app_row app;
    int64_t v;

    unit_db_open(&db, "{\"tenants\": [{\"name\": \"A\", \"feishu\": {\"tenant_key\": \"ta\","
                      " \"apps\": [{\"app_id\": \"cli_a\", \"scopes\": [\"im:chat\"]}]}}]}");
    CHECK(store_fs_app_by_app_id(db.st, &db.a, "cli_a", &app) == ERR_OK);
    CHECK(store_data_version(db.st) == -1); /* no transaction */
    CHECK(store_begin_versioned(db.st) == ERR_OK);
    v = store_data_version(db.st);
    CHECK(v >= 0);
    store_rollback(db.st);
    /* A write that changes nothing keeps the version. */
    CHECK(store_begin(db.st, true) == ERR_OK);
    CHECK(store_fs_chat_touch(db.st, 999999, 5) == ERR_OK);
    CHECK(store_data_version(db.st) == v);
    CHECK(store_commit(db.st) == ERR_OK);
    CHECK(store_begin_versioned(db.st) == ERR_OK);
    CHECK(store_data_version(db.st) == v);
    store_rollback(db.st);
    /* A write that changes a row: -1 inside, moved after its commit. */
    CHECK(store_begin(db.st, true) == ERR_OK);
    CHECK(store_fs_access_set(db.st, app.id, true, "im:message") == ERR_OK);
    CHECK(store_data_version(db.st) == -1);
    CHECK(store_commit(db.st) == ERR_OK);
    CHECK(store_begin_versioned(db.st) == ERR_OK);
    CHECK(store_data_version(db.st) > v);
    store_rollback(db.st);
    unit_db_close(&db);
}

const struct unit_case tcache_cases[] = {
    { "svc/tcache_flush_and_epoch", tcache_flush_and_epoch },
    { "svc/tcache_hits", tcache_hits },
    { "svc/tcache_ttl", tcache_ttl },
    { "svc/tcache_check_expiry_and_kind", tcache_check_expiry_and_kind },
    { "svc/acache_never_stale", acache_never_stale },
    { "svc/answers_kept_and_bounded", answers_kept_and_bounded },
    { "svc/data_version_moves", data_version_moves },
    { NULL, NULL },
};
