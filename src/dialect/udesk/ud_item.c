/* SPDX-License-Identifier: MIT */
/*
 * dialect/udesk/ud_item.c - knowledge items inside catalogs (Udesk "Knowledge questions",
 * "Common phrases", "Common links"): the
 * question library (/knowledge_questions), useful expressions
 * (/useful_expressions) and useful links (/useful_links), each with create,
 * update, delete, show and a paged list. The handlers serve every kind; the
 * kind comes from the route's path. The rules (lengths, owners, catalogs of
 * the right type) live in svc/svc_kb_item.c.
 *
 * Bodies are wrapped in the singular resource name ("knowledge_question"),
 * like catalogs ("Knowledge catalogs"); list and show take their parameters from the query
 * string; delete reads agent_id from its body (as catalogs do) or the query.
 */
#include "dialect/udesk/ud.h"

#include "core/arena.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define PER_PAGE_DEFAULT 20
#define PER_PAGE_MAX 100
#define UD_TZ_OFFSET (8 * 3600) /* Udesk answers in China time (+08:00) */

struct ud_kind {
    const char *plural, *singular;
    const struct kb_item_policy *policy;
    const char *title_key; /* the field svc calls title: "title", "name" or NULL */
};

static const struct ud_kind kinds[] = {
    { "knowledge_questions", "knowledge_question", &svc_kb_udesk_question, "title" },
    { "useful_expressions", "useful_expression", &svc_kb_udesk_expression, NULL },
    { "useful_links", "useful_link", &svc_kb_udesk_link, "name" },
};

/* The fields inside the wrapper; svc checks requiredness and lengths. */
static const struct field_rule item_rules[] = {
    { "title", JT_STRING, 0 },
    { "name", JT_STRING, 0 },
    { "content", JT_STRING, 0 },
    { "content_type", JT_STRING, 0 },
    { "url", JT_STRING, 0 },
    { "catalog_id", JT_ID, F_EMPTY_ABSENT | F_RANGE, 0, -1, INT64_MAX },
    { "lasts", JT_BOOL, 0 },
    { "last_min", JT_STRING, F_EMPTY_ABSENT },
    { "last_max", JT_STRING, F_EMPTY_ABSENT },
    { "agent_id", JT_ID, F_REQUIRED | F_RANGE, 0, 0, INT64_MAX },
    { NULL },
};

static const struct ud_kind *kind_of(const struct req *rq)
{
    const char *p = rq->route->path + strlen("/open_api_v1/");

    size_t i = 0;

    /* The routes name only these paths: the last kind is the one left. */
    while (i + 1 < sizeof(kinds) / sizeof(kinds[0]) &&
           strncmp(p, kinds[i].plural, strlen(kinds[i].plural)) != 0)
        i++;
    return &kinds[i];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+HH:MM]" (no zone: China time) to unix
 * seconds; false if malformed. */
static bool datetime_in(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, n = 0, zh = 0, zm = 0;
    int64_t off = UD_TZ_OFFSET;
    char sep;

    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec, &n) != 7 ||
        (sep != 'T' && sep != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 60 || y < 1970)
        return false;
    s += n;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            ;
    if (*s == 'Z') {
        off = 0;
        s++;
    } else if (*s == '+' || *s == '-') {
        if (sscanf(s + 1, "%2d:%2d%n", &zh, &zm, &n) != 2 || zh > 14 || zm > 59)
            return false;
        off = (*s == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
        s += 1 + n;
    }
    if (*s != '\0')
        return false;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return true;
}

/* The proleptic Gregorian date of a day since 1970-01-01 (days_from_civil's
 * inverse). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 'n' as 'width' decimal digits at 'p'. */
static char *digits(char *p, int64_t n, int width)
{
    for (int i = width - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + width;
}

/* ISO 8601 with milliseconds and offset, in China time ("General instructions"):
 * "2024-05-01T08:00:00.000+08:00". Written digit by digit (a page renders
 * up to three per item); a year beyond four digits goes through strftime. */
static const char *datetime_out(struct arena *a, int64_t t)
{
    int64_t local = t + UD_TZ_OFFSET, days = local / 86400, secs = local % 86400, y;
    int m, d;
    char buf[40], *p = buf;

    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        time_t lt = (time_t)local;
        struct tm tm;

        gmtime_r(&lt, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000+08:00", &tm);
        return arena_strdup(a, buf);
    }
    p = digits(p, y, 4);
    *p++ = '-';
    p = digits(p, m, 2);
    *p++ = '-';
    p = digits(p, d, 2);
    *p++ = 'T';
    p = digits(p, secs / 3600, 2);
    *p++ = ':';
    p = digits(p, secs / 60 % 60, 2);
    *p++ = ':';
    p = digits(p, secs % 60, 2);
    memcpy(p, ".000+08:00", sizeof(".000+08:00"));
    return arena_strdup(a, buf);
}

/* A query parameter as an integer in [min, max]; 'def' when absent. */
static enum err query_int(struct req *rq, const char *key, int64_t min, int64_t max, int64_t def,
                          bool required, int64_t *out)
{
    const char *v = dialect_query(rq, key);

    *out = def;
    if (v == NULL || *v == '\0')
        return required ? err_field(&rq->err, ERR_MISSING, key, "%s", key) : ERR_OK;
    if (!str_to_i64(v, min, max, out))
        return err_field(&rq->err, ERR_BAD_REQUEST, key, "%s", key);
    return ERR_OK;
}

/* The acting agent: agent_id of the wrapper, else of the query string, as
 * the owner's person row (0: the administrator). */
static enum err owner_in(struct req *rq, const json_t *w, bool required, int64_t *owner)
{
    int64_t agent = 0;
    enum err e = ERR_OK;

    if (!json_id(w, "agent_id", &agent))
        e = query_int(rq, "agent_id", 0, INT64_MAX, 0, required, &agent);
    return e == ERR_OK ? svc_ud_agent(&rq->svc, agent, owner) : e;
}

/* The :id of the path: a positive integer. */
static enum err path_id(struct req *rq, int64_t *id)
{
    if (!str_to_i64(rq->params[0], 1, INT64_MAX, id))
        return err_field(&rq->err, ERR_BAD_REQUEST, "id", "id");
    return ERR_OK;
}

/* Reads the wrapped item; 'it' gets the fields given. '*cat_ref' is the
 * catalog_id given (NULL: none). */
static enum err item_in(struct req *rq, const struct ud_kind *k, json_t *body, json_t **w,
                        struct kb_item *it, const char **cat_ref, int64_t *owner)
{
    struct kb_item_row *r = &it->row;
    int64_t cat;
    enum err e;

    memset(it, 0, sizeof(*it));
    *cat_ref = NULL;
    *w = json_object_get(body, k->singular);
    if (!json_is_object(*w))
        return err_field(&rq->err, *w == NULL ? ERR_MISSING : ERR_BAD_REQUEST, k->singular,
                         "%s", k->singular);
    e = json_check(*w, item_rules, &rq->err);
    if (e == ERR_OK)
        e = owner_in(rq, *w, true, owner);
    if (e != ERR_OK)
        return e;
    if (json_id(*w, "catalog_id", &cat)) {
        it->has_category = true;
        *cat_ref = arena_printf(rq->http->arena, "%lld", (long long)cat);
    }
    if (k->title_key != NULL && json_object_get(*w, k->title_key) != NULL) {
        it->has_title = true;
        r->title = json_str(*w, k->title_key);
    }
#define GIVEN(key, flag, f)                              \
    if (json_object_get(*w, key) != NULL) {              \
        it->flag = true;                                 \
        r->f = json_str(*w, key);                        \
    }
    GIVEN("content", has_content, content);
    GIVEN("url", has_url, url);
    GIVEN("content_type", has_content_type, content_type);
#undef GIVEN
    r->lasts = true;
    if (json_object_get(*w, "lasts") != NULL) {
        const char *from = json_str(*w, "last_min"), *until = json_str(*w, "last_max");

        it->has_validity = true;
        r->lasts = json_is_true(json_object_get(*w, "lasts"));
        if (!r->lasts && (from == NULL || !datetime_in(from, &r->valid_from)))
            return err_field(&rq->err, from ? ERR_BAD_REQUEST : ERR_MISSING, "last_min",
                             "last_min");
        if (!r->lasts && (until == NULL || !datetime_in(until, &r->valid_until)))
            return err_field(&rq->err, until ? ERR_BAD_REQUEST : ERR_MISSING, "last_max",
                             "last_max");
    }
    return ERR_OK;
}

/* One item in the kind's list shape. The texts were read back from the
 * store (valid UTF-8 when written), so they are not checked again. */
static json_t *item_json(struct arena *a, const struct ud_kind *k, const struct kb_item_row *r)
{
    json_t *o = json_object();

    json_object_set_new_nocheck(o, "id", json_integer(r->id));
    if (k->title_key != NULL)
        json_out_text(o, k->title_key, r->title);
    if (k->policy->url_required)
        json_out_text(o, "url", r->url);
    else
        json_out_text(o, "content", r->content);
    if (k->policy->validity)
        json_out_text(o, "content_type", r->content_type);
    json_object_set_new_nocheck(o, "catalog_id",
                                json_integer(r->category_id ? r->category_id : -1));
    if (k->policy->validity) {
        json_out_text(o, "updated_at", datetime_out(a, r->updated_at));
        json_object_set_new_nocheck(o, "lasts", json_boolean(r->lasts));
        json_object_set_new_nocheck(o, "last_min",
                                    r->lasts ? json_null()
                                             : json_string_nocheck(datetime_out(a, r->valid_from)));
        json_object_set_new_nocheck(
            o, "last_max",
            r->lasts ? json_null() : json_string_nocheck(datetime_out(a, r->valid_until)));
    }
    return o;
}

/* Create and update answer with the item's fields at the top level, as the
 * catalog calls answer with id and name. */
static void item_out(struct req *rq, const struct ud_kind *k, const struct kb_item_row *r,
                     json_t *out)
{
    json_t *o = item_json(rq->http->arena, k, r);

    json_object_update(out, o);
    json_decref(o);
}

enum err ud_item_create(struct req *rq, json_t *body, json_t *out)
{
    const struct ud_kind *k = kind_of(rq);
    const char *cat_ref;
    struct kb_item it;
    int64_t owner;
    json_t *w;
    enum err e = item_in(rq, k, body, &w, &it, &cat_ref, &owner);

    if (e == ERR_OK)
        e = svc_kb_item_add(&rq->svc, k->policy, cat_ref, owner, &it);
    if (e == ERR_OK)
        item_out(rq, k, &it.row, out);
    return e;
}

enum err ud_item_update(struct req *rq, json_t *body, json_t *out)
{
    const struct ud_kind *k = kind_of(rq);
    const char *cat_ref;
    struct kb_item it;
    int64_t id, owner;
    json_t *w;
    enum err e = path_id(rq, &id);

    if (e == ERR_OK)
        e = item_in(rq, k, body, &w, &it, &cat_ref, &owner);
    if (e == ERR_OK)
        e = svc_kb_item_mod(&rq->svc, k->policy, rq->params[0], owner, cat_ref, &it);
    if (e == ERR_OK)
        item_out(rq, k, &it.row, out);
    return e;
}

enum err ud_item_delete(struct req *rq, json_t *body, json_t *out)
{
    const struct ud_kind *k = kind_of(rq);
    int64_t id, owner;
    enum err e = path_id(rq, &id);

    if (e == ERR_OK)
        e = owner_in(rq, json_object_get(body, k->singular), true, &owner);
    if (e == ERR_OK)
        e = svc_kb_item_delete(&rq->svc, k->policy, rq->params[0], owner);
    if (e != ERR_OK)
        return e;
    /* As the catalog delete answers: the id as a string. */
    json_out_str(out, "message", "Delete Success");
    json_out_str(out, "id", arena_printf(rq->http->arena, "%lld", (long long)id));
    return ERR_OK;
}

enum err ud_item_show(struct req *rq, json_t *body, json_t *out)
{
    const struct ud_kind *k = kind_of(rq);
    struct kb_item it;
    int64_t id, owner;
    enum err e = path_id(rq, &id);

    (void)body;
    if (e == ERR_OK)
        e = owner_in(rq, NULL, false, &owner);
    if (e == ERR_OK)
        e = svc_kb_item_get(&rq->svc, k->policy, rq->params[0], owner, &it);
    if (e == ERR_OK)
        json_object_set_new(out, k->singular, item_json(rq->http->arena, k, &it.row));
    return e;
}

enum err ud_item_list(struct req *rq, json_t *body, json_t *out)
{
    const struct ud_kind *k = kind_of(rq);
    struct kb_item *items;
    int64_t cat, owner, page, per_page, total = 0;
    bool more;
    size_t n = 0;
    json_t *list;
    enum err e = query_int(rq, "catalog_id", -1, INT64_MAX, 0, true, &cat);

    (void)body;
    if (e == ERR_OK)
        e = owner_in(rq, NULL, false, &owner);
    if (e == ERR_OK)
        e = query_int(rq, "page", 1, INT64_MAX / PER_PAGE_MAX, 1, false, &page);
    if (e == ERR_OK)
        e = query_int(rq, "per_page", 1, PER_PAGE_MAX, PER_PAGE_DEFAULT, false, &per_page);
    if (e == ERR_OK)
        e = svc_kb_item_list(&rq->svc, k->policy,
                             arena_printf(rq->http->arena, "%lld", (long long)cat), owner, 0,
                             (page - 1) * per_page, per_page, &items, &n, &more, &total);
    if (e != ERR_OK)
        return e;
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, item_json(rq->http->arena, k, &items[i].row));
    json_object_set_new(out, k->plural, list);
    json_object_set_new(out, "meta",
                        json_pack("{s:I,s:I,s:I}", "current_page", (json_int_t)page,
                                  "total_pages", (json_int_t)((total + per_page - 1) / per_page),
                                  "total_count", (json_int_t)total));
    return ERR_OK;
}
