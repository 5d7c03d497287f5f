/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc_token.c - GET /cgi-bin/gettoken (WeCom "获取access_token") and the
 * access_token check every other WeCom call makes.
 */
#include "dialect/wecom/wc.h"

/* 7200 s; while the token is valid, gettoken returns it again. */
static const struct token_policy wc_token_policy = {
    .kind = TOKEN_WECOM,
    .lifetime = 7200,
    .reuse_min_remaining = 1,
    .prefix = "",
    .bytes = 48,
};

enum err wc_gettoken(struct req *rq, json_t *body, json_t *out)
{
    const char *corpid = dialect_query(rq, "corpid"), *secret = dialect_query(rq, "corpsecret");
    struct token_row tok;
    enum err e;

    (void)body;
    if (corpid == NULL || *corpid == '\0')
        return err_set(&rq->err, ERR_MISSING, SUBJ_TENANT, "corpid missing");
    if (secret == NULL || *secret == '\0')
        return err_set(&rq->err, ERR_MISSING, SUBJ_SECRET, "corpsecret missing");
    e = svc_wc_token(&rq->svc, &wc_token_policy, corpid, secret, &tok);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "access_token", tok.token);
    json_out_int(out, "expires_in", tok.expires_at - rq->svc.now);
    return ERR_OK;
}

enum err wc_auth(struct req *rq)
{
    const char *token = dialect_query(rq, "access_token");
    struct token_row tok;
    enum err e;

    if (token == NULL || *token == '\0')
        return err_set(&rq->err, ERR_MISSING, SUBJ_TOKEN, "access_token missing");
    e = svc_token_check(&rq->svc, TOKEN_WECOM, token, &tok);
    if (e == ERR_OK)
        rq->principal = tok.principal;
    return e;
}
