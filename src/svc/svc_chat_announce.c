/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_announce.c - the chat announcement (Feishu's "Obtain group
 * announcement information" and "Update group announcement information"):
 * a legacy doc (svc_chat_doc.c) with a revision. Each accepted patch
 * raises the revision by one; a base revision may lag the current one by
 * at most 100.
 */
#include "svc/svc.h"

#include <string.h>

#define MAX_LAG 100
#define MAX_REQUESTS 10

/* The chat's announcement, created empty (revision 1, owned by the chat's
 * owner) the first time anyone looks at it. */
static enum err load(struct svc_ctx *c, const struct chat_view *v, struct fs_announcement_row *an)
{
    enum err e = store_fs_announcement_get(c->st, c->a, v->chat.id, an);
    json_t *doc;
    size_t len;

    if (e != ERR_NOT_FOUND)
        return e;
    doc = svc_doc_new();
    an->content = json_dump_arena(c->a, doc, &len);
    json_decref(doc);
    an->revision = 1;
    an->create_time = v->chat.created_at;
    an->update_time = v->chat.created_at;
    an->owner = v->chat.owner;
    an->modifier = v->chat.owner;
    return store_fs_announcement_put(c->st, v->chat.id, an);
}

enum err svc_chat_announcement(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                               struct fs_announcement_row *an)
{
    struct chat_view v;
    enum err e = svc_chat_open(c, chat_id, op, true, &v);

    return e == ERR_OK ? load(c, &v, an) : e;
}

static enum err failed(struct svc_ctx *c, const char *why)
{
    return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_ANNOUNCEMENT, "%s", why);
}

/* Applies every request (JSON text) to the document, or fails on the first
 * that does not apply. */
static enum err apply_all(json_t *doc, const json_t *requests)
{
    enum err e = ERR_OK;
    json_t *r;
    size_t i;

    json_array_foreach(requests, i, r) {
        json_t *op = json_is_string(r)
                         ? json_loads(json_string_value(r), JSON_REJECT_DUPLICATES, NULL)
                         : NULL;

        e = op ? svc_doc_apply(doc, op) : ERR_BAD_REQUEST;
        json_decref(op);
        if (e != ERR_OK)
            break;
    }
    return e;
}

enum err svc_chat_announcement_patch(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                                     int64_t base, const json_t *requests)
{
    struct fs_announcement_row an;
    struct chat_view v;
    json_t *doc;
    size_t len;
    enum err e = svc_chat_open_write(c, chat_id, op, true, &v);

    /* edit_permission decides who edits. */
    if (e == ERR_OK && !svc_chat_privileged(&v)
        && strcmp(svc_chat_setting(c, &v.chat, "edit_permission"), "all_members") != 0)
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_EDIT, "only owner or managers edit");
    if (e == ERR_OK)
        e = load(c, &v, &an);
    if (e != ERR_OK)
        return e;
    if (base > an.revision || an.revision - base > MAX_LAG)
        return failed(c, "revision out of range");
    if (json_array_size(requests) > MAX_REQUESTS)
        return failed(c, "too many requests");
    doc = json_loads(an.content, 0, NULL);
    e = apply_all(doc, requests);
    if (e == ERR_OK) {
        an.content = json_dump_arena(c->a, doc, &len);
        an.revision++;
        an.update_time = c->now;
        an.modifier = *op;
        e = store_fs_announcement_put(c->st, v.chat.id, &an);
    } else {
        e = failed(c, "a request does not apply to the document");
    }
    json_decref(doc);
    return e;
}
