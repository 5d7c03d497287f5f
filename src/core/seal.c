/* SPDX-License-Identifier: MIT */
/*
 * core/seal.c - keyed digests (HMAC-SHA256) and sealed values (AES-256-GCM)
 * under the server key, with OpenSSL's EVP. See seal.h for the formats.
 */
#include "core/seal.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

enum { NONCE_LEN = 12, TAG_LEN = 16 };

static const char SEAL_PREFIX[] = "v1:";
#define PREFIX_LEN (sizeof(SEAL_PREFIX) - 1)

char *seal_digest(struct arena *a, const struct seal_key *key, const char *s)
{
    unsigned char mac[32];
    size_t len = 0;
    char *out = arena_alloc(a, SEAL_DIGEST_HEX + 1);

    /* EVP_Q_mac fails only on a broken OpenSSL; a digest of nothing must
     * never match a stored one, so abort rather than return a constant. */
    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key->b, SEAL_KEY_LEN,
                  (const unsigned char *)s, strlen(s), mac, sizeof(mac), &len)
            == NULL
        || len != sizeof(mac))
        abort();
    str_hex(mac, sizeof(mac), out);
    return out;
}

char *seal_seal(struct arena *a, const struct seal_key *key, const char *plain)
{
    size_t n, cap;
    unsigned char *buf;
    int len = 0, fin = 0;
    EVP_CIPHER_CTX *ctx;
    char *b64, *out;

    if (plain == NULL)
        return NULL;
    n = strlen(plain);
    cap = NONCE_LEN + n + TAG_LEN;
    buf = arena_alloc(a, cap);
    ids_random(buf, NONCE_LEN);
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL
        || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->b, buf) != 1
        || EVP_EncryptUpdate(ctx, buf + NONCE_LEN, &len, (const unsigned char *)plain, (int)n) != 1
        || EVP_EncryptFinal_ex(ctx, buf + NONCE_LEN + len, &fin) != 1
        || (size_t)(len + fin) != n
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + n) != 1)
        abort(); /* as ids_random: a failing cipher must not store plain text */
    EVP_CIPHER_CTX_free(ctx);
    b64 = str_b64url_encode(a, buf, cap);
    out = arena_alloc(a, PREFIX_LEN + strlen(b64) + 1);
    memcpy(out, SEAL_PREFIX, PREFIX_LEN);
    memcpy(out + PREFIX_LEN, b64, strlen(b64) + 1);
    return out;
}

bool seal_open(struct arena *a, const struct seal_key *key, const char *sealed, char **plain)
{
    size_t slen, cap;
    unsigned char *buf;
    long n;
    int len = 0, fin = 0;
    bool ok;
    EVP_CIPHER_CTX *ctx;
    char *out;

    *plain = NULL;
    if (sealed == NULL)
        return true;
    slen = strlen(sealed);
    if (slen < PREFIX_LEN || memcmp(sealed, SEAL_PREFIX, PREFIX_LEN) != 0)
        return false;
    cap = (slen - PREFIX_LEN) / 4 * 3 + 3;
    buf = arena_alloc(a, cap);
    n = str_b64url_decode(sealed + PREFIX_LEN, slen - PREFIX_LEN, buf, cap);
    if (n < NONCE_LEN + TAG_LEN)
        return false;
    n -= NONCE_LEN + TAG_LEN;
    out = arena_alloc(a, (size_t)n + 1);
    ctx = EVP_CIPHER_CTX_new();
    ok = ctx != NULL && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->b, buf) == 1
         && EVP_DecryptUpdate(ctx, (unsigned char *)out, &len, buf + NONCE_LEN, (int)n) == 1
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, buf + NONCE_LEN + n) == 1
         /* The tag is checked here: a changed byte or another key fails. */
         && EVP_DecryptFinal_ex(ctx, (unsigned char *)out + len, &fin) == 1
         && len + fin == n;
    EVP_CIPHER_CTX_free(ctx);
    /* A sealed value holds text: an embedded NUL means it was not ours. */
    if (!ok || memchr(out, '\0', (size_t)n) != NULL)
        return false;
    out[n] = '\0';
    *plain = out;
    return true;
}

bool seal_str_eq(const char *given, const char *want)
{
    size_t n = strlen(want);

    return given != NULL && strlen(given) == n && CRYPTO_memcmp(given, want, n) == 0;
}

bool seal_key_parse(const char *s, struct seal_key *key)
{
    char hex[SEAL_DIGEST_HEX + 1];
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n != SEAL_DIGEST_HEX)
        return false;
    memcpy(hex, s, n);
    hex[n] = '\0';
    n = str_unhex(hex, key->b, SEAL_KEY_LEN) == SEAL_KEY_LEN;
    OPENSSL_cleanse(hex, sizeof(hex));
    return n != 0;
}

void seal_key_format(const struct seal_key *key, char out[SEAL_DIGEST_HEX + 2])
{
    str_hex(key->b, SEAL_KEY_LEN, out);
    out[SEAL_DIGEST_HEX] = '\n';
    out[SEAL_DIGEST_HEX + 1] = '\0';
}
