/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_errors.c - Feishu's envelopes and error codes: business
 * APIs answer {code, msg, data} (HTTP 400 on failure, with error.log_id),
 * token endpoints a flat body (failures HTTP 200), the OAuth endpoint an
 * OAuth-style failure, unknown paths a plain-text 404. Every response
 * carries X-Tt-Logid. Codes: "Server-side error codes" and each reference
 * page's error table.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/clock.h"

#include <string.h>
#include <time.h>

static const struct dialect_error fs_errors[] = {
    /* Exact (code, subject) rows first. */
    { ERR_NOT_FOUND, SUBJ_ROUTE, 404, 0, "404 page not found" },
    { ERR_MISSING, SUBJ_TOKEN, 400, 99991661,
      "Missing access token for authorization. Please make a request with token attached." },
    { ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN, 400, 99991668,
      "Invalid access token for authorization. Please make a request with token attached." },
    { ERR_EXPIRED, SUBJ_USER_TOKEN, 400, 99991668,
      "Invalid access token for authorization. Please make a request with token attached." },
    { ERR_NOT_FOUND, SUBJ_CHAT, 400, 232006, "Your request specifies a chat_id which is invalid." },
    { ERR_GONE, SUBJ_CHAT, 400, 232009,
      "Your request specifies a chat which has already been dissolved." },
    { ERR_FORBIDDEN, SUBJ_TENANT, 400, 232010, "Operator and chat can NOT be in different tenants." },
    { ERR_FORBIDDEN, SUBJ_MEMBERSHIP, 400, 232011, "Operator can NOT be out of the chat." },
    { ERR_BAD_REQUEST, SUBJ_OWNER, 400, 232012, "New group owner can NOT be out of the chat." },
    { ERR_FORBIDDEN, SUBJ_EDIT, 400, 232002,
      "No Permission: Only chat owner or admin can edit chat information in the current "
      "situation." },
    { ERR_FORBIDDEN, SUBJ_SETTINGS, 400, 232016,
      "Non-chat-owner or Non-chat-admin can only edit certain parts." },
    { ERR_FORBIDDEN, SUBJ_OWNER_ONLY, 400, 232017,
      "No Permission: If the operator is NOT owner or creator with the scope, the operator can "
      "NOT complete the request." },
    { ERR_FORBIDDEN, SUBJ_SHARE, 400, 232064,
      "The operator is not a group owner or administrator, no permission to share chat link." },
    { ERR_FORBIDDEN, SUBJ_PIN, 400, 232014,
      "The token used in the request does NOT have the permissions necessary to complete the "
      "request." },
    { ERR_BAD_REQUEST, SUBJ_CHAT_MODE, 400, 232008,
      "Your request specifies a chat whose type is NOT supported currently." },
    { ERR_BAD_REQUEST, SUBJ_P2P, 400, 232062, "P2P chat cannot be share link." },
    { ERR_BAD_REQUEST, SUBJ_NAME, 400, 232020,
      "Name can NOT be less than two characters for public chats." },
    { ERR_MISSING, SUBJ_NAME, 400, 232042, "Public group chat's name should not be empty." },
    { ERR_CONFLICT, SUBJ_NAME, 400, 232026,
      "This name is already used in an existing public chat. Names of public chats are supposed "
      "to be different." },
    { ERR_NOT_FOUND, SUBJ_BOT, 400, 232021, "Bot can NOT be found." },
    { ERR_NOT_FOUND, SUBJ_USER, 400, 232043, "Your request contains unavailable ids." },
    { ERR_NOT_FOUND, SUBJ_OWNER, 400, 232035, "Your request specifies an owner_id which is invalid." },
    { ERR_BAD_REQUEST, SUBJ_AVATAR, 400, 232041, "The avatar key is illegal." },
    { ERR_BAD_REQUEST, SUBJ_ID_TYPE, 400, 232015,
      "Your request specifies a member_id_type which is NOT supported." },
    /* the chat member and manager pages */
    { ERR_LIMIT, SUBJ_CHAT, 400, 232013,
      "You have reached the limit of maximum number of members a chat can have." },
    { ERR_LIMIT, SUBJ_TENANT, 400, 232044,
      "You have reached maximum number of chat members set by admin." },
    { ERR_MISSING, SUBJ_USER, 400, 232027,
      "There are no valid members in the ID list specified in your request." },
    { ERR_FORBIDDEN, SUBJ_MANAGER, 400, 232038,
      "The operator is not chat owner, no permission to complete the request." },
    { ERR_LIMIT, SUBJ_MANAGER, 400, 232040,
      "The chat managers has reached the limit of maximum number." },
    { ERR_FORBIDDEN, SUBJ_APPROVAL, 400, 232075,
      "The public group needs to apply to join, and users or bots are not allowed to actively "
      "join the group." },
    { ERR_FORBIDDEN, SUBJ_OWNER, 400, 232076, "Can't kick chat owner." },
    { ERR_NOT_FOUND, SUBJ_OPEN_ID, 400, 99992351, "these open ids not existed" },
    { ERR_NOT_FOUND, SUBJ_USER_ID, 400, 99992360, "Your request contains not existed id." },
    { ERR_NOT_FOUND, SUBJ_UNION_ID, 400, 99992364, "Your request contains not existed id." },
    /* the announcement, chat tab and chat menu pages */
    { ERR_NOT_FOUND, SUBJ_ANNOUNCEMENT, 400, 232003,
      "Chat announcement can NOT be found in chat information." },
    { ERR_CONFLICT, SUBJ_ANNOUNCEMENT, 400, 232018, "Updating announcement failed." },
    { ERR_BAD_REQUEST, SUBJ_ANNOUNCEMENT, 400, 232018, "Updating announcement failed." },
    { ERR_LIMIT, SUBJ_TAB, 400, 232046, "The number of chat tabs has reached the limit." },
    { ERR_BAD_REQUEST, SUBJ_TAB_NAME, 400, 232047, "The length of the tab name reaches the limit." },
    { ERR_BAD_REQUEST, SUBJ_TAB, 400, 232048, "The chat tab content is illegal." },
    { ERR_FORBIDDEN, SUBJ_TAB, 400, 232049, "The chat tab content is illegal." },
    { ERR_BAD_REQUEST, SUBJ_TAB_CHAT, 400, 232050, "Operate chat tab unsupported chat type." },
    { ERR_LIMIT, SUBJ_MENU, 400, 232070,
      "The number of chat_menu_top_level has reached the limit." },
    { ERR_LIMIT, SUBJ_MENU_CHILD, 400, 232071,
      "The number of chat_menu_second_level has reached the limit." },
    { ERR_CONFLICT, SUBJ_MENU, 400, 232072, "Sort chat_menu_top_level's param is invalid." },
    { ERR_BAD_REQUEST, SUBJ_MENU, 400, 232078, "The chat menu is illegal." },
    /* One row per code for every other subject. */
    { ERR_OK, SUBJ_NONE, 200, 0, "success" },
    { ERR_BAD_REQUEST, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_MISSING, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_MALFORMED, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_EMPTY_BODY, SUBJ_NONE, 400, 232001,
      "Your request contains an invalid request parameter." },
    { ERR_TOO_LARGE, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 400, 99991663,
      "Invalid access token for authorization. Please make a request with token attached." },
    { ERR_EXPIRED, SUBJ_NONE, 400, 99991663,
      "Invalid access token for authorization. Please make a request with token attached." },
    { ERR_FORBIDDEN, SUBJ_NONE, 400, 232014,
      "The token used in the request does NOT have the permissions necessary to complete the "
      "request." },
    { ERR_NOT_FOUND, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_GONE, SUBJ_NONE, 400, 232009,
      "Your request specifies a chat which has already been dissolved." },
    { ERR_METHOD, SUBJ_NONE, 404, 0, "404 page not found" },
    { ERR_CONFLICT, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_LIMIT, SUBJ_NONE, 400, 232001, "Your request contains an invalid request parameter." },
    { ERR_RATE_LIMITED, SUBJ_NONE, 429, 99991400, "request trigger frequency limit" },
    /* The write queue is full: the gateway's own "slow down" answer. */
    { ERR_BUSY, SUBJ_NONE, 429, 99991400, "request trigger frequency limit" },
    { ERR_STORE, SUBJ_NONE, 500, 55001, "internal error, please retry" },
    /* A fault rule's answer is built from the rule (dialect_fault_row). */
    { ERR_FAULT, SUBJ_NONE, 500, 55001, "internal error, please retry" },
    { ERR_INTERNAL, SUBJ_NONE, 500, 55001, "internal error, please retry" },
};

/* Contact v3 answers its own codes for its own errors ("服务端错误码说明", contact rows). */
static const struct dialect_error fs_contact_errors[] = {
    { ERR_FORBIDDEN, FS_SUBJ_DEPT, 403, 40004, "no dept authority error" },
    { ERR_NOT_FOUND, FS_SUBJ_DEPT, 400, 40015, "department not exist" },
    { ERR_FORBIDDEN, FS_SUBJ_CONTACT_USER, 400, 41050, "no user authority error" },
    { ERR_BAD_REQUEST, FS_SUBJ_PAGE_SIZE, 400, 40011, "page size is invalid" },
    { ERR_BAD_REQUEST, FS_SUBJ_CURSOR, 400, 40012, "page token is invalid error" },
    { ERR_BAD_REQUEST, SUBJ_USER_ID, 400, 41012, "user id invalid error" },
    { ERR_BAD_REQUEST, SUBJ_NONE, 400, 40001, "invalid parameter" },
    { ERR_MISSING, SUBJ_NONE, 400, 40001, "invalid parameter" },
    { ERR_MALFORMED, SUBJ_NONE, 400, 40001, "invalid parameter" },
    { ERR_EMPTY_BODY, SUBJ_NONE, 400, 40001, "invalid parameter" },
    { ERR_TOO_LARGE, SUBJ_NONE, 400, 40001, "invalid parameter" },
};
/* authen v1 fails with HTTP 200 (20050: 500), as its pages list. */
#define APP_DIFF                                                                        \
    "App id in user_access_token or refresh_token diff with app id in app_access_token or " \
    "tenant_access_token. Please keep the app id consistent"
static const struct dialect_error fs_authen_errors[] = {
    { ERR_UNAUTHENTICATED, FS_SUBJ_APP_TOKEN, 200, 20014,
      "The app access token passed is invalid. Please check the value" },
    { ERR_EXPIRED, FS_SUBJ_APP_TOKEN, 200, 20014,
      "The app access token passed is invalid. Please check the value" },
    { ERR_UNAUTHENTICATED, SUBJ_CODE, 200, 20003,
      "The code passed is invalid. Please note that the code could only be used once" },
    { ERR_FORBIDDEN, SUBJ_CODE, 200, 20024, APP_DIFF },
    { ERR_FORBIDDEN, SUBJ_REFRESH, 200, 20024, APP_DIFF },
    { ERR_UNAUTHENTICATED, SUBJ_REFRESH, 200, 20038,
      "The refresh token passed is not found. Please check the value" },
    { ERR_EXPIRED, SUBJ_REFRESH, 200, 20037,
      "The refresh token passed has expired. Please generate a new one" },
    { ERR_BAD_REQUEST, FS_SUBJ_GRANT, 200, 20036, "The grant_type passed is not supported" },
    { ERR_MISSING, FS_SUBJ_GRANT, 200, 20036, "The grant_type passed is not supported" },
    { ERR_NOT_FOUND, SUBJ_USER, 200, 20008, "User not exist" },
    { ERR_BAD_REQUEST, SUBJ_NONE, 200, 20001, "Invalid request. Please check request param" },
    { ERR_MISSING, SUBJ_NONE, 200, 20001, "Invalid request. Please check request param" },
    { ERR_MALFORMED, SUBJ_NONE, 200, 20001, "Invalid request. Please check request param" },
    { ERR_EMPTY_BODY, SUBJ_NONE, 200, 20001, "Invalid request. Please check request param" },
    { ERR_TOO_LARGE, SUBJ_NONE, 200, 20001, "Invalid request. Please check request param" },
    { ERR_STORE, SUBJ_NONE, 500, 20050, "System error" },
    { ERR_INTERNAL, SUBJ_NONE, 500, 20050, "System error" },
};

const struct dialect_error *fs_family_error(unsigned flags, enum err code, enum subj subj)
{
    if (flags & FS_CONTACT)
        return dialect_error_lookup(fs_contact_errors,
                                    sizeof(fs_contact_errors) / sizeof(fs_contact_errors[0]),
                                    code, subj);
    if (flags & FS_AUTHEN)
        return dialect_error_lookup(fs_authen_errors,
                                    sizeof(fs_authen_errors) / sizeof(fs_authen_errors[0]),
                                    code, subj);
    return NULL;
}

const struct dialect_error *fs_error_lookup(enum err code, enum subj subj)
{
    return dialect_error_lookup(fs_errors, sizeof(fs_errors) / sizeof(fs_errors[0]), code, subj);
}

/* X-Tt-Logid: yyyyMMddHHmmss (UTC) and 20 upper-case hex digits from the
 * request id, 34 characters, as the gateway's. */
static const char *logid(struct req *rq)
{
    static const char hex[] = "0123456789ABCDEF";
    /* The time part changes once a second: formatted once a second. */
    static _Thread_local time_t last = -1;
    static _Thread_local char ts[16];
    struct http_req *r = rq->http;
    unsigned long long tail = 0;
    time_t now = (time_t)(clock_wall_us() / 1000000);
    char *out = arena_alloc(r->arena, 14 + 20 + 1);

    for (const char *p = r->rid + 10; *p != '\0'; p++)
        tail = tail * 10 + (unsigned long long)(*p - '0');
    if (now != last) {
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y%m%d%H%M%S", &tm);
        last = now;
    }
    memcpy(out, ts, 14);
    /* "%04X%016llX" of (tail >> 48) & 0xffff and tail. */
    for (int i = 0; i < 4; i++)
        out[14 + i] = hex[(tail >> (60 - 4 * i)) & 15];
    for (int i = 0; i < 16; i++)
        out[18 + i] = hex[(tail >> (60 - 4 * i)) & 15];
    out[34] = '\0';
    return out;
}

/* The token endpoints' flat failures: HTTP 200 and a code of their own. */
static const struct dialect_error fs_token_errors[] = {
    { ERR_UNAUTHENTICATED, SUBJ_SECRET, 200, 10014, "app secret invalid" },
    { ERR_BAD_REQUEST, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_MISSING, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_MALFORMED, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_EMPTY_BODY, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_TOO_LARGE, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_EXPIRED, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_FORBIDDEN, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_NOT_FOUND, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_GONE, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_METHOD, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_CONFLICT, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_LIMIT, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_RATE_LIMITED, SUBJ_NONE, 200, 10003, "invalid param" },
    { ERR_BUSY, SUBJ_NONE, 200, 55001, "internal error" },
    { ERR_STORE, SUBJ_NONE, 200, 55001, "internal error" },
    { ERR_INTERNAL, SUBJ_NONE, 200, 55001, "internal error" },
    { ERR_FAULT, SUBJ_NONE, 200, 55001, "internal error" }, /* built from the rule */
};

/* The OAuth token endpoint's failures (authen/v2/oauth/token): 'msg' is the
 * RFC 6749 error name; the error_description is the request's detail. */
static const struct dialect_error fs_oauth_errors[] = {
    { ERR_UNAUTHENTICATED, SUBJ_TENANT, 400, 20002, "invalid_client" },
    { ERR_UNAUTHENTICATED, SUBJ_SECRET, 400, 20002, "invalid_client" },
    { ERR_UNAUTHENTICATED, SUBJ_CODE, 400, 20003, "invalid_grant" },
    { ERR_EXPIRED, SUBJ_CODE, 400, 20003, "invalid_grant" },
    { ERR_UNAUTHENTICATED, SUBJ_REFRESH, 400, 20026, "invalid_grant" },
    { ERR_EXPIRED, SUBJ_REFRESH, 400, 20037, "invalid_grant" },
    { ERR_FORBIDDEN, SUBJ_CODE, 400, 20003, "invalid_grant" },     /* another app's */
    { ERR_FORBIDDEN, SUBJ_REFRESH, 400, 20026, "invalid_grant" },  /* another app's */
    { ERR_CONFLICT, SUBJ_SCOPE, 400, 20067, "invalid_scope" },     /* a scope named twice */
    { ERR_FORBIDDEN, SUBJ_SCOPE, 400, 20068, "invalid_scope" },    /* a scope not granted */
    { ERR_BAD_REQUEST, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_MISSING, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_MALFORMED, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_EMPTY_BODY, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_TOO_LARGE, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_EXPIRED, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_FORBIDDEN, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_NOT_FOUND, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_GONE, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_METHOD, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_CONFLICT, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_LIMIT, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_RATE_LIMITED, SUBJ_NONE, 400, 20001, "invalid_request" },
    { ERR_BUSY, SUBJ_NONE, 500, 20050, "invalid_grant" },
    { ERR_STORE, SUBJ_NONE, 500, 20050, "invalid_grant" },
    { ERR_INTERNAL, SUBJ_NONE, 500, 20050, "invalid_grant" },
    { ERR_FAULT, SUBJ_NONE, 500, 20050, "invalid_grant" }, /* built from the rule */
};

#define LOOKUP(rows, e, s) dialect_error_lookup((rows), sizeof(rows) / sizeof((rows)[0]), (e), (s))

const struct dialect_error *fs_token_error_lookup(enum err code, enum subj subj)
{
    const struct dialect_error *row = LOOKUP(fs_token_errors, code, subj);

    return row != NULL ? row : LOOKUP(fs_token_errors, ERR_INTERNAL, SUBJ_NONE);
}

const struct dialect_error *fs_oauth_error_lookup(enum err code, enum subj subj)
{
    const struct dialect_error *row = LOOKUP(fs_oauth_errors, code, subj);

    return row != NULL ? row : LOOKUP(fs_oauth_errors, ERR_INTERNAL, SUBJ_NONE);
}

static void render_auth_failure(struct req *rq, enum err e)
{
    json_t *body;

    if (rq->route->flags & FS_OAUTH) {
        const struct dialect_error *row = fs_oauth_error_lookup(e, rq->err.subj);

        rq->http->log_code = row->code;
        body = json_pack("{s:i,s:s,s:s}", "code", row->code, "error", row->msg,
                         "error_description", rq->err.msg[0] ? rq->err.msg : "invalid request");
        dialect_send_json(rq, row->http, body);
    } else {
        const struct dialect_error *row = fs_token_error_lookup(e, rq->err.subj);

        rq->http->log_code = row->code;
        body = json_pack("{s:i,s:{},s:s}", "code", row->code, "data", "msg", row->msg);
        dialect_send_json(rq, row->http, body);
    }
    json_decref(body);
}

/* A kept answer (R_CACHE) gets a log id of its own, as every answer does. */
void fs_render_kept(struct req *rq)
{
    http_add_header(rq->http, "x-tt-logid", logid(rq));
}

void fs_render(struct req *rq, enum err e, json_t *out)
{
    const struct dialect_error *row = NULL;
    const char *lid = logid(rq);
    unsigned flags = rq->route != NULL ? rq->route->flags : 0;
    json_t *body;

    if (e != ERR_OK)
        row = fs_family_error(flags, e, rq->err.subj);
    http_add_header(rq->http, "x-tt-logid", lid);
    rq->http->log_code_set = true;
    if (e != ERR_OK && rq->route != NULL && (rq->route->flags & FS_UP))
        row = fs_up_error_lookup(e, rq->err.subj);
    if (e != ERR_OK && rq->route != NULL && (rq->route->flags & FS_REACT))
        row = fs_react_error_lookup(rq, e, rq->err.subj);
    if (e != ERR_OK && rq->route != NULL && (rq->route->flags & FS_PIN))
        row = fs_pin_error_lookup(e, rq->err.subj);
    if (e != ERR_OK && rq->route != NULL && (rq->route->flags & FS_IM) && row == NULL)
        row = fs_im_error_lookup(e, rq->err.subj);
    if (row == NULL)
        row = fs_error_lookup(e, rq->err.subj);
    if (e == ERR_FAULT)
        row = dialect_fault_row(rq, fs_errors, sizeof(fs_errors) / sizeof(fs_errors[0]), 400);
    if (row == NULL)
        row = fs_error_lookup(ERR_INTERNAL, SUBJ_NONE);
    if (row->http == 404) {
        /* The gateway's answer to an unknown path or method: plain text. */
        rq->http->log_code = 404;
        rq->http->status = 404;
        rq->http->content_type = "text/plain; charset=utf-8";
        rq->http->resp_body = row->msg;
        rq->http->resp_len = strlen(row->msg);
        return;
    }
    if (e == ERR_OK && rq->http->resp_body != NULL) {
        /* The handler answered with raw bytes (a download). */
        rq->http->log_code = 0;
        return;
    }
    if (e == ERR_OK && rq->route != NULL && (rq->route->flags & (FS_FLAT | FS_OAUTH))) {
        rq->http->log_code = 0;
        dialect_send_json(rq, 200, out);
        return;
    }
    if (e != ERR_OK && e != ERR_FAULT && rq->route != NULL
        && (rq->route->flags & (FS_FLAT | FS_OAUTH))) {
        render_auth_failure(rq, e);
        return;
    }
    if (e == ERR_FORBIDDEN && (rq->err.subj == SUBJ_SCOPE || rq->err.subj == FS_SUBJ_USER_SCOPE)) {
        int code;

        fs_scope_render(rq, lid, &body, &code);
        rq->http->log_code = code;
        dialect_send_json(rq, 400, body);
        json_decref(body);
        return;
    }
    rq->http->log_code = row->code;
    if (e == ERR_RATE_LIMITED || e == ERR_BUSY || (e == ERR_FAULT && row->code == 99991400)) {
        /* "Frequency control policy": the window's limit and its reset in seconds. */
        http_add_header(rq->http, "x-ogw-ratelimit-limit",
                        arena_printf(rq->http->arena, "%lld", (long long)rq->rate_limit));
        http_add_header(rq->http, "x-ogw-ratelimit-reset",
                        arena_printf(rq->http->arena, "%lld", (long long)rq->rate_reset));
    }
    if (e == ERR_OK && (flags & FS_BARE)) {
        /* bot/v3/info: the payload beside code and msg, no data. */
        body = json_object();
        json_out_int(body, "code", 0);
        json_out_text(body, "msg", "ok");
        json_object_update(body, out);
    } else if (e == ERR_OK) {
        /* Every read's envelope: built directly, not through json_pack's format. */
        body = json_object();
        json_out_int(body, "code", 0);
        json_out_text(body, "msg", (rq->route->flags & FS_MSG_OK) ? "ok" : "success");
        json_object_set(body, "data", out);
    } else if ((flags & FS_AUTHEN) && row->code / 1000 == 20) {
        /* authen v1: {code, msg} alone. */
        body = json_pack("{s:i,s:s}", "code", row->code, "msg", row->msg);
    } else {
        /* 232043 names the ids it could not use, as the platform does. */
        const char *msg = row->msg;

        if (rq->route != NULL && (rq->route->flags & FS_IM))
            msg = fs_im_msg(rq, row);
        else if (row->code == 232043 && rq->err.msg[0] != '\0')
            msg = arena_printf(rq->http->arena, "%s, ext=%s", row->msg, rq->err.msg);
        else if (row->code == 99992351)
            msg = arena_printf(rq->http->arena, "%s: [%s]", row->msg, rq->err.msg);
        body = json_pack("{s:i,s:s,s:{s:s}}", "code", row->code, "msg", msg, "error", "log_id",
                         lid);
        if (row->code == 99992402 && rq->err.field[0] != '\0')
            json_object_set_new(json_object_get(body, "error"), "field_violations",
                                json_pack("[{s:s,s:s}]", "field", rq->err.field, "description",
                                          rq->err.msg));
    }
    dialect_send_json(rq, row->http, body);
    json_decref(body);
}
