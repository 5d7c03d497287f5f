/* SPDX-License-Identifier: MIT */
/* tests/unit/test_feishu.c - the Feishu error map: a row for every error, the
 * codes Feishu's "Server error codes" and the group API pages fix, and the
 * legacy-doc model of announcements. */
#include "unit.h"

#include "dialect/feishu/fs.h"
#include "svc/svc.h"

static void every_err_has_a_row(void)
{
    for (int e = 0; e < ERR__COUNT; e++)
        CHECK(fs_error_lookup((enum err)e, SUBJ_NONE) != NULL);
}

static int code(enum err e, enum subj s)
{
    const struct dialect_error *row = fs_error_lookup(e, s);

    return row ? row->code : -999;
}

static void spec_codes(void)
{
    CHECK(code(ERR_OK, SUBJ_NONE) == 0);
    CHECK(code(ERR_MISSING, SUBJ_TOKEN) == 99991661);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_TOKEN) == 99991663);
    CHECK(code(ERR_EXPIRED, SUBJ_TOKEN) == 99991663);
    CHECK(code(ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN) == 99991668);
    CHECK(code(ERR_BAD_REQUEST, SUBJ_FIELD) == 232001);
    CHECK(code(ERR_NOT_FOUND, SUBJ_CHAT) == 232006);
    CHECK(code(ERR_GONE, SUBJ_CHAT) == 232009);
    CHECK(code(ERR_FORBIDDEN, SUBJ_TENANT) == 232010);
    CHECK(code(ERR_FORBIDDEN, SUBJ_MEMBERSHIP) == 232011);
    CHECK(code(ERR_FORBIDDEN, SUBJ_OWNER_ONLY) == 232017);
    CHECK(code(ERR_FORBIDDEN, SUBJ_OWNER) == 232076);
    CHECK(code(ERR_LIMIT, SUBJ_TENANT) == 232044);
    CHECK(code(ERR_LIMIT, SUBJ_CHAT) == 232013);
    CHECK(code(ERR_LIMIT, SUBJ_MENU) == 232070);
    CHECK(code(ERR_CONFLICT, SUBJ_MENU) == 232072);
    CHECK(code(ERR_NOT_FOUND, SUBJ_OPEN_ID) == 99992351);
    CHECK(fs_error_lookup(ERR_NOT_FOUND, SUBJ_ROUTE)->http == 404);
    CHECK(fs_error_lookup(ERR_METHOD, SUBJ_NONE)->http == 404);
    CHECK(fs_error_lookup(ERR_STORE, SUBJ_NONE)->http == 500);
    CHECK(fs_error_lookup(ERR_FORBIDDEN, SUBJ_MEMBERSHIP)->http == 400);
}

/* The token and OAuth endpoints' codes come from their own tables. */
static void token_and_oauth_codes(void)
{
    for (int e = 1; e < ERR__COUNT; e++) {
        CHECK(fs_token_error_lookup((enum err)e, SUBJ_NONE)->http == 200);
        CHECK(fs_oauth_error_lookup((enum err)e, SUBJ_NONE)->code != 0);
    }
    CHECK(fs_token_error_lookup(ERR_UNAUTHENTICATED, SUBJ_SECRET)->code == 10014);
    CHECK(fs_token_error_lookup(ERR_UNAUTHENTICATED, SUBJ_TENANT)->code == 10003);
    CHECK(fs_token_error_lookup(ERR_MISSING, SUBJ_TENANT)->code == 10003);
    CHECK(fs_token_error_lookup(ERR_STORE, SUBJ_NONE)->code == 55001);
    CHECK(fs_oauth_error_lookup(ERR_UNAUTHENTICATED, SUBJ_TENANT)->code == 20002);
    CHECK_STR(fs_oauth_error_lookup(ERR_UNAUTHENTICATED, SUBJ_SECRET)->msg, "invalid_client");
    CHECK(fs_oauth_error_lookup(ERR_UNAUTHENTICATED, SUBJ_CODE)->code == 20003);
    CHECK(fs_oauth_error_lookup(ERR_UNAUTHENTICATED, SUBJ_REFRESH)->code == 20026);
    CHECK(fs_oauth_error_lookup(ERR_EXPIRED, SUBJ_REFRESH)->code == 20037);
    CHECK_STR(fs_oauth_error_lookup(ERR_MISSING, SUBJ_NONE)->msg, "invalid_request");
    CHECK(fs_oauth_error_lookup(ERR_STORE, SUBJ_NONE)->http == 500);
}

static const char *line_text(json_t *doc, size_t i)
{
    json_t *els = json_object_get(
        json_object_get(json_array_get(json_object_get(json_object_get(doc, "body"), "blocks"), i),
                        "paragraph"),
        "elements");
    static char buf[256];
    size_t k, n = 0;
    json_t *el;

    buf[0] = '\0';
    json_array_foreach(els, k, el) {
        const char *t = json_string_value(json_object_get(json_object_get(el, "textRun"), "text"));

        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", t ? t : "");
    }
    return buf;
}

static json_t *request(const char *text)
{
    return json_loads(text, 0, NULL);
}

static void doc_operations(void)
{
    json_t *doc = svc_doc_new(), *r;

    /* Title "T" is [0,1); the first line starts at 2. */
    r = request("{\"requestType\":\"UpdateTitleRequestType\",\"updateTitleRequest\":{\"payload\":"
                "\"{\\\"elements\\\":[{\\\"type\\\":\\\"textRun\\\",\\\"textRun\\\":{\\\"text\\\":"
                "\\\"T\\\"}}]}\"}}");
    CHECK(svc_doc_apply(doc, r) == ERR_OK);
    json_decref(r);
    r = request("{\"requestType\":\"InsertParagraphElementsRequestType\","
                "\"insertParagraphElementsRequest\":{\"payload\":\"{\\\"elements\\\":[{\\\"type\\\":"
                "\\\"textRun\\\",\\\"textRun\\\":{\\\"text\\\":\\\"一二三\\\"}}]}\",\"location\":"
                "{\"zoneId\":\"0\",\"index\":2}}}");
    CHECK(svc_doc_apply(doc, r) == ERR_OK);
    json_decref(r);
    CHECK_STR(line_text(doc, 0), "一二三");
    /* Characters, not bytes: delete the middle one, [3,4). */
    r = request("{\"requestType\":\"DeleteContentRangeRequestType\",\"deleteContentRangeRequest\":"
                "{\"deleteRange\":{\"zoneId\":\"0\",\"startIndex\":3,\"endIndex\":4}}}");
    CHECK(svc_doc_apply(doc, r) == ERR_OK);
    json_decref(r);
    CHECK_STR(line_text(doc, 0), "一三");
    /* Out of the document, another zone, an unknown request: refused. */
    r = request("{\"requestType\":\"DeleteContentRangeRequestType\",\"deleteContentRangeRequest\":"
                "{\"deleteRange\":{\"zoneId\":\"0\",\"startIndex\":3,\"endIndex\":99}}}");
    CHECK(svc_doc_apply(doc, r) == ERR_BAD_REQUEST);
    json_decref(r);
    r = request("{\"requestType\":\"DeleteContentRangeRequestType\",\"deleteContentRangeRequest\":"
                "{\"deleteRange\":{\"zoneId\":\"7\",\"startIndex\":2,\"endIndex\":3}}}");
    CHECK(svc_doc_apply(doc, r) == ERR_BAD_REQUEST);
    json_decref(r);
    r = request("{\"requestType\":\"ReplaceAllTextRequestType\"}");
    CHECK(svc_doc_apply(doc, r) == ERR_BAD_REQUEST);
    json_decref(r);
    json_decref(doc);
}

const struct unit_case feishu_cases[] = {
    { "feishu/every_err_has_a_row", every_err_has_a_row },
    { "feishu/spec_codes", spec_codes },
    { "feishu/token_and_oauth_codes", token_and_oauth_codes },
    { "feishu/doc_operations", doc_operations },
    { NULL, NULL },
};
