/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc_errors.c - WeCom's error envelope: HTTP 200 (business
 * errors never change the status), {"errcode", "errmsg"} and nothing else,
 * errmsg in the platform's template. Codes: WeCom "全局错误码" (global error codes),
 * WeCom "获取access_token" and WeCom "知识库分组管理" (knowledge-base groups); the choices where the
 * documentation is silent are listed in docs/compat.md.
 */
#include "dialect/wecom/wc.h"

#include "core/arena.h"

#include <string.h>

static const struct dialect_error wc_errors[] = {
    /* Exact (code, subject) rows first; the lookup takes the first match. */
    { ERR_MISSING, SUBJ_TOKEN, 200, 41001, "access_token missing" },
    { ERR_MISSING, SUBJ_TENANT, 200, 41002, "corpid missing" },
    { ERR_MISSING, SUBJ_SECRET, 200, 41004, "corpsecret missing" },
    { ERR_UNAUTHENTICATED, SUBJ_TOKEN, 200, 40014, "invalid access_token" },
    { ERR_UNAUTHENTICATED, SUBJ_TENANT, 200, 40013, "invalid corpid" },
    { ERR_UNAUTHENTICATED, SUBJ_SECRET, 200, 40001, "invalid credential" },
    { ERR_UNAUTHENTICATED, SUBJ_SECRET_OTHER, 200, 40091, "secret is invalid" },
    { ERR_NOT_FOUND, SUBJ_ROUTE, 404, 48001, "api unauthorized" },
    { ERR_NOT_FOUND, SUBJ_GROUP, 200, 40058, "group not found" },
    { ERR_FORBIDDEN, SUBJ_DEFAULT_GROUP, 200, 40058, "default group can not be modified" },
    { ERR_CONFLICT, SUBJ_GROUP, 200, 40058, "group name already exists" },
    { ERR_LIMIT, SUBJ_GROUP, 200, 40058, "group count exceeds limit" },
    { ERR_BAD_REQUEST, WC_SUBJ_CURSOR, 200, 50100, "invalid cursor" },
    { ERR_NOT_FOUND, SUBJ_KB_ITEM, 200, 40058, "intent not found" },
    { ERR_LIMIT, SUBJ_KB_ITEM, 200, 40058, "intent count exceeds limit" },
    { ERR_CONFLICT, SUBJ_QUESTION, 200, 40058, "question already exists" },
    { ERR_NOT_FOUND, SUBJ_MEDIA, 200, 40007, "invalid media_id" },
    { ERR_BAD_REQUEST, SUBJ_MSGTYPE, 200, 40008, "invalid msgtype" },
    /* One row per code for every other subject. */
    { ERR_OK, SUBJ_NONE, 200, 0, "ok" },
    { ERR_BAD_REQUEST, SUBJ_NONE, 200, 40058, NULL },
    { ERR_MISSING, SUBJ_NONE, 200, 40058, NULL },
    { ERR_MALFORMED, SUBJ_NONE, 200, 47001, "data format error" },
    { ERR_EMPTY_BODY, SUBJ_NONE, 200, 44002, "empty post data" },
    { ERR_TOO_LARGE, SUBJ_NONE, 200, 40058, "invalid parameter: request body too large" },
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 200, 40014, "invalid access_token" },
    { ERR_EXPIRED, SUBJ_NONE, 200, 42001, "access_token expired" },
    { ERR_FORBIDDEN, SUBJ_NONE, 200, 48002, "api forbidden" },
    { ERR_NOT_FOUND, SUBJ_NONE, 200, 40058, NULL },
    { ERR_GONE, SUBJ_NONE, 200, 40058, NULL },
    { ERR_METHOD, SUBJ_NONE, 200, 43002, "require POST method" },
    { ERR_CONFLICT, SUBJ_NONE, 200, 40058, NULL },
    { ERR_LIMIT, SUBJ_NONE, 200, 40058, NULL },
    { ERR_RATE_LIMITED, SUBJ_NONE, 200, 45009, "api freq out of limit" },
    { ERR_BUSY, SUBJ_NONE, 200, -1, "system busy" },
    { ERR_FAULT, SUBJ_NONE, 200, -1, "system busy" }, /* built from the rule */
    { ERR_STORE, SUBJ_NONE, 200, -1, "system busy" },
    { ERR_INTERNAL, SUBJ_NONE, 200, -1, "system busy" },
};

const struct dialect_error *wc_error_lookup(enum err code, enum subj subj)
{
    return dialect_error_lookup(wc_errors, sizeof(wc_errors) / sizeof(wc_errors[0]), code, subj);
}

static const struct dialect_error method_get = { ERR_METHOD, SUBJ_NONE, 200, 43001,
                                            "require GET method" };

void wc_render(struct req *rq, enum err e, json_t *out)
{
    const struct dialect_error *row = wc_error_lookup(e, rq->err.subj);
    struct arena *a = rq->http->arena;
    const char *head;
    json_t *body;

    /* The method error names the method the path takes. */
    if (e == ERR_METHOD && strcmp(rq->err.msg, "GET") == 0)
        row = &method_get;
    if (e == ERR_FAULT)
        row = dialect_fault_row(rq, wc_errors, sizeof(wc_errors) / sizeof(wc_errors[0]), 200);
    if (row == NULL)
        row = wc_error_lookup(ERR_INTERNAL, SUBJ_NONE);
    rq->http->log_code = row->code;
    rq->http->log_code_set = true;
    if (e == ERR_OK) {
        body = json_object();
        json_out_int(body, "errcode", 0);
        json_out_text(body, "errmsg", "ok");
        json_object_update(body, out);
        dialect_send_json(rq, 200, body);
        json_decref(body);
        return;
    }
    head = row->msg;
    if (head == NULL)
        head = arena_printf(a, "invalid parameter: %s",
                            rq->err.msg[0] ? rq->err.msg : err_name(e));
    body = json_pack("{s:i,s:s}", "errcode", row->code, "errmsg",
                     arena_printf(a,
                                  "%s, hint: [%s], from ip: %s, more info at "
                                  "https://open.work.weixin.qq.com/devtool/query?e=%d",
                                  head, rq->http->rid, rq->http->peer, row->code));
    dialect_send_json(rq, row->http, body);
    json_decref(body);
}
