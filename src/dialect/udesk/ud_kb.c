/* SPDX-License-Identifier: MIT */
/*
 * dialect/udesk/ud_kb.c - knowledge-base catalogs (Udesk "Knowledge catalogs"): translate the
 * Udesk shapes to svc_kb calls under the Udesk policy. The rules themselves
 * (types, the tree, owners, name length) live in svc/svc_kb.c; the agent
 * named by agent_id is resolved to its person by svc_ud_agent.
 *
 * Catalog bodies are wrapped in "knowledge_catalog" (create, modify, delete); the route's rules
 * check the wrapper and these rules its content. Ids may come as integers or
 * numeric strings; parent_id 0, "" and null mean the top level.
 */
#include "dialect/udesk/ud.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/str.h"

#include <string.h>

static const struct field_rule create_rules[] = {
    { "name", JT_STRING, F_REQUIRED },
    { "knowledge_type_name", JT_STRING, F_REQUIRED },
    { "parent_id", JT_ID, F_EMPTY_ABSENT | F_RANGE, 0, 0, INT64_MAX },
    { "agent_id", JT_ID, F_REQUIRED | F_RANGE, 0, 0, INT64_MAX },
    { NULL },
};
/* Only the name changes (modify); parent_id moves the catalog (an extension). */
static const struct field_rule update_rules[] = {
    { "name", JT_STRING, F_REQUIRED },
    { "parent_id", JT_ID, F_EMPTY_ABSENT | F_RANGE, 0, 0, INT64_MAX },
    { "agent_id", JT_ID, F_REQUIRED | F_RANGE, 0, 0, INT64_MAX },
    { NULL },
};
static const struct field_rule delete_rules[] = {
    { "agent_id", JT_ID, F_REQUIRED | F_RANGE, 0, 0, INT64_MAX },
    { NULL },
};
/* agent_id "defaults to the administrator" (list). */
static const struct field_rule list_rules[] = {
    { "knowledge_type_name", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { "agent_id", JT_ID, F_EMPTY_ABSENT | F_RANGE, 0, 0, INT64_MAX },
    { NULL },
};

/* Checks the wrapped catalog against 'rules' and resolves its agent_id to
 * the owner's person row id (0: the administrator). */
static enum err catalog_in(struct req *rq, json_t *body, const struct field_rule *rules,
                           json_t **kc, int64_t *owner)
{
    int64_t agent = 0;
    enum err e;

    *kc = json_object_get(body, "knowledge_catalog");
    e = json_check(*kc, rules, &rq->err);
    if (e != ERR_OK)
        return e;
    json_id(*kc, "agent_id", &agent);
    return svc_ud_agent(&rq->svc, agent, owner);
}

/* The :id of the path: a positive integer. */
static enum err path_id(struct req *rq, int64_t *id)
{
    if (!str_to_i64(rq->params[0], 1, INT64_MAX, id))
        return err_field(&rq->err, ERR_BAD_REQUEST, "id", "id");
    return ERR_OK;
}

enum err ud_kb_create(struct req *rq, json_t *body, json_t *out)
{
    struct kb_cat_row cat = { 0 };
    json_t *kc;
    enum err e = catalog_in(rq, body, create_rules, &kc, &cat.owner_id);

    if (e != ERR_OK)
        return e;
    json_id(kc, "parent_id", &cat.parent_id);
    cat.name = json_str(kc, "name");
    cat.type = json_str(kc, "knowledge_type_name");
    e = svc_kb_cat_add(&rq->svc, &svc_kb_udesk, &cat);
    if (e != ERR_OK)
        return e;
    json_out_int(out, "id", cat.id);
    json_out_str(out, "name", cat.name);
    return ERR_OK;
}

enum err ud_kb_update(struct req *rq, json_t *body, json_t *out)
{
    const json_t *given = json_object_get(json_object_get(body, "knowledge_catalog"), "parent_id");
    /* parent_id absent or null leaves the catalog where it is; 0 or "" moves
     * it to the top level. */
    bool move = given != NULL && !json_is_null(given);
    int64_t id, owner, parent = 0;
    json_t *kc;
    enum err e = path_id(rq, &id);

    if (e == ERR_OK)
        e = catalog_in(rq, body, update_rules, &kc, &owner);
    if (e != ERR_OK)
        return e;
    json_id(kc, "parent_id", &parent);
    e = svc_kb_cat_rename(&rq->svc, &svc_kb_udesk, rq->params[0], owner, json_str(kc, "name"));
    if (e == ERR_OK && move)
        e = svc_kb_cat_move(&rq->svc, &svc_kb_udesk, rq->params[0], owner, parent);
    if (e != ERR_OK)
        return e;
    json_out_int(out, "id", id);
    json_out_str(out, "name", json_str(kc, "name"));
    return ERR_OK;
}

enum err ud_kb_delete(struct req *rq, json_t *body, json_t *out)
{
    int64_t id, owner;
    json_t *kc;
    enum err e = path_id(rq, &id);

    if (e == ERR_OK)
        e = catalog_in(rq, body, delete_rules, &kc, &owner);
    if (e == ERR_OK)
        e = svc_kb_cat_delete(&rq->svc, &svc_kb_udesk, rq->params[0], owner);
    if (e != ERR_OK)
        return e;
    /* The one answer whose id is a string (delete). */
    json_out_str(out, "message", "Category Delete Success");
    json_out_str(out, "id", arena_printf(rq->http->arena, "%lld", (long long)id));
    return ERR_OK;
}

/* The list's parameters come in the query string; the docs call them "request
 * body", so a JSON body fills in what the query lacks (list). */
static enum err list_in(struct req *rq, json_t **in)
{
    static const char *const keys[] = { "knowledge_type_name", "agent_id" };
    const struct http_req *r = rq->http;
    json_t *body = NULL;
    enum err e = ERR_OK;

    *in = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = dialect_query(rq, keys[i]);

        if (v != NULL) {
            json_object_set_new(*in, keys[i], json_string(v));
            continue;
        }
        if (body == NULL && r->body_len > 0)
            e = json_parse_object(r->body, r->body_len, (size_t)rq->app->cfg->json_max_values,
                                  &body, &rq->err);
        if (e != ERR_OK)
            break;
        if (json_object_get(body, keys[i]) != NULL)
            json_object_set(*in, keys[i], json_object_get(body, keys[i]));
    }
    json_decref(body);
    return e == ERR_OK ? json_check(*in, list_rules, &rq->err) : e;
}

/* Finds 'id' among rows sorted by id; -1 if absent. */
static long find_row(const struct kb_cat_row *rows, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (rows[mid].id == id)
            return (long)mid;
        if (rows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Nests one tree's rows (in id order) under their parents without recursion:
 * each node goes into its parent's "children", which keeps id order; a node
 * without children has no "children" key (list). Names were read back from
 * the store (valid UTF-8 when written), so they are not checked again. */
static json_t *tree_json(struct arena *a, const struct kb_cat_row *rows, size_t n)
{
    json_t **nodes = arena_alloc(a, (n + 1) * sizeof(*nodes));
    json_t *top = json_array();

    for (size_t i = 0; i < n; i++) {
        nodes[i] = json_object();
        json_object_set_new_nocheck(nodes[i], "id", json_integer(rows[i].id));
        json_object_set_new_nocheck(nodes[i], "parent_id", json_integer(rows[i].parent_id));
        json_out_text(nodes[i], "name", rows[i].name);
    }
    for (size_t i = 0; i < n; i++) {
        long p = rows[i].parent_id != 0 ? find_row(rows, n, rows[i].parent_id) : -1;
        json_t *children;

        if (p < 0) {
            json_array_append_new(top, nodes[i]);
            continue;
        }
        children = json_object_get(nodes[p], "children");
        if (children == NULL) {
            children = json_array();
            json_object_set_new(nodes[p], "children", children);
        }
        json_array_append_new(children, nodes[i]);
    }
    return top;
}

enum err ud_kb_list(struct req *rq, json_t *body, json_t *out)
{
    struct kb_cat_row *rows;
    int64_t agent = 0, owner;
    size_t n;
    json_t *in;
    enum err e = list_in(rq, &in);

    (void)body;
    json_id(in, "agent_id", &agent);
    if (e == ERR_OK)
        e = svc_ud_agent(&rq->svc, agent, &owner);
    if (e == ERR_OK)
        e = svc_kb_cat_all(&rq->svc, &svc_kb_udesk, json_str(in, "knowledge_type_name"), owner,
                           &rows, &n);
    json_decref(in);
    if (e == ERR_OK)
        json_object_set_new(out, "catalogs", tree_json(rq->http->arena, rows, n));
    return e;
}
