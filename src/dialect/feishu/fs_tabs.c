/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_tabs.c - chat tabs (official documentation: "添加会话标签页",
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

/* Parses one tab of a create or update into 't': its name, its content
 * {"<type>": link} and, for url tabs, its config (the only fields kept). */
static enum err tab_fields(struct req *rq, json_t *in, const char *type, struct fs_tab_row *t)
{
    json_t *content = json_object_get(in, "tab_content"), *config = json_object_get(in, "tab_config");
    const char *name = json_str(in, "tab_name");
    struct arena *a = rq->http->arena;
    size_t len;

    if (json_object_get(in, "tab_name") != NULL) {
        if (name == NULL)
            return fs_bad(rq, "tab_name");
        if (str_utf8_len(name, strlen(name)) > MAX_TAB_NAME)
            return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB_NAME, "tab_name too long");
        t->tab_name = name;
    }
    if (content != NULL) {
        const char *link = json_str(content, type);
        json_t *keep;

        if (!json_is_object(content) || !fs_http_url(link))
            return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB, "tab_content.%s", type);
        keep = json_pack("{s:s}", type, link);
        t->tab_content = json_dump_arena(a, keep, &len);
        json_decref(keep);
    }
    if (config != NULL) {
        json_t *icon = json_object_get(config, "icon_key"), *built = json_object_get(config, "is_built_in");
        json_t *keep;

        if (!json_is_object(config) || (icon && !json_is_string(icon))
            || (built && !json_is_boolean(built)))
            return fs_bad(rq, "tab_config");
        /* tab_config is honoured for url tabs only. */
        if (strcmp(type, "url") != 0)
            return ERR_OK;
        keep = json_object();
        if (icon != NULL)
            json_object_set(keep, "icon_key", icon);
        if (built != NULL)
            json_object_set(keep, "is_built_in", built);
        t->tab_config = json_dump_arena(a, keep, &len);
        json_decref(keep);
    }
    return ERR_OK;
}

/* The chat_tabs of a create ('update' false) or an update, as rows. */
static enum err parse_tabs(struct req *rq, json_t *body, bool update, struct fs_tab_row **rows,
                           size_t *n)
{
    json_t *list = json_object_get(body, "chat_tabs"), *in;
    size_t i;

    if (!json_is_array(list) || json_array_size(list) == 0)
        return fs_bad(rq, "chat_tabs");
    *n = json_array_size(list);
    *rows = arena_alloc(rq->http->arena, *n * sizeof(**rows));
    json_array_foreach(list, i, in) {
        const char *type = json_str(in, "tab_type");
        enum err e;

        /* An update's tab_id and type are checked against the stored tab
         * (svc_chat_tabs_update). */
        if (update && !json_is_object(in))
            return fs_bad(rq, "tab_id");
        if (!update && (!json_is_object(in) || type == NULL || !svc_chat_tab_custom(type)))
            return fs_bad(rq, "tab_type");
        (*rows)[i] = (struct fs_tab_row){ .tab_id = json_str(in, "tab_id"), .tab_type = type };
        if (type == NULL)
            continue;
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
    const char *const *ids;
    struct chat_tabs t;
    size_t n;
    enum err e = fs_strings(rq, body, "tab_ids", &ids, &n);

    if (e == ERR_OK)
        e = fn(&rq->svc, rq->params[0], &rq->actor, ids, n, &t);
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
