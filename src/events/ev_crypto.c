/* SPDX-License-Identifier: MIT */
/*
 * events/ev_crypto.c - the Feishu push format: verification token in the
 * body, AES-256-CBC encryption, and the request signature (Feishu's
 * "Send events to the developer server" guide), with OpenSSL.
 */
#include "events/ev.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"
#include "json/json.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

char *ev_encrypt(struct arena *a, const char *encrypt_key, const void *pt, size_t len)
{
    unsigned char key[SHA256_DIGEST_LENGTH], *buf;
    size_t cap = 16 + len + 16;
    int n1 = 0, n2 = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    char *out;

    SHA256((const unsigned char *)encrypt_key, strlen(encrypt_key), key);
    buf = arena_alloc(a, cap);
    ids_random(buf, 16); /* the IV leads the ciphertext */
    /* EVP's default padding is PKCS#7: 1-16 bytes, a full block when aligned. */
    if (ctx == NULL || EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, buf) != 1
        || EVP_EncryptUpdate(ctx, buf + 16, &n1, pt, (int)len) != 1
        || EVP_EncryptFinal_ex(ctx, buf + 16 + n1, &n2) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    EVP_CIPHER_CTX_free(ctx);
    out = arena_alloc(a, 4 * ((16 + (size_t)n1 + (size_t)n2 + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, buf, 16 + n1 + n2); /* standard base64, padded */
    return out;
}

void ev_sign(const char *timestamp, const char *nonce, const char *key, const char *body,
             size_t body_len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1
        || EVP_DigestUpdate(c, timestamp, strlen(timestamp)) != 1
        || EVP_DigestUpdate(c, nonce, strlen(nonce)) != 1
        || EVP_DigestUpdate(c, key, strlen(key)) != 1 || EVP_DigestUpdate(c, body, body_len) != 1
        || EVP_DigestFinal_ex(c, md, &mdlen) != 1)
        mdlen = 0;
    EVP_MD_CTX_free(c);
    str_hex(md, mdlen, out);
}

enum err ev_request_build(struct arena *a, const char *event_json, const char *verification_token,
                          const char *encrypt_key, int64_t now, struct ev_request *out)
{
    json_t *ev = json_loads(event_json, 0, NULL);
    size_t len;
    char *plain;

    if (!json_is_object(ev)) {
        json_decref(ev);
        return ERR_BAD_REQUEST;
    }
    /* Schema 2.0 carries the token in header.token; the 1.0 envelope and the
     * challenge at the top (the event pages and the guide's URL verification). */
    if (json_is_object(json_object_get(ev, "header")))
        json_object_set_new(json_object_get(ev, "header"), "token",
                            json_string(verification_token));
    else
        json_object_set_new(ev, "token", json_string(verification_token));
    plain = json_dump_arena(a, ev, &len);
    json_decref(ev);
    if (encrypt_key != NULL && encrypt_key[0] != '\0') {
        char *enc = ev_encrypt(a, encrypt_key, plain, len);

        if (enc == NULL)
            return ERR_INTERNAL;
        /* Written literally: compact, no "\/" (the Node SDK re-serialises
         * the parsed body before it checks the signature). */
        out->body = arena_printf(a, "{\"encrypt\":\"%s\"}", enc);
    } else {
        out->body = plain;
    }
    out->body_len = strlen(out->body);
    snprintf(out->timestamp, sizeof(out->timestamp), "%lld", (long long)now);
    {
        char *nonce = ids_hex(a, "", 16);

        snprintf(out->nonce, sizeof(out->nonce), "%s", nonce);
    }
    /* Signed whether or not a key is set (an empty key then), which every
     * SDK version accepts (the guide's signature section). */
    ev_sign(out->timestamp, out->nonce, encrypt_key ? encrypt_key : "", out->body, out->body_len,
            out->signature);
    return ERR_OK;
}
