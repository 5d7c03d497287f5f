/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_identity.c - reading identities back: the described tenant the
 * admin API returns, the demo tenant, WeCom credential resolution, Udesk
 * companies and agents.
 * Writing them is svc_tenant.c (the seed document).
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"

#include <string.h>

static json_t *describe_users(struct svc_ctx *c, int64_t tenant, struct fs_app_row *apps,
                              size_t na, enum err *e)
{
    struct person_row *people;
    json_t *list = json_array();
    size_t np;

    *e = store_person_list(c->st, c->a, tenant, &people, &np);
    for (size_t i = 0; *e == ERR_OK && i < np; i++) {
        json_t *u = json_pack("{s:s,s:s,s:s}", "user_id", people[i].user_id, "name",
                              people[i].name, "union_id", people[i].union_id);
        json_t *open_ids = json_object();

        if (people[i].email != NULL)
            json_object_set_new(u, "email", json_string(people[i].email));
        if (people[i].udesk_agent_id != 0)
            json_object_set_new(u, "udesk_agent_id", json_integer(people[i].udesk_agent_id));
        for (size_t j = 0; *e == ERR_OK && j < na; j++) {
            char *oid;

            /* Apps and people seeded together already have their pairs; the
             * candidate is only used for a pair made here. */
            *e = store_fs_open_id_ensure(c->st, c->a, apps[j].id, people[i].id,
                                               ids_hex(c->a, "ou_", 16), &oid);
            if (*e == ERR_OK)
                json_object_set_new(open_ids, apps[j].app_id, json_string(oid));
        }
        json_object_set_new(u, "open_ids", open_ids);
        json_array_append_new(list, u);
    }
    return list;
}

static json_t *describe_feishu(struct svc_ctx *c, int64_t tenant, struct fs_app_row *apps,
                               size_t na, enum err *e)
{
    json_t *fs, *list;
    char *key = NULL;

    *e = store_fs_tenant_key_get(c->st, c->a, tenant, &key);
    if (*e == ERR_NOT_FOUND && na == 0) {
        *e = ERR_OK;
        return NULL;
    }
    if (*e != ERR_OK && *e != ERR_NOT_FOUND)
        return NULL;
    *e = ERR_OK;
    fs = json_object();
    if (key != NULL)
        json_object_set_new(fs, "tenant_key", json_string(key));
    {
        int64_t limit = 0;

        if (store_fs_member_limit_get(c->st, tenant, &limit) == ERR_OK && limit > 0)
            json_object_set_new(fs, "member_limit", json_integer(limit));
    }
    list = json_array();
    for (size_t i = 0; i < na; i++) {
        struct fs_subscription_row sub;
        json_t *app = json_pack("{s:s,s:s,s:s,s:s}", "app_id", apps[i].app_id, "app_secret",
                                apps[i].app_secret, "name", apps[i].name, "bot_open_id",
                                svc_fs_bot_open_id(c->a, apps[i].app_id));

        if (store_fs_subscription_get(c->st, c->a, apps[i].id, &sub) == ERR_OK) {
            json_t *ev = json_pack("{s:s,s:s,s:s,s:o,s:s}", "callback_url", sub.callback_url,
                                   "encrypt_key", sub.encrypt_key, "verification_token",
                                   sub.verification_token, "types",
                                   json_loads(sub.types, 0, NULL), "mode", sub.mode);

            if (sub.callback_url[0] == '\0') /* long connection: none given */
                json_object_del(ev, "callback_url");
            json_object_set_new(app, "event", ev);
        }
        json_array_append_new(list, app);
    }
    json_object_set_new(fs, "apps", list);
    return fs;
}

static json_t *describe_wecom(struct svc_ctx *c, int64_t tenant, enum err *e)
{
    struct wc_secret_row *secrets;
    json_t *list;
    char *corpid;
    size_t n;

    *e = store_wc_corp_get(c->st, c->a, tenant, &corpid);
    if (*e == ERR_NOT_FOUND) {
        *e = ERR_OK;
        return NULL;
    }
    if (*e == ERR_OK)
        *e = store_wc_secret_list(c->st, c->a, tenant, &secrets, &n);
    if (*e != ERR_OK)
        return NULL;
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(secrets[i].secret));
    return json_pack("{s:s,s:o}", "corpid", corpid, "secrets", list);
}

static json_t *describe_udesk(struct svc_ctx *c, int64_t tenant, enum err *e)
{
    struct udesk_row u;
    json_t *d;

    *e = store_udesk_get(c->st, c->a, tenant, &u);
    if (*e == ERR_NOT_FOUND) {
        *e = ERR_OK;
        return NULL;
    }
    if (*e != ERR_OK)
        return NULL;
    d = json_pack("{s:s,s:s,s:s}", "subdomain", u.subdomain, "admin_email", u.admin_email,
                  "api_token", u.api_token);
    if (u.admin_password != NULL)
        json_object_set_new(d, "admin_password", json_string(u.admin_password));
    return d;
}

/* A dialect part is present only when the tenant has that identity. */
static void set_part(json_t *d, const char *key, json_t *part)
{
    if (part != NULL)
        json_object_set_new(d, key, part);
}

enum err svc_tenant_describe(struct svc_ctx *c, int64_t tenant, json_t **out)
{
    struct tenant_row t;
    struct fs_app_row *apps = NULL;
    size_t na = 0;
    json_t *d;
    enum err e;

    *out = NULL;
    e = store_tenant_get(c->st, c->a, tenant, &t);
    if (e == ERR_OK)
        e = store_fs_app_list(c->st, c->a, tenant, &apps, &na);
    if (e != ERR_OK)
        return e;
    d = json_pack("{s:s}", "name", t.name);
    if (t.is_demo)
        json_object_set_new(d, "demo", json_true());
    if (!t.rate_limit) /* like "demo": only when it differs from the default */
        json_object_set_new(d, "rate_limit", json_false());
    json_object_set_new(d, "users", describe_users(c, tenant, apps, na, &e));
    if (e == ERR_OK)
        set_part(d, "feishu", describe_feishu(c, tenant, apps, na, &e));
    if (e == ERR_OK)
        set_part(d, "wecom", describe_wecom(c, tenant, &e));
    if (e == ERR_OK)
        set_part(d, "udesk", describe_udesk(c, tenant, &e));
    if (e != ERR_OK) {
        json_decref(d);
        return e;
    }
    *out = d;
    return ERR_OK;
}

enum err svc_tenant_find(struct svc_ctx *c, const char *name, int64_t *tenant)
{
    struct tenant_row t;
    enum err e = store_tenant_by_name(c->st, c->a, name, &t);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_TENANT, "tenant '%s' not found", name);
    if (e == ERR_OK)
        *tenant = t.id;
    return e;
}

/* The demo tenant is an ordinary seed document with fresh random
 * credentials, so it goes through the same path as every tenant. */
enum err svc_demo_ensure(struct svc_ctx *c, bool *created, int64_t *tenant)
{
    json_t *doc, *res = NULL;
    enum err e = store_tenant_demo(c->st, tenant);

    *created = false;
    if (e != ERR_NOT_FOUND)
        return e;
    doc = json_pack(
        "{s:[{s:s,s:b,s:[{s:s,s:s,s:s,s:i}],s:{s:s,s:[{s:s,s:s,s:s}]},s:{s:s,s:[s]},"
        "s:{s:s,s:s,s:s,s:s}}]}",
        "tenants", "name", "Demo", "demo", 1, "users", "user_id", "demo", "name", "Demo User",
        "email", "demo@demo.qunzu.test", "udesk_agent_id", 1, "feishu", "tenant_key",
        ids_hex(c->a, "", 8), "apps", "app_id", ids_hex(c->a, "cli_", 8), "app_secret",
        ids_hex(c->a, "", 16), "name", "Demo Bot", "wecom", "corpid", ids_hex(c->a, "ww", 8),
        "secrets", ids_token(c->a, "", 32), "udesk", "subdomain", "demo", "admin_email",
        "admin@demo.qunzu.test", "api_token", ids_hex(c->a, "", 16), "admin_password",
        ids_hex(c->a, "", 8));
    e = svc_seed_apply(c, doc, &res);
    json_decref(doc);
    json_decref(res);
    if (e != ERR_OK)
        return e;
    *created = true;
    return store_tenant_demo(c->st, tenant);
}

enum err svc_wc_credential(struct svc_ctx *c, const char *corpid, const char *secret,
                           int64_t *tenant, int64_t *principal)
{
    struct wc_secret_row row;
    enum err e;

    e = store_wc_credential_find(c->st, c->a, corpid, secret, tenant, &row);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TENANT, "invalid corpid");
    if (e != ERR_OK)
        return e;
    if (row.id == 0)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_SECRET, "invalid credential");
    if (row.tenant_id != *tenant)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_SECRET_OTHER, "secret is invalid");
    *principal = row.id;
    return ERR_OK;
}

/* An admin may run several companies (one per subdomain, as on Udesk). */
#define UD_SAME_ADMIN_MAX 2

/* The lookup itself: the company, or the error that names what is wrong. */
static enum err ud_company_read(struct svc_ctx *c, const char *subdomain, const char *email,
                                struct udesk_row *out)
{
    struct udesk_row *rows;
    size_t n = 0;
    enum err e;

    if (subdomain != NULL) {
        e = store_udesk_by_subdomain(c->st, c->a, subdomain, out);
        if (e == ERR_NOT_FOUND)
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_SUBDOMAIN, "unknown subdomain");
        if (e == ERR_OK && (email == NULL || strcmp(out->admin_email, email) != 0))
            return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TENANT, "not the admin");
        return e;
    }
    e = store_udesk_by_email(c->st, c->a, email ? email : "", UD_SAME_ADMIN_MAX, &rows, &n);
    if (e != ERR_OK)
        return e;
    if (n == 0)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TENANT, "not the admin");
    if (n > 1)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_SUBDOMAIN,
                       "admin of several companies: the subdomain is required");
    *out = rows[0];
    return ERR_OK;
}

/* Every signed Udesk call looks its company up, on its worker and again in
 * the group's batch: a company found is kept (svc_ucache.c), never stale. */
enum err svc_ud_company(struct svc_ctx *c, const char *subdomain, const char *email,
                        struct udesk_row *out)
{
    enum err e;

    if (email != NULL && svc_ucache_get(c->udesk, c->st, c->a, subdomain, email, out))
        return ERR_OK;
    e = ud_company_read(c, subdomain, email, out);
    if (e == ERR_OK && email != NULL)
        svc_ucache_put(c->udesk, c->st, c->a, subdomain, email, out);
    return e;
}

enum err svc_ud_agent(struct svc_ctx *c, int64_t agent, int64_t *person)
{
    struct person_row p;
    enum err e;

    *person = 0;
    if (agent == 0)
        return ERR_OK;
    e = store_person_by_agent(c->st, c->a, c->tenant, agent, &p);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_AGENT, "agent not found");
    if (e == ERR_OK)
        *person = p.id;
    return e;
}
