/* SPDX-License-Identifier: MIT */
/*
 * dialect/udesk/ud.h - the Udesk Open API v2 dialect (/open_api_v1/): signed
 * requests, log_in, and the knowledge-base catalogs.
 * Official pages: Udesk Open API v2 "General instructions" (signature, envelope, codes) and
 * Udesk "Knowledge catalogs"; choices in docs/compat.md.
 */
#ifndef QZ_DIALECT_UD_H
#define QZ_DIALECT_UD_H

#include "dialect/dialect.h"

extern const struct dialect ud_dialect;

/* How far a request's timestamp may be from the server clock (the v2 signature: more
 * than 5 minutes either way is 20622), and how long a nonce stays used (the same page:
 * 15 minutes). */
#define UD_TIMESTAMP_WINDOW 300
#define UD_NONCE_TTL 900
#define UD_SIGN_HEX 64

/* Subjects only Udesk's signed-request check sets (core/err.h). */
#define UD_SUBJ_TIMESTAMP ((enum subj)(SUBJ_DIALECT + 0)) /* a signed request's timestamp */
#define UD_SUBJ_SIGNATURE ((enum subj)(SUBJ_DIALECT + 1)) /* a signed request's signature */

/* Maps (err, subject) to Udesk's code and message (ud_errors.c). */
const struct dialect_error *ud_error_lookup(enum err code, enum subj subj);
void ud_render(struct req *rq, enum err e, json_t *out);

/* The v2 signature (Udesk Open API v2 "General instructions"): lower-case hex SHA-256 of
 * "email&token&timestamp&nonce&v2", written to 'out' with its NUL. */
void ud_sign_v2(const char *email, const char *token, const char *timestamp, const char *nonce,
                char out[UD_SIGN_HEX + 1]);

/* Authentication (ud_auth.c). */
enum err ud_auth(struct req *rq);
enum err ud_keep_nonce(struct req *rq);
enum err ud_log_in(struct req *rq, json_t *body, json_t *out);

/* Knowledge-base catalogs (ud_kb.c). */
enum err ud_kb_create(struct req *rq, json_t *body, json_t *out);
enum err ud_kb_update(struct req *rq, json_t *body, json_t *out);
enum err ud_kb_delete(struct req *rq, json_t *body, json_t *out);
enum err ud_kb_list(struct req *rq, json_t *body, json_t *out);

/* Knowledge items: questions, useful expressions, useful links (ud_item.c);
 * the kind comes from the route's path. */
enum err ud_item_create(struct req *rq, json_t *body, json_t *out);
enum err ud_item_update(struct req *rq, json_t *body, json_t *out);
enum err ud_item_delete(struct req *rq, json_t *body, json_t *out);
enum err ud_item_show(struct req *rq, json_t *body, json_t *out);
enum err ud_item_list(struct req *rq, json_t *body, json_t *out);

#endif
