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
    case JT_DIGITS:
        return json_is_string(v) && id_value(v, &id);
    }
    return false;
}

/* Records a broken rule: its subject, the field named. */
static enum err broken(struct err_info *ei, const struct field_rule *r, const char *name,
                       enum err code, const char *why)
{
    err_field(ei, code, name, "%s%s", name, why);
    if (r->subj != SUBJ_NONE)
        ei->subj = r->subj;
    return code;
}

static bool one_of(const char *v, const char *const *values)
{
    for (; *values != NULL; values++)
        if (strcmp(v, *values) == 0)
            return true;
    return false;
}

static enum err check_rules(json_t *obj, const struct field_rule *rules, bool query,
                            struct err_info *ei);

/* Checks one present value 'v' against 'r'; 'name' is how it is reported. */
static enum err check_value(json_t *v, const struct field_rule *r, const char *name,
                            struct err_info *ei)
{
    enum err e = ERR_OK;

    if (!type_ok(v, r->type))
        return broken(ei, r, name, ERR_BAD_REQUEST, "");
    if (r->type == JT_STRING) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);

        if (r->max_chars > 0 && str_utf8_len(s, len) > r->max_chars)
            return broken(ei, r, name, ERR_BAD_REQUEST, " too long");
        if ((r->flags & F_RANGE) && ((int64_t)len < r->min || (int64_t)len > r->max))
            return broken(ei, r, name, ERR_BAD_REQUEST, " length");
        if (r->chars != NULL && strspn(s, r->chars) != len)
            return broken(ei, r, name, ERR_BAD_REQUEST, " characters");
        if (r->values != NULL && !one_of(s, r->values))
            return broken(ei, r, name, ERR_BAD_REQUEST, " value");
    }
    if ((r->flags & F_RANGE) && (r->type == JT_INT || r->type == JT_ID || r->type == JT_DIGITS)) {
        int64_t n = 0;

        id_value(v, &n);
        if (n < r->min || n > r->max)
            return broken(ei, r, name, ERR_BAD_REQUEST, "");
    }
    if (r->type == JT_ARRAY) {
        size_t i;
        json_t *item;

        if ((r->flags & F_RANGE)
            && ((int64_t)json_array_size(v) < r->min || (int64_t)json_array_size(v) > r->max))
            return broken(ei, r, name, ERR_BAD_REQUEST, " items");
        json_array_foreach(v, i, item) {
            if (r->each != NULL && e == ERR_OK)
                e = check_value(item, r->each, r->each->name ? r->each->name : name, ei);
        }
    }
    if (r->type == JT_OBJECT && r->fields != NULL)
        e = check_rules(v, r->fields, false, ei);
    if (r->type == JT_OBJECT && r->each != NULL && e == ERR_OK) {
        const char *key;
        json_t *m;

        json_object_foreach(v, key, m) {
            if (e == ERR_OK)
                e = check_value(m, r->each, r->each->name ? r->each->name : name, ei);
        }
    }
    return e;
}

/* A rule's default, read as its type (NULL: none, or unreadable). */
static json_t *default_value(const struct field_rule *r)
{
    int64_t n;

    if (r->def == NULL)
        return NULL;
    switch (r->type) {
    case JT_INT:
    case JT_ID:
        return str_to_i64(r->def, INT64_MIN, INT64_MAX, &n) ? json_integer(n) : NULL;
    case JT_BOOL:
        return json_boolean(strcmp(r->def, "true") == 0);
    default:
        return json_string(r->def);
    }
}

/* 'query': the values came from a query string, where only "" reads as
 * absent (a "0" there is a value). */
static enum err check_rules(json_t *obj, const struct field_rule *rules, bool query,
                            struct err_info *ei)
{
    for (const struct field_rule *r = rules; r != NULL && (r->name || r->flags & F_INCLUDE); r++) {
        json_t *v;
        enum err e;

        if (r->flags & F_INCLUDE) {
            e = check_rules(obj, r->fields, query, ei);
            if (e != ERR_OK)
                return e;
            continue;
        }
        v = json_object_get(obj, r->name);
        if (v != NULL && (r->flags & F_EMPTY_ABSENT)
            && (query ? json_is_string(v) && json_string_length(v) == 0 : reads_absent(v))) {
            json_object_del(obj, r->name);
            v = NULL;
        }
        if (v != NULL && json_is_null(v) && (r->flags & F_NULL_BAD))
            return broken(ei, r, r->name, ERR_BAD_REQUEST, "");
        if (v == NULL || json_is_null(v)) {
            if (r->flags & F_REQUIRED)
                return broken(ei, r, r->name, ERR_MISSING, "");
            if (v == NULL && r->def != NULL)
                json_object_set_new(obj, r->name, default_value(r));
            continue;
        }
        e = check_value(v, r, r->name, ei);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

enum err json_check(json_t *obj, const struct field_rule *rules, struct err_info *ei)
{
    return check_rules(obj, rules, false, ei);
}

enum err json_check_query(json_t *obj, const struct field_rule *rules, struct err_info *ei)
{
    for (const struct field_rule *r = rules; r != NULL && r->name != NULL; r++) {
        const char *text = json_str(obj, r->name);
        int64_t n;

        if (text == NULL || (r->flags & F_EMPTY_ABSENT && *text == '\0'))
            continue;
        if ((r->type == JT_INT || r->type == JT_ID) && str_to_i64(text, INT64_MIN, INT64_MAX, &n))
            json_object_set_new(obj, r->name, json_integer(n));
        else if (r->type == JT_BOOL && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0))
            json_object_set_new(obj, r->name, json_boolean(text[0] == 't'));
    }
    return check_rules(obj, rules, true, ei);
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

void json_out_text(json_t *obj, const char *key, const char *val)
{
    if (val != NULL)
        json_object_set_new_nocheck(obj, key, json_string_nocheck(val));
}
