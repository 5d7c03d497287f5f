/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_tabs.c - chat tabs (Feishu Open Platform: "添加会话标签页",
 * "更新会话标签页", "会话标签页排序", "拉取会话标签页", "删除会话标签页"):
 * the request's tabs parsed into rows, the rules in svc_chat_tabs.c. Every
 * call answers the complete ordered list; success says "ok".
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define MAX_TAB_NAME 60

static json_t *tab_json(const struct fs_tab_row *t)
{
    json_t *o = json_pack("{s:s}", "tab_id", t->tab_id);

    if (t->tab_name != NULL)
        json_object_set_new(o, "tab_name", json_string(t->tab_name));
    json_object_set_new(o, "tab_type", json_string(t->tab_type));
    if (t->tab_content != NULL)
        json_object_set_new(o, "tab_content", json_loads(t->tab_content, 0, NULL));
    if (t->tab_config != NULL)
        json_object_set_new(o, "tab_config", json_loads(t->tab_config, 0, NULL));
    return o;
}

static enum err answer(enum err e, const struct chat_tabs *t, json_t *out)
{
    json_t *list;

    if (e != ERR_OK)
        return e;
    list = json_array();
    for (size_t i = 0; i < t->n; i++)
        json_array_append_new(list, tab_json(&t->tabs[i]));
    json_object_set_new(out, "chat_tabs", list);
    return ERR_OK;
}

/* One tab of a create or update (its shape checked by the route's rules)
 * as a row: its name, its content {"<type>": link} and, for url tabs, its
 * config (the only fields kept). */
static enum err tab_fields(struct req *rq, json_t *in, const char *type, struct fs_tab_row *t)
{
    json_t *content = json_object_get(in, "tab_content"), *config = json_object_get(in, "tab_config");
    const char *name = json_str(in, "tab_name");
    size_t len;

    /* A name too long has its own code (232047), a wrong type 232001. */
    if (name != NULL && str_utf8_len(name, strlen(name)) > MAX_TAB_NAME)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB_NAME, "tab_name too long");
    t->tab_name = name;
    if (content != NULL) {
        const char *link = json_str(content, type);
        json_t *keep;

        if (!fs_http_url(link))
            return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB, "tab_content.%s", type);
        keep = json_pack("{s:s}", type, link);
        t->tab_content = json_dump_arena(rq->http->arena, keep, &len);
        json_decref(keep);
    }
    /* tab_config is honoured for url tabs only. */
    if (config != NULL && strcmp(type, "url") == 0) {
        json_t *keep = json_object();

        if (json_object_get(config, "icon_key") != NULL)
            json_object_set(keep, "icon_key", json_object_get(config, "icon_key"));
        if (json_object_get(config, "is_built_in") != NULL)
            json_object_set(keep, "is_built_in", json_object_get(config, "is_built_in"));
        t->tab_config = json_dump_arena(rq->http->arena, keep, &len);
        json_decref(keep);
    }
    return ERR_OK;
}

/* The chat_tabs of a create ('update' false) or an update, as rows. An
 * update's tab_id and type are checked against the stored tab (svc). */
static enum err parse_tabs(struct req *rq, json_t *body, bool update, struct fs_tab_row **rows,
                           size_t *n)
{
    json_t *list = json_object_get(body, "chat_tabs"), *in;
    size_t i;

    *n = json_array_size(list);
    *rows = arena_alloc(rq->http->arena, *n * sizeof(**rows));
    json_array_foreach(list, i, in) {
        const char *type = json_str(in, "tab_type");
        enum err e;

        (*rows)[i] = (struct fs_tab_row){ .tab_id = json_str(in, "tab_id"), .tab_type = type };
        e = tab_fields(rq, in, type, &(*rows)[i]);
        if (e == ERR_OK && !update && (*rows)[i].tab_content == NULL)
            e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB, "tab_content.%s required", type);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* Create ('update' false) or update. */
static enum err write_tabs(struct req *rq, json_t *body, json_t *out, bool update)
{
    struct fs_tab_row *rows;
    struct chat_tabs t;
    size_t n;
    enum err e = parse_tabs(rq, body, update, &rows, &n);

    if (e == ERR_OK && update)
        e = svc_chat_tabs_update(&rq->svc, rq->params[0], &rq->actor, rows, n, &t);
    else if (e == ERR_OK)
        e = svc_chat_tabs_add(&rq->svc, rq->params[0], &rq->actor, rows, n, &t);
    return answer(e, &t, out);
}

enum err fs_tabs_create(struct req *rq, json_t *body, json_t *out)
{
    return write_tabs(rq, body, out, false);
}

enum err fs_tabs_update(struct req *rq, json_t *body, json_t *out)
{
    return write_tabs(rq, body, out, true);
}

/* Sort or delete by tab_ids. */
static enum err by_ids(struct req *rq, json_t *body, json_t *out,
                       enum err (*fn)(struct svc_ctx *, const char *, const struct actor *,
                                      const char *const *, size_t, struct chat_tabs *))
{
    struct chat_tabs t;
    size_t n;
    const char *const *ids = fs_strings(rq, body, "tab_ids", &n);
    enum err e = fn(&rq->svc, rq->params[0], &rq->actor, ids, n, &t);
    return answer(e, &t, out);
}

enum err fs_tabs_sort(struct req *rq, json_t *body, json_t *out)
{
    return by_ids(rq, body, out, svc_chat_tabs_sort);
}

enum err fs_tabs_list(struct req *rq, json_t *body, json_t *out)
{
    struct chat_tabs t;

    (void)body;
    return answer(svc_chat_tabs_list(&rq->svc, rq->params[0], &rq->actor, &t), &t, out);
}

enum err fs_tabs_delete(struct req *rq, json_t *body, json_t *out)
{
    return by_ids(rq, body, out, svc_chat_tabs_delete);
}
