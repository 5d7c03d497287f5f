/* SPDX-License-Identifier: MIT */
/*
 * dialect/udesk/ud_auth.c - Udesk's v2 request signature (Udesk Open API v2 "General instructions"), checked
 * on every call but log_in, and POST /open_api_v1/log_in (the same page).
 *
 * The company is found from the admin e-mail, and from the Host's subdomain
 * when the Host is under the configured udesk_domain (acme.udesk.cn). Checks
 * run in the order the page recommends: company, required parameters,
 * timestamp window, signature, nonce replay. The nonce is recorded only once
 * the signature verifies, and kept even when the request fails later
 * (ud_keep_nonce), so a signed request can never be replayed. A read's
 * (GET) nonce is committed without waiting for its flush on PostgreSQL: a
 * crash of the database may forget it (docs/reliability.md, "Nonces of
 * signed reads").
 */
#include "dialect/udesk/ud.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/seal.h"
#include "core/str.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Nonces are caller-chosen strings (UUIDs, hex, unix times); longer ones are
 * refused rather than stored. */
#define UD_NONCE_MAX 128

static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void ud_sign_v2(const char *email, const char *token, const char *timestamp, const char *nonce,
                char out[UD_SIGN_HEX + 1])
{
    const char *parts[] = { email, "&", token, "&", timestamp, "&", nonce, "&", "v2" };
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    /* Fetched once: a fetch per call looks the algorithm up in OpenSSL's
     * provider tables. */
    pthread_once(&sha256_once, sha256_fetch);
    if (ctx == NULL || sha256 == NULL || EVP_DigestInit_ex(ctx, sha256, NULL) != 1) {
        fputs("fatal: sha-256 unavailable\n", stderr);
        abort();
    }
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    str_hex(md, UD_SIGN_HEX / 2, out);
}

/* The subdomain a Host under cfg->udesk_domain names ("acme" in
 * "acme.udesk.cn:443"), lower-cased; NULL for any other Host. */
static const char *host_subdomain(struct req *rq)
{
    const char *host = rq->http->host, *dom = rq->app->cfg->udesk_domain;
    size_t hl, dl;
    char *sub;

    if (host == NULL || dom == NULL || *dom == '\0' || host[0] == '[')
        return NULL;
    hl = strcspn(host, ":");
    dl = strlen(dom);
    if (hl < dl + 2 || host[hl - dl - 1] != '.' || strncasecmp(host + hl - dl, dom, dl) != 0)
        return NULL;
    sub = arena_strndup(rq->http->arena, host, hl - dl - 1);
    for (char *p = sub; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return sub;
}

/* Signatures are hex; clients send lower case, and case is not significant. */
static bool sign_ok(const char *given, const char *want)
{
    char low[UD_SIGN_HEX + 1];

    if (given == NULL || strlen(given) != UD_SIGN_HEX)
        return false;
    for (size_t i = 0; i <= UD_SIGN_HEX; i++)
        low[i] = (char)tolower((unsigned char)given[i]);
    return seal_str_eq(low, want);
}

/* A read's (GET) nonce is the only thing its transaction writes. */
static enum err claim(struct req *rq, const char *nonce)
{
    return rq->route->method == HTTP_GET ? svc_nonce_claim_read(&rq->svc, nonce, UD_NONCE_TTL)
                                         : svc_nonce_claim(&rq->svc, nonce, UD_NONCE_TTL);
}

enum err ud_auth(struct req *rq)
{
    const char *email = dialect_query(rq, "email"), *ts = dialect_query(rq, "timestamp");
    const char *nonce = dialect_query(rq, "nonce"), *sign = dialect_query(rq, "sign");
    const char *version = dialect_query(rq, "sign_version");
    struct svc_ctx *c = &rq->svc;
    struct udesk_row co;
    char want[UD_SIGN_HEX + 1];
    int64_t t;
    enum err e;

    e = svc_ud_company(c, host_subdomain(rq), email, &co);
    if (e != ERR_OK)
        return e;
    if (!str_to_i64(ts, INT64_MIN / 4, INT64_MAX / 4, &t))
        return err_set(&rq->err, ERR_BAD_REQUEST, UD_SUBJ_TIMESTAMP, "timestamp missing or malformed");
    if (nonce == NULL || *nonce == '\0')
        return err_set(&rq->err, ERR_MISSING, SUBJ_NONCE, "nonce missing");
    if (strlen(nonce) > UD_NONCE_MAX)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONCE, "nonce too long");
    if (t < c->now - UD_TIMESTAMP_WINDOW || t > c->now + UD_TIMESTAMP_WINDOW)
        return err_set(&rq->err, ERR_EXPIRED, UD_SUBJ_TIMESTAMP, "timestamp outside the window");
    /* Only v2 is accepted: the older SHA-1 scheme carries no nonce, so its
     * requests could be replayed (docs/compat.md). The group's run of a
     * request its worker verified signs nothing again while the company's
     * token is the one that matched: the same parameters, the same digest. */
    if (rq->auth_memo == NULL || strcmp(rq->auth_memo, co.api_token) != 0) {
        ud_sign_v2(email, co.api_token, ts, nonce, want);
        if (version == NULL || strcmp(version, "v2") != 0 || !sign_ok(sign, want))
            return err_set(&rq->err, ERR_UNAUTHENTICATED, UD_SUBJ_SIGNATURE,
                           "signature mismatch");
    }
    c->tenant = co.tenant_id;
    /* Checked before the write is queued: the group's run claims it. */
    if (rq->preauth) {
        rq->auth_memo = co.api_token;
        return ERR_OK;
    }
    return claim(rq, nonce);
}

/* The pipeline's after_rollback: the request that carried this nonce failed
 * after it verified, and its transaction took the nonce record with it. */
enum err ud_keep_nonce(struct req *rq)
{
    return claim(rq, dialect_query(rq, "nonce"));
}

enum err ud_log_in(struct req *rq, json_t *body, json_t *out)
{
    const char *email = json_str(body, "email"), *password = json_str(body, "password");
    struct udesk_row co;
    enum err e = svc_ud_company(&rq->svc, host_subdomain(rq), email, &co);

    /* An unknown e-mail and a wrong password look the same (log_in: 2005),
     * so log_in does not tell which admins exist. */
    if (e == ERR_UNAUTHENTICATED
        || (e == ERR_OK && (co.admin_password == NULL || !seal_str_eq(password, co.admin_password))))
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_SECRET, "wrong e-mail or password");
    if (e == ERR_OK)
        json_out_str(out, "open_api_auth_token", co.api_token);
    return e;
}
