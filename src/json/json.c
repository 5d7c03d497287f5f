/* SPDX-License-Identifier: MIT */
/* json/json.c - strict parse, field rules, compact writer; see json.h. */
#include "json/json.h"

#include "core/arena.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>

/* An upper bound on the values in 'body' (each '{', '[' and ',' outside
 * strings may open one more), counted only up to 'max' + 1: a pass over the
 * bytes that allocates nothing, so a body of many tiny values is refused
 * before jansson builds them (an empty object costs it some 200 bytes). */
static size_t count_values(const char *s, size_t n, size_t max)
{
    size_t count = 1;
    bool in_str = false;

    for (size_t i = 0; i < n && count <= max; i++) {
        char c = s[i];

        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[' || c == ',') {
            count++;
        }
    }
    return count;
}

enum err json_bound(const char *body, size_t len, size_t max_values, struct err_info *ei)
{
    if (max_values > 0 && count_values(body, len, max_values) > max_values)
        return err_set(ei, ERR_TOO_LARGE, SUBJ_NONE, "request body has more than %zu json values",
                       max_values);
    return ERR_OK;
}

enum err json_parse_object(const char *body, size_t len, size_t max_values, json_t **out,
                           struct err_info *ei)
{
    json_error_t jerr;
    json_t *v;
    enum err e;

    *out = NULL;
    e = json_bound(body, len, max_values, ei);
    if (e != ERR_OK)
        return e;
    v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL)
        return err_set(ei, ERR_MALFORMED, SUBJ_NONE, "invalid json at line %d column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return err_set(ei, ERR_MALFORMED, SUBJ_NONE, "request body must be a json object");
    }
    *out = v;
    return ERR_OK;
}

static bool reads_absent(const json_t *v)
{
    return json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)
           || (json_is_integer(v) && json_integer_value(v) == 0);
}

static bool id_value(const json_t *v, int64_t *out)
{
    const char *s;

    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    s = json_string_value(v);
    for (const char *p = s; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return false;
    return str_to_i64(s, 0, INT64_MAX, out);
}

static bool type_ok(const json_t *v, enum json_type t)
{
    int64_t id;

    switch (t) {
    case JT_ANY:
        return true;
    case JT_STRING:
        return json_is_string(v);
    case JT_INT:
        return json_is_integer(v);
    case JT_BOOL:
        return json_is_boolean(v);
    case JT_OBJECT:
        return json_is_object(v);
    case JT_ARRAY:
        return json_is_array(v);
    case JT_ID:
        return id_value(v, &id);
    }
    return false;
}

enum err json_check(json_t *obj, const struct field_rule *rules, struct err_info *ei)
{
    for (const struct field_rule *r = rules; r != NULL && r->name != NULL; r++) {
        json_t *v = json_object_get(obj, r->name);

        if (v != NULL && (r->flags & F_EMPTY_ABSENT) && reads_absent(v)) {
            json_object_del(obj, r->name);
            v = NULL;
        }
        if (v == NULL || json_is_null(v)) {
            if (r->flags & F_REQUIRED)
                return err_field(ei, ERR_MISSING, r->name, "%s", r->name);
            continue;
        }
        if (!type_ok(v, r->type))
            return err_field(ei, ERR_BAD_REQUEST, r->name, "%s", r->name);
        if (r->type == JT_STRING && r->max_chars > 0
            && str_utf8_len(json_string_value(v), json_string_length(v)) > r->max_chars)
            return err_field(ei, ERR_BAD_REQUEST, r->name, "%s too long", r->name);
        if ((r->flags & F_RANGE) && (r->type == JT_INT || r->type == JT_ID)) {
            int64_t n = 0;

            id_value(v, &n);
            if (n < r->min || n > r->max)
                return err_field(ei, ERR_BAD_REQUEST, r->name, "%s", r->name);
        }
    }
    return ERR_OK;
}

const char *json_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool json_int(const json_t *obj, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);

    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

bool json_id(const json_t *obj, const char *key, int64_t *out)
{
    return id_value(json_object_get(obj, key), out);
}

void json_out_str(json_t *obj, const char *key, const char *val)
{
    json_object_set_new(obj, key, json_string(val));
}

/* jansson's allocations: from the arena the thread has named (a request's),
 * freed with it, or from malloc when none is named. A 16-byte header says
 * which, so a value made outside any request (start-up, event delivery) is
 * still freed, and one made in a request costs no free at all. */
static _Thread_local struct arena *json_arena;

#define JSON_HDR 16

static void *json_alloc(size_t n)
{
    struct arena *a = json_arena;
    unsigned char *p = a ? arena_alloc(a, n + JSON_HDR) : malloc(n + JSON_HDR);

    if (p == NULL)
        return NULL;
    p[0] = a != NULL;
    return p + JSON_HDR;
}

static void json_release(void *v)
{
    unsigned char *p = v;

    if (p != NULL && p[-JSON_HDR] == 0)
        free(p - JSON_HDR);
}

void json_alloc_init(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

struct arena *json_arena_use(struct arena *a)
{
    struct arena *prev = json_arena;

    json_arena = a;
    return prev;
}

void json_out_int(json_t *obj, const char *key, int64_t val)
{
    json_object_set_new(obj, key, json_integer(val));
}

char *json_dump_arena(struct arena *a, const json_t *v, size_t *len)
{
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    size_t cap = 1024, n;
    char *p = arena_alloc(a, cap);

    n = json_dumpb(v, p, cap, flags);
    if (n >= cap) {
        p = arena_alloc(a, n + 1);
        n = json_dumpb(v, p, n + 1, flags);
    }
    p[n] = '\0';
    *len = n;
    return p;
}
