/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_menus.c - chat menus (Feishu Open Platform: "群菜单概述",
 * "添加群菜单", "获取群菜单", "修改群菜单元信息" and the sort and delete pages): the
 * items' content is checked and kept here; counts, positions and who may
 * manage them are svc_chat_menus.c. Patch changes the listed fields of one
 * item.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define MAX_NAME 120

static enum err illegal(struct req *rq, const char *what)
{
    return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_MENU, "%s", what);
}

static bool name_ok(json_t *v)
{
    long n = json_is_string(v) ? str_utf8_len(json_string_value(v), json_string_length(v)) : -1;

    return n >= 1 && n <= MAX_NAME;
}

static enum err check_link(struct req *rq, json_t *link)
{
    static const char *const keys[] = { "common_url", "ios_url", "android_url", "pc_url",
                                        "web_url" };

    if (!json_is_object(link))
        return illegal(rq, "redirect_link");
    for (size_t i = 0; i < 5; i++) {
        json_t *v = json_object_get(link, keys[i]);

        if (v != NULL && !fs_http_url(json_string_value(v)))
            return illegal(rq, keys[i]);
    }
    if (json_object_size(link) == 0)
        return illegal(rq, "redirect_link");
    return ERR_OK;
}

static enum err check_i18n(struct req *rq, json_t *i18n)
{
    const char *key;
    json_t *v;

    if (!json_is_object(i18n))
        return illegal(rq, "i18n_names");
    json_object_foreach(i18n, key, v) {
        if (!name_ok(v))
            return illegal(rq, "i18n_names");
    }
    return ERR_OK;
}

/* One chat_menu_item as created: action_type NONE or REDIRECT_LINK, a name,
 * a link when it redirects; an item with children is NONE and has no icon. */
static enum err check_item(struct req *rq, json_t *item, bool has_children)
{
    const char *action = json_str(item, "action_type");
    json_t *i18n = json_object_get(item, "i18n_names"), *link = json_object_get(item, "redirect_link");
    enum err e = ERR_OK;

    /* The route's rules made it an object with an action_type (a patch
     * keeps the stored one). */
    if (action == NULL || (strcmp(action, "NONE") != 0 && strcmp(action, "REDIRECT_LINK") != 0))
        return illegal(rq, "action_type");
    if (!name_ok(json_object_get(item, "name")))
        return illegal(rq, "name");
    if (i18n != NULL)
        e = check_i18n(rq, i18n);
    if (e == ERR_OK && strcmp(action, "REDIRECT_LINK") == 0)
        e = link != NULL ? check_link(rq, link) : illegal(rq, "redirect_link");
    if (e == ERR_OK && json_object_get(item, "image_key") != NULL
        && !json_is_string(json_object_get(item, "image_key")))
        e = illegal(rq, "image_key");
    if (e == ERR_OK && has_children
        && (strcmp(action, "NONE") != 0 || json_object_get(item, "image_key") != NULL))
        e = illegal(rq, "a menu with children is NONE and has no icon");
    return e;
}

/* Only the documented item fields are kept. */
static const char *item_text(struct req *rq, json_t *item)
{
    static const char *const keys[] = { "action_type", "redirect_link", "image_key", "name",
                                        "i18n_names" };
    json_t *keep = json_object();
    const char *text;
    size_t len;

    for (size_t i = 0; i < 5; i++)
        if (json_object_get(item, keys[i]) != NULL)
            json_object_set(keep, keys[i], json_object_get(item, keys[i]));
    text = json_dump_arena(rq->http->arena, keep, &len);
    json_decref(keep);
    return text;
}

static json_t *tree_json(const struct fs_menu_row *rows, size_t n)
{
    json_t *tops = json_array();

    for (size_t i = 0; i < n; i++) {
        json_t *children;

        if (rows[i].parent != 0)
            continue;
        children = json_array();
        for (size_t j = 0; j < n; j++)
            if (rows[j].parent == rows[i].id)
                json_array_append_new(children,
                                      json_pack("{s:s,s:o}", "chat_menu_second_level_id",
                                                rows[j].item_id, "chat_menu_item",
                                                json_loads(rows[j].item, 0, NULL)));
        json_array_append_new(tops, json_pack("{s:s,s:o,s:o}", "chat_menu_top_level_id",
                                              rows[i].item_id, "chat_menu_item",
                                              json_loads(rows[i].item, 0, NULL), "children",
                                              children));
    }
    return json_pack("{s:o}", "chat_menu_top_levels", tops);
}

static enum err answer(enum err e, const struct chat_menus *m, json_t *out)
{
    if (e == ERR_OK)
        json_object_set_new(out, "menu_tree", tree_json(m->rows, m->n));
    return e;
}

enum err fs_menu_create(struct req *rq, json_t *body, json_t *out)
{
    json_t *tops = json_object_get(json_object_get(body, "menu_tree"), "chat_menu_top_levels");
    json_t *top, *child;
    struct chat_menu_new *add;
    struct chat_menus m;
    size_t i, j;
    enum err e = ERR_OK;

    add = arena_alloc(rq->http->arena, json_array_size(tops) * sizeof(*add));
    /* Check every item before writing any. */
    json_array_foreach(tops, i, top) {
        json_t *children = json_object_get(top, "children");
        const char **texts;

        e = check_item(rq, json_object_get(top, "chat_menu_item"), json_array_size(children) > 0);
        texts = arena_alloc(rq->http->arena, (json_array_size(children) + 1) * sizeof(*texts));
        json_array_foreach(children, j, child) {
            if (e == ERR_OK)
                e = check_item(rq, json_object_get(child, "chat_menu_item"), false);
            texts[j] = item_text(rq, json_object_get(child, "chat_menu_item"));
        }
        if (e != ERR_OK)
            return e;
        add[i] = (struct chat_menu_new){ .item = item_text(rq, json_object_get(top, "chat_menu_item")),
                                         .children = texts,
                                         .nchildren = json_array_size(children) };
    }
    e = svc_chat_menus_add(&rq->svc, rq->params[0], &rq->actor, add, json_array_size(tops), &m);
    return answer(e, &m, out);
}

enum err fs_menu_get(struct req *rq, json_t *body, json_t *out)
{
    struct chat_menus m;

    (void)body;
    return answer(svc_chat_menus_open(&rq->svc, rq->params[0], &rq->actor, false, &m), &m, out);
}

/* Sort or delete by chat_menu_top_level_ids (sort: exactly the existing
 * top levels, 232072 otherwise). */
static enum err by_ids(struct req *rq, json_t *body, json_t *out,
                       enum err (*fn)(struct svc_ctx *, const char *, const struct actor *,
                                      const char *const *, size_t, struct chat_menus *))
{
    struct chat_menus m;
    size_t n;
    const char *const *ids = fs_strings(rq, body, "chat_menu_top_level_ids", &n);
    enum err e = fn(&rq->svc, rq->params[0], &rq->actor, ids, n, &m);
    return answer(e, &m, out);
}

enum err fs_menu_sort(struct req *rq, json_t *body, json_t *out)
{
    return by_ids(rq, body, out, svc_chat_menus_sort);
}

enum err fs_menu_delete(struct req *rq, json_t *body, json_t *out)
{
    return by_ids(rq, body, out, svc_chat_menus_delete);
}

/* PATCH one item: only the fields named in update_fields change, and
 * action_type never does. */
enum err fs_menu_item_patch(struct req *rq, json_t *body, json_t *out)
{
    static const struct {
        const char *field, *key;
    } fields[] = { { "ICON", "image_key" }, { "NAME", "name" }, { "I18N_NAME", "i18n_names" },
                   { "REDIRECT_LINK", "redirect_link" } };
    json_t *update = json_object_get(body, "update_fields"), *in = json_object_get(body, "chat_menu_item");
    json_t *item, *f;
    struct fs_menu_row *row;
    struct chat_menus m;
    bool has_children;
    size_t i;
    enum err e;

    e = svc_chat_menus_open(&rq->svc, rq->params[0], &rq->actor, true, &m);
    if (e != ERR_OK)
        return e;
    row = svc_chat_menu_find(&m, rq->params[1], &has_children);
    if (row == NULL) /* the path names no item: 232001, as for a bad field */
        return fs_bad(rq, "menu_item_id");
    item = json_loads(row->item, 0, NULL);
    if (json_str(in, "action_type") != NULL
        && strcmp(json_str(in, "action_type"), json_str(item, "action_type")) != 0)
        e = illegal(rq, "action_type cannot change");
    json_array_foreach(update, i, f) {
        size_t k = 0;

        if (e != ERR_OK)
            break;
        /* update_fields is an enum of the route's rules. */
        while (k < 3 && strcmp(json_string_value(f), fields[k].field) != 0)
            k++;
        if (json_object_get(in, fields[k].key) == NULL)
            json_object_del(item, fields[k].key);
        else
            json_object_set(item, fields[k].key, json_object_get(in, fields[k].key));
    }
    if (e == ERR_OK)
        e = check_item(rq, item, has_children);
    if (e == ERR_OK) {
        row->item = item_text(rq, item);
        e = svc_chat_menu_item_set(&rq->svc, row);
    }
    if (e == ERR_OK)
        json_object_set(out, "chat_menu_item", item);
    json_decref(item);
    return e;
}
