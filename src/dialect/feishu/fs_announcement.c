/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_announcement.c - the chat announcement (chat-extras.md
 * §1): get, and patch with document requests applied to the stored legacy
 * doc (fs_doc.c). Each accepted patch raises the revision by one; a base
 * revision may lag the current one by at most 100.
 */
#include "dialect/feishu/fs.h"
#include "dialect/feishu/fs_doc.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define MAX_LAG 100
#define MAX_REQUESTS 10

/* The chat's announcement, created empty (revision 1, owned by the chat's
 * owner) the first time anyone looks at it. */
static enum err load(struct req *rq, const struct chat_view *v, struct fs_announcement_row *an)
{
    enum err e = store_fs_announcement_get(rq->svc.st, rq->http->arena, v->chat.id, an);
    json_t *doc;
    size_t len;

    if (e != ERR_NOT_FOUND)
        return e;
    doc = fs_doc_new();
    an->content = json_dump_arena(rq->http->arena, doc, &len);
    json_decref(doc);
    an->revision = 1;
    an->create_time = v->chat.created_at;
    an->update_time = v->chat.created_at;
    an->owner = v->chat.owner;
    an->modifier = v->chat.owner;
    return store_fs_announcement_put(rq->svc.st, v->chat.id, an);
}

/* owner/modifier: a person in user_id_type, a bot as its app_id. */
static void who_json(struct req *rq, json_t *out, const char *field, const struct actor *a,
                     const char *type)
{
    const char *id = fs_actor_id(rq, type, a);
    char key[32];

    snprintf(key, sizeof(key), "%s_id_type", field);
    json_object_set_new(out, key, json_string(a->kind == ACTOR_BOT ? "app_id" : type));
    snprintf(key, sizeof(key), "%s_id", field);
    json_object_set_new(out, key, json_string(id ? id : ""));
}

enum err fs_announcement_get(struct req *rq, json_t *body, json_t *out)
{
    struct fs_announcement_row an;
    struct arena *a = rq->http->arena;
    struct chat_view v;
    const char *type = fs_id_type(rq, "user_id_type");
    enum err e;

    (void)body;
    e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK)
        e = load(rq, &v, &an);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "content", an.content);
    json_out_str(out, "revision", arena_printf(a, "%lld", (long long)an.revision));
    json_out_str(out, "create_time", arena_printf(a, "%lld", (long long)an.create_time));
    json_out_str(out, "update_time", arena_printf(a, "%lld", (long long)an.update_time));
    who_json(rq, out, "owner", &an.owner, type);
    who_json(rq, out, "modifier", &an.modifier, type);
    return ERR_OK;
}

static enum err failed(struct req *rq, const char *why)
{
    return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_ANNOUNCEMENT, "%s", why);
}

enum err fs_announcement_patch(struct req *rq, json_t *body, json_t *out)
{
    const char *rev = json_str(body, "revision");
    json_t *reqs = json_object_get(body, "requests"), *r, *doc;
    struct fs_announcement_row an;
    struct chat_view v;
    int64_t base;
    size_t i, len;
    enum err e;

    (void)out;
    if (rev == NULL || !str_to_i64(rev, 0, INT64_MAX, &base))
        return err_field(&rq->err, ERR_BAD_REQUEST, "revision", "revision");
    if (!json_is_array(reqs) || json_array_size(reqs) == 0)
        return err_field(&rq->err, ERR_BAD_REQUEST, "requests", "requests");
    e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &v);
    /* edit_permission decides who edits (§1.2). */
    if (e == ERR_OK && !fs_privileged(&v)
        && strcmp(fs_setting(&v.chat, "edit_permission", rq->http->arena), "all_members") != 0)
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_EDIT, "only owner or managers edit");
    if (e == ERR_OK)
        e = load(rq, &v, &an);
    if (e != ERR_OK)
        return e;
    if (base > an.revision || an.revision - base > MAX_LAG)
        return failed(rq, "revision out of range");
    if (json_array_size(reqs) > MAX_REQUESTS)
        return failed(rq, "too many requests");
    doc = json_loads(an.content, 0, NULL);
    json_array_foreach(reqs, i, r) {
        json_t *op = json_is_string(r) ? json_loads(json_string_value(r), JSON_REJECT_DUPLICATES, NULL)
                                       : NULL;

        e = op ? fs_doc_apply(doc, op) : ERR_BAD_REQUEST;
        json_decref(op);
        if (e != ERR_OK)
            break;
    }
    if (e == ERR_OK) {
        an.content = json_dump_arena(rq->http->arena, doc, &len);
        an.revision++;
        an.update_time = rq->svc.now;
        an.modifier = rq->actor;
        e = store_fs_announcement_put(rq->svc.st, v.chat.id, &an);
    } else {
        e = failed(rq, "a request does not apply to the document");
    }
    json_decref(doc);
    return e;
}
