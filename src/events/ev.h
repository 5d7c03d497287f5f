/* SPDX-License-Identifier: MIT */
/*
 * events/ev.h - event delivery: the worker that reads the outbox and posts
 * each event to its app's callback URL (encrypted and signed as the Feishu
 * platform does, retried on its schedule), and the URL-verification
 * challenge a subscription must pass, as Feishu's "Send events to the developer
 * server" guide describes them.
 */
#ifndef QZ_EVENTS_H
#define QZ_EVENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"

struct arena;
struct config;
struct ev_worker;
struct store_group;

/* The retry schedule after a failed attempt n (1-based): 15 s, 5 min, 1 h,
 * 6 h; attempt 5 is the last. */
#define EV_MAX_ATTEMPTS 5
extern const int64_t ev_retry_delay[EV_MAX_ATTEMPTS - 1];

struct outbox_row;
struct outbox_attempt_row;
struct store;

/* Records one attempt of 'row' (at->at is the server clock; outbox and
 * attempt are filled here) and the record's next state: delivered when
 * 'ok', else pending on the retry schedule or failed after the last
 * attempt. One transaction; '*out' is the record as settled. */
enum err ev_settle(struct store *st, const struct outbox_row *row, struct outbox_attempt_row *at,
                   bool ok, struct outbox_row *out);

/* Process-wide setup of the HTTP client; call once before any thread. */
void ev_init(void);
void ev_cleanup(void);

/* Starts the delivery worker thread with its own database connection
 * (its writes go through 'group' when there is one). It runs until '*stop'
 * is set; ev_worker_stop joins it. NULL on failure. */
struct ev_worker *ev_worker_start(const struct config *cfg, const struct qclock *clock,
                                  struct store_group *group, volatile sig_atomic_t *stop);
void ev_worker_stop(struct ev_worker *w);

/* What the platform sends for one event to one app (the guide's encryption
 * and signature sections). */
struct ev_request {
    char *body;              /* the HTTP body, compact JSON */
    size_t body_len;
    char timestamp[24];      /* X-Lark-Request-Timestamp */
    char nonce[40];          /* X-Lark-Request-Nonce */
    char signature[65];      /* X-Lark-Signature, lower-case hex */
};

/* Builds the request for a stored event body: fills the app's verification
 * token, encrypts with 'encrypt_key' when it is not empty, signs. Strings
 * live in 'a'. ERR_BAD_REQUEST if the stored body is not a JSON object. */
enum err ev_request_build(struct arena *a, const char *event_json, const char *verification_token,
                          const char *encrypt_key, int64_t now, struct ev_request *out);

/* AES-256-CBC with key SHA-256(encrypt_key), a random IV, PKCS#7 padding,
 * base64 of IV || ciphertext (the guide's "Encrypt Key" section). In the arena. */
char *ev_encrypt(struct arena *a, const char *encrypt_key, const void *pt, size_t len);
/* lower-case hex SHA-256 of timestamp || nonce || key || body (the guide's signature section). */
void ev_sign(const char *timestamp, const char *nonce, const char *key, const char *body,
             size_t body_len, char out[65]);

/* The url_verification handshake of the guide: posts a challenge to 'url' and
 * checks the echo within a second. ERR_OK, or ERR_BAD_REQUEST with the
 * reason in 'why'. */
enum err ev_challenge(const char *url, const char *verification_token, const char *encrypt_key,
                      char *why, size_t whylen);

#endif
