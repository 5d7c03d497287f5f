/* SPDX-License-Identifier: MIT */
/*
 * dialect/udesk/ud_errors.c - Udesk's envelope (Udesk Open API v2 "General instructions"): an
 * integer "code"
 * on every answer, 1000 with the endpoint's fields at the top level on
 * success, {"code", "message"} on failure, HTTP 200 either way. Codes: the
 * same page and Udesk "Knowledge catalogs"; the choices the documentation leaves
 * open are in docs/compat.md.
 */
#include "dialect/udesk/ud.h"

#define UD_OK 1000
#define UD_UNKNOWN 2000      /* unknown error; missing parameters */
#define UD_SUBDOMAIN 2002    /* invalid subdomain */
#define UD_PARAM 2005        /* parameter error */
#define UD_NOT_ADMIN 2015    /* not an administrator / not allowed for this account */
#define UD_SIGNATURE 2059    /* invalid Open API signature */
#define UD_TIMESTAMP 20621   /* timestamp missing or malformed */
#define UD_TIME_WINDOW 20622 /* timestamp more than 5 minutes from server time */
#define UD_REPLAY 20623      /* nonce used within 15 minutes */
#define UD_NONCE 20624       /* nonce missing or empty */

static const struct dialect_error ud_errors[] = {
    /* Exact (code, subject) rows first; the lookup takes the first match. */
    { ERR_NOT_FOUND, SUBJ_SUBDOMAIN, 200, UD_SUBDOMAIN, "无效的子域名" },
    { ERR_UNAUTHENTICATED, SUBJ_TENANT, 200, UD_NOT_ADMIN, "该邮箱不是超级管理员" },
    { ERR_UNAUTHENTICATED, SUBJ_SECRET, 200, UD_PARAM, "邮箱或密码错误" },
    { ERR_UNAUTHENTICATED, UD_SUBJ_SIGNATURE, 200, UD_SIGNATURE, "open api签名不对" },
    { ERR_BAD_REQUEST, UD_SUBJ_TIMESTAMP, 200, UD_TIMESTAMP, "timestamp参数缺失或格式错误" },
    { ERR_EXPIRED, UD_SUBJ_TIMESTAMP, 200, UD_TIME_WINDOW, "timestamp与服务器时间相差超过5分钟" },
    { ERR_CONFLICT, SUBJ_NONCE, 200, UD_REPLAY, "nonce在15分钟内已被使用" },
    { ERR_MISSING, SUBJ_NONCE, 200, UD_NONCE, "nonce参数缺失" },
    { ERR_BAD_REQUEST, SUBJ_NONCE, 200, UD_NONCE, "nonce参数无效" },
    { ERR_NOT_FOUND, SUBJ_GROUP, 200, UD_PARAM, "分类不存在" },
    { ERR_NOT_FOUND, SUBJ_PARENT, 200, UD_PARAM, "分类不存在" },
    { ERR_NOT_FOUND, SUBJ_AGENT, 200, UD_PARAM, "客服不存在" },
    { ERR_FORBIDDEN, SUBJ_GROUP, 200, UD_NOT_ADMIN, "无权限操作该分类" },
    { ERR_FORBIDDEN, SUBJ_PARENT, 200, UD_NOT_ADMIN, "无权限操作该分类" },
    { ERR_BAD_REQUEST, SUBJ_PARENT, 200, UD_PARAM, "父分类的类型不一致" },
    { ERR_CONFLICT, SUBJ_PARENT, 200, UD_PARAM, "不能移动到自身或子分类下" },
    { ERR_LIMIT, SUBJ_PARENT, 200, UD_PARAM, "分类层级超过上限" },
    { ERR_NOT_FOUND, SUBJ_KB_ITEM, 200, UD_PARAM, "知识不存在" },
    { ERR_FORBIDDEN, SUBJ_KB_ITEM, 200, UD_NOT_ADMIN, "无权限操作该知识" },
    /* Udesk runs on Rails: a path or method it does not route is a 404. */
    { ERR_NOT_FOUND, SUBJ_ROUTE, 404, UD_UNKNOWN, "接口不存在" },
    /* One row per code for every other subject. */
    { ERR_OK, SUBJ_NONE, 200, UD_OK, NULL },
    { ERR_BAD_REQUEST, SUBJ_NONE, 200, UD_PARAM, "参数错误" },
    { ERR_MISSING, SUBJ_NONE, 200, UD_UNKNOWN, "参数缺失" },
    { ERR_MALFORMED, SUBJ_NONE, 200, UD_PARAM, "参数错误" },
    { ERR_EMPTY_BODY, SUBJ_NONE, 200, UD_UNKNOWN, "参数缺失" },
    { ERR_TOO_LARGE, SUBJ_NONE, 200, UD_PARAM, "请求体过大" },
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 200, UD_SIGNATURE, "open api签名不对" },
    { ERR_EXPIRED, SUBJ_NONE, 200, UD_TIME_WINDOW, "timestamp与服务器时间相差超过5分钟" },
    { ERR_FORBIDDEN, SUBJ_NONE, 200, UD_NOT_ADMIN, "无权限操作" },
    { ERR_NOT_FOUND, SUBJ_NONE, 200, UD_PARAM, "资源不存在" },
    { ERR_GONE, SUBJ_NONE, 200, UD_PARAM, "资源不存在" },
    { ERR_METHOD, SUBJ_NONE, 404, UD_UNKNOWN, "接口不存在" },
    { ERR_CONFLICT, SUBJ_NONE, 200, UD_PARAM, "参数错误" },
    { ERR_LIMIT, SUBJ_NONE, 200, UD_PARAM, "参数错误" },
    { ERR_RATE_LIMITED, SUBJ_NONE, 200, UD_UNKNOWN, "请求过于频繁" },
    { ERR_BUSY, SUBJ_NONE, 200, UD_UNKNOWN, "请求过于频繁" },
    { ERR_FAULT, SUBJ_NONE, 200, UD_UNKNOWN, "未知错误" }, /* built from the rule */
    { ERR_STORE, SUBJ_NONE, 200, UD_UNKNOWN, "服务器错误，请稍后重试" },
    { ERR_INTERNAL, SUBJ_NONE, 200, UD_UNKNOWN, "未知错误" },
};

const struct dialect_error *ud_error_lookup(enum err code, enum subj subj)
{
    return dialect_error_lookup(ud_errors, sizeof(ud_errors) / sizeof(ud_errors[0]), code, subj);
}

void ud_render(struct req *rq, enum err e, json_t *out)
{
    const struct dialect_error *row = ud_error_lookup(e, rq->err.subj);
    json_t *body;

    if (e == ERR_FAULT)
        row = dialect_fault_row(rq, ud_errors, sizeof(ud_errors) / sizeof(ud_errors[0]), 200);
    if (row == NULL)
        row = ud_error_lookup(ERR_INTERNAL, SUBJ_NONE);
    rq->http->log_code = row->code;
    rq->http->log_code_set = true;
    body = json_pack("{s:i}", "code", row->code);
    if (e == ERR_OK)
        json_object_update(body, out);
    else
        json_object_set_new(body, "message", json_string(row->msg));
    dialect_send_json(rq, row->http, body);
    json_decref(body);
}
