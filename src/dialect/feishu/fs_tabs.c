/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_tabs.c - chat tabs (chat-extras.md §2): the built-in
 * message tab every chat has, up to 20 custom doc/url tabs, explicit order.
 * Every write answers the complete ordered list.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define MAX_CUSTOM_TABS 20
#define MAX_TAB_NAME 60

static bool custom(const char *type)
{
    return strcmp(type, "doc") == 0 || strcmp(type, "url") == 0;
}

/* Opens the chat (group or p2p, the operator a member) and its tabs, the
 * built-in message tab created on first use. */
static enum err open_tabs(struct req *rq, struct chat_view *v, struct fs_tab_row **tabs, size_t *n)
{
    enum err e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, v);

    if (e == ERR_OK && strcmp(v->chat.chat_mode, "group") != 0
        && strcmp(v->chat.chat_mode, "p2p") != 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB_CHAT, "tabs need a group or p2p chat");
    if (e == ERR_OK)
        e = store_fs_tab_list(rq->svc.st, rq->http->arena, v->chat.id, tabs, n);
    if (e == ERR_OK && *n == 0) {
        struct fs_tab_row msg = { .tab_id = fs_numeric_id(rq), .tab_type = "message" };

        e = store_fs_tab_insert(rq->svc.st, v->chat.id, &msg);
        if (e == ERR_OK)
            e = store_fs_tab_list(rq->svc.st, rq->http->arena, v->chat.id, tabs, n);
    }
    return e;
}

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

static void tabs_json(json_t *out, const struct fs_tab_row *tabs, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, tab_json(&tabs[i]));
    json_object_set_new(out, "chat_tabs", list);
}

/* Answers the chat's tabs in order (re-read, so it is what was stored). */
static enum err answer(struct req *rq, int64_t chat, json_t *out)
{
    struct fs_tab_row *tabs;
    size_t n;
    enum err e = store_fs_tab_list(rq->svc.st, rq->http->arena, chat, &tabs, &n);

    if (e == ERR_OK)
        tabs_json(out, tabs, n);
    return e;
}

/* Checks one tab of a create or update and fills the row's name, content
 * and config from it (only doc and url tabs are written by API). */
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
    } else if (t->tab_content == NULL) {
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_TAB, "tab_content.%s required", type);
    }
    if (config != NULL) {
        json_t *icon = json_object_get(config, "icon_key"), *built = json_object_get(config, "is_built_in");
        json_t *keep = json_object();

        /* tab_config is honoured for url tabs only (§2.1). */
        if (!json_is_object(config) || (icon && !json_is_string(icon))
            || (built && !json_is_boolean(built))) {
            json_decref(keep);
            return fs_bad(rq, "tab_config");
        }
        if (icon != NULL)
            json_object_set(keep, "icon_key", icon);
        if (built != NULL)
            json_object_set(keep, "is_built_in", built);
        if (strcmp(type, "url") == 0)
            t->tab_config = json_dump_arena(a, keep, &len);
        json_decref(keep);
    }
    return ERR_OK;
}

enum err fs_tabs_create(struct req *rq, json_t *body, json_t *out)
{
    json_t *list = json_object_get(body, "chat_tabs"), *in;
    struct fs_tab_row *tabs;
    struct chat_view v;
    size_t n, ncustom = 0, i;
    enum err e;

    if (!json_is_array(list) || json_array_size(list) == 0)
        return fs_bad(rq, "chat_tabs");
    e = open_tabs(rq, &v, &tabs, &n);
    for (i = 0; e == ERR_OK && i < n; i++)
        ncustom += custom(tabs[i].tab_type);
    if (e == ERR_OK && ncustom + json_array_size(list) > MAX_CUSTOM_TABS)
        e = err_set(&rq->err, ERR_LIMIT, SUBJ_TAB, "too many tabs");
    json_array_foreach(list, i, in) {
        const char *type = json_str(in, "tab_type");
        struct fs_tab_row t = { .tab_type = type, .position = (int64_t)(n + i) };

        if (e != ERR_OK)
            break;
        if (!json_is_object(in) || type == NULL || !custom(type))
            return fs_bad(rq, "tab_type");
        e = tab_fields(rq, in, type, &t);
        t.tab_id = fs_numeric_id(rq);
        if (e == ERR_OK)
            e = store_fs_tab_insert(rq->svc.st, v.chat.id, &t);
    }
    return e == ERR_OK ? answer(rq, v.chat.id, out) : e;
}

static struct fs_tab_row *find(struct fs_tab_row *tabs, size_t n, const char *id)
{
    for (size_t i = 0; id != NULL && i < n; i++)
        if (strcmp(tabs[i].tab_id, id) == 0)
            return &tabs[i];
    return NULL;
}

enum err fs_tabs_update(struct req *rq, json_t *body, json_t *out)
{
    json_t *list = json_object_get(body, "chat_tabs"), *in;
    struct fs_tab_row *tabs;
    struct chat_view v;
    size_t n, i;
    enum err e;

    if (!json_is_array(list) || json_array_size(list) == 0)
        return fs_bad(rq, "chat_tabs");
    e = open_tabs(rq, &v, &tabs, &n);
    json_array_foreach(list, i, in) {
        struct fs_tab_row *t;
        const char *type = json_str(in, "tab_type");

        if (e != ERR_OK)
            break;
        t = find(tabs, n, json_str(in, "tab_id"));
        if (!json_is_object(in) || type == NULL || t == NULL)
            return fs_bad(rq, t == NULL ? "tab_id" : "tab_type");
        /* Built-in tabs are read-only; a tab keeps its type. */
        if (!custom(t->tab_type))
            return err_set(&rq->err, ERR_FORBIDDEN, SUBJ_TAB, "built-in tab");
        if (strcmp(type, t->tab_type) != 0)
            return fs_bad(rq, "tab_type");
        e = tab_fields(rq, in, type, t);
        if (e == ERR_OK)
            e = store_fs_tab_update(rq->svc.st, t);
    }
    return e == ERR_OK ? answer(rq, v.chat.id, out) : e;
}

/* The new order must name every tab exactly once, the message tab first
 * (it never moves). */
enum err fs_tabs_sort(struct req *rq, json_t *body, json_t *out)
{
    json_t *ids = json_object_get(body, "tab_ids"), *id;
    struct fs_tab_row *tabs;
    struct chat_view v;
    size_t n, i;
    enum err e;

    if (!json_is_array(ids))
        return fs_bad(rq, "tab_ids");
    e = open_tabs(rq, &v, &tabs, &n);
    if (e != ERR_OK)
        return e;
    if (json_array_size(ids) != n)
        return fs_bad(rq, "tab_ids");
    json_array_foreach(ids, i, id) {
        struct fs_tab_row *t = find(tabs, n, json_string_value(id));

        if (t == NULL || t->position < 0 || (i == 0) != (strcmp(t->tab_type, "message") == 0))
            return fs_bad(rq, "tab_ids");
        t->position = -1 - (int64_t)i; /* marks it seen; a repeat fails above */
    }
    for (i = 0; e == ERR_OK && i < n; i++) {
        tabs[i].position = -1 - tabs[i].position;
        e = store_fs_tab_update(rq->svc.st, &tabs[i]);
    }
    return e == ERR_OK ? answer(rq, v.chat.id, out) : e;
}

enum err fs_tabs_list(struct req *rq, json_t *body, json_t *out)
{
    struct fs_tab_row *tabs;
    struct chat_view v;
    size_t n;
    enum err e = open_tabs(rq, &v, &tabs, &n);

    (void)body;
    if (e == ERR_OK)
        tabs_json(out, tabs, n); /* open_tabs read them, in order */
    return e;
}

enum err fs_tabs_delete(struct req *rq, json_t *body, json_t *out)
{
    json_t *ids = json_object_get(body, "tab_ids"), *id;
    struct fs_tab_row *tabs;
    struct chat_view v;
    size_t n, i;
    int64_t pos = 0;
    enum err e;

    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return fs_bad(rq, "tab_ids");
    e = open_tabs(rq, &v, &tabs, &n);
    json_array_foreach(ids, i, id) {
        struct fs_tab_row *t;

        if (e != ERR_OK)
            break;
        t = find(tabs, n, json_string_value(id));
        if (t == NULL)
            return fs_bad(rq, "tab_ids");
        if (!custom(t->tab_type))
            return err_set(&rq->err, ERR_FORBIDDEN, SUBJ_TAB, "built-in tab");
        if (t->position >= 0) {
            e = store_fs_tab_delete(rq->svc.st, t->id);
            t->position = -1;
        }
    }
    /* Close the gaps the deletions left. */
    for (i = 0; e == ERR_OK && i < n; i++) {
        if (tabs[i].position < 0)
            continue;
        tabs[i].position = pos++;
        e = store_fs_tab_update(rq->svc.st, &tabs[i]);
    }
    return e == ERR_OK ? answer(rq, v.chat.id, out) : e;
}
