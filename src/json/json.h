/* SPDX-License-Identifier: MIT */
/*
 * json/json.h - thin layer over jansson: strict parse of request bodies,
 * table-driven field rules, compact output.
 *
 * Knows no dialect: rules say which fields a body has; the dialect decides how
 * a broken rule is spelled to its clients.
 */
#ifndef QZ_JSON_H
#define QZ_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct arena;

/* Makes jansson allocate through qunzu (call once, before any JSON): values
 * come from the arena the calling thread named with json_arena_use (a
 * request's; they die with it, and json_decref costs nothing), else from
 * malloc. json_arena_use returns the arena named before. Every value made
 * while an arena is named must be released before that arena is reset. */
void json_alloc_init(void);
struct arena *json_arena_use(struct arena *a);

/* JT_ID: an integer, or a string of decimal digits (clients send ids either
 * way); JT_DIGITS: only the string (a number carried as text). Both fit an
 * int64_t and are read with json_id. */
enum json_type { JT_ANY = 0, JT_STRING, JT_INT, JT_BOOL, JT_OBJECT, JT_ARRAY, JT_ID, JT_DIGITS };

enum field_flags {
    F_REQUIRED = 1 << 0,     /* absent (after F_EMPTY_ABSENT) is ERR_MISSING */
    F_EMPTY_ABSENT = 1 << 1, /* "", 0 and null read as absent (SDKs send every field) */
    /* JT_INT, JT_ID, JT_DIGITS: the value lies in [min, max]; JT_STRING: its
     * length in bytes does; JT_ARRAY: its number of items does. */
    F_RANGE = 1 << 2,
    F_NULL_BAD = 1 << 3, /* null is a value of the wrong type, not an absent field */
    /* A row without a name that checks the object against another rule set,
     * 'fields', in its place (rules one module owns, used in another's). */
    F_INCLUDE = 1 << 4,
};

/* The include row (F_INCLUDE). */
#define RULES_INCLUDE(set) { .flags = F_INCLUDE, .fields = (set) }

/* One field of a JSON object (a request body, or the query parameters as
 * json_check_query sees them). Rows are positional up to max; the rest are
 * best named (designated initialisers). */
struct field_rule {
    const char *name;
    enum json_type type;
    unsigned flags;
    long max_chars; /* JT_STRING: most Unicode characters allowed; 0 = no limit */
    int64_t min, max;
    const char *const *values; /* JT_STRING: the allowed values (an enum), NULL-terminated */
    const char *chars;         /* JT_STRING: the only bytes allowed; NULL = any */
    const struct field_rule *fields; /* JT_OBJECT: rules for its members */
    /* JT_ARRAY: the rule every item follows; JT_OBJECT: the rule every
     * member's value follows (a map). Its name may be NULL: a broken item
     * is reported under the field's own name. */
    const struct field_rule *each;
    const char *def; /* absent: the field takes this value (text read as 'type') */
    enum subj subj;  /* what a broken rule is about; SUBJ_NONE reads as SUBJ_FIELD */
};

/* Parses 'body' as one JSON object: invalid UTF-8, \u0000, duplicate keys,
 * trailing garbage and non-objects are ERR_MALFORMED; a body that may hold
 * more than 'max_values' values (0: no bound) is ERR_TOO_LARGE before any is
 * built. '*out' is caller-owned (json_decref). */
enum err json_parse_object(const char *body, size_t len, size_t max_values, json_t **out,
                           struct err_info *ei);
/* json_parse_object's bound alone: a pass over the bytes, nothing built. */
enum err json_bound(const char *body, size_t len, size_t max_values, struct err_info *ei);

/* Checks 'obj' against 'rules' (terminated by a row with name NULL that is
 * no include row), in row order. Fields that F_EMPTY_ABSENT reads as absent
 * are removed from 'obj'; absent fields with a 'def' are added. A broken rule is ERR_MISSING or
 * ERR_BAD_REQUEST with the field named in ei->field and the rule's subject;
 * the message is terse ("name", "name too long") so dialects can wrap it. */
enum err json_check(json_t *obj, const struct field_rule *rules, struct err_info *ei);

/* json_check for query parameters: 'obj' holds the parameters 'rules' name
 * as strings (percent-decoded). Text is read as the rule's type first: an
 * integer for JT_INT (decimal, no sign '+' or spaces), true or false for
 * JT_BOOL; text that does not read so is of the wrong type. */
enum err json_check_query(json_t *obj, const struct field_rule *rules, struct err_info *ei);

/* Accessors over checked objects. json_str returns NULL when absent. */
const char *json_str(const json_t *obj, const char *key);
bool json_int(const json_t *obj, const char *key, int64_t *out);
/* Reads a JT_ID value: an integer or a string of decimal digits. */
bool json_id(const json_t *obj, const char *key, int64_t *out);

/* Output helpers: set 'key' on 'obj' (the value is copied). */
void json_out_str(json_t *obj, const char *key, const char *val);
void json_out_int(json_t *obj, const char *key, int64_t val);
/* json_out_str for text that is valid UTF-8 already (read back from the
 * store, or a constant; 'key' a constant): not checked again here, as
 * json_dump_arena checks every string it writes. NULL 'val' sets nothing. */
void json_out_text(json_t *obj, const char *key, const char *val);

/* JSON text written piece by piece into an arena, as json_dump_arena
 * writes values: json_text_str writes a string value (quoted, escaped, its
 * UTF-8 checked: invalid text sets 'bad'), json_text_raw bytes that are JSON
 * text already. Begun with json_raw_begin, json_raw then makes of it a value
 * json_dump_arena writes as the text's bytes (a string marked as no valid
 * one is, which jansson's own dumper must never see); text that went bad
 * makes a value whose dump fails, as the bad string's own would have. */
struct json_text {
    struct arena *a;
    char *p;
    size_t n, cap;
    bool bad;
};
void json_text_init(struct json_text *t, struct arena *a, size_t cap);
void json_text_raw(struct json_text *t, const char *s, size_t n);
void json_text_str(struct json_text *t, const char *s);
void json_raw_begin(struct json_text *t, struct arena *a, size_t cap);
json_t *json_raw(const struct json_text *t);

/* Compact serialisation (no spaces, no "\/" escaping, UTF-8 kept) into the
 * arena, NUL-terminated. Returns the length in '*len'. */
char *json_dump_arena(struct arena *a, const json_t *v, size_t *len);

#endif
