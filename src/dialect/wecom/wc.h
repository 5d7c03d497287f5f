/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc.h - the WeCom customer-service dialect (/cgi-bin/):
 * gettoken and the knowledge-base group endpoints.
 * Official pages: WeCom "获取access_token", WeCom "全局错误码" (global error codes),
 * WeCom "知识库分组管理" (knowledge-base groups).
 */
#ifndef QZ_DIALECT_WC_H
#define QZ_DIALECT_WC_H

#include "dialect/dialect.h"

extern const struct dialect wc_dialect;

/* A subject only WeCom's handlers set (core/err.h): a list_group cursor. */
#define WC_SUBJ_CURSOR ((enum subj)(SUBJ_DIALECT + 0))

/* Maps (err, subject) to WeCom's HTTP status, errcode and errmsg head
 * (wc_errors.c); a NULL head is "invalid parameter: " + the detail message. */
const struct dialect_error *wc_error_lookup(enum err code, enum subj subj);
void wc_render(struct req *rq, enum err e, json_t *out);

/* Handlers (wc_token.c, wc_kb.c). */
enum err wc_gettoken(struct req *rq, json_t *body, json_t *out);
enum err wc_auth(struct req *rq);
enum err wc_kb_add_group(struct req *rq, json_t *body, json_t *out);
enum err wc_kb_del_group(struct req *rq, json_t *body, json_t *out);
enum err wc_kb_mod_group(struct req *rq, json_t *body, json_t *out);
enum err wc_kb_list_group(struct req *rq, json_t *body, json_t *out);
/* Q&A intents (wc_intent.c). */
enum err wc_intent_add(struct req *rq, json_t *body, json_t *out);
enum err wc_intent_del(struct req *rq, json_t *body, json_t *out);
enum err wc_intent_mod(struct req *rq, json_t *body, json_t *out);
enum err wc_intent_list(struct req *rq, json_t *body, json_t *out);
/* Temporary media (wc_media.c). */
enum err wc_media_upload(struct req *rq, json_t *body, json_t *out);
/* Finds the part named 'field' of a multipart/form-data body (the boundary
 * is its first line): its file name (in 'a') and size. */
bool wc_multipart_file(struct arena *a, const char *body, size_t len, const char *field,
                       const char **filename, size_t *size);

#endif
