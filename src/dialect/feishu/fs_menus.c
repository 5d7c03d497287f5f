/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_menus.c - chat menus (chat-extras.md §3): up to 3
 * top-level menus with up to 5 children each, in explicit order; create
 * appends, patch changes listed fields of one item, sort reorders top
 * levels, delete removes top levels with their children. Tenant token only,
 * group chats only.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define MAX_TOP 3
#define MAX_CHILDREN 5
#define MAX_NAME 120

static enum err illegal(struct req *rq, const char *what)
{
    return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_MENU, "%s", what);
}

static enum err open_menus(struct req *rq, struct chat_view *v, struct fs_menu_row **rows,
                           size_t *n)
{
    enum err e = ERR_OK;

    if (rq->actor.kind != ACTOR_BOT)
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN,
                       "menus take a tenant token");
    /* Only changes take the tenant's write lock; reading the tree does not. */
    e = (rq->route->flags & R_WRITE)
            ? svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, v)
            : svc_chat_open(&rq->svc, rq->params[0], &rq->actor, true, v);
    if (e == ERR_OK && strcmp(v->chat.chat_mode, "group") != 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "menus need a group chat");
    if (e == ERR_OK)
        e = store_fs_menu_list(rq->svc.st, rq->http->arena, v->chat.id, rows, n);
    return e;
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

    if (!json_is_object(item) || action == NULL)
        return fs_bad(rq, "chat_menu_item");
    if (strcmp(action, "NONE") != 0 && strcmp(action, "REDIRECT_LINK") != 0)
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

static enum err answer(struct req *rq, int64_t chat, json_t *out)
{
    struct fs_menu_row *rows;
    size_t n;
    enum err e = store_fs_menu_list(rq->svc.st, rq->http->arena, chat, &rows, &n);

    if (e == ERR_OK)
        json_object_set_new(out, "menu_tree", tree_json(rows, n));
    return e;
}

static size_t count_top(const struct fs_menu_row *rows, size_t n)
{
    size_t tops = 0;

    for (size_t i = 0; i < n; i++)
        tops += rows[i].parent == 0;
    return tops;
}

enum err fs_menu_create(struct req *rq, json_t *body, json_t *out)
{
    json_t *tops = json_object_get(json_object_get(body, "menu_tree"), "chat_menu_top_levels");
    json_t *top, *child;
    struct fs_menu_row *rows;
    struct chat_view v;
    size_t n, i, j, have;
    enum err e;

    if (!json_is_array(tops) || json_array_size(tops) == 0)
        return fs_bad(rq, "menu_tree");
    e = open_menus(rq, &v, &rows, &n);
    if (e != ERR_OK)
        return e;
    have = count_top(rows, n);
    if (have + json_array_size(tops) > MAX_TOP)
        return err_set(&rq->err, ERR_LIMIT, SUBJ_MENU, "too many top-level menus");
    /* Check everything before writing anything. */
    json_array_foreach(tops, i, top) {
        json_t *children = json_object_get(top, "children");

        if (children != NULL && !json_is_array(children))
            return fs_bad(rq, "children");
        if (json_array_size(children) > MAX_CHILDREN)
            return err_set(&rq->err, ERR_LIMIT, SUBJ_MENU_CHILD, "too many second-level menus");
        e = check_item(rq, json_object_get(top, "chat_menu_item"), json_array_size(children) > 0);
        json_array_foreach(children, j, child) {
            if (e == ERR_OK)
                e = check_item(rq, json_object_get(child, "chat_menu_item"), false);
        }
        if (e != ERR_OK)
            return e;
    }
    json_array_foreach(tops, i, top) {
        struct fs_menu_row t = { .item_id = fs_numeric_id(rq), .position = (int64_t)(have + i) };

        t.item = item_text(rq, json_object_get(top, "chat_menu_item"));
        e = store_fs_menu_insert(rq->svc.st, v.chat.id, &t);
        json_array_foreach(json_object_get(top, "children"), j, child) {
            struct fs_menu_row c = { .item_id = fs_numeric_id(rq), .parent = t.id,
                                     .position = (int64_t)j };

            c.item = item_text(rq, json_object_get(child, "chat_menu_item"));
            if (e == ERR_OK)
                e = store_fs_menu_insert(rq->svc.st, v.chat.id, &c);
        }
        if (e != ERR_OK)
            return e;
    }
    return answer(rq, v.chat.id, out);
}

enum err fs_menu_get(struct req *rq, json_t *body, json_t *out)
{
    struct fs_menu_row *rows;
    struct chat_view v;
    size_t n;
    enum err e = open_menus(rq, &v, &rows, &n);

    (void)body;
    if (e == ERR_OK)
        json_object_set_new(out, "menu_tree", tree_json(rows, n));
    return e;
}

static struct fs_menu_row *find_top(struct fs_menu_row *rows, size_t n, const char *id)
{
    for (size_t i = 0; id != NULL && i < n; i++)
        if (rows[i].parent == 0 && strcmp(rows[i].item_id, id) == 0)
            return &rows[i];
    return NULL;
}

/* The ids must be exactly the existing top levels (232072 otherwise). */
enum err fs_menu_sort(struct req *rq, json_t *body, json_t *out)
{
    json_t *ids = json_object_get(body, "chat_menu_top_level_ids"), *id;
    struct fs_menu_row *rows;
    struct chat_view v;
    size_t n, i;
    enum err e;

    if (!json_is_array(ids))
        return fs_bad(rq, "chat_menu_top_level_ids");
    e = open_menus(rq, &v, &rows, &n);
    if (e != ERR_OK)
        return e;
    if (json_array_size(ids) != count_top(rows, n))
        return err_set(&rq->err, ERR_CONFLICT, SUBJ_MENU, "ids differ from the menus");
    json_array_foreach(ids, i, id) {
        struct fs_menu_row *t = find_top(rows, n, json_string_value(id));

        if (t == NULL || t->position < 0)
            return err_set(&rq->err, ERR_CONFLICT, SUBJ_MENU, "ids differ from the menus");
        t->position = -1 - (int64_t)i;
    }
    for (i = 0; e == ERR_OK && i < n; i++) {
        if (rows[i].parent != 0)
            continue;
        rows[i].position = -1 - rows[i].position;
        e = store_fs_menu_update(rq->svc.st, &rows[i]);
    }
    return e == ERR_OK ? answer(rq, v.chat.id, out) : e;
}

enum err fs_menu_delete(struct req *rq, json_t *body, json_t *out)
{
    json_t *ids = json_object_get(body, "chat_menu_top_level_ids"), *id;
    struct fs_menu_row *rows;
    struct chat_view v;
    int64_t pos = 0;
    size_t n, i;
    enum err e;

    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return fs_bad(rq, "chat_menu_top_level_ids");
    e = open_menus(rq, &v, &rows, &n);
    json_array_foreach(ids, i, id) {
        struct fs_menu_row *t;

        if (e != ERR_OK)
            break;
        t = find_top(rows, n, json_string_value(id));
        if (t == NULL)
            return fs_bad(rq, "chat_menu_top_level_ids");
        if (t->position >= 0)
            e = store_fs_menu_delete(rq->svc.st, t->id);
        t->position = -1;
    }
    for (i = 0; e == ERR_OK && i < n; i++) {
        if (rows[i].parent != 0 || rows[i].position < 0)
            continue;
        rows[i].position = pos++;
        e = store_fs_menu_update(rq->svc.st, &rows[i]);
    }
    return e == ERR_OK ? answer(rq, v.chat.id, out) : e;
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
    struct fs_menu_row *rows, *m = NULL;
    struct chat_view v;
    bool has_children = false;
    size_t n, i;
    enum err e;

    if (!json_is_array(update) || json_array_size(update) == 0 || !json_is_object(in))
        return fs_bad(rq, "update_fields");
    e = open_menus(rq, &v, &rows, &n);
    if (e != ERR_OK)
        return e;
    for (i = 0; i < n; i++)
        if (strcmp(rows[i].item_id, rq->params[1]) == 0)
            m = &rows[i];
    if (m == NULL)
        return fs_bad(rq, "menu_item_id");
    for (i = 0; i < n; i++)
        has_children = has_children || rows[i].parent == m->id;
    item = json_loads(m->item, 0, NULL);
    if (json_str(in, "action_type") != NULL
        && strcmp(json_str(in, "action_type"), json_str(item, "action_type")) != 0)
        e = illegal(rq, "action_type cannot change");
    json_array_foreach(update, i, f) {
        size_t k;

        for (k = 0; k < 4; k++)
            if (json_is_string(f) && strcmp(json_string_value(f), fields[k].field) == 0)
                break;
        if (e == ERR_OK && k == 4)
            e = fs_bad(rq, "update_fields");
        if (e != ERR_OK)
            break;
        if (json_object_get(in, fields[k].key) == NULL)
            json_object_del(item, fields[k].key);
        else
            json_object_set(item, fields[k].key, json_object_get(in, fields[k].key));
    }
    if (e == ERR_OK)
        e = check_item(rq, item, has_children);
    if (e == ERR_OK) {
        m->item = item_text(rq, item);
        e = store_fs_menu_update(rq->svc.st, m);
    }
    if (e == ERR_OK)
        json_object_set(out, "chat_menu_item", item);
    json_decref(item);
    return e;
}
