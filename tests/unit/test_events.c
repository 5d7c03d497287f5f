/* SPDX-License-Identifier: MIT */
/* tests/unit/test_events.c - the push format of Feishu's "将事件发送至开发者服务器"
 * (send events to the developer server: encryption, signature): the signature
 * test vector, encryption that decrypts with the documented
 * algorithm, the token placed where each envelope keeps it. */
#include "unit.h"

#include "core/arena.h"
#include "events/ev.h"
#include "events/ev_ws.h"
#include "json/json.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>

static void signature_vector(void)
{
    const char *body = "{\"encrypt\":\"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=\"}";
    char sig[65];

    ev_sign("1700000000", "abc", "test key", body, strlen(body), sig);
    CHECK_STR(sig, "0c09d96c2aef2ad08179b3967ea410bbc91dab24ce3aec05af962cf1935844af");
}

/* Decrypts as a receiver does: base64, IV = first 16 bytes, AES-256-CBC
 * with SHA-256(key), strict PKCS#7. */
static int decrypt(const char *key, const char *b64, unsigned char *out)
{
    unsigned char raw[512], k[SHA256_DIGEST_LENGTH];
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
    int pad = 0, n1 = 0, n2 = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    for (const char *p = b64 + strlen(b64); p > b64 && p[-1] == '='; p--)
        pad++;
    n -= pad;
    SHA256((const unsigned char *)key, strlen(key), k);
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, k, raw) != 1
        || EVP_DecryptUpdate(ctx, out, &n1, raw + 16, n - 16) != 1
        || EVP_DecryptFinal_ex(ctx, out + n1, &n2) != 1)
        n1 = -1;
    EVP_CIPHER_CTX_free(ctx);
    return n1 < 0 ? -1 : n1 + n2;
}

static void encrypt_roundtrip(void)
{
    struct arena a;
    unsigned char out[512];
    const char *pt = "{\"a\":\"0123456789abcdef\"}"; /* 24 bytes: padding fills 8 */
    char *b64, *b64b;
    int n;

    arena_init(&a, 0);
    b64 = ev_encrypt(&a, "test key", pt, strlen(pt));
    b64b = ev_encrypt(&a, "test key", pt, strlen(pt));
    CHECK(b64 != NULL && strcmp(b64, b64b) != 0); /* a fresh IV each time */
    n = decrypt("test key", b64, out);
    CHECK(n == (int)strlen(pt) && memcmp(out, pt, (size_t)n) == 0);
    /* A block-aligned plaintext gets a whole block of padding. */
    b64 = ev_encrypt(&a, "k", "0123456789abcdef", 16);
    CHECK(strlen(b64) == 4 * ((16 + 32 + 2) / 3));
    CHECK(decrypt("k", b64, out) == 16);
    arena_release(&a);
}

static void token_placement(void)
{
    struct arena a;
    struct ev_request r;
    json_t *v;

    arena_init(&a, 0);
    CHECK(ev_request_build(&a, "{\"schema\":\"2.0\",\"header\":{\"token\":\"\"},\"event\":{}}", "vt",
                           "", 1700000000, &r)
          == ERR_OK);
    v = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(v, "header"), "token")), "vt");
    json_decref(v);
    CHECK_STR(r.timestamp, "1700000000");
    {
        char sig[65];

        ev_sign(r.timestamp, r.nonce, "", r.body, r.body_len, sig);
        CHECK_STR(r.signature, sig); /* signed over an empty key without one */
    }
    CHECK(ev_request_build(&a, "{\"uuid\":\"u\",\"type\":\"event_callback\"}", "vt", "k", 1, &r)
          == ERR_OK);
    CHECK(strncmp(r.body, "{\"encrypt\":\"", 12) == 0 && strchr(r.body, '\\') == NULL);
    CHECK(ev_request_build(&a, "[1]", "vt", "", 1, &r) == ERR_BAD_REQUEST);
    arena_release(&a);
}

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;

    for (; hex[0] && hex[1]; hex += 2)
        sscanf(hex, "%2hhx", &out[n++]);
    return n;
}

/* events-ws 4.2: the Node SDK's ping, byte for byte, and the pong it accepts. */
static void ws_ping_pong_vectors(void)
{
    static const char cfg[] =
        "{\"ReconnectCount\":-1,\"ReconnectInterval\":120,\"ReconnectNonce\":30,\"PingInterval\":120}";
    uint8_t ping[64], want[256];
    size_t n = unhex("0800100018f681801020002a0c0a0474797065120470696e67", ping), plen, wlen;
    struct ev_frame f;
    uint8_t *pong;

    CHECK(ev_frame_parse(ping, n, &f));
    CHECK(f.method == 0 && f.service == 33554678);
    CHECK_STR(f.type, "ping");
    CHECK(f.message_id == NULL && f.payload_len == 0);
    ev_frame_free(&f);
    CHECK(!ev_frame_parse((const uint8_t *)"\xff\xff", 2, &f));
    pong = ev_frame_pong(33554678, cfg, &plen);
    wlen = unhex("0800100018f681801020002a0c0a04747970651204706f6e674254", want);
    memcpy(want + wlen, cfg, strlen(cfg));
    wlen += strlen(cfg);
    CHECK(plen == wlen && memcmp(pong, want, wlen) == 0);
    free(pong);
}

/* An event chunk reads back with every header the SDKs need. */
static void ws_event_chunk(void)
{
    struct ev_chunk c = { .seq_id = 7, .service = 33554678, .message_id = "m-1",
                          .trace_id = "t", .sum = 3, .seq = 2, .timestamp_ms = 1764578400123,
                          .payload = "abc", .payload_len = 3 };
    struct ev_frame f;
    size_t n;
    uint8_t *buf = ev_frame_event(&c, &n);

    CHECK(ev_frame_parse(buf, n, &f));
    CHECK(f.method == 1 && f.service == 33554678);
    CHECK_STR(f.type, "event");
    CHECK_STR(f.message_id, "m-1");
    CHECK(f.payload_len == 3 && memcmp(f.payload, "abc", 3) == 0);
    ev_frame_free(&f);
    free(buf);
}

const struct unit_case events_cases[] = {
    { "events/ws_ping_pong_vectors", ws_ping_pong_vectors },
    { "events/ws_event_chunk", ws_event_chunk },
    { "events/signature_vector", signature_vector },
    { "events/encrypt_roundtrip", encrypt_roundtrip },
    { "events/token_placement", token_placement },
    { NULL, NULL },
};
