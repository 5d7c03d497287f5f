/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_tenant_admin.c - tenants as a whole, for the control room: the
 * list with each tenant's dialect identities and how many rows of each
 * table it owns, deleting a tenant, and resetting one to what its seed
 * declared. The tables come from the store's registry, so a new table is
 * counted, deleted and reset without a change here.
 */
#include "svc/svc.h"

#include "core/arena.h"

/* {"tenant_key", "app_ids": [...]}, or NULL for a tenant without Feishu. */
static json_t *feishu_ids(struct svc_ctx *c, int64_t tenant, enum err *e)
{
    struct fs_app_row *apps;
    size_t n;
    char *key = NULL;
    json_t *ids;

    *e = store_fs_tenant_key_get(c->st, c->a, tenant, &key);
    if (*e == ERR_NOT_FOUND)
        *e = ERR_OK;
    if (*e == ERR_OK)
        *e = store_fs_app_list(c->st, c->a, tenant, &apps, &n);
    if (*e != ERR_OK || (key == NULL && n == 0))
        return NULL;
    ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_string(apps[i].app_id));
    return json_pack("{s:s?,s:o}", "tenant_key", key, "app_ids", ids);
}

static enum err list_item(struct svc_ctx *c, const struct tenant_row *t, json_t **out)
{
    struct table_count *counts;
    struct udesk_row ud;
    size_t n;
    char *corpid = NULL;
    json_t *it, *cj, *fs;
    enum err e;

    it = json_pack("{s:s,s:b,s:b,s:I}", "name", t->name, "demo", t->is_demo, "rate_limit",
                   t->rate_limit, "created_at", (json_int_t)t->created_at);
    *out = it;
    fs = feishu_ids(c, t->id, &e);
    if (fs != NULL)
        json_object_set_new(it, "feishu", fs);
    if (e == ERR_OK)
        e = store_wc_corp_get(c->st, c->a, t->id, &corpid);
    if (e == ERR_OK)
        json_object_set_new(it, "wecom", json_pack("{s:s}", "corpid", corpid));
    if (e == ERR_OK || e == ERR_NOT_FOUND)
        e = store_udesk_get(c->st, c->a, t->id, &ud);
    if (e == ERR_OK)
        json_object_set_new(it, "udesk", json_pack("{s:s}", "subdomain", ud.subdomain));
    if (e == ERR_OK || e == ERR_NOT_FOUND)
        e = store_tenant_counts(c->st, c->a, t->id, &counts, &n);
    if (e != ERR_OK)
        return e;
    cj = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(cj, counts[i].table, json_integer(counts[i].n));
    json_object_set_new(it, "counts", cj);
    return ERR_OK;
}

enum err svc_tenant_list(struct svc_ctx *c, int64_t after, int64_t limit, json_t **out)
{
    struct tenant_row *rows;
    json_t *items;
    size_t n;
    /* One more than asked tells whether there is a next page. */
    enum err e = store_tenant_page(c->st, c->a, after, limit + 1, &rows, &n);

    *out = NULL;
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit && e == ERR_OK; i++) {
        json_t *it;

        e = list_item(c, &rows[i], &it);
        json_array_append_new(items, it);
    }
    if (e != ERR_OK) {
        json_decref(items);
        return e;
    }
    *out = json_pack("{s:o}", "items", items);
    if (n > (size_t)limit)
        json_object_set_new(*out, "next", json_integer(rows[limit - 1].id));
    return ERR_OK;
}

/* In a write transaction of its own, so that the node's token cache is
 * emptied after the commit: a check made after the call reads the
 * database. */
static enum err purge(struct svc_ctx *c, const char *name, bool reset)
{
    int64_t tenant;
    char *corpid;
    /* Alone among the writers of every node: a write of the tenant runs
     * wholly before or after, never inserts beside the delete. */
    enum err e = store_begin_alone(c->st);

    if (e != ERR_OK)
        return e;
    e = svc_tenant_find(c, name, &tenant);
    if (e == ERR_OK)
        e = store_tenant_purge(c->st, tenant, reset);
    /* A WeCom corp has its default group from the start, as a new one. */
    if (e == ERR_OK && reset) {
        e = store_wc_corp_get(c->st, c->a, tenant, &corpid);
        if (e == ERR_OK)
            e = svc_kb_default_ensure(c, &svc_kb_wecom, tenant);
        else if (e == ERR_NOT_FOUND)
            e = ERR_OK;
    }
    if (e == ERR_OK)
        e = store_commit(c->st);
    else
        store_rollback(c->st);
    if (e == ERR_OK)
        svc_tcache_flush(c->tokens);
    return e;
}

enum err svc_tenant_delete(struct svc_ctx *c, const char *name)
{
    return purge(c, name, false);
}

enum err svc_tenant_reset(struct svc_ctx *c, const char *name)
{
    return purge(c, name, true);
}
