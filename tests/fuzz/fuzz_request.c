/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_request.c - libFuzzer target: one HTTP request, as the
 * adapter would hand it over, through the whole pipeline of every dialect
 * (routing, authentication, strict JSON, field rules, handlers, the store
 * and the renderers) against an in-memory database seeded with a tenant.
 *
 * Input: "METHOD TARGET\n" then optional "Authorization: VALUE\n", then a
 * blank line and the body. Tokens are fixed, so inputs can name them:
 * WeCom "wcfuzztoken", Feishu "t-fuzztenant" and "u-fuzzuser", admin
 * "fuzz-admin-token".
 */
#include "config/config.h"
#include "core/arena.h"
#include "dialect/admin/ad.h"
#include "dialect/dialect.h"
#include "dialect/feishu/fs.h"
#include "dialect/udesk/ud.h"
#include "dialect/wecom/wc.h"
#include "store/store.h"
#include "svc/svc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct config cfg;
static struct app app;
static struct worker_state ws;
static struct arena arena;
static const struct dialect *const dialects[] = { &wc_dialect, &fs_dialect, &ud_dialect,
                                                  &ad_dialect, NULL };

static const char SEED[] =
    "{\"tenants\":[{\"name\":\"Fuzz\",\"users\":[{\"user_id\":\"u1\",\"name\":\"One\","
    "\"udesk_agent_id\":7},{\"user_id\":\"u2\",\"name\":\"Two\"}],"
    "\"feishu\":{\"tenant_key\":\"fuzz\",\"apps\":[{\"app_id\":\"cli_fuzz\",\"app_secret\":\"s\"},"
    "{\"app_id\":\"cli_fuzz2\",\"app_secret\":\"s2\"}]},"
    "\"wecom\":{\"corpid\":\"wwfuzz\",\"secrets\":[\"wsec\"]},"
    "\"udesk\":{\"subdomain\":\"fuzz\",\"admin_email\":\"a@fuzz.test\",\"api_token\":\"k\"}}]}";

static void die(const char *what)
{
    fprintf(stderr, "fuzz setup: %s\n", what);
    abort();
}

/* Seeds the tenant and plants tokens with known values. */
static void setup_data(void)
{
    struct err_info ei;
    struct svc_ctx c = { .st = ws.st, .a = &arena, .ei = &ei, .now = 1000 };
    json_t *doc = json_loads(SEED, 0, NULL), *res = NULL;
    struct wc_secret_row sec;
    struct fs_app_row fapp;
    struct person_row p;
    struct token_row t = { .created_at = 0, .expires_at = INT64_MAX / 2 };

    if (store_begin(ws.st, true) != ERR_OK || svc_seed_apply(&c, doc, &res) != ERR_OK)
        die("seed");
    json_decref(doc);
    json_decref(res);
    if (store_wc_secret_find(ws.st, &arena, "wsec", &sec) != ERR_OK
        || store_fs_app_by_app_id(ws.st, &arena, "cli_fuzz", &fapp) != ERR_OK
        || store_fs_person_find(ws.st, &arena, fapp.tenant_id, fapp.id, "user_id", "u1", &p)
               != ERR_OK)
        die("lookups");
    t = (struct token_row){ "wcfuzztoken", TOKEN_WECOM, sec.tenant_id, sec.id, 0, 0, INT64_MAX / 2 };
    if (store_token_insert(ws.st, &t) != ERR_OK)
        die("wecom token");
    t = (struct token_row){ "t-fuzztenant", TOKEN_FS_TENANT, fapp.tenant_id, fapp.id, fapp.id, 0,
                            INT64_MAX / 2 };
    if (store_token_insert(ws.st, &t) != ERR_OK)
        die("tenant token");
    t = (struct token_row){ "u-fuzzuser", TOKEN_FS_USER, fapp.tenant_id, p.id, fapp.id, 0,
                            INT64_MAX / 2 };
    if (store_token_insert(ws.st, &t) != ERR_OK || store_commit(ws.st) != ERR_OK)
        die("user token");
    arena_reset(&arena);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char *args[] = { "qunzu", "--db", "sqlite::memory:", "--admin-token",
                            "fuzz-admin-token", "--log-level", "error", "--rate-limit", "off",
                            "--demo", "off", NULL };
    char err[256];

    (void)argc;
    (void)argv;
    if (config_load(&cfg, 11, args, (const char *const[]){ NULL }, err, sizeof(err)) != 0)
        die(err);
    if (config_secret_key_load(&cfg, err, sizeof(err)) != 0)
        die(err);
    app.cfg = &cfg;
    app.dialects = dialects;
    admin_token_digest("fuzz-admin-token", app.admin_digest);
    ws.app = &app;
    ws.st = store_open(&cfg);
    if (ws.st == NULL)
        die("store");
    arena_init(&arena, 65536);
    setup_data();
    return 0;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl ? nl : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size, *eol, *sp, *q;
    struct http_req r;

    if (size > 1 << 16)
        return 0;
    memset(&r, 0, sizeof(r));
    r.arena = &arena;
    r.worker = &ws;
    eol = line_end(p, end);
    sp = memchr(p, ' ', (size_t)(eol - p));
    if (sp == NULL)
        return 0;
    r.method_str = arena_strndup(&arena, p, (size_t)(sp - p));
    r.method = http_method_parse(p, (size_t)(sp - p));
    r.path = arena_strndup(&arena, sp + 1, (size_t)(eol - sp - 1));
    q = memchr(r.path, '?', strlen(r.path));
    r.path_len = q ? (size_t)(q - r.path) : strlen(r.path);
    if (q != NULL) {
        r.query = q + 1;
        r.query_len = strlen(q + 1);
    }
    p = eol < end ? eol + 1 : end;
    eol = line_end(p, end);
    if ((size_t)(eol - p) > 15 && memcmp(p, "Authorization: ", 15) == 0) {
        r.authorization = arena_strndup(&arena, p + 15, (size_t)(eol - p - 15));
        p = eol < end ? eol + 1 : end;
        eol = line_end(p, end);
    }
    if (p < end && eol == p)
        p++; /* the blank line before the body */
    r.body = arena_strndup(&arena, p, (size_t)(end - p));
    r.body_len = (size_t)(end - p);
    snprintf(r.peer, sizeof(r.peer), "127.0.0.1");
    snprintf(r.rid, sizeof(r.rid), "1700000000000000000000001");
    r.status = 500;
    dialect_handle(&r);
    /* Every answer is complete: a status and, for JSON, a body that parses. */
    if (r.status < 200 || r.status > 599)
        abort();
    if (r.content_type != NULL && strncmp(r.content_type, "application/json", 16) == 0) {
        json_t *v = json_loadb(r.resp_body, r.resp_len, 0, NULL);

        if (v == NULL)
            abort();
        json_decref(v);
    }
    arena_reset(&arena);
    return 0;
}
