/* SPDX-License-Identifier: MIT */
/* tests/unit/test_json.c - strict parsing and field rules. */
#include "unit.h"

#include "core/arena.h"
#include "json/json.h"

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

const struct unit_case json_cases[] = {
    { "json/strict_parse", strict_parse },
    { "json/value_bound", value_bound },
    { "json/field_rules", field_rules },
    { "json/id_fields", id_fields },
    { "json/compact_dump", compact_dump },
    { NULL, NULL },
};
