/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_contact.c - the Feishu directory (contact v3): the seed's
 * departments, people's directory fields and each app's scopes and contact
 * data range; what one caller may see of it (the range applies to tenant
 * tokens; a user token sees the whole tenant); department trees, member
 * counts and the direct members of a department. The Feishu JSON shapes of
 * users and departments are the dialect's (fs_contact.c).
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "json/json.h"

#include <ctype.h>
#include <string.h>

/* ----- the seed (docs/seed.md) -------------------------------------------------- */

static const struct field_rule dept_rules[] = {
    { "department_id", JT_STRING, F_REQUIRED, 64 },
    { "name", JT_STRING, F_REQUIRED, 100 },
    { "parent_department_id", JT_STRING, 0, 64 },
    { "i18n_name", JT_OBJECT },
    { "leader_user_id", JT_STRING, 0, 64 },
    { "order", JT_INT, F_RANGE, 0, 0, INT32_MAX },
    { "chat_id", JT_STRING, 0, 64 },
    { "unit_ids", JT_ARRAY },
    { NULL },
};
static const struct field_rule profile_rules[] = {
    { "en_name", JT_STRING, 0, 64 },
    { "nickname", JT_STRING, 0, 64 },
    { "mobile", JT_STRING, 0, 32 },
    { "mobile_visible", JT_BOOL },
    { "gender", JT_INT, F_RANGE, 0, 0, 3 },
    { "avatar", JT_OBJECT },
    { "status", JT_OBJECT },
    { "city", JT_STRING, 0, 64 },
    { "country", JT_STRING, 0, 8 },
    { "work_station", JT_STRING, 0, 128 },
    { "job_title", JT_STRING, 0, 128 },
    { "join_time", JT_INT, F_RANGE, 0, 0, INT32_MAX },
    { "is_tenant_manager", JT_BOOL },
    { "employee_no", JT_STRING, 0, 64 },
    { "employee_type", JT_INT, F_RANGE, 0, 1, 1000 },
    { "leader_user_id", JT_STRING, 0, 64 },
    { "enterprise_email", JT_STRING, 0, 254 },
    { "department_ids", JT_ARRAY },
    { "user_order", JT_INT, F_RANGE, 0, 0, INT32_MAX },
    { NULL },
};
/* The profile keys a seed may set, beside department_ids and user_order. */
static const char *const profile_keys[] = {
    "en_name", "nickname", "mobile", "mobile_visible", "gender", "avatar", "status", "city",
    "country", "work_station", "job_title", "join_time", "is_tenant_manager", "employee_no",
    "employee_type", "leader_user_id", "enterprise_email", NULL,
};
static const char *const status_keys[] = { "is_frozen", "is_resigned", "is_activated",
                                           "is_exited", "is_unjoin", NULL };
static const char *const avatar_keys[] = { "avatar_72", "avatar_240", "avatar_640",
                                           "avatar_origin", NULL };

static enum err bad(struct svc_ctx *c, const char *field, const char *what)
{
    return err_field(c->ei, ERR_BAD_REQUEST, field, "%s", what);
}

/* json_check, the message saying where: "users[]: gender". */
static enum err check(struct svc_ctx *c, json_t *obj, const struct field_rule *rules,
                      const char *where)
{
    enum err e = json_check(obj, rules, c->ei);
    char field[sizeof(c->ei->field)];

    if (e == ERR_OK)
        return e;
    memcpy(field, c->ei->field, sizeof(field));
    return err_field(c->ei, e, field, "%s: %s is missing or not valid", where, field);
}

/* A custom department id, as the department pages define it. */
static bool dept_id_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64 || !isalnum((unsigned char)s[0]) || strncmp(s, "od-", 3) == 0
        || strcmp(s, "0") == 0)
        return false;
    for (size_t i = 1; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && strchr("_-@.", s[i]) == NULL)
            return false;
    }
    return true;
}

/* A scope name: lower-case words joined by ':', '.' and '_' ("*": the default). */
static bool scope_ok(const char *s)
{
    if (strcmp(s, "*") == 0)
        return true;
    if (*s == '\0' || strlen(s) > 100 || strchr(s, ':') == NULL)
        return false;
    for (; *s != '\0'; s++) {
        if (!isalnum((unsigned char)*s) && strchr(":._-", *s) == NULL)
            return false;
    }
    return true;
}

static const struct fs_dept_row *dept_by_custom(const struct fs_dept_row *d, size_t n,
                                                const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(d[i].department_id, id) == 0)
            return &d[i];
    }
    return NULL;
}

static const struct fs_dept_row *dept_by_row(const struct fs_dept_row *d, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i].id == id)
            return &d[i];
    }
    return NULL;
}

static enum err person_by_user_id(struct svc_ctx *c, int64_t tenant, const char *user_id,
                                  const char *field, struct person_row *p)
{
    enum err e = store_fs_person_find(c->st, c->a, tenant, 0, "user_id", user_id, p);

    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_BAD_REQUEST, field, "%s: no user '%s' in the tenant", field,
                         user_id);
    return e;
}

static enum err seed_depts(struct svc_ctx *c, int64_t tenant, json_t *list)
{
    struct fs_dept_row *all;
    size_t n, i;
    json_t *d;
    enum err e;

    if (list != NULL && !json_is_array(list))
        return bad(c, "departments", "feishu.departments must be an array");
    json_array_foreach(list, i, d) {
        struct fs_dept_row row = { .tenant_id = tenant };
        const char *parent, *leader;
        json_t *detail;
        int64_t order = 0;
        struct person_row p;
        size_t len;

        if (!json_is_object(d))
            return bad(c, "departments", "feishu.departments[] must be objects");
        e = check(c, d, dept_rules, "feishu.departments[]");
        if (e != ERR_OK)
            return e;
        row.department_id = json_str(d, "department_id");
        if (!dept_id_ok(row.department_id))
            return bad(c, "department_id",
                       "department_id must match [a-zA-Z0-9][a-zA-Z0-9_-@.]{0,63}, not od- or 0");
        e = store_fs_dept_list(c->st, c->a, tenant, &all, &n);
        if (e != ERR_OK)
            return e;
        parent = json_str(d, "parent_department_id");
        if (parent != NULL && strcmp(parent, "0") != 0) {
            const struct fs_dept_row *pr = dept_by_custom(all, n, parent);

            if (pr == NULL)
                return err_field(c->ei, ERR_BAD_REQUEST, "parent_department_id",
                                 "parent_department_id '%s' is not a department seeded before",
                                 parent);
            /* The new parent must not sit below the department itself. */
            for (const struct fs_dept_row *up = pr; up != NULL; up = dept_by_row(all, n, up->parent)) {
                if (strcmp(up->department_id, row.department_id) == 0)
                    return bad(c, "parent_department_id", "departments may not form a cycle");
            }
            row.parent = pr->id;
        }
        leader = json_str(d, "leader_user_id");
        if (leader != NULL && (e = person_by_user_id(c, tenant, leader, "leader_user_id", &p)))
            return e;
        json_int(d, "order", &order);
        row.order = order;
        detail = json_deep_copy(d);
        json_object_del(detail, "department_id");
        json_object_del(detail, "parent_department_id");
        json_object_del(detail, "order");
        row.detail = json_dump_arena(c->a, detail, &len);
        json_decref(detail);
        row.open_department_id = ids_hex(c->a, "od-", 16);
        e = store_fs_dept_upsert(c->st, c->a, &row);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* Merges a user's directory fields into the stored profile; department_ids
 * (the first is the primary one) replace the memberships. A person with
 * none sits directly under the root. */
static enum err seed_profile(struct svc_ctx *c, int64_t tenant, json_t *u,
                             const struct fs_dept_row *depts, size_t nd)
{
    struct fs_profile_row pf;
    struct fs_membership_row *mem;
    struct person_row p;
    json_t *prof = NULL, *ids = json_object_get(u, "department_ids"), *v, *st;
    int64_t order = 0;
    size_t nm, i, len;
    enum err e = check(c, u, profile_rules, "users[]");

    if (e == ERR_OK)
        e = person_by_user_id(c, tenant, json_str(u, "user_id"), "user_id", &p);
    if (e == ERR_OK)
        e = store_fs_profile_get(c->st, c->a, p.id, &pf);
    if (e == ERR_OK)
        prof = json_loads(pf.profile, 0, NULL);
    else if (e != ERR_NOT_FOUND)
        return e;
    if (!json_is_object(prof)) {
        json_decref(prof);
        prof = json_object();
    }
    for (i = 0; profile_keys[i] != NULL; i++) {
        if ((v = json_object_get(u, profile_keys[i])) != NULL)
            json_object_set(prof, profile_keys[i], v);
    }
    e = ERR_OK;
    if ((v = json_object_get(prof, "avatar")) != NULL) {
        for (i = 0; e == ERR_OK && avatar_keys[i] != NULL; i++) {
            json_t *a = json_object_get(v, avatar_keys[i]);

            if (a != NULL && !json_is_string(a))
                e = bad(c, "avatar", "avatar urls are strings");
        }
    }
    /* status: every flag, the unset ones as an active person's. */
    st = json_pack("{s:b,s:b,s:b,s:b,s:b}", "is_frozen", 0, "is_resigned", 0, "is_activated", 1,
                   "is_exited", 0, "is_unjoin", 0);
    v = json_object_get(prof, "status");
    for (i = 0; e == ERR_OK && v != NULL && status_keys[i] != NULL; i++) {
        json_t *b = json_object_get(v, status_keys[i]);

        if (b != NULL && !json_is_boolean(b))
            e = bad(c, "status", "status flags are booleans");
        else if (b != NULL)
            json_object_set(st, status_keys[i], b);
    }
    json_object_set_new(prof, "status", st);
    if (e == ERR_OK && json_str(prof, "leader_user_id") != NULL) {
        struct person_row l;

        e = person_by_user_id(c, tenant, json_str(prof, "leader_user_id"), "leader_user_id", &l);
    }
    if (e == ERR_OK) {
        pf = (struct fs_profile_row){ .person = p.id, .mobile = json_str(prof, "mobile"),
                                      .resigned = json_is_true(json_object_get(st, "is_resigned")),
                                      .profile = json_dump_arena(c->a, prof, &len) };
        pf.mobile = arena_strdup(c->a, pf.mobile);
        e = store_fs_profile_set(c->st, &pf);
    }
    json_decref(prof);
    if (e != ERR_OK)
        return e;
    json_int(u, "user_order", &order);
    if (ids == NULL) {
        e = store_fs_membership_of(c->st, c->a, p.id, &mem, &nm);
        if (e != ERR_OK || nm > 0)
            return e;
        mem = arena_alloc(c->a, sizeof(*mem));
        nm = 1;
    } else {
        if (json_array_size(ids) > 50)
            return bad(c, "department_ids", "a user is in at most 50 departments");
        mem = arena_alloc(c->a, (json_array_size(ids) + 1) * sizeof(*mem));
        nm = 0;
        json_array_foreach(ids, i, v) {
            const struct fs_dept_row *d;

            if (!json_is_string(v))
                return bad(c, "department_ids", "department_ids are strings");
            d = dept_by_custom(depts, nd, json_string_value(v));
            if (d == NULL && strcmp(json_string_value(v), "0") != 0)
                return err_field(c->ei, ERR_BAD_REQUEST, "department_ids",
                                 "department_ids: no department '%s'", json_string_value(v));
            mem[nm++].dept = d ? d->id : 0;
        }
        if (nm == 0)
            nm = 1; /* [] reads as the root */
    }
    for (i = 0; i < nm; i++)
        mem[i].user_order = order;
    return store_fs_membership_set(c->st, p.id, mem, nm);
}

/* An app's contact_range: null or "all" (everyone), or {"departments":
 * [...], "users": [...]} by department_id and user_id. */
static enum err seed_range(struct svc_ctx *c, int64_t tenant, int64_t app, json_t *r,
                           const struct fs_dept_row *depts, size_t nd)
{
    json_t *v;
    size_t i, len;

    if (json_is_null(r) || (json_is_string(r) && strcmp(json_string_value(r), "all") == 0))
        return store_fs_access_set(c->st, app, false, NULL);
    if (!json_is_object(r))
        return bad(c, "contact_range", "contact_range is \"all\" or {departments, users}");
    json_array_foreach(json_object_get(r, "departments"), i, v) {
        if (!json_is_string(v) || dept_by_custom(depts, nd, json_string_value(v)) == NULL)
            return bad(c, "contact_range", "contact_range.departments names unknown departments");
    }
    json_array_foreach(json_object_get(r, "users"), i, v) {
        struct person_row p;
        enum err e;

        if (!json_is_string(v))
            return bad(c, "contact_range", "contact_range.users are user_ids");
        e = person_by_user_id(c, tenant, json_string_value(v), "contact_range", &p);
        if (e != ERR_OK)
            return e;
    }
    return store_fs_access_set(c->st, app, false, json_dump_arena(c->a, r, &len));
}

static enum err seed_scopes(struct svc_ctx *c, int64_t app, json_t *s)
{
    char *text;
    size_t i, len = 0;
    json_t *v;

    if (json_is_null(s))
        return store_fs_access_set(c->st, app, true, NULL);
    if (!json_is_array(s))
        return bad(c, "scopes", "scopes must be an array of scope names");
    json_array_foreach(s, i, v) {
        if (!json_is_string(v) || !scope_ok(json_string_value(v)))
            return err_field(c->ei, ERR_BAD_REQUEST, "scopes", "scopes: '%s' is not a scope name",
                             json_is_string(v) ? json_string_value(v) : "(not a string)");
        len += json_string_length(v) + 1;
    }
    {
        size_t cap = len + 1, at = 0;

        text = arena_alloc(c->a, cap);
        json_array_foreach(s, i, v) {
            at += (size_t)snprintf(text + at, cap - at, "%s%s", i ? " " : "",
                                   json_string_value(v));
        }
    }
    return store_fs_access_set(c->st, app, true, text);
}

/* The app's subscription must name known event types it holds a scope for. */
static enum err check_subscription(struct svc_ctx *c, int64_t app)
{
    struct fs_subscription_row sub;
    struct scope_set held;
    json_t *types, *t;
    size_t i;
    enum err e = store_fs_subscription_get(c->st, c->a, app, &sub);

    if (e == ERR_NOT_FOUND)
        return ERR_OK;
    if (e == ERR_OK)
        e = svc_app_scopes(c, app, &held);
    if (e != ERR_OK)
        return e;
    types = json_loads(sub.types, 0, NULL);
    json_array_foreach(types, i, t) {
        e = svc_event_type_check(c, &held, json_string_value(t));
        if (e != ERR_OK)
            break;
    }
    json_decref(types);
    return e;
}

enum err svc_contact_seed(struct svc_ctx *c, int64_t tenant, json_t *t)
{
    json_t *fs = json_object_get(t, "feishu"), *u, *app;
    struct fs_dept_row *depts;
    size_t nd, i;
    enum err e = seed_depts(c, tenant, json_object_get(fs, "departments"));

    if (e == ERR_OK)
        e = store_fs_dept_list(c->st, c->a, tenant, &depts, &nd);
    json_array_foreach(json_object_get(t, "users"), i, u) {
        if (e == ERR_OK)
            e = seed_profile(c, tenant, u, depts, nd);
    }
    json_array_foreach(json_object_get(fs, "apps"), i, app) {
        struct fs_app_row row;
        json_t *v;

        if (e == ERR_OK)
            e = store_fs_app_by_app_id(c->st, c->a, json_str(app, "app_id"), &row);
        if (e == ERR_OK)
            e = store_fs_access_ensure(c->st, row.id, svc_fs_bot_open_id(c->a, row.app_id));
        if (e == ERR_OK && (v = json_object_get(app, "scopes")) != NULL)
            e = seed_scopes(c, row.id, v);
        if (e == ERR_OK && (v = json_object_get(app, "contact_range")) != NULL)
            e = seed_range(c, tenant, row.id, v, depts, nd);
        if (e == ERR_OK)
            e = check_subscription(c, row.id);
    }
    return e;
}

/* ----- what one caller sees ------------------------------------------------------ */

enum err svc_contact_open(struct svc_ctx *c, int64_t app, bool user_token, struct contact_dir *d)
{
    struct fs_access_row acc;
    json_t *range;
    enum err e;

    memset(d, 0, sizeof(*d));
    d->app = app;
    d->tenant = c->tenant;
    e = svc_app_access(c, app, &acc);
    if (e == ERR_OK)
        e = store_fs_dept_list(c->st, c->a, c->tenant, &d->depts, &d->nd);
    if (e != ERR_OK)
        return e;
    {
        struct tenant_row t;

        e = store_tenant_get(c->st, c->a, c->tenant, &t);
        if (e != ERR_OK)
            return e;
        d->tenant_name = t.name;
    }
    svc_scope_parse(c->a, acc.scopes, &d->scopes);
    d->bot_open_id = svc_fs_bot_open_id(c->a, acc.app_id); /* as mentions name it */
    d->app_name = acc.name;
    d->all = user_token || acc.contact_range == NULL;
    if (d->all)
        return ERR_OK;
    range = json_loads(acc.contact_range, 0, NULL);
    {
        json_t *ds = json_object_get(range, "departments"), *us = json_object_get(range, "users");
        json_t *v;
        size_t i;

        d->range_depts = arena_alloc(c->a, (json_array_size(ds) + 1) * sizeof(int64_t));
        d->range_people = arena_alloc(c->a, (json_array_size(us) + 1) * sizeof(int64_t));
        json_array_foreach(ds, i, v) {
            const struct fs_dept_row *r = dept_by_custom(d->depts, d->nd, json_string_value(v));

            if (r != NULL)
                d->range_depts[d->nrange_depts++] = r->id;
        }
        json_array_foreach(us, i, v) {
            struct person_row p;

            if (e == ERR_OK && store_fs_person_find(c->st, c->a, c->tenant, 0, "user_id",
                                                    json_string_value(v), &p) == ERR_OK)
                d->range_people[d->nrange_people++] = p.id;
        }
    }
    json_decref(range);
    return ERR_OK;
}

const struct fs_dept_row *svc_contact_dept(const struct contact_dir *d, bool open_id,
                                           const char *id)
{
    for (size_t i = 0; i < d->nd; i++) {
        if (strcmp(open_id ? d->depts[i].open_department_id : d->depts[i].department_id, id) == 0)
            return &d->depts[i];
    }
    return NULL;
}

const struct fs_dept_row *svc_contact_dept_row(const struct contact_dir *d, int64_t id)
{
    return dept_by_row(d->depts, d->nd, id);
}

/* Whether 'dept' is 'top' or below it (0 is above every department). */
static bool dept_under(const struct contact_dir *d, int64_t dept, int64_t top)
{
    size_t guard = 0;

    if (top == 0)
        return true;
    while (dept != 0 && guard++ <= d->nd) {
        const struct fs_dept_row *r = dept_by_row(d->depts, d->nd, dept);

        if (dept == top)
            return true;
        if (r == NULL)
            return false;
        dept = r->parent;
    }
    return false;
}

bool svc_contact_dept_visible(const struct contact_dir *d, int64_t dept)
{
    if (d->all)
        return true;
    if (dept == 0)
        return false; /* the root needs all members ("权限范围资源介绍") */
    for (size_t i = 0; i < d->nrange_depts; i++) {
        if (dept_under(d, dept, d->range_depts[i]))
            return true;
    }
    return false;
}

enum err svc_contact_person(struct svc_ctx *c, const struct contact_dir *d, int64_t person,
                            struct contact_person *out)
{
    enum err e;

    memset(out, 0, sizeof(*out));
    e = store_person_get(c->st, c->a, person, &out->p);
    if (e == ERR_OK && out->p.tenant_id != d->tenant)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = store_fs_profile_get(c->st, c->a, person, &out->profile);
    if (e == ERR_NOT_FOUND && out->p.tenant_id == d->tenant) {
        out->profile = (struct fs_profile_row){ .person = person, .profile = "{}" };
        e = ERR_OK;
    }
    if (e == ERR_OK)
        e = store_fs_membership_of(c->st, c->a, person, &out->mem, &out->nmem);
    if (e == ERR_OK)
        e = store_fs_open_id_get(c->st, c->a, d->app, person, &out->open_id);
    if (e != ERR_OK)
        return e;
    out->visible = d->all;
    for (size_t i = 0; i < d->nrange_people && !out->visible; i++)
        out->visible = d->range_people[i] == person;
    for (size_t i = 0; i < out->nmem && !out->visible; i++)
        out->visible = svc_contact_dept_visible(d, out->mem[i].dept);
    return ERR_OK;
}

enum err svc_contact_person_find(struct svc_ctx *c, const struct contact_dir *d, const char *kind,
                                 const char *id, int64_t *person)
{
    struct person_row p;
    enum err e = store_fs_person_find(c->st, c->a, d->tenant, d->app, kind, id, &p);

    if (e == ERR_OK)
        *person = p.id;
    return e;
}

const char *svc_contact_id_of(struct svc_ctx *c, const struct contact_dir *d, const char *user_id,
                              const char *type)
{
    struct person_row p;
    char *open_id = NULL;

    if (store_fs_person_find(c->st, c->a, d->tenant, 0, "user_id", user_id, &p) != ERR_OK)
        return NULL;
    if (strcmp(type, "user_id") == 0)
        return p.user_id;
    if (strcmp(type, "union_id") == 0)
        return p.union_id;
    return store_fs_open_id_get(c->st, c->a, d->app, p.id, &open_id) == ERR_OK ? open_id : NULL;
}

/* A mainland mobile may be sent bare or with +86 ("通过手机号或邮箱获取用户 ID"). */
static enum err by_mobile(struct svc_ctx *c, int64_t tenant, const char *v, int64_t *person)
{
    enum err e = store_fs_person_by_contact(c->st, tenant, "mobile", v, person);

    if (e == ERR_NOT_FOUND && strncmp(v, "+86", 3) == 0)
        e = store_fs_person_by_contact(c->st, tenant, "mobile", v + 3, person);
    else if (e == ERR_NOT_FOUND && strlen(v) == 11 && v[0] == '1')
        e = store_fs_person_by_contact(c->st, tenant, "mobile", arena_printf(c->a, "+86%s", v),
                                       person);
    return e;
}

enum err svc_contact_lookup(struct svc_ctx *c, const struct contact_dir *d, const char *kind,
                            const char *value, bool include_resigned, struct contact_person *out)
{
    int64_t person;
    enum err e = strcmp(kind, "mobile") == 0
                     ? by_mobile(c, d->tenant, value, &person)
                     : store_fs_person_by_contact(c->st, d->tenant, kind, value, &person);

    if (e == ERR_OK)
        e = svc_contact_person(c, d, person, out);
    if (e == ERR_OK && (!out->visible || (out->profile.resigned && !include_resigned)))
        e = ERR_NOT_FOUND;
    return e;
}

enum err svc_contact_counts(struct svc_ctx *c, const struct contact_dir *d, int64_t dept,
                            int64_t *members, int64_t *primary)
{
    struct fs_membership_row *m;
    size_t n;
    enum err e = store_fs_membership_tenant(c->st, c->a, d->tenant, &m, &n);

    *members = *primary = 0;
    for (size_t i = 0; e == ERR_OK && i < n;) {
        size_t j = i;
        bool in = false;

        /* Rows come by person, primary first. */
        for (; j < n && m[j].person == m[i].person; j++)
            in = in || dept_under(d, m[j].dept, dept);
        *members += in;
        *primary += dept_under(d, m[i].dept, dept);
        i = j;
    }
    return e;
}

/* Pre-order walk below 'parent' in sibling order (the list is by order, id). */
static void walk(const struct contact_dir *d, int64_t parent, bool deep,
                 const struct fs_dept_row **out, size_t *n)
{
    for (size_t i = 0; i < d->nd; i++) {
        if (d->depts[i].parent != parent)
            continue;
        out[(*n)++] = &d->depts[i];
        if (deep)
            walk(d, d->depts[i].id, true, out, n);
    }
}

void svc_contact_children(struct svc_ctx *c, const struct contact_dir *d, int64_t parent,
                          bool deep, const struct fs_dept_row ***rows, size_t *n)
{
    *rows = arena_alloc(c->a, (d->nd + 1) * sizeof(**rows));
    *n = 0;
    walk(d, parent, deep, *rows, n);
}

enum err svc_contact_members(struct svc_ctx *c, const struct contact_dir *d, int64_t dept,
                             int64_t offset, int64_t limit, struct fs_membership_row **rows,
                             size_t *n)
{
    return store_fs_membership_dept(c->st, c->a, d->tenant, dept, offset, limit, rows, n);
}
