/* SPDX-License-Identifier: MIT */
/* tests/unit/test_wecom.c - the WeCom error map: a row for every error, and
 * the codes the official pages fix ("获取access_token", "全局错误码", "知识库分组管理"). */
#include "unit.h"

#include "core/arena.h"
#include "dialect/wecom/wc.h"

#include <string.h>

static void every_err_has_a_row(void)
{
    for (int e = 0; e < ERR__COUNT; e++) {
        const struct dialect_error *row = wc_error_lookup((enum err)e, SUBJ_NONE);

        CHECK(row != NULL);
        if (row != NULL)
            CHECK(row->http == 200);
    }
}

static int code(enum err e, enum subj s)
{
    const struct dialect_error *row = wc_error_lookup(e, s);

    return row ? row->code : -999;
}

static void spec_codes(void)
{
    CHECK(code(ERR_OK, SUBJ_NONE) == 0);
    CHECK(code(ERR_MISSING, SUBJ_TOKEN) == 41001);
    CHECK(code(ERR_MISSING, SUBJ_TENANT) == 41002);
    CHECK(code(ERR_MISSING, SUBJ_SECRET) == 41004);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_TOKEN) == 40014);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_TENANT) == 40013);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_SECRET) == 40001);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_SECRET_OTHER) == 40091);
    CHECK(code(ERR_EXPIRED, SUBJ_TOKEN) == 42001);
    CHECK(code(ERR_MALFORMED, SUBJ_NONE) == 47001);
    CHECK(code(ERR_BAD_REQUEST, WC_SUBJ_CURSOR) == 50100);
    CHECK(code(ERR_BAD_REQUEST, SUBJ_FIELD) == 40058);
    CHECK(code(ERR_CONFLICT, SUBJ_GROUP) == 40058);
    CHECK(code(ERR_STORE, SUBJ_NONE) == -1);
    CHECK(wc_error_lookup(ERR_NOT_FOUND, SUBJ_ROUTE)->http == 404);
    /* Intents and attachments. */
    CHECK(code(ERR_NOT_FOUND, SUBJ_KB_ITEM) == 40058);
    CHECK(code(ERR_CONFLICT, SUBJ_QUESTION) == 40058);
    CHECK(code(ERR_NOT_FOUND, SUBJ_MEDIA) == 40007);
    CHECK(code(ERR_BAD_REQUEST, SUBJ_MSGTYPE) == 40008);
}

/* The media part of a form, the boundary read from the body's first line. */
static void multipart(void)
{
    static const char ok[] = "--B1\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\n"
                             "x\r\n--B1\r\nContent-Disposition: form-data; name=\"media\"; "
                             "filename=\"a b.png\"\r\nContent-Type: image/png\r\n\r\n"
                             "12\r\n345\r\n--B1--\r\n";
    static const char *const bad[] = {
        "",
        "no delimiter",
        "--B1\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a\"\r\n\r\nnever ends",
        "--B1\r\nContent-Disposition: form-data; name=\"media\"\r\n\r\nno filename\r\n--B1--",
        "--B1\r\nContent-Disposition: form-data; name=\"xmedia\"; filename=\"a\"\r\n\r\n1\r\n--B1--",
        "--B1\r\nno header end\r\n--B1--",
    };
    struct arena a;
    const char *name = NULL;
    size_t size = 0;

    arena_init(&a, 0);
    CHECK(wc_multipart_file(&a, ok, sizeof(ok) - 1, "media", &name, &size));
    CHECK_STR(name, "a b.png");
    CHECK(size == 7);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(!wc_multipart_file(&a, bad[i], strlen(bad[i]), "media", &name, &size));
    arena_release(&a);
}

const struct unit_case wecom_cases[] = {
    { "wecom/every_err_has_a_row", every_err_has_a_row },
    { "wecom/spec_codes", spec_codes },
    { "wecom/multipart", multipart },
    { NULL, NULL },
};
