/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_seed_kb.c - knowledge content in the seed document (docs/seed.md):
 * WeCom groups with their intents (wecom.knowledge) and Udesk top-level
 * catalogs with their questions, useful expressions and useful links
 * (udesk.knowledge). Idempotent like the rest of the seed: a group matches
 * by name, an intent by its question (moved nowhere: one in another group is
 * a conflict), a catalog by (type, owner, name) at the top level, an item
 * by its title, content or name in that catalog; what matches is updated,
 * the rest added. Every rule of the API applies (svc_kb.c, svc_kb_item.c).
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "json/json.h"

#include <stdio.h>
#include <string.h>

/* The seed names fields in its errors; svc's field names are the model's. */
static enum err where(struct svc_ctx *c, enum err e, const char *at)
{
    const char *msg;

    if (e == ERR_OK || e == ERR_STORE)
        return e;
    msg = arena_printf(c->a, "%s: %s", at, c->ei->msg);
    snprintf(c->ei->msg, sizeof(c->ei->msg), "%s", msg);
    return e;
}

static enum err bad(struct svc_ctx *c, const char *at, const char *what)
{
    return err_field(c->ei, ERR_BAD_REQUEST, at, "%s: %s", at, what);
}

/* A JSON array of strings (absent: none) into 'out'. */
static enum err strings(struct svc_ctx *c, const json_t *arr, const char *at, const char ***out,
                        size_t *n)
{
    *n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (arr != NULL && !json_is_array(arr))
        return bad(c, at, "must be an array of strings");
    *out = arena_alloc(c->a, (*n + 1) * sizeof(**out));
    for (size_t i = 0; i < *n; i++) {
        const json_t *v = json_array_get(arr, i);

        if (!json_is_string(v))
            return bad(c, at, "must be an array of strings");
        (*out)[i] = json_string_value(v);
    }
    return ERR_OK;
}

static enum err seed_intent(struct svc_ctx *c, const struct kb_cat_row *g, const json_t *in)
{
    const struct kb_item_policy *p = &svc_kb_wecom_intent;
    struct kb_item it = { .row = { .title = json_str(in, "question"),
                                   .content = json_str(in, "answer") } };
    struct kb_item_row old;
    enum err e;

    if (!json_is_object(in) || it.row.title == NULL || it.row.content == NULL)
        return bad(c, "intents[]", "question and answer are required strings");
    e = strings(c, json_object_get(in, "similar"), "intents[].similar", &it.similar,
                &it.nsimilar);
    if (e != ERR_OK)
        return e;
    e = store_kb_item_by_title(c->st, c->a, c->tenant, p->cats->space, it.row.title, &old);
    if (e == ERR_NOT_FOUND)
        return where(c, svc_kb_item_add(c, p, g->ext_id, 0, &it), "intents[]");
    if (e != ERR_OK)
        return e;
    if (old.category_id != g->id)
        return err_field(c->ei, ERR_CONFLICT, "intents[]",
                         "intents[]: question %s is in another group", it.row.title);
    it.has_title = it.has_content = it.has_similar = it.has_answer = true;
    return where(c, svc_kb_item_mod(c, p, old.ext_id, 0, NULL, &it), "intents[]");
}

enum err svc_seed_wecom_kb(struct svc_ctx *c, const json_t *groups)
{
    const json_t *g, *in;
    size_t i, k;
    enum err e = ERR_OK;

    if (groups != NULL && !json_is_array(groups))
        return bad(c, "knowledge", "must be an array");
    json_array_foreach(groups, i, g) {
        const char *name = json_str(g, "group");
        const json_t *intents = json_object_get(g, "intents");
        struct kb_cat_row cat = { .name = name };

        if (!json_is_object(g) || name == NULL)
            return bad(c, "knowledge[]", "group is a required string");
        if (intents != NULL && !json_is_array(intents))
            return bad(c, "knowledge[].intents", "must be an array");
        e = store_kb_cat_by_name(c->st, c->a, c->tenant, svc_kb_wecom.space, name, &cat);
        if (e == ERR_NOT_FOUND)
            e = where(c, svc_kb_cat_add(c, &svc_kb_wecom, &cat), "knowledge[]");
        json_array_foreach(intents, k, in) {
            if (e == ERR_OK)
                e = seed_intent(c, &cat, in);
        }
        if (e != ERR_OK)
            return e;
    }
    return e;
}

/* Udesk: which policy a catalog type's items follow, and the field that
 * tells items apart in the seed. */
static const struct {
    const char *type;
    const struct kb_item_policy *p;
} ud_kinds[] = {
    { "question", &svc_kb_udesk_question },
    { "useful_expression", &svc_kb_udesk_expression },
    { "useful_link", &svc_kb_udesk_link },
};

static const struct kb_item_policy *ud_policy(const char *type)
{
    for (size_t i = 0; i < sizeof(ud_kinds) / sizeof(ud_kinds[0]); i++)
        if (strcmp(ud_kinds[i].type, type) == 0)
            return ud_kinds[i].p;
    return NULL;
}

/* The stored item of 'items' the seed item 'it' names, or NULL. */
static const struct kb_item *ud_match(const struct kb_item_policy *p, const struct kb_item *items,
                                      size_t n, const struct kb_item *it)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = p->title_required ? items[i].row.title : items[i].row.content;
        const char *b = p->title_required ? it->row.title : it->row.content;

        if (a != NULL && b != NULL && strcmp(a, b) == 0)
            return &items[i];
    }
    return NULL;
}

static enum err seed_ud_items(struct svc_ctx *c, const struct kb_item_policy *p,
                              const struct kb_cat_row *cat, const json_t *list)
{
    const char *ref = arena_printf(c->a, "%lld", (long long)cat->id);
    struct kb_item *items;
    const json_t *in;
    size_t n, i;
    bool more;
    enum err e;

    if (list != NULL && !json_is_array(list))
        return bad(c, "knowledge[].items", "must be an array");
    e = svc_kb_item_list(c, p, ref, cat->owner_id, 0, 0, INT64_MAX / 2, &items, &n, &more, NULL);
    json_array_foreach(list, i, in) {
        struct kb_item it = { .row = { .title = json_str(in, p->url_required ? "name" : "title"),
                                       .content = json_str(in, "content"),
                                       .url = json_str(in, "url"),
                                       .lasts = true } };
        const struct kb_item *old;

        if (e != ERR_OK)
            return e;
        if (!json_is_object(in))
            return bad(c, "knowledge[].items[]", "must be an object");
        old = ud_match(p, items, n, &it);
        if (old == NULL) {
            e = where(c, svc_kb_item_add(c, p, ref, cat->owner_id, &it), "knowledge[].items[]");
            continue;
        }
        it.has_title = p->title_required;
        it.has_content = it.row.content != NULL;
        it.has_url = p->url_required;
        e = where(c, svc_kb_item_mod(c, p, arena_printf(c->a, "%lld", (long long)old->row.id),
                                     cat->owner_id, NULL, &it),
                  "knowledge[].items[]");
    }
    return e;
}

enum err svc_seed_udesk_kb(struct svc_ctx *c, const json_t *catalogs)
{
    const json_t *k;
    size_t i;
    enum err e = ERR_OK;

    if (catalogs != NULL && !json_is_array(catalogs))
        return bad(c, "knowledge", "must be an array");
    json_array_foreach(catalogs, i, k) {
        const char *type = json_str(k, "type"), *name = json_str(k, "catalog");
        const struct kb_item_policy *p = type ? ud_policy(type) : NULL;
        struct kb_cat_row cat = { .name = name, .type = type }, *rows;
        int64_t agent = 0;
        size_t n;

        if (!json_is_object(k) || name == NULL || p == NULL)
            return bad(c, "knowledge[]",
                       "catalog (a string) and type (question, useful_expression or "
                       "useful_link) are required");
        if (json_object_get(k, "agent_id") != NULL && !json_int(k, "agent_id", &agent))
            return bad(c, "knowledge[].agent_id", "must be an integer");
        e = svc_ud_agent(c, agent, &cat.owner_id);
        if (e == ERR_OK)
            e = store_kb_cat_list(c->st, c->a, c->tenant, svc_kb_udesk.space, type, cat.owner_id,
                                  0, INT64_MAX, &rows, &n);
        if (e != ERR_OK)
            return where(c, e, "knowledge[]");
        while (n > 0 && (rows[n - 1].parent_id != 0 || strcmp(rows[n - 1].name, name) != 0))
            n--;
        if (n > 0)
            cat = rows[n - 1];
        else
            e = where(c, svc_kb_cat_add(c, &svc_kb_udesk, &cat), "knowledge[]");
        if (e == ERR_OK)
            e = seed_ud_items(c, p, &cat, json_object_get(k, "items"));
        if (e != ERR_OK)
            return e;
    }
    return e;
}
