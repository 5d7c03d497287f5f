/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_console.c - the web console's reads (svc_console.h). The admin
 * sees every chat whole: no membership is checked, unlike the dialects'
 * own reads, which are a member's view.
 */
#include "svc/svc_console.h"

#include "core/arena.h"
#include "store/store_console.h"

#include <string.h>

static json_t *chat_item(const void *row, const void *arg)
{
    const struct console_chat *r = row;

    (void)arg;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I}", "chat_id", r->chat_id, "name",
                     r->name ? r->name : "", "chat_mode", r->chat_mode, "chat_type", r->chat_type,
                     "status", r->status, "user_count", (json_int_t)r->user_count, "bot_count",
                     (json_int_t)r->bot_count, "created_at", (json_int_t)r->created_at,
                     "active_at", (json_int_t)r->active_at);
}

/* A member; 'arg' is the chat's owner. */
static json_t *member_item(const void *row, const void *arg)
{
    const struct console_member *r = row;
    const struct actor *owner = arg;
    bool is_owner = owner->kind == r->kind && owner->ref == r->ref;

    return json_pack("{s:s,s:s,s:s,s:s,s:I}", "type", r->kind == ACTOR_BOT ? "bot" : "user", "id",
                     r->id, "name", r->name, "role",
                     is_owner ? "owner" : r->is_manager ? "manager" : "member", "joined_at",
                     (json_int_t)r->joined_at);
}

static json_t *person_item(const void *row, const void *arg)
{
    const struct console_person *r = row;

    (void)arg;
    return json_pack("{s:s,s:s,s:s,s:s?}", "user_id", r->user_id, "union_id", r->union_id, "name",
                     r->name, "email", r->email);
}

/* JSON text as a value; null when absent or not JSON. */
static json_t *json_text(const char *text)
{
    json_t *v = text != NULL ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

    return v != NULL ? v : json_null();
}

static json_t *dept_item(const void *row, const void *arg)
{
    const struct console_dept *r = row;
    json_t *o = json_text(r->detail);

    (void)arg;
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_out_str(o, "department_id", r->department_id);
    json_out_str(o, "open_department_id", r->open_department_id);
    json_out_str(o, "parent_department_id", r->parent_id ? r->parent_id : "0");
    return o;
}

static const struct {
    size_t size;
    json_t *(*item)(const void *row, const void *arg);
} items_of[] = {
    [CONSOLE_CHATS] = { sizeof(struct console_chat), chat_item },
    [CONSOLE_MEMBERS] = { sizeof(struct console_member), member_item },
    [CONSOLE_PEOPLE] = { sizeof(struct console_person), person_item },
    [CONSOLE_DEPTS] = { sizeof(struct console_dept), dept_item },
};

/* A page, read with one row more than 'limit' (which tells that another
 * follows): {"items": [...], "next"?: the key of the page's last row}.
 * Every row type of store_console.h begins with its keyset key. */
static enum err page(struct svc_ctx *c, enum console_page which, int64_t key, int64_t after,
                     int64_t limit, const void *arg, json_t **out)
{
    const size_t size = items_of[which].size;
    void *rows;
    size_t n;
    json_t *items;
    enum err e = store_console_page(c->st, c->a, which, key, after, limit + 1, &rows, &n);

    *out = NULL;
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n && i < (size_t)limit; i++)
        json_array_append_new(items, items_of[which].item((char *)rows + i * size, arg));
    *out = json_pack("{s:o}", "items", items);
    if (n > (size_t)limit)
        json_object_set_new(*out, "next",
                            json_integer(*(int64_t *)((char *)rows + (size_t)(limit - 1) * size)));
    return ERR_OK;
}

enum err svc_console_chats(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                           json_t **out)
{
    return page(c, CONSOLE_CHATS, tenant, after, limit, NULL, out);
}

enum err svc_console_people(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                            json_t **out)
{
    return page(c, CONSOLE_PEOPLE, tenant, after, limit, NULL, out);
}

enum err svc_console_depts(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                           json_t **out)
{
    return page(c, CONSOLE_DEPTS, tenant, after, limit, NULL, out);
}

static enum err chat_find(struct svc_ctx *c, const char *chat_id, struct fs_chat_row *chat)
{
    enum err e = store_fs_chat_get(c->st, c->a, chat_id, chat);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "chat '%s' not found", chat_id);
    if (e == ERR_OK)
        c->tenant = chat->tenant_id;
    return e;
}

json_t *svc_console_actor(struct svc_ctx *c, const struct actor *who)
{
    const char *id = "", *name = "";

    if (who->kind == ACTOR_USER) {
        struct person_row p;

        if (store_person_get(c->st, c->a, who->ref, &p) == ERR_OK) {
            id = p.user_id;
            name = p.name;
        }
    } else if (who->kind == ACTOR_BOT) {
        struct fs_app_row app;

        if (store_fs_app_get(c->st, c->a, who->ref, &app) == ERR_OK) {
            id = app.app_id;
            name = app.name;
        }
    }
    return json_pack("{s:s,s:s,s:s}", "type", who->kind == ACTOR_BOT ? "bot" : "user", "id", id,
                     "name", name);
}

static json_t *tabs_json(struct svc_ctx *c, int64_t chat, enum err *e)
{
    struct fs_tab_row *t;
    size_t n;
    json_t *arr = json_array();

    *e = store_fs_tab_list(c->st, c->a, chat, &t, &n);
    for (size_t i = 0; *e == ERR_OK && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s?,s:o}", "tab_id", t[i].tab_id,
                                             "tab_type", t[i].tab_type, "tab_name",
                                             t[i].tab_name, "tab_content",
                                             json_text(t[i].tab_content)));
    return arr;
}

static json_t *menus_json(struct svc_ctx *c, int64_t chat, enum err *e)
{
    struct fs_menu_row *m;
    size_t n;
    json_t *arr = json_array();

    *e = store_fs_menu_list(c->st, c->a, chat, &m, &n);
    for (size_t i = 0; *e == ERR_OK && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:b,s:o}", "item_id", m[i].item_id, "top",
                                             m[i].parent == 0, "item", json_text(m[i].item)));
    return arr;
}

enum err svc_console_chat(struct svc_ctx *c, const char *chat_id, json_t **out)
{
    struct fs_chat_row ch;
    struct fs_announcement_row an;
    json_t *o, *tabs, *menus;
    enum err e = chat_find(c, chat_id, &ch), te = ERR_OK, me = ERR_OK;

    *out = NULL;
    if (e != ERR_OK)
        return e;
    tabs = tabs_json(c, ch.id, &te);
    menus = menus_json(c, ch.id, &me);
    e = te != ERR_OK ? te : me;
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:I,s:o,s:o}", "chat_id",
                  ch.chat_id, "name", ch.name ? ch.name : "", "description",
                  ch.description ? ch.description : "", "chat_mode", ch.chat_mode, "chat_type",
                  ch.chat_type, "status", ch.status, "avatar", ch.avatar ? ch.avatar : "",
                  "owner", svc_console_actor(c, &ch.owner), "settings", json_text(ch.settings),
                  "top_notice", json_text(ch.top_notice), "created_at",
                  (json_int_t)ch.created_at, "active_at", (json_int_t)ch.active_at, "tabs", tabs,
                  "menus", menus);
    if (e == ERR_OK) {
        e = store_fs_announcement_get(c->st, c->a, ch.id, &an);
        if (e == ERR_OK)
            json_object_set_new(o, "announcement",
                                json_pack("{s:o,s:I,s:I}", "content", json_text(an.content),
                                          "revision", (json_int_t)an.revision, "update_time",
                                          (json_int_t)an.update_time));
        else if (e == ERR_NOT_FOUND)
            e = ERR_OK;
    }
    if (e != ERR_OK) {
        json_decref(o);
        return e;
    }
    *out = o;
    return ERR_OK;
}

enum err svc_console_members(struct svc_ctx *c, const char *chat_id, int64_t after,
                             int64_t limit, json_t **out)
{
    struct fs_chat_row ch;
    enum err e = chat_find(c, chat_id, &ch);

    *out = NULL;
    return e == ERR_OK ? page(c, CONSOLE_MEMBERS, ch.id, after, limit, &ch.owner, out) : e;
}

enum err svc_console_messages(struct svc_ctx *c, const char *chat_id, const char *thread_id,
                              int64_t before_ms, int64_t before, int64_t limit,
                              struct fs_msg_row **rows, size_t *n, bool *more)
{
    struct fs_chat_row ch;
    struct fs_msg_page q = { .thread_id = thread_id, .from_ms = 0, .to_ms = INT64_MAX,
                             .desc = true, .after_ms = before_ms, .after = before,
                             .limit = limit + 1 };
    enum err e = chat_find(c, chat_id, &ch);

    *n = 0;
    *more = false;
    if (e != ERR_OK)
        return e;
    q.chat = ch.id;
    e = store_fs_msg_page(c->st, c->a, &q, rows, n);
    /* A thread of another chat is not this chat's. */
    for (size_t i = 0; e == ERR_OK && i < *n; i++)
        if ((*rows)[i].chat != ch.id)
            *n = i;
    if (e == ERR_OK && *n > (size_t)limit) {
        *n = (size_t)limit;
        *more = true;
    }
    return e;
}

enum err svc_console_reactions(struct svc_ctx *c, const char *thread_id,
                               const struct fs_msg_row *rows, size_t n, json_t **into)
{
    struct console_reaction *r;
    size_t nr, at = 0;
    enum err e;

    for (size_t i = 0; i < n; i++)
        into[i] = json_array();
    if (n == 0)
        return ERR_OK;
    /* The page is newest first: its last row is the range's low end. */
    e = store_console_reactions(c->st, c->a,
                                &(struct console_msg_range){ rows[0].chat, thread_id,
                                                             rows[n - 1].created_ms,
                                                             rows[n - 1].id, rows[0].created_ms,
                                                             rows[0].id },
                                &r, &nr);
    for (size_t k = 0; e == ERR_OK && k < nr; k++) {
        /* By message: find each message's row once. */
        if (rows[at].id != r[k].message)
            for (at = 0; at < n && rows[at].id != r[k].message; at++)
                ;
        if (at == n) {
            at = 0;
            continue;
        }
        json_array_append_new(
            into[at],
            json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:s}", "reaction_id", r[k].reaction_id,
                      "emoji_type", r[k].emoji_type, "operator", "type",
                      r[k].kind == ACTOR_BOT ? "bot" : "user", "id", r[k].id, "name", r[k].name,
                      "action_time",
                      arena_printf(c->a, "%lld", (long long)r[k].created_ms)));
    }
    return e;
}

enum err svc_console_app(struct svc_ctx *c, const char *app_id, json_t **out)
{
    struct fs_app_row app;
    struct fs_access_row acc;
    json_t *scopes = json_array(), *range;
    enum err e = store_fs_app_by_app_id(c->st, c->a, app_id, &app);

    *out = NULL;
    if (e == ERR_NOT_FOUND)
        e = err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "app '%s' not found", app_id);
    if (e == ERR_OK)
        e = store_fs_access_get(c->st, c->a, app.id, &acc);
    if (e != ERR_OK) {
        json_decref(scopes);
        return e;
    }
    /* Space-separated names as the seed gave them; none stored: the default. */
    for (const char *p = acc.scopes ? acc.scopes : "*"; *p != '\0';) {
        size_t n = strcspn(p, " ");

        if (n > 0)
            json_array_append_new(scopes, json_stringn(p, n));
        p += n + (p[n] == ' ');
    }
    range = acc.contact_range ? json_text(acc.contact_range) : json_string("all");
    *out = json_pack("{s:s,s:s,s:o,s:o}", "app_id", app.app_id, "name", app.name, "scopes",
                     scopes, "contact_range", range);
    return ERR_OK;
}
