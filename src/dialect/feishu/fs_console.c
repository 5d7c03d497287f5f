/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_console.c - a chat's timeline for the web console: the
 * admin API's GET /admin/v1/feishu/chats/:chat_id/messages, every message
 * of the chat (or of one thread) whoever reads, newest first, each as
 * "Get the content of a specified message" spells it with people by
 * user_id (as the admin API's say answers), with its sender's name and its
 * reactions. The path's chat_id is the route's first parameter; the query:
 * thread_id, before, limit.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"
#include "svc/svc_console.h"

#include <string.h>

/* "<created_ms>_<row id>", the keyset position of a page's last message. */
static bool cursor_parse(struct req *rq, const char *s, int64_t *ms, int64_t *id)
{
    const char *sep = s ? strchr(s, '_') : NULL;

    if (sep == NULL)
        return false;
    return str_to_i64(arena_strndup(rq->http->arena, s, (size_t)(sep - s)), 0, INT64_MAX, ms)
           && str_to_i64(sep + 1, 1, INT64_MAX, id);
}

enum err fs_console_timeline(struct req *rq, json_t *body, json_t *out)
{
    const char *before_s = dialect_query(rq, "before"), *limit_s = dialect_query(rq, "limit");
    const char *thread = dialect_query(rq, "thread_id");
    struct fs_msg_view how = { "user_id", false, true, { 0, 0 }, NULL };
    int64_t before_ms = 0, before = 0, limit = 20;
    struct fs_msg_row *rows;
    struct actor last = { 0, 0, false };
    json_t *items, *sender = NULL, **reactions;
    size_t n;
    bool more;
    enum err e;

    (void)body;
    if (before_s != NULL && !cursor_parse(rq, before_s, &before_ms, &before))
        return err_field(&rq->err, ERR_BAD_REQUEST, "before", "before is a page's 'next'");
    if (limit_s != NULL && !str_to_i64(limit_s, 1, 50, &limit))
        return err_field(&rq->err, ERR_BAD_REQUEST, "limit", "limit is 1..50");
    if (thread != NULL && thread[0] == '\0')
        thread = NULL;
    e = svc_console_messages(&rq->svc, rq->params[0], thread, before_ms, before, limit, &rows, &n,
                             &more);
    if (e != ERR_OK)
        return e;
    /* Every message's reactions, read for the page at once. */
    reactions = arena_alloc(rq->http->arena, (n + 1) * sizeof(*reactions));
    e = svc_console_reactions(&rq->svc, thread, rows, n, reactions);
    if (e != ERR_OK) {
        for (size_t i = 0; i < n; i++)
            json_decref(reactions[i]);
        return e;
    }
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *m = fs_msg_json(rq, &rows[i], &how);

        /* Who wrote it, by name, as a chat client shows it; looked up once
         * per run of one sender's messages. */
        if (sender == NULL || rows[i].sender.kind != last.kind || rows[i].sender.ref != last.ref) {
            json_decref(sender);
            last = rows[i].sender;
            sender = svc_console_actor(&rq->svc, &last);
        }
        json_object_set(m, "sender_name", json_object_get(sender, "name"));
        json_object_set_new(m, "reactions", reactions[i]);
        json_array_append_new(items, m);
    }
    json_decref(sender);
    json_object_set_new(out, "items", items);
    if (more)
        json_object_set_new(out, "next",
                            json_string(arena_printf(rq->http->arena, "%lld_%lld",
                                                     (long long)rows[n - 1].created_ms,
                                                     (long long)rows[n - 1].id)));
    return ERR_OK;
}
