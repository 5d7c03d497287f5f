/* SPDX-License-Identifier: MIT */
/* tests/unit/test_json.c - strict parsing and field rules; text written
 * piece by piece and spliced (json_text, json_raw), and the stored lists'
 * text read back as the writer's (svc_kb_similar_json, svc_kb_att_json). */
#include "unit.h"

#include "core/arena.h"
#include "json/json.h"
#include "svc/svc.h"

#include <stdint.h>
#include <stdlib.h>

static enum err parse(const char *s, json_t **out)
{
    struct err_info ei;

    err_info_clear(&ei);
    return json_parse_object(s, strlen(s), 0, out, &ei);
}

static void strict_parse(void)
{
    json_t *v = NULL;

    CHECK(parse("{\"a\":1}", &v) == ERR_OK);
    json_decref(v);
    CHECK(parse("{\"a\":1,\"a\":2}", &v) == ERR_MALFORMED);     /* duplicate key */
    CHECK(parse("{\"a\":1} x", &v) == ERR_MALFORMED);          /* trailing garbage */
    CHECK(parse("[1]", &v) == ERR_MALFORMED);                  /* not an object */
    CHECK(parse("{\"a\":\"\\u0000\"}", &v) == ERR_MALFORMED);  /* NUL in a string */
    CHECK(parse("{\"a\":\"\xC0\xAF\"}", &v) == ERR_MALFORMED); /* invalid UTF-8 */
    CHECK(parse("", &v) == ERR_MALFORMED);
    CHECK(parse("{\"big\":9007199254740993}", &v) == ERR_OK);
    CHECK(json_integer_value(json_object_get(v, "big")) == 9007199254740993LL);
    json_decref(v);
}

/* The value bound refuses before parsing: many tiny values in few bytes. */
static void value_bound(void)
{
    struct err_info ei;
    json_t *v = NULL;
    char body[4096];
    size_t n = 0;

    err_info_clear(&ei);
    n += (size_t)snprintf(body + n, sizeof(body) - n, "{\"z\":[");
    for (int i = 0; i < 999; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "{},");
    n += (size_t)snprintf(body + n, sizeof(body) - n, "{}]}");
    CHECK(json_parse_object(body, n, 100, &v, &ei) == ERR_TOO_LARGE && v == NULL);
    CHECK(json_parse_object(body, n, 2002, &v, &ei) == ERR_OK && v != NULL);
    json_decref(v);
    /* Commas and brackets inside strings are not values. */
    {
        const char *in_str = "{\"a\":\"[,,,{,,,\\\",,,\"}", *arr = "{\"a\":[1,2,3]}";

        CHECK(json_parse_object(in_str, strlen(in_str), 2, &v, &ei) == ERR_OK);
        json_decref(v);
        CHECK(json_parse_object(arr, strlen(arr), 3, &v, &ei) == ERR_TOO_LARGE);
        CHECK(json_parse_object(arr, strlen(arr), 5, &v, &ei) == ERR_OK);
        json_decref(v);
    }
}

static const struct field_rule rules[] = {
    { "name", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT, 3 },
    { "limit", JT_INT, F_EMPTY_ABSENT | F_RANGE, 0, 1, 1000 },
    { "opt", JT_STRING, 0 },
    { NULL },
};

static enum err check(const char *s, struct err_info *ei)
{
    json_t *v = NULL;
    enum err e;

    err_info_clear(ei);
    CHECK(parse(s, &v) == ERR_OK);
    e = json_check(v, rules, ei);
    json_decref(v);
    return e;
}

static void field_rules(void)
{
    struct err_info ei;

    CHECK(check("{\"name\":\"abc\"}", &ei) == ERR_OK);
    CHECK(check("{\"name\":\"一二三\"}", &ei) == ERR_OK); /* characters, not bytes */
    CHECK(check("{\"name\":\"一二三四\"}", &ei) == ERR_BAD_REQUEST);
    CHECK_STR(ei.msg, "name too long");
    CHECK(check("{}", &ei) == ERR_MISSING);
    CHECK_STR(ei.field, "name");
    CHECK(check("{\"name\":\"\"}", &ei) == ERR_MISSING); /* "" reads as absent */
    CHECK(check("{\"name\":null}", &ei) == ERR_MISSING);
    CHECK(check("{\"name\":5}", &ei) == ERR_BAD_REQUEST);
    CHECK(check("{\"name\":\"a\",\"limit\":0}", &ei) == ERR_OK); /* 0 reads as absent */
    CHECK(check("{\"name\":\"a\",\"limit\":1001}", &ei) == ERR_BAD_REQUEST);
    CHECK_STR(ei.field, "limit");
    CHECK(check("{\"name\":\"a\",\"limit\":-1}", &ei) == ERR_BAD_REQUEST);
    CHECK(check("{\"name\":\"a\",\"limit\":\"5\"}", &ei) == ERR_BAD_REQUEST);
    CHECK(check("{\"name\":\"a\",\"opt\":\"\"}", &ei) == ERR_OK);
    CHECK(check("{\"name\":\"a\",\"unknown\":[1]}", &ei) == ERR_OK);
}

/* JT_ID: an integer or a string of digits, both read by json_id. */
static void id_fields(void)
{
    static const struct field_rule id_rules[] = {
        { "id", JT_ID, F_REQUIRED | F_RANGE, 0, 0, 100 },
        { NULL },
    };
    static const char *const good[] = { "{\"id\":7}", "{\"id\":\"7\"}", "{\"id\":\"007\"}",
                                        "{\"id\":0}" };
    static const char *const bad[] = { "{\"id\":\"\"}", "{\"id\":\"-1\"}", "{\"id\":-1}",
                                       "{\"id\":1.5}", "{\"id\":true}", "{\"id\":\"7a\"}",
                                       "{\"id\":\" 7\"}", "{\"id\":101}", "{\"id\":[7]}",
                                       "{\"id\":\"99999999999999999999\"}" };
    struct err_info ei;
    int64_t id;
    json_t *v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK(parse(good[i], &v) == ERR_OK);
        CHECK(json_check(v, id_rules, &ei) == ERR_OK);
        CHECK(json_id(v, "id", &id) && (id == 7 || id == 0));
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(parse(bad[i], &v) == ERR_OK);
        CHECK(json_check(v, id_rules, &ei) == ERR_BAD_REQUEST);
        json_decref(v);
    }
    CHECK(parse("{\"id\":null}", &v) == ERR_OK);
    CHECK(json_check(v, id_rules, &ei) == ERR_MISSING);
    json_decref(v);
}

static enum err run_rules(const char *s, const struct field_rule *r, struct err_info *ei,
                          json_t **v)
{
    *v = NULL;
    CHECK(parse(s, v) == ERR_OK);
    err_info_clear(ei);
    return json_check(*v, r, ei);
}

/* Enums, byte lengths, character sets, null as a value and subjects. */
static void string_rules(void)
{
    static const char *const colours[] = { "red", "green", NULL };
    static const struct field_rule r[] = {
        { .name = "colour", .type = JT_STRING, .values = colours },
        { .name = "key", .type = JT_STRING, .flags = F_RANGE | F_NULL_BAD, .min = 1, .max = 4,
          .chars = "abc-", .subj = SUBJ_AVATAR },
        { NULL },
    };
    struct err_info ei;
    json_t *v;

#define RUN(s) run_rules((s), r, &ei, &v)
    CHECK(RUN("{\"colour\":\"red\",\"key\":\"ab-c\"}") == ERR_OK);
    json_decref(v);
    CHECK(RUN("{\"colour\":\"blue\"}") == ERR_BAD_REQUEST);
    CHECK_STR(ei.field, "colour");
    CHECK(ei.subj == SUBJ_FIELD);
    json_decref(v);
    CHECK(RUN("{\"colour\":null}") == ERR_OK); /* null reads as absent ... */
    json_decref(v);
    CHECK(RUN("{\"key\":null}") == ERR_BAD_REQUEST); /* ... unless F_NULL_BAD */
    CHECK(ei.subj == SUBJ_AVATAR);
    CHECK_STR(ei.field, "key");
    json_decref(v);
    CHECK(RUN("{\"key\":\"\"}") == ERR_BAD_REQUEST);      /* shorter than 1 byte */
    json_decref(v);
    CHECK(RUN("{\"key\":\"abcab\"}") == ERR_BAD_REQUEST); /* longer than 4 */
    json_decref(v);
    CHECK(RUN("{\"key\":\"ab d\"}") == ERR_BAD_REQUEST);  /* a byte not allowed */
    CHECK(ei.subj == SUBJ_AVATAR);
    json_decref(v);
}

/* Arrays (item rule, item count), nested objects, maps. */
static void nested_rules(void)
{
    static const struct field_rule id_item = { .type = JT_STRING, .max_chars = 3 };
    static const struct field_rule inner[] = {
        { .name = "n", .type = JT_INT, .flags = F_REQUIRED },
        { NULL },
    };
    static const struct field_rule r[] = {
        { .name = "ids", .type = JT_ARRAY, .flags = F_RANGE | F_NULL_BAD, .min = 0, .max = 2,
          .each = &id_item },
        { .name = "obj", .type = JT_OBJECT, .fields = inner },
        { .name = "names", .type = JT_OBJECT, .each = &id_item },
        { NULL },
    };
    static const char *const good[] = {
        "{}", "{\"ids\":[]}", "{\"ids\":[\"a\",\"abc\"]}", "{\"obj\":{\"n\":1}}",
        "{\"names\":{\"x\":\"ab\",\"y\":\"\"}}", "{\"obj\":{\"n\":1,\"other\":true}}",
    };
    static const char *const bad[] = {
        "{\"ids\":null}", "{\"ids\":\"a\"}", "{\"ids\":[\"a\",\"b\",\"c\"]}",
        "{\"ids\":[1]}", "{\"ids\":[\"abcd\"]}", "{\"ids\":[null]}", "{\"obj\":{}}",
        "{\"obj\":{\"n\":\"1\"}}", "{\"obj\":[]}", "{\"names\":{\"x\":1}}",
        "{\"names\":{\"x\":\"abcd\"}}",
    };
    struct err_info ei;
    json_t *v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK(RUN(good[i]) == ERR_OK);
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum err e = RUN(bad[i]);

        CHECK(e == ERR_BAD_REQUEST || e == ERR_MISSING);
        json_decref(v);
    }
    /* A broken item is reported under its collection's name. */
    CHECK(RUN("{\"ids\":[\"a\",7]}") == ERR_BAD_REQUEST);
    CHECK_STR(ei.field, "ids");
    json_decref(v);
    CHECK(RUN("{\"obj\":{}}") == ERR_MISSING);
    CHECK_STR(ei.field, "n");
    json_decref(v);
}

/* A rule set included in another's place; digits carried as text. */
static void include_and_digits(void)
{
    static const struct field_rule shared[] = {
        { .name = "mode", .type = JT_STRING, .flags = F_NULL_BAD },
        { NULL },
    };
    static const struct field_rule r[] = {
        { .name = "rev", .type = JT_DIGITS, .flags = F_REQUIRED },
        RULES_INCLUDE(shared),
        { .name = "after", .type = JT_BOOL },
        { NULL },
    };
    static const char *const good[] = { "{\"rev\":\"0\"}", "{\"rev\":\"0042\",\"mode\":\"x\"}",
                                        "{\"rev\":\"9223372036854775807\",\"after\":true}" };
    static const char *const bad[] = { "{\"rev\":7}", "{\"rev\":\"\"}", "{\"rev\":\"-1\"}",
                                       "{\"rev\":\"9223372036854775808\"}",
                                       "{\"rev\":\"1\",\"mode\":null}",
                                       "{\"rev\":\"1\",\"mode\":1}",
                                       "{\"rev\":\"1\",\"after\":1}" };
    struct err_info ei;
    int64_t n = 0;
    json_t *v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK(run_rules(good[i], r, &ei, &v) == ERR_OK);
        CHECK(json_id(v, "rev", &n));
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(run_rules(bad[i], r, &ei, &v) == ERR_BAD_REQUEST);
        json_decref(v);
    }
    CHECK(run_rules("{\"rev\":\"1\",\"mode\":[]}", r, &ei, &v) == ERR_BAD_REQUEST);
    CHECK_STR(ei.field, "mode"); /* the included rule names its field */
    json_decref(v);
}

/* Query parameters: text read as the rule's type, "" as absent where the
 * rule says so, defaults filled in. */
static void query_rules(void)
{
    static const char *const types[] = { "open_id", "user_id", NULL };
    static const struct field_rule r[] = {
        { .name = "type", .type = JT_STRING, .flags = F_EMPTY_ABSENT, .values = types,
          .def = "open_id" },
        { .name = "size", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 1,
          .max = 100, .def = "20" },
        { .name = "flag", .type = JT_BOOL },
        { NULL },
    };
    static const char *const bad[][2] = {
        { "size", "0" }, { "size", "101" }, { "size", "-1" }, { "size", "abc" },
        { "size", "1.5" }, { "size", "+5" }, { "size", " 5" }, { "type", "app_id" },
        { "flag", "" }, { "flag", "yes" }, { "flag", "TRUE" },
    };
    struct err_info ei;
    int64_t n = 0;
    json_t *q;

    q = json_pack("{s:s,s:s}", "type", "", "size", "");
    CHECK(json_check_query(q, r, &ei) == ERR_OK);
    CHECK_STR(json_str(q, "type"), "open_id");
    CHECK(json_int(q, "size", &n) && n == 20);
    CHECK(json_object_get(q, "flag") == NULL);
    json_decref(q);

    q = json_pack("{s:s,s:s,s:s}", "type", "user_id", "size", "007", "flag", "false");
    CHECK(json_check_query(q, r, &ei) == ERR_OK);
    CHECK_STR(json_str(q, "type"), "user_id");
    CHECK(json_int(q, "size", &n) && n == 7);
    CHECK(json_is_false(json_object_get(q, "flag")));
    json_decref(q);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        q = json_pack("{s:s}", bad[i][0], bad[i][1]);
        err_info_clear(&ei);
        CHECK(json_check_query(q, r, &ei) == ERR_BAD_REQUEST);
        CHECK_STR(ei.field, bad[i][0]);
        json_decref(q);
    }
#undef RUN
}

static void compact_dump(void)
{
    struct arena a;
    json_t *v = json_pack("{s:s,s:i}", "url", "http://x/y", "n", 1);
    size_t len;
    char *s;

    arena_init(&a, 0);
    s = json_dump_arena(&a, v, &len);
    /* No spaces, no "\/" escaping (the Feishu SDK re-serialises). */
    CHECK(len == strlen("{\"url\":\"http://x/y\",\"n\":1}"));
    CHECK(strncmp(s, "{\"url\":\"http://x/y\",\"n\":1}", len) == 0);
    json_decref(v);
    arena_release(&a);
}

/* The writer gives jansson's compact bytes for every kind of value: escapes,
 * control characters, multi-byte UTF-8, NUL inside a string, key order,
 * nesting, integers at the limits, reals; invalid UTF-8 fails the dump like
 * jansson's (an empty result). */
static void writer_matches_jansson(void)
{
    struct arena a;
    json_t *v = json_pack("{s:s,s:s,s:I,s:I,s:f,s:b,s:n,s:[i,s,{}],s:{s:[]}}", "b", "q\"\\/\b\f\n\r\t\x01\x1f\x7f",
                          "中文", "汉字 ✓ 😀", "max", (json_int_t)INT64_MAX, "min",
                          (json_int_t)INT64_MIN, "r", 1.5, "t", 1, "z", "arr", -7, "x", "o", "e");
    json_t *bad = json_stringn_nocheck("a\xff", 2), *nul = json_stringn("a\0b", 3);
    char want[1024];
    size_t len, n;
    char *s;

    arena_init(&a, 0);
    json_object_set_new(v, "nul", nul);
    json_object_set_new(v, "long", json_string("0123456789012345678901234567890123456789"
                                               "0123456789012345678901234567890123456789"));
    n = json_dumpb(v, want, sizeof(want), JSON_COMPACT | JSON_ENCODE_ANY);
    s = json_dump_arena(&a, v, &len);
    CHECK(n > 0 && len == n && memcmp(s, want, n) == 0 && s[len] == '\0');
    /* Past the first buffer: a result that grows. */
    for (int i = 0; i < 100; i++)
        json_object_set_new(v, arena_printf(&a, "k%d", i), json_string("0123456789abcdef0123456789"));
    {
        char *big = malloc(1 << 16);

        n = json_dumpb(v, big, 1 << 16, JSON_COMPACT | JSON_ENCODE_ANY);
        s = json_dump_arena(&a, v, &len);
        CHECK(n > 1024 && len == n && memcmp(s, big, n) == 0);
        free(big);
    }
    s = json_dump_arena(&a, bad, &len);
    CHECK(len == 0 && s[0] == '\0');
    CHECK(json_dumpb(bad, want, sizeof(want), JSON_COMPACT | JSON_ENCODE_ANY) == 0);
    json_decref(bad);
    bad = json_integer(-42);
    s = json_dump_arena(&a, bad, &len);
    CHECK_STR(s, "-42");
    json_decref(bad);
    json_decref(v);
    arena_release(&a);
}

/* json_raw: the text's bytes, where the value stands; text gone bad fails
 * the dump as its string would have. */
static void raw_splice(void)
{
    struct arena a;
    struct json_text t;
    json_t *v = json_object();
    size_t len;
    char *s;

    arena_init(&a, 0);
    json_raw_begin(&t, &a, 4);
    json_text_raw(&t, "[", 1);
    json_text_str(&t, "q\"\\\n\x01 中");
    json_text_raw(&t, ",{}]", 4);
    json_object_set_new(v, "a", json_integer(1));
    json_object_set_new(v, "list", json_raw(&t));
    json_object_set_new(v, "z", json_string("/"));
    s = json_dump_arena(&a, v, &len);
    CHECK_STR(s, "{\"a\":1,\"list\":[\"q\\\"\\\\\\n\\u0001 中\",{}],\"z\":\"/\"}");
    json_raw_begin(&t, &a, 16);
    json_text_str(&t, "bad \xff");
    json_object_set_new(v, "list", json_raw(&t));
    s = json_dump_arena(&a, v, &len);
    CHECK(len == 0 && s[0] == '\0');
    json_decref(v);
    arena_release(&a);
}

/* The stored lists' strings are taken as text only when they are exactly
 * what json_dump_arena writes; anything else is for the decoder. */
static void stored_lists_as_text(void)
{
    static const char *const strs[] = { "plain", "q\"b\\s/", "\b\f\n\r\t", "\x01\x1f\x7f",
                                        "中文 ✓ 😀", "" };
    static const char *const not_writers[] = {
        "[\"a\\/b\"]", "[\"\\u001f\"]", "[\"\\u000A\"]", "[\"\\u0000\"]", "[ \"a\"]",
        "[\"a\",]", "[\"a\"] ", "[\"a\nb\"]", "[1]", "[\"\xff\"]", "[\"\xe4\xb8\"]", "{}", "",
        "[\"a\\x\"]", "[\"a",
    };
    static const char *const att_not[] = {
        "[{\"msgtype\":\"link\",\"msgtype\":\"link\"}]", "[{\"other\":\"x\"}]",
        "[{\"msgtype\":1}]", "[{\"msgtype\" : \"link\"}]", "[{\"url\":\"a\"},]", "[[]]",
    };
    struct arena a;
    struct svc_ctx c = { 0 };
    struct kb_json_str *sim;
    struct kb_att_json *att;
    json_t *arr = json_array();
    size_t n, len;
    const char *text;

    arena_init(&a, 0);
    c.a = &a;
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        json_array_append_new(arr, json_string(strs[i]));
    text = json_dump_arena(&a, arr, &len);
    CHECK(svc_kb_similar_json(&c, text, &sim, &n) && n == sizeof(strs) / sizeof(strs[0]));
    for (size_t i = 0; i < n; i++) {
        json_t *one = json_string(strs[i]);
        const char *want = json_dump_arena(&a, one, &len);

        CHECK(sim[i].len == len && memcmp(sim[i].p, want, len) == 0);
        json_decref(one);
    }
    CHECK(svc_kb_similar_json(&c, "[]", &sim, &n) && n == 0);
    CHECK(svc_kb_similar_json(&c, NULL, &sim, &n) && n == 0);
    for (size_t i = 0; i < sizeof(not_writers) / sizeof(not_writers[0]); i++)
        CHECK(!svc_kb_similar_json(&c, not_writers[i], &sim, &n));
    CHECK(svc_kb_att_json(&c, "[{\"msgtype\":\"link\",\"title\":\"t\\\"\",\"url\":\"u\"},{}]", &att, &n)
          && n == 2 && att[0].f[KB_ATT_TITLE].len == 5 && memcmp(att[0].f[KB_ATT_TITLE].p, "\"t\\\"\"", 5) == 0
          && att[0].f[KB_ATT_NAME].len == 0 && att[1].f[KB_ATT_MSGTYPE].len == 0);
    for (size_t i = 0; i < sizeof(att_not) / sizeof(att_not[0]); i++)
        CHECK(!svc_kb_att_json(&c, att_not[i], &att, &n));
    json_decref(arr);
    arena_release(&a);
}

const struct unit_case json_cases[] = {
    { "json/strict_parse", strict_parse },
    { "json/value_bound", value_bound },
    { "json/field_rules", field_rules },
    { "json/id_fields", id_fields },
    { "json/string_rules", string_rules },
    { "json/nested_rules", nested_rules },
    { "json/include_and_digits", include_and_digits },
    { "json/query_rules", query_rules },
    { "json/compact_dump", compact_dump },
    { "json/writer_matches_jansson", writer_matches_jansson },
    { "json/raw_splice", raw_splice },
    { "json/stored_lists_as_text", stored_lists_as_text },
    { NULL, NULL },
};
