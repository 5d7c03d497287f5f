/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_msg_sim.c - a person talks, for tests that do not want
 * OAuth (the admin API): says something in a chat (or replies), recalls
 * a message, adds and removes a reaction, through the same svc operations
 * a user token reaches, with the same events, and reads one (a reading no
 * API makes). People are named by user_id.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"


static enum err as_person(struct req *rq, const char *chat_id, const char *message_id,
                          const char *user_id, struct msg_events *ev, struct msg_op *o)
{
    int64_t person = 0;
    enum err e = svc_msg_sim_person(&rq->svc, chat_id, message_id, user_id, &person);

    rq->actor = (struct actor){ ACTOR_USER, person };
    rq->app_ref = 0;
    *ev = (struct msg_events){ fs_msg_received, fs_msg_recalled, rq };
    *o = (struct msg_op){ rq->actor, 0, ev };
    return e;
}

static enum err fs_sim_say(struct req *rq, json_t *body, json_t *out)
{
    const char *reply_to = json_str(body, "reply_to");
    struct msg_send s = { .receive_id_type = "chat_id",
                          .receive_id = json_str(body, "chat_id"),
                          .reply_to = reply_to,
                          .reply_in_thread = json_is_true(json_object_get(body, "reply_in_thread")),
                          .msg_type = json_str(body, "msg_type"),
                          .content = json_str(body, "content") };
    struct msg_events ev;
    struct msg_op o;
    struct fs_msg_row m;
    /* People by user_id: the admin API names them so. */
    struct fs_msg_view how = { "user_id", false, false, { 0, 0 }, NULL };
    enum err e = as_person(rq, s.receive_id, NULL, json_str(body, "user_id"), &ev, &o);

    if (e == ERR_OK)
        e = svc_msg_send(&rq->svc, &o, &s, &m);
    if (e == ERR_OK)
        json_object_update_new(out, fs_msg_json(rq, &m, &how));
    return e;
}

static enum err fs_sim_recall(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o;
    const char *id = json_str(body, "message_id");
    enum err e = as_person(rq, NULL, id, json_str(body, "user_id"), &ev, &o);

    if (e == ERR_OK)
        e = svc_msg_recall(&rq->svc, &o, id);
    if (e == ERR_OK)
        json_object_set_new(out, "recalled", json_true());
    return e;
}

/* A person's reaction (added or removed), answered as the API's reaction
 * object with the person by user_id. */
static enum err sim_reaction(struct req *rq, json_t *body, json_t *out, bool add)
{
    const char *id = json_str(body, "message_id"), *emoji = json_str(body, "emoji_type");
    struct msg_events ev;
    struct msg_op o;
    struct reaction_op ro;
    struct fs_reaction_row r;
    enum err e = as_person(rq, NULL, id, json_str(body, "user_id"), &ev, &o);

    ro = (struct reaction_op){ o.op, 0, fs_reaction_event, rq };
    if (e == ERR_OK)
        e = add ? svc_reaction_add(&rq->svc, &ro, id, emoji, &r)
                : svc_reaction_delete(&rq->svc, &ro, id, NULL, emoji, &r);
    if (e == ERR_OK)
        json_object_update_new(out, fs_reaction_json(rq, &r, "user_id"));
    return e;
}

static enum err fs_sim_react(struct req *rq, json_t *body, json_t *out)
{
    return sim_reaction(rq, body, out, true);
}

static enum err fs_sim_unreact(struct req *rq, json_t *body, json_t *out)
{
    return sim_reaction(rq, body, out, false);
}

/* A person reads a message: the first reading tells the sending bot's app
 * (im.message.message_read_v1 for a bot's p2p message). */
static enum err fs_sim_read(struct req *rq, json_t *body, json_t *out)
{
    struct msg_read_event ev = { fs_msg_read_body, rq };
    const char *id = json_str(body, "message_id");
    int64_t person = 0, at = 0;
    bool first = false;
    enum err e = svc_msg_sim_person(&rq->svc, NULL, id, json_str(body, "user_id"), &person);

    if (e == ERR_OK)
        e = svc_msg_read(&rq->svc, person, id, &ev, &at, &first);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "message_id", id);
    json_out_str(out, "user_id", json_str(body, "user_id"));
    json_out_str(out, "read_time", arena_printf(rq->http->arena, "%lld", (long long)at));
    json_object_set_new(out, "first", json_boolean(first));
    return ERR_OK;
}

const struct sim_talk fs_talk = { .say = fs_sim_say, .recall = fs_sim_recall,
                                  .react = fs_sim_react, .unreact = fs_sim_unreact,
                                  .read = fs_sim_read };
