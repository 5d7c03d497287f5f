/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc_kb.c - knowledge-base groups (WeCom "知识库分组管理" (knowledge-base groups)): translate the
 * WeCom shapes to svc_kb calls under the WeCom policy. The rules themselves
 * (quota, default group, unique names) live in svc/svc_kb.c.
 */
#include "dialect/wecom/wc.h"

#include "core/cursor.h"

#define WC_CURSOR_GROUPS 'G'
#define WC_LIMIT_DEFAULT 500

enum err wc_kb_add_group(struct req *rq, json_t *body, json_t *out)
{
    struct kb_cat_row g = { .name = json_str(body, "name") };
    enum err e = svc_kb_cat_add(&rq->svc, &svc_kb_wecom, &g);

    if (e == ERR_OK)
        json_out_str(out, "group_id", g.ext_id);
    return e;
}

enum err wc_kb_del_group(struct req *rq, json_t *body, json_t *out)
{
    (void)out;
    return svc_kb_cat_delete(&rq->svc, &svc_kb_wecom, json_str(body, "group_id"), 0);
}

enum err wc_kb_mod_group(struct req *rq, json_t *body, json_t *out)
{
    (void)out;
    return svc_kb_cat_rename(&rq->svc, &svc_kb_wecom, json_str(body, "group_id"), 0,
                             json_str(body, "name"));
}

static json_t *group_json(const struct kb_cat_row *g)
{
    return json_pack("{s:s,s:s,s:i}", "group_id", g->ext_id, "name", g->name, "is_default",
                     g->is_default ? 1 : 0);
}

enum err wc_kb_list_group(struct req *rq, json_t *body, json_t *out)
{
    const char *cursor = json_str(body, "cursor"), *group_id = json_str(body, "group_id");
    json_t *list = json_array();
    struct kb_cat_row *rows, one;
    int64_t limit = WC_LIMIT_DEFAULT, after = 0;
    bool has_more = false;
    size_t n = 0;
    enum err e;

    json_int(body, "limit", &limit);
    if (cursor != NULL && !cursor_decode(cursor, WC_CURSOR_GROUPS, (uint64_t)rq->svc.tenant, &after)) {
        json_decref(list);
        return err_set(&rq->err, ERR_BAD_REQUEST, WC_SUBJ_CURSOR, "invalid cursor");
    }
    if (group_id != NULL) {
        e = svc_kb_cat_get(&rq->svc, &svc_kb_wecom, group_id, &one);
        rows = &one;
        n = 1;
    } else {
        e = svc_kb_cat_list(&rq->svc, &svc_kb_wecom, after, limit, &rows, &n, &has_more);
    }
    if (e != ERR_OK) {
        json_decref(list);
        return e;
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, group_json(&rows[i]));
    /* Keyset cursor: the last row's position, so groups added or deleted
     * between pages never shift what the next page starts from. */
    json_out_str(out, "next_cursor",
                 has_more ? cursor_encode(rq->http->arena, WC_CURSOR_GROUPS, (uint64_t)rq->svc.tenant, rows[n - 1].id) : "");
    json_out_int(out, "has_more", has_more ? 1 : 0);
    json_object_set_new(out, "group_list", list);
    return ERR_OK;
}
