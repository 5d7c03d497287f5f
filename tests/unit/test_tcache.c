/* SPDX-License-Identifier: MIT */
/* tests/unit/test_tcache.c - the token-check cache: hits answer like the row,
 * misses fall through, the TTL drops entries, and svc_token_check
 * still says expired for a cached token past its expiry. */
#include "unit.h"

#include "svc/svc.h"

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

const struct unit_case tcache_cases[] = {
    { "svc/tcache_flush_and_epoch", tcache_flush_and_epoch },
    { "svc/tcache_hits", tcache_hits },
    { "svc/tcache_ttl", tcache_ttl },
    { "svc/tcache_check_expiry_and_kind", tcache_check_expiry_and_kind },
    { NULL, NULL },
};
