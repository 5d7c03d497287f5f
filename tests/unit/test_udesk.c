/* SPDX-License-Identifier: MIT */
/* tests/unit/test_udesk.c - the Udesk v2 signature against vectors computed
 * outside qunzu (`printf '%s' 'email&token&timestamp&nonce&v2' | sha256sum`),
 * and the error map: a row for every error, the codes the official pages fix
 * ("General instructions", "Knowledge catalogs"). */
#include "unit.h"

#include "dialect/udesk/ud.h"

static void sign_vectors(void)
{
    char out[UD_SIGN_HEX + 1];

    ud_sign_v2("admin@udesk.cn", "2d9a7bc5-ea7a-4f3e-9c7e-8a3e1f4b6c10", "1494474404",
               "2d931510-d99f-494a-8c67-87feb05e1594", out);
    CHECK_STR(out, "2578e880c997c60ec9020efd48407c6e769ef062084c469609b1b6f3d380aaf0");
    /* UTF-8 bytes as they are, no URL encoding. */
    ud_sign_v2("管理员@例子.cn", "tok", "0", "n", out);
    CHECK_STR(out, "10a701b0ac94aca12d3c17528ab2549595d69f5acf93264422ce23fa65269284");
    ud_sign_v2("", "", "", "", out);
    CHECK_STR(out, "c7893e97b122b77bccc08e77f2c72ac1914ab6ca93fcfbe8c109157325c1e313");
}

static void every_err_has_a_row(void)
{
    for (int e = 0; e < ERR__COUNT; e++) {
        const struct dialect_error *row = ud_error_lookup((enum err)e, SUBJ_NONE);

        CHECK(row != NULL);
        if (row != NULL && e != ERR_OK)
            CHECK(row->msg != NULL && row->code != 1000);
    }
}

static int code(enum err e, enum subj s)
{
    const struct dialect_error *row = ud_error_lookup(e, s);

    return row ? row->code : -999;
}

static void spec_codes(void)
{
    CHECK(code(ERR_OK, SUBJ_NONE) == 1000);
    CHECK(code(ERR_NOT_FOUND, SUBJ_SUBDOMAIN) == 2002);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_TENANT) == 2015);
    CHECK(code(ERR_UNAUTHENTICATED, UD_SUBJ_SIGNATURE) == 2059);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_SECRET) == 2005); /* wrong log_in password */
    CHECK(code(ERR_BAD_REQUEST, UD_SUBJ_TIMESTAMP) == 20621);
    CHECK(code(ERR_EXPIRED, UD_SUBJ_TIMESTAMP) == 20622);
    CHECK(code(ERR_CONFLICT, SUBJ_NONCE) == 20623);
    CHECK(code(ERR_MISSING, SUBJ_NONCE) == 20624);
    CHECK(code(ERR_MISSING, SUBJ_FIELD) == 2000);
    CHECK(code(ERR_BAD_REQUEST, SUBJ_FIELD) == 2005);
    CHECK(code(ERR_NOT_FOUND, SUBJ_GROUP) == 2005);
    CHECK(code(ERR_NOT_FOUND, SUBJ_AGENT) == 2005);
    CHECK(code(ERR_FORBIDDEN, SUBJ_GROUP) == 2015);
    CHECK(code(ERR_STORE, SUBJ_NONE) == 2000);
    CHECK_STR(ud_error_lookup(ERR_UNAUTHENTICATED, UD_SUBJ_SIGNATURE)->msg, "open api签名不对");
    CHECK_STR(ud_error_lookup(ERR_NOT_FOUND, SUBJ_GROUP)->msg, "分类不存在");
    CHECK_STR(ud_error_lookup(ERR_FORBIDDEN, SUBJ_GROUP)->msg, "无权限操作该分类");
    CHECK_STR(ud_error_lookup(ERR_NOT_FOUND, SUBJ_AGENT)->msg, "客服不存在");
    for (int e = 1; e < ERR__COUNT; e++)
        if (e != ERR_METHOD && e != ERR_NOT_FOUND)
            CHECK(ud_error_lookup((enum err)e, SUBJ_NONE)->http == 200);
}

const struct unit_case udesk_cases[] = {
    { "udesk/sign_vectors", sign_vectors },
    { "udesk/every_err_has_a_row", every_err_has_a_row },
    { "udesk/spec_codes", spec_codes },
    { NULL, NULL },
};
