/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_inspect.c - the request inspector: a bounded ring of this node's
 * last requests for GET /admin/v1/requests ("what did my bot just call?").
 *
 * Recording copies the request's line, query and body and the answer, each
 * cut at body_bytes, into one allocation, and takes one mutex only to swap
 * it into the ring. Redaction and the UTF-8 check (a body cut inside a
 * character, or not text) happen when the ring is read, not when it is
 * written: they cost the reader, and what is kept never leaves the process
 * unredacted.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/str.h"
#include "http/http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct record {
    int64_t seq; /* 0: empty slot */
    int64_t at_ms, tenant, latency_us;
    int status;
    long code;
    bool has_code;
    /* Cut copies, in one malloc'd block ('block'); checked as UTF-8 when
     * read, not here. */
    char *block, *method, *path, *query, *request, *response;
};

struct svc_inspector {
    pthread_mutex_t lock;
    struct record *ring;
    size_t size, body_bytes;
    int64_t seq; /* the last one given */
};

/* Names of credentials: JSON string values and query parameters under any
 * of these keys are redacted when read. */
static const char *const secret_keys[] = {
    "app_secret",       "secret",           "corpsecret",          "access_token",
    "tenant_access_token", "app_access_token", "user_access_token", "refresh_token",
    "open_api_auth_token", "api_token",     "password",            "admin_password",
    "encrypt_key",      "verification_token", "code",              "sign",
    "nonce",            "client_secret",    "token",               "app_ticket",
    "ticket",           "secrets",
};

struct svc_inspector *svc_inspect_new(int64_t size, int64_t body_bytes)
{
    struct svc_inspector *in;

    if (size <= 0)
        return NULL;
    in = xcalloc(1, sizeof(*in));
    pthread_mutex_init(&in->lock, NULL);
    in->ring = xcalloc((size_t)size, sizeof(*in->ring));
    in->size = (size_t)size;
    in->body_bytes = (size_t)body_bytes;
    return in;
}

static void record_clear(struct record *rec)
{
    free(rec->block);
    memset(rec, 0, sizeof(*rec));
}

void svc_inspect_free(struct svc_inspector *in)
{
    if (in == NULL)
        return;
    for (size_t i = 0; i < in->size; i++)
        record_clear(&in->ring[i]);
    free(in->ring);
    pthread_mutex_destroy(&in->lock);
    free(in);
}

static size_t cut_len(const char *s, size_t n, size_t max)
{
    return s == NULL ? 0 : n > max ? max + 1 : n + 1;
}

/* Copies at most 'max' bytes of 's' to '*at' and moves it past them; NULL
 * stays NULL. */
static char *cut(char **at, const char *s, size_t n, size_t max)
{
    char *p = *at;

    if (s == NULL)
        return NULL;
    if (n > max)
        n = max;
    memcpy(p, s, n);
    p[n] = '\0';
    *at = p + n + 1;
    return p;
}

void svc_inspect_record(struct svc_inspector *in, const struct http_req *r, int64_t latency_us)
{
    struct record next = { 0 }, *slot;

    if (in == NULL)
        return;
    /* The copies are made before the lock is taken. */
    next.at_ms = clock_wall_us() / 1000;
    next.tenant = r->tenant;
    next.latency_us = latency_us;
    next.status = r->status;
    next.code = r->log_code;
    next.has_code = r->log_code_set;
    {
        size_t mlen = strlen(r->method_str), max = in->body_bytes;
        char *at = next.block = xmalloc(cut_len(r->method_str, mlen, 16)
                                        + cut_len(r->path, r->path_len, 1024)
                                        + cut_len(r->query, r->query_len, max)
                                        + cut_len(r->body, r->body_len, max)
                                        + cut_len(r->resp_body, r->resp_len, max) + 1);

        next.method = cut(&at, r->method_str, mlen, 16);
        next.path = cut(&at, r->path, r->path_len, 1024);
        next.query = cut(&at, r->query, r->query_len, max);
        next.request = cut(&at, r->body, r->body_len, max);
        next.response = cut(&at, r->resp_body, r->resp_len, max);
    }
    pthread_mutex_lock(&in->lock);
    next.seq = ++in->seq;
    slot = &in->ring[(size_t)(next.seq - 1) % in->size];
    /* The old record leaves the ring now and is freed after the lock. */
    {
        struct record old = *slot;

        *slot = next;
        pthread_mutex_unlock(&in->lock);
        record_clear(&old);
    }
}

static bool is_secret(const char *key, size_t n)
{
    for (size_t i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++)
        if (strlen(secret_keys[i]) == n && memcmp(secret_keys[i], key, n) == 0)
            return true;
    return false;
}

static char *sanitized(struct arena *a, const char *s)
{
    char *copy = arena_strdup(a, s);

    str_utf8_sanitize(copy);
    return copy;
}

/* JSON text (possibly cut short): every string value, or array of them,
 * under a secret key becomes "***". Works on the text, so a body cut in the
 * middle is redacted as far as it goes. */
static char *redact_json(struct arena *a, const char *text)
{
    size_t n = strlen(text), o = 0;
    char *out = arena_alloc(a, n * 2 + 16), *s = sanitized(a, text);

    for (size_t i = 0; i < n;) {
        size_t k0, k1, j;

        if (s[i] != '"') {
            out[o++] = s[i++];
            continue;
        }
        /* A string: find its end. */
        k0 = i + 1;
        for (j = k0; j < n && s[j] != '"'; j++)
            if (s[j] == '\\')
                j++;
        k1 = j < n ? j : n;
        memcpy(out + o, s + i, (j < n ? j + 1 : n) - i);
        o += (j < n ? j + 1 : n) - i;
        i = j < n ? j + 1 : n;
        /* A key of a secret, followed by ':' and a string or array value. */
        j = i;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
            j++;
        if (j >= n || s[j] != ':' || !is_secret(s + k0, k1 - k0))
            continue;
        j++;
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
            j++;
        if (j < n && (s[j] == '"' || s[j] == '[')) {
            char close = s[j] == '"' ? '"' : ']';
            size_t e = j + 1;

            for (; e < n && s[e] != close; e++)
                if (s[e] == '\\')
                    e++;
                else if (close == ']' && s[e] == '"') /* skip strings in the array */
                    for (e++; e < n && s[e] != '"'; e++)
                        if (s[e] == '\\')
                            e++;
            memcpy(out + o, ":\"***\"", 6);
            o += 6;
            i = e < n ? e + 1 : n;
        }
    }
    out[o] = '\0';
    return out;
}

/* key=value&...: the values of secret keys become ***. */
static char *redact_query(struct arena *a, const char *text)
{
    size_t n = strlen(text), o = 0;
    char *out = arena_alloc(a, n + 16 * (n / 2 + 1)), *s = sanitized(a, text);

    for (size_t i = 0; i < n;) {
        size_t end = i, eq;

        while (end < n && s[end] != '&')
            end++;
        for (eq = i; eq < end && s[eq] != '='; eq++)
            ;
        memcpy(out + o, s + i, eq - i);
        o += eq - i;
        if (eq < end) {
            if (is_secret(s + i, eq - i)) {
                memcpy(out + o, "=***", 4);
                o += 4;
            } else {
                memcpy(out + o, s + eq, end - eq);
                o += end - eq;
            }
        }
        if (end < n)
            out[o++] = '&';
        i = end + 1;
    }
    out[o] = '\0';
    return out;
}

static json_t *record_json(struct arena *a, const struct record *rec)
{
    json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:i,s:I}", "seq", (json_int_t)rec->seq, "at",
                          (json_int_t)rec->at_ms, "method", sanitized(a, rec->method), "path",
                          sanitized(a, rec->path),
                          "status", rec->status, "latency_us", (json_int_t)rec->latency_us);

    json_object_set_new(j, "code", rec->has_code ? json_integer(rec->code) : json_null());
    json_object_set_new(j, "query", rec->query ? json_string(redact_query(a, rec->query)) : json_null());
    json_object_set_new(j, "request", json_string(redact_json(a, rec->request ? rec->request : "")));
    json_object_set_new(j, "response", json_string(redact_json(a, rec->response ? rec->response : "")));
    return j;
}

json_t *svc_inspect_list(struct svc_inspector *in, int64_t tenant, int64_t after, int64_t limit)
{
    json_t *items = json_array(), *out = json_object();
    struct arena a;
    int64_t last = 0;
    bool more = false;

    json_object_set_new(out, "items", items);
    if (in == NULL)
        return out;
    arena_init(&a, 16384);
    pthread_mutex_lock(&in->lock);
    for (int64_t seq = in->seq > (int64_t)in->size ? in->seq - (int64_t)in->size + 1 : 1;
         seq <= in->seq; seq++) {
        const struct record *rec = &in->ring[(size_t)(seq - 1) % in->size];

        if (rec->seq != seq || seq <= after || (tenant != 0 && rec->tenant != tenant))
            continue;
        if ((int64_t)json_array_size(items) >= limit) {
            more = true;
            break;
        }
        json_array_append_new(items, record_json(&a, rec));
        last = seq;
    }
    pthread_mutex_unlock(&in->lock);
    arena_release(&a);
    if (more)
        json_object_set_new(out, "next", json_integer(last));
    return out;
}

int64_t svc_pg_round_trips(void)
{
    return store_round_trips();
}
