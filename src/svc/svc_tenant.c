/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_tenant.c - tenants and their identities in every dialect: the seed
 * document (docs/seed.md), the resolved description the admin API returns,
 * the demo tenant, and WeCom credential resolution.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "events/ev.h"
#include "json/json.h"

#include <string.h>

static const struct field_rule tenant_rules[] = {
    { "name", JT_STRING, F_REQUIRED, 64 },
    { "users", JT_ARRAY },
    { "feishu", JT_OBJECT },
    { "wecom", JT_OBJECT },
    { "udesk", JT_OBJECT },
    { "demo", JT_BOOL },
    { "rate_limit", JT_BOOL },
    { NULL },
};
static const struct field_rule user_rules[] = {
    { "user_id", JT_STRING, F_REQUIRED, 64 },
    { "name", JT_STRING, 0, 64 },
    { "email", JT_STRING, 0, 254 },
    { "udesk_agent_id", JT_INT, F_RANGE, 0, 1, INT64_MAX },
    { NULL },
};
static const struct field_rule feishu_rules[] = {
    { "tenant_key", JT_STRING, 0, 64 },
    { "member_limit", JT_INT, F_RANGE, 0, 1, 50000 },
    { "apps", JT_ARRAY },
    { "departments", JT_ARRAY },
    { NULL },
};
static const struct field_rule app_rules[] = {
    { "app_id", JT_STRING, F_REQUIRED, 64 },
    { "app_secret", JT_STRING, 0, 128 },
    { "name", JT_STRING, 0, 64 },
    { "event", JT_ANY },
    { "scopes", JT_ANY },        /* svc_contact_seed */
    { "contact_range", JT_ANY }, /* svc_contact_seed */
    { NULL },
};
static const struct field_rule event_rules[] = {
    { "callback_url", JT_STRING, 0, 2048 },
    { "mode", JT_STRING, 0, 32 },
    { "encrypt_key", JT_STRING, 0, 128 },
    { "verification_token", JT_STRING, 0, 128 },
    { "types", JT_ARRAY, F_REQUIRED },
    { NULL },
};

/* Checks 'obj' against 'rules', prefixing the error with where it is. */
static enum err check(struct svc_ctx *c, json_t *obj, const struct field_rule *rules,
                      const char *where)
{
    enum err e;

    if (!json_is_object(obj))
        return err_field(c->ei, ERR_BAD_REQUEST, where, "%s must be an object", where);
    e = json_check(obj, rules, c->ei);
    if (e != ERR_OK) {
        char msg[sizeof(c->ei->msg)];
        size_t n = strlen(where);

        /* Prefix in place: "users[]: user_id is required". */
        memcpy(msg, c->ei->msg, sizeof(msg));
        if (n + 2 < sizeof(msg)) {
            memcpy(c->ei->msg, where, n);
            memcpy(c->ei->msg + n, ": ", 2);
            memcpy(c->ei->msg + n + 2, msg, sizeof(msg) - n - 2);
            c->ei->msg[sizeof(msg) - 1] = '\0';
        }
    }
    return e;
}

/* A callback a seed document sets, and whether it answered the
 * url_verification challenge. svc_seed_run challenges the new and changed
 * ones before its write transaction; the apply then only reads the results. */
struct seed_callback {
    const char *app_id, *url, *token, *key;
    bool ok;
    char why[200];
};

struct seed_checks {
    struct seed_callback *v;
    size_t n;
};

/* The verification token a subscription gets: the document's, else the one
 * it has, else the one the checks chose for the app, else a new one. */
static const char *event_token(struct svc_ctx *c, const struct seed_checks *checked,
                               const char *app_id, json_t *ev, const char *had)
{
    if (json_str(ev, "verification_token") != NULL)
        return json_str(ev, "verification_token");
    if (had != NULL)
        return had;
    for (size_t i = 0; checked != NULL && i < checked->n; i++)
        if (strcmp(checked->v[i].app_id, app_id) == 0)
            return checked->v[i].token;
    return ids_token(c->a, "", 24);
}

/* Whether the callback answers: the checked result for exactly this
 * callback, else a challenge now (the subscription changed since the checks
 * were made, or the caller made none). */
static bool callback_answers(const struct seed_checks *checked, const char *app_id,
                             const struct fs_subscription_row *sub, char *why, size_t whylen)
{
    for (size_t i = 0; checked != NULL && i < checked->n; i++) {
        const struct seed_callback *cb = &checked->v[i];

        if (strcmp(cb->app_id, app_id) == 0 && strcmp(cb->url, sub->callback_url) == 0
            && strcmp(cb->token, sub->verification_token) == 0
            && strcmp(cb->key, sub->encrypt_key) == 0) {
            snprintf(why, whylen, "%s", cb->why);
            return cb->ok;
        }
    }
    return ev_challenge(sub->callback_url, sub->verification_token, sub->encrypt_key, why,
                        whylen)
           == ERR_OK;
}

/* An app's "event" object replaces its subscription; null removes it. A
 * new or changed callback must pass the url_verification challenge, as on
 * the platform, before it is saved (Feishu's "Configure event subscription"
 * guide: the request URL is verified when it is set). "mode": "webhook" (the
 * default; callback_url required) or "long_connection" (events wait for the
 * app's WebSocket connections; no callback_url, no challenge). */
static enum err seed_event(struct svc_ctx *c, const struct seed_checks *checked,
                           const char *app_id, int64_t app, json_t *ev)
{
    struct fs_subscription_row old, sub = { .app = app };
    json_t *t;
    size_t i;
    char why[200];
    bool had;
    enum err e;

    if (json_is_null(ev))
        return store_fs_subscription_delete(c->st, app);
    e = check(c, ev, event_rules, "feishu.apps[].event");
    if (e != ERR_OK)
        return e;
    json_array_foreach(json_object_get(ev, "types"), i, t) {
        if (!json_is_string(t))
            return err_field(c->ei, ERR_BAD_REQUEST, "types", "event types are strings");
        /* Known types only; their scopes are checked once the app's are set. */
        e = svc_event_type_check(c, NULL, json_string_value(t));
        if (e != ERR_OK)
            return e;
    }
    e = store_fs_subscription_get(c->st, c->a, app, &old);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    had = e == ERR_OK;
    sub.mode = json_str(ev, "mode") ? json_str(ev, "mode") : "webhook";
    if (strcmp(sub.mode, "webhook") != 0 && strcmp(sub.mode, "long_connection") != 0)
        return err_field(c->ei, ERR_BAD_REQUEST, "mode",
                         "mode is \"webhook\" or \"long_connection\"");
    sub.callback_url = json_str(ev, "callback_url");
    if (sub.callback_url == NULL && strcmp(sub.mode, "webhook") == 0)
        return err_field(c->ei, ERR_BAD_REQUEST, "callback_url",
                         "feishu.apps[].event: callback_url is required");
    if (sub.callback_url == NULL)
        sub.callback_url = "";
    sub.encrypt_key = json_str(ev, "encrypt_key") ? json_str(ev, "encrypt_key") : "";
    sub.verification_token =
        event_token(c, checked, app_id, ev, had ? old.verification_token : NULL);
    {
        size_t len;

        sub.types = json_dump_arena(c->a, json_object_get(ev, "types"), &len);
    }
    if (strcmp(sub.mode, "webhook") == 0
        && (!had || strcmp(old.callback_url, sub.callback_url) != 0
            || strcmp(old.mode, sub.mode) != 0 || strcmp(old.encrypt_key, sub.encrypt_key) != 0
            || strcmp(old.verification_token, sub.verification_token) != 0)) {
        if (!callback_answers(checked, app_id, &sub, why, sizeof(why)))
            return err_field(c->ei, ERR_BAD_REQUEST, "callback_url", "callback_url refused: %s",
                             why);
    }
    return store_fs_subscription_set(c->st, &sub);
}
static const struct field_rule wecom_rules[] = {
    { "corpid", JT_STRING, F_REQUIRED, 64 },
    { "secrets", JT_ARRAY },
    { "knowledge", JT_ARRAY },
    { NULL },
};
static const struct field_rule udesk_rules[] = {
    { "subdomain", JT_STRING, F_REQUIRED, 64 },
    { "admin_email", JT_STRING, F_REQUIRED, 254 },
    { "api_token", JT_STRING, 0, 128 },
    { "admin_password", JT_STRING, 0, 128 },
    { "knowledge", JT_ARRAY },
    { NULL },
};

static enum err seed_users(struct svc_ctx *c, const struct seed_checks *checked,
                           int64_t tenant, json_t *users)
{
    size_t i;
    json_t *u;

    (void)checked;
    json_array_foreach(users, i, u) {
        struct person_row p = { .tenant_id = tenant };
        enum err e = check(c, u, user_rules, "users[]");
        int64_t agent = 0;

        if (e != ERR_OK)
            return e;
        p.user_id = json_str(u, "user_id");
        p.name = json_str(u, "name") ? json_str(u, "name") : p.user_id;
        p.email = json_str(u, "email");
        if (json_int(u, "udesk_agent_id", &agent))
            p.udesk_agent_id = agent;
        p.union_id = ids_hex(c->a, "on_", 16);
        e = store_person_upsert(c->st, c->a, &p);
        if (e == ERR_CONFLICT)
            return err_field(c->ei, ERR_CONFLICT, "udesk_agent_id",
                             "udesk_agent_id %lld belongs to another person",
                             (long long)p.udesk_agent_id);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

static enum err seed_feishu(struct svc_ctx *c, const struct seed_checks *checked,
                            int64_t tenant, json_t *fs)
{
    struct store *st = c->st;
    json_t *apps = json_object_get(fs, "apps"), *app;
    enum err e = check(c, fs, feishu_rules, "feishu");
    size_t i;

    if (e != ERR_OK)
        return e;
    if (json_str(fs, "tenant_key") != NULL) {
        e = store_fs_tenant_key_set(st, tenant, json_str(fs, "tenant_key"));
        c->tkey = NULL; /* what this request read of it is no longer the key */
        if (e == ERR_CONFLICT)
            return err_field(c->ei, ERR_CONFLICT, "tenant_key",
                             "tenant_key belongs to another tenant");
        if (e != ERR_OK)
            return e;
    }
    if (json_object_get(fs, "member_limit") != NULL) {
        int64_t limit = 0;

        json_int(fs, "member_limit", &limit);
        if (json_str(fs, "tenant_key") == NULL)
            return err_field(c->ei, ERR_BAD_REQUEST, "member_limit",
                             "feishu: member_limit needs tenant_key");
        e = store_fs_member_limit_set(st, tenant, limit);
        if (e != ERR_OK)
            return e;
    }
    json_array_foreach(apps, i, app) {
        struct fs_app_row row = { .tenant_id = tenant };

        e = check(c, app, app_rules, "feishu.apps[]");
        if (e != ERR_OK)
            return e;
        row.app_id = json_str(app, "app_id");
        row.app_secret = json_str(app, "app_secret");
        row.name = json_str(app, "name") ? json_str(app, "name") : row.app_id;
        e = store_fs_app_upsert(st, c->a, &row, ids_hex(c->a, "", 16));
        if (e == ERR_CONFLICT)
            return err_field(c->ei, ERR_CONFLICT, "app_id", "app_id '%s' belongs to another tenant",
                             row.app_id);
        if (e == ERR_OK && json_object_get(app, "event") != NULL)
            e = seed_event(c, checked, row.app_id, row.id, json_object_get(app, "event"));
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* Knowledge content, with the tenant's rules (svc_seed_kb.c): the calls act
 * as the tenant. */
static enum err seed_knowledge(struct svc_ctx *c, int64_t tenant, const json_t *k,
                               enum err (*fn)(struct svc_ctx *, const json_t *))
{
    int64_t was = c->tenant;
    enum err e;

    if (k == NULL)
        return ERR_OK;
    c->tenant = tenant;
    e = fn(c, k);
    c->tenant = was;
    return e;
}

static enum err seed_wecom(struct svc_ctx *c, const struct seed_checks *checked,
                           int64_t tenant, json_t *wc)
{
    struct store *st = c->st;
    json_t *secrets = json_object_get(wc, "secrets"), *sec;
    enum err e = check(c, wc, wecom_rules, "wecom");
    int64_t owner;
    size_t i;

    (void)checked;
    if (e != ERR_OK)
        return e;
    e = store_wc_corp_find(st, c->a, json_str(wc, "corpid"), &owner);
    if (e == ERR_OK && owner != tenant)
        return err_field(c->ei, ERR_CONFLICT, "corpid", "corpid belongs to another tenant");
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    e = store_wc_corp_set(st, tenant, json_str(wc, "corpid"));
    if (e != ERR_OK)
        return e;
    json_array_foreach(secrets, i, sec) {
        struct wc_secret_row row;

        if (!json_is_string(sec) || json_string_length(sec) == 0)
            return err_field(c->ei, ERR_BAD_REQUEST, "secrets",
                             "wecom: secrets must be non-empty strings");
        e = store_wc_secret_find(st, c->a, json_string_value(sec), &row);
        if (e == ERR_OK && row.tenant_id != tenant)
            return err_field(c->ei, ERR_CONFLICT, "secrets", "secret belongs to another tenant");
        if (e == ERR_NOT_FOUND)
            e = store_wc_secret_add(st, tenant, json_string_value(sec));
        if (e != ERR_OK)
            return e;
    }
    e = svc_kb_default_ensure(c, &svc_kb_wecom, tenant);
    return e == ERR_OK ? seed_knowledge(c, tenant, json_object_get(wc, "knowledge"),
                                        svc_seed_wecom_kb)
                       : e;
}

static enum err seed_udesk(struct svc_ctx *c, const struct seed_checks *checked,
                           int64_t tenant, json_t *ud)
{
    struct udesk_row row = { .tenant_id = tenant };
    enum err e = check(c, ud, udesk_rules, "udesk");

    (void)checked;
    if (e != ERR_OK)
        return e;
    row.subdomain = json_str(ud, "subdomain");
    row.admin_email = json_str(ud, "admin_email");
    row.api_token = json_str(ud, "api_token");
    row.admin_password = json_str(ud, "admin_password");
    if (row.api_token == NULL) {
        struct udesk_row old;

        e = store_udesk_get(c->st, c->a, tenant, &old);
        row.api_token = (e == ERR_OK) ? old.api_token : ids_hex(c->a, "", 16);
    }
    e = store_udesk_set(c->st, &row);
    if (e == ERR_CONFLICT)
        return err_field(c->ei, ERR_CONFLICT, "subdomain", "subdomain belongs to another tenant");
    return e == ERR_OK ? seed_knowledge(c, tenant, json_object_get(ud, "knowledge"),
                                        svc_seed_udesk_kb)
                       : e;
}

/* Every (app, person) pair gets its own open_id, as on the real platform. */
static enum err seed_open_ids(struct svc_ctx *c, int64_t tenant)
{
    struct store *st = c->st;
    struct person_row *people;
    struct fs_app_row *apps;
    size_t np, na;
    enum err e;

    e = store_person_list(st, c->a, tenant, &people, &np);
    if (e == ERR_OK)
        e = store_fs_app_list(st, c->a, tenant, &apps, &na);
    for (size_t i = 0; e == ERR_OK && i < na; i++) {
        for (size_t j = 0; e == ERR_OK && j < np; j++) {
            char *open_id;

            e = store_fs_open_id_ensure(st, c->a, apps[i].id, people[j].id,
                                           ids_hex(c->a, "ou_", 16), &open_id);
        }
    }
    return e;
}

static const struct {
    const char *key;
    enum err (*apply)(struct svc_ctx *c, const struct seed_checks *checked, int64_t tenant,
                      json_t *part);
} seed_parts[] = {
    { "users", seed_users },
    { "feishu", seed_feishu },
    { "wecom", seed_wecom },
    { "udesk", seed_udesk },
};

static enum err seed_tenant(struct svc_ctx *c, const struct seed_checks *checked, json_t *t,
                            int64_t *id)
{
    struct tenant_row row;
    const char *name;
    enum err e = check(c, t, tenant_rules, "tenants[]");

    if (e != ERR_OK)
        return e;
    name = json_str(t, "name");
    e = store_tenant_by_name(c->st, c->a, name, &row);
    if (e == ERR_NOT_FOUND)
        e = store_tenant_insert(c->st, name, json_is_true(json_object_get(t, "demo")),
                                      c->now, &row.id);
    if (e == ERR_OK && json_object_get(t, "rate_limit") != NULL)
        e = store_tenant_set_rate_limit(c->st, row.id,
                                        json_is_true(json_object_get(t, "rate_limit")));
    if (e != ERR_OK)
        return e;
    *id = row.id;
    for (size_t k = 0; k < sizeof(seed_parts) / sizeof(seed_parts[0]); k++) {
        json_t *part = json_object_get(t, seed_parts[k].key);

        if (part == NULL)
            continue;
        e = seed_parts[k].apply(c, checked, row.id, part);
        if (e != ERR_OK)
            return e;
    }
    e = svc_contact_seed(c, row.id, t);
    return e == ERR_OK ? seed_open_ids(c, row.id) : e;
}

static enum err seed_apply(struct svc_ctx *c, const struct seed_checks *checked, json_t *doc,
                           json_t **out)
{
    json_t *tenants = json_object_get(doc, "tenants"), *t, *list;
    size_t i;
    enum err e;

    *out = NULL;
    if (!json_is_array(tenants))
        return err_field(c->ei, ERR_BAD_REQUEST, "tenants", "tenants must be an array");
    /* Seeds serialise on the directory lock (tenant 0): two seeding the same
     * new tenant at once would otherwise both try to insert it. */
    e = store_lock_tenant(c->st, 0);
    if (e != ERR_OK)
        return e;
    list = json_array();
    json_array_foreach(tenants, i, t) {
        json_t *desc;
        int64_t id;

        c->acc = NULL; /* the seed may change the apps' rows */
        e = seed_tenant(c, checked, t, &id);
        c->acc = NULL;
        if (e == ERR_OK)
            e = svc_tenant_describe(c, id, &desc);
        if (e != ERR_OK) {
            json_decref(list);
            return e;
        }
        json_array_append_new(list, desc);
    }
    *out = json_pack("{s:o}", "tenants", list);
    return ERR_OK;
}

enum err svc_seed_apply(struct svc_ctx *c, json_t *doc, json_t **out)
{
    return seed_apply(c, NULL, doc, out);
}

/* The callbacks of 'doc' that are new or changed, with the verification
 * token each will be saved with (read in a transaction of the caller's).
 * What is not shaped as the document should be is left to the apply to
 * report. */
static enum err seed_callbacks(struct svc_ctx *c, json_t *doc, struct seed_checks *out)
{
    json_t *t, *app;
    size_t i, j, cap = 0;

    memset(out, 0, sizeof(*out));
    json_array_foreach(json_object_get(doc, "tenants"), i, t) {
        json_array_foreach(json_object_get(json_object_get(t, "feishu"), "apps"), j, app) {
            json_t *ev = json_object_get(app, "event");
            struct fs_subscription_row old;
            struct fs_app_row row;
            struct seed_callback cb = { .app_id = json_str(app, "app_id") };
            bool had = false;
            enum err e;

            const char *mode = json_str(ev, "mode");

            /* Long connections have no callback to challenge. */
            if (cb.app_id == NULL || json_str(ev, "callback_url") == NULL
                || (mode != NULL && strcmp(mode, "webhook") != 0))
                continue;
            e = store_fs_app_by_app_id(c->st, c->a, cb.app_id, &row);
            if (e == ERR_OK)
                e = store_fs_subscription_get(c->st, c->a, row.id, &old);
            if (e != ERR_OK && e != ERR_NOT_FOUND)
                return e;
            had = e == ERR_OK;
            cb.url = json_str(ev, "callback_url");
            cb.key = json_str(ev, "encrypt_key") ? json_str(ev, "encrypt_key") : "";
            cb.token = event_token(c, out, cb.app_id, ev, had ? old.verification_token : NULL);
            if (had && strcmp(old.mode, "webhook") == 0 && strcmp(old.callback_url, cb.url) == 0
                && strcmp(old.encrypt_key, cb.key) == 0
                && strcmp(old.verification_token, cb.token) == 0)
                continue;
            if (out->n == cap) {
                struct seed_callback *bigger;

                cap = 2 * cap + 4;
                bigger = arena_alloc(c->a, cap * sizeof(cb));

                if (out->n > 0)
                    memcpy(bigger, out->v, out->n * sizeof(cb));
                out->v = bigger;
            }
            out->v[out->n++] = cb;
        }
    }
    return ERR_OK;
}

enum err svc_seed_run(struct svc_ctx *c, json_t *doc, json_t **out)
{
    struct seed_checks checked;
    enum err e;

    *out = NULL;
    e = store_begin(c->st, false);
    if (e != ERR_OK)
        return e;
    e = seed_callbacks(c, doc, &checked);
    store_rollback(c->st);
    if (e != ERR_OK)
        return e;
    /* No transaction is open while a callback is challenged. */
    for (size_t i = 0; i < checked.n; i++) {
        struct seed_callback *cb = &checked.v[i];

        cb->ok = ev_challenge(cb->url, cb->token, cb->key, cb->why, sizeof(cb->why)) == ERR_OK;
    }
    e = store_begin(c->st, true);
    if (e != ERR_OK)
        return e;
    e = seed_apply(c, &checked, doc, out);
    if (e != ERR_OK) {
        store_rollback(c->st);
        return e;
    }
    e = store_commit(c->st);
    if (e != ERR_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return e;
}
