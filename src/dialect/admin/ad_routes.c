/* SPDX-License-Identifier: MIT */
/*
 * dialect/admin/ad_routes.c - admin routes, their handlers and the admin
 * envelope: the handler's object on success, {"error": {"code", "message"}}
 * with a matching HTTP status otherwise.
 */
#include "dialect/admin/ad.h"

#include "core/arena.h"
#include "core/str.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

void admin_token_digest(const char *token, unsigned char out[32])
{
    SHA256((const unsigned char *)token, strlen(token), out);
}

/* Digests are compared, in constant time: the token itself is not kept. */
static enum err ad_auth(struct req *rq)
{
    const char *h = rq->http->authorization;
    unsigned char d[32];

    if (h == NULL || strncmp(h, "Bearer ", 7) != 0)
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_TOKEN,
                       "missing 'Authorization: Bearer <admin token>'");
    admin_token_digest(h + 7, d);
    if (CRYPTO_memcmp(d, rq->app->admin_digest, sizeof(d)) != 0)
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_TOKEN, "invalid admin token");
    return ERR_OK;
}

static enum err ad_seed(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    enum err e = svc_seed_run(&rq->svc, body, &res);

    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

static enum err ad_tenant_get(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    int64_t id;
    enum err e;

    (void)body;
    e = svc_tenant_find(&rq->svc, rq->params[0], &id);
    if (e == ERR_OK)
        e = svc_tenant_describe(&rq->svc, id, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

/* GET /admin/v1/tenants/{name}/events?after=N&limit=M: the tenant's
 * outbox, oldest first, each record with its schema 2.0 body. */
static enum err ad_events(struct req *rq, json_t *body, json_t *out)
{
    const char *after_s = dialect_query(rq, "after"), *limit_s = dialect_query(rq, "limit");
    int64_t tenant, after = 0, limit = 100;
    json_t *res;
    enum err e;

    (void)body;
    if ((after_s && !str_to_i64(after_s, 0, INT64_MAX, &after))
        || (limit_s && !str_to_i64(limit_s, 1, 1000, &limit)))
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_FIELD, "after and limit are integers");
    e = svc_tenant_find(&rq->svc, rq->params[0], &tenant);
    if (e == ERR_OK)
        e = svc_events_list(&rq->svc, tenant, after, limit, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

static enum err ad_event_get(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    enum err e = svc_event_get(&rq->svc, rq->params[0], &res);

    (void)body;
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

static enum err ad_event_redeliver(struct req *rq, json_t *body, json_t *out)
{
    enum err e = svc_event_redeliver(&rq->svc, rq->params[0]);

    (void)body;
    if (e == ERR_OK)
        json_out_str(out, "event_id", rq->params[0]);
    return e;
}

static void clock_json(struct req *rq, json_t *out)
{
    json_out_int(out, "now", clock_now(&rq->app->clock));
    json_out_int(out, "offset_seconds", atomic_load(&rq->app->clock.offset));
}

static enum err ad_clock_get(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    clock_json(rq, out);
    return ERR_OK;
}

/* What this node has done, for operators and the tests: group commit's
 * transactions and the write requests they carried, the WAL checkpoints
 * run off its commit path; token checks answered
 * from memory and read from the database; round trips to PostgreSQL; the
 * answer cache's hits, misses and size. */
static enum err ad_stats(struct req *rq, json_t *body, json_t *out)
{
    struct store_group_stats gs;
    struct answer_stats as;
    int64_t hits = 0, misses = 0;

    (void)body;
    svc_group_stats(rq->app->group, &gs);
    svc_tcache_stats(rq->app->tokens, &hits, &misses);
    json_object_set_new(out, "token_cache",
                        json_pack("{s:b,s:I,s:I}", "enabled", rq->app->tokens != NULL, "hits",
                                  (json_int_t)hits, "misses", (json_int_t)misses));
    json_object_set_new(out, "group_commit",
                        json_pack("{s:b,s:I,s:I,s:I,s:I,s:I}", "enabled", rq->app->group != NULL,
                                  "transactions", (json_int_t)gs.batches, "requests",
                                  (json_int_t)gs.jobs, "waiting", (json_int_t)gs.held_jobs,
                                  "waiting_bytes", (json_int_t)gs.held_bytes, "refused",
                                  (json_int_t)gs.refused));
    json_object_set_new(out, "checkpoints",
                        json_pack("{s:I,s:I}", "thread", (json_int_t)gs.checkpoints, "writer",
                                  (json_int_t)gs.writer_checkpoints));
    json_object_set_new(out, "postgres",
                        json_pack("{s:I}", "round_trips", (json_int_t)svc_pg_round_trips()));
    svc_answers_stats(rq->app->answers, &as);
    json_object_set_new(out, "answer_cache",
                        json_pack("{s:b,s:I,s:I,s:I,s:I}", "enabled", rq->app->answers != NULL,
                                  "hits", (json_int_t)as.hits, "misses", (json_int_t)as.misses,
                                  "bytes", (json_int_t)as.bytes, "entries",
                                  (json_int_t)as.entries));
    return ERR_OK;
}

/* Moves the clock forward only: tokens and retries are scheduled on it, and
 * time going backwards would make them misbehave. The offset is stored, so a
 * restart keeps it and other nodes on the database pick it up; it is read
 * and written under the directory lock so two moves add up. */
static enum err ad_clock_advance(struct req *rq, json_t *body, json_t *out)
{
    int64_t by = 0, offset = 0;
    enum err e;

    json_int(body, "advance_seconds", &by);
    e = svc_clock_offset_advance(&rq->svc, by, &offset);
    if (e != ERR_OK)
        return e;
    atomic_store(&rq->app->clock.offset, offset);
    clock_json(rq, out);
    return ERR_OK;
}

/* The emulator's stand-in for a browser login: a one-time OAuth code for a
 * person, to exchange at /open-apis/authen/v2/oauth/token. */
static enum err ad_fs_authorize(struct req *rq, json_t *body, json_t *out)
{
    char *code;
    enum err e = svc_fs_code_mint(&rq->svc, json_str(body, "app_id"), json_str(body, "user_id"),
                                  json_str(body, "scope"), &code);

    if (e == ERR_OK)
        json_out_str(out, "code", code);
    return e;
}

/* Simulated user actions (svc_chat_sim.c): the person opens the app bot's
 * p2p chat, joins by a link, leaves, is invited, or has an invitation
 * taken back. */
static enum err ad_fs_p2p(struct req *rq, json_t *body, json_t *out)
{
    const char *chat_id;
    bool created;
    enum err e = svc_chat_p2p_enter(&rq->svc, json_str(body, "app_id"), json_str(body, "user_id"),
                                    &chat_id, &created);

    if (e == ERR_OK) {
        json_out_str(out, "chat_id", chat_id);
        json_object_set_new(out, "created", json_boolean(created));
    }
    return e;
}

/* {"chat_id"?, "result"} of an action that succeeded. */
static enum err sim_answer(enum err e, const char *chat_id, const char *result, json_t *out)
{
    if (e != ERR_OK)
        return e;
    if (chat_id != NULL)
        json_out_str(out, "chat_id", chat_id);
    json_out_str(out, "result", result);
    return ERR_OK;
}

static enum err ad_fs_join(struct req *rq, json_t *body, json_t *out)
{
    const char *chat_id = NULL, *result = NULL;
    enum err e = svc_chat_join_by_link(&rq->svc, json_str(body, "link_token"),
                                       json_str(body, "user_id"), &chat_id, &result);

    return sim_answer(e, chat_id, result, out);
}

static enum err ad_fs_leave(struct req *rq, json_t *body, json_t *out)
{
    const char *result = NULL;
    enum err e = svc_chat_leave(&rq->svc, json_str(body, "chat_id"), json_str(body, "user_id"),
                                &result);

    return sim_answer(e, NULL, result, out);
}

static enum err ad_fs_invite(struct req *rq, json_t *body, json_t *out)
{
    const char *result = NULL;
    enum err e = svc_chat_invite(&rq->svc, json_str(body, "chat_id"),
                                 json_str(body, "inviter_user_id"), json_str(body, "user_id"),
                                 &result);

    return sim_answer(e, json_str(body, "chat_id"), result, out);
}

static enum err ad_fs_withdraw(struct req *rq, json_t *body, json_t *out)
{
    const char *result = NULL;
    enum err e = svc_chat_withdraw(&rq->svc, json_str(body, "chat_id"), json_str(body, "user_id"),
                                   &result);

    return sim_answer(e, NULL, result, out);
}

static const struct field_rule join_rules[] = {
    { "link_token", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { NULL },
};
static const struct field_rule chat_user_rules[] = {
    { "chat_id", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { NULL },
};
static const struct field_rule invite_rules[] = {
    { "chat_id", JT_STRING, F_REQUIRED },
    { "inviter_user_id", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { NULL },
};

/* A person talks (docs/admin-api.md): the message and its answer are
 * Feishu's, spelled by the handlers main.c gives the app (app->fs_talk). */
static enum err ad_fs_say(struct req *rq, json_t *body, json_t *out)
{
    return rq->app->fs_talk->say(rq, body, out);
}

static enum err ad_fs_recall(struct req *rq, json_t *body, json_t *out)
{
    return rq->app->fs_talk->recall(rq, body, out);
}

static enum err ad_fs_react(struct req *rq, json_t *body, json_t *out)
{
    return rq->app->fs_talk->react(rq, body, out);
}

static enum err ad_fs_unreact(struct req *rq, json_t *body, json_t *out)
{
    return rq->app->fs_talk->unreact(rq, body, out);
}

static const struct field_rule react_rules[] = {
    { "message_id", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { "emoji_type", JT_STRING, F_REQUIRED },
    { NULL },
};
static const struct field_rule say_rules[] = {
    { "chat_id", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { "msg_type", JT_STRING, F_REQUIRED },
    { "content", JT_STRING, F_REQUIRED },
    { "reply_to", JT_STRING, F_EMPTY_ABSENT },
    { "reply_in_thread", JT_BOOL },
    { NULL },
};
/* A person reads a message (docs/admin-api.md); the read event is Feishu's. */
static enum err ad_fs_read(struct req *rq, json_t *body, json_t *out)
{
    return rq->app->fs_talk->read(rq, body, out);
}

/* Who was buzzed about a message, oldest first (docs/admin-api.md). */
static enum err ad_fs_buzzes(struct req *rq, json_t *body, json_t *out)
{
    struct msg_buzz *b;
    size_t n;
    json_t *items;
    enum err e = svc_msg_buzzes(&rq->svc, rq->params[0], &b, &n);

    (void)body;
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:I,s:b}", "user_id", b[i].user_id,
                                               "app_id", b[i].app_id, "kind", b[i].kind,
                                               "created_ms", (json_int_t)b[i].created_ms, "read",
                                               b[i].read));
    json_object_set_new(out, "items", items);
    return ERR_OK;
}

static const struct field_rule recall_rules[] = {
    { "message_id", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { NULL },
};

static const struct field_rule authorize_rules[] = {
    { "app_id", JT_STRING, F_REQUIRED },
    { "user_id", JT_STRING, F_REQUIRED },
    { NULL },
};

static const struct field_rule clock_rules[] = {
    { "advance_seconds", JT_INT, F_REQUIRED | F_RANGE, 0, 0, 100L * 365 * 86400 },
    { NULL },
};

static const struct field_rule fault_rules[] = {
    { "dialect", JT_STRING, F_REQUIRED },
    { "route", JT_STRING, F_REQUIRED },
    { "tenant", JT_STRING, 0 },
    { "app_id", JT_STRING, 0 },
    { "answer", JT_OBJECT, F_REQUIRED },
    { NULL },
};

static const struct field_rule snapshot_rules[] = {
    { "name", JT_STRING, F_REQUIRED, 64 },
    { NULL },
};

static const struct route ad_routes[] = {
    /* The seed runs its own transactions (svc_seed_run). */
    { HTTP_POST, "/admin/v1/seed", R_NO_TX | R_JSON, NULL, ad_seed },
    { HTTP_GET, "/admin/v1/tenants/:name", 0, NULL, ad_tenant_get },
    { HTTP_GET, "/admin/v1/tenants/:name/events", 0, NULL, ad_events },
    { HTTP_GET, "/admin/v1/tenants/:name/people", 0, NULL, ad_console_people },
    { HTTP_GET, "/admin/v1/tenants/:name/feishu/departments", 0, NULL, ad_console_depts },
    { HTTP_GET, "/admin/v1/tenants/:name/feishu/chats", 0, NULL, ad_console_chats },
    { HTTP_GET, "/admin/v1/feishu/chats/:chat_id", 0, NULL, ad_console_chat },
    { HTTP_GET, "/admin/v1/feishu/apps/:app_id", 0, NULL, ad_console_app },
    { HTTP_GET, "/admin/v1/feishu/chats/:chat_id/members", 0, NULL, ad_console_members },
    { HTTP_GET, "/admin/v1/feishu/chats/:chat_id/messages", 0, NULL, ad_console_messages },
    { HTTP_GET, "/admin/v1/events/:event_id", 0, NULL, ad_event_get },
    { HTTP_POST, "/admin/v1/events/:event_id/redeliver", R_WRITE, NULL, ad_event_redeliver },
    { HTTP_GET, "/admin/v1/clock", R_NO_TX, NULL, ad_clock_get },
    { HTTP_GET, "/admin/v1/stats", R_NO_TX, NULL, ad_stats },
    { HTTP_POST, "/admin/v1/clock", R_WRITE | R_JSON, clock_rules, ad_clock_advance },
    { HTTP_POST, "/admin/v1/feishu/authorize", R_WRITE | R_JSON, authorize_rules,
      ad_fs_authorize },
    { HTTP_POST, "/admin/v1/feishu/p2p_enter", R_WRITE | R_JSON, authorize_rules, ad_fs_p2p },
    { HTTP_POST, "/admin/v1/feishu/join_by_link", R_WRITE | R_JSON, join_rules, ad_fs_join },
    { HTTP_POST, "/admin/v1/feishu/leave", R_WRITE | R_JSON, chat_user_rules, ad_fs_leave },
    { HTTP_POST, "/admin/v1/feishu/invite", R_WRITE | R_JSON, invite_rules, ad_fs_invite },
    { HTTP_POST, "/admin/v1/feishu/withdraw", R_WRITE | R_JSON, chat_user_rules, ad_fs_withdraw },
    { HTTP_POST, "/admin/v1/faults", R_WRITE | R_JSON, fault_rules, ad_fault_add },
    { HTTP_GET, "/admin/v1/faults", 0, NULL, ad_fault_list },
    { HTTP_DELETE, "/admin/v1/faults/:id", R_WRITE, NULL, ad_fault_delete },
    { HTTP_GET, "/admin/v1/requests", 0, NULL, ad_requests },
    { HTTP_POST, "/admin/v1/feishu/say", R_WRITE | R_JSON, say_rules, ad_fs_say },
    { HTTP_POST, "/admin/v1/feishu/recall", R_WRITE | R_JSON, recall_rules, ad_fs_recall },
    { HTTP_POST, "/admin/v1/feishu/react", R_WRITE | R_JSON, react_rules, ad_fs_react },
    { HTTP_POST, "/admin/v1/feishu/unreact", R_WRITE | R_JSON, react_rules, ad_fs_unreact },
    { HTTP_POST, "/admin/v1/feishu/read", R_WRITE | R_JSON, recall_rules, ad_fs_read },
    { HTTP_GET, "/admin/v1/feishu/messages/:message_id/buzzes", 0, NULL, ad_fs_buzzes },
    { HTTP_GET, "/admin/v1/feishu/apps/:app_id/connections", 0, NULL, ad_ws_conns },
    { HTTP_POST, "/admin/v1/feishu/apps/:app_id/connections/kick", R_WRITE, NULL, ad_ws_kick_all },
    { HTTP_POST, "/admin/v1/feishu/apps/:app_id/connections/:id/kick", R_WRITE, NULL, ad_ws_kick },
    { HTTP_POST, "/admin/v1/feishu/apps/:app_id/connections/:id/silence", R_WRITE, NULL,
      ad_ws_silence },
    { HTTP_POST, "/admin/v1/feishu/apps/:app_id/connections/:id/resume", R_WRITE, NULL,
      ad_ws_resume },
    { HTTP_PUT, "/admin/v1/feishu/apps/:app_id/delivery", R_WRITE | R_JSON, ad_ws_delivery_rules,
      ad_ws_delivery },
    { HTTP_GET, "/admin/v1/feishu/apps/:app_id/delivery", 0, NULL, ad_ws_delivery_get },
    /* These run their own transactions (svc_tenant_admin.c, svc_snapshot.c),
     * the long ones on the operator runner's thread (R_DETACH). */
    { HTTP_GET, "/admin/v1/tenants", 0, NULL, ad_tenant_list },
    { HTTP_DELETE, "/admin/v1/tenants/:name", R_NO_TX | R_DETACH, NULL, ad_tenant_delete },
    { HTTP_POST, "/admin/v1/tenants/:name/reset", R_NO_TX | R_DETACH, NULL, ad_tenant_reset },
    { HTTP_GET, "/admin/v1/snapshots", R_NO_TX, NULL, ad_snapshot_list },
    { HTTP_POST, "/admin/v1/snapshots", R_NO_TX | R_JSON | R_DETACH, snapshot_rules,
      ad_snapshot_save },
    { HTTP_POST, "/admin/v1/snapshots/:name/restore", R_NO_TX | R_DETACH, NULL,
      ad_snapshot_restore },
    { HTTP_DELETE, "/admin/v1/snapshots/:name", R_NO_TX, NULL, ad_snapshot_delete },
};

static int ad_status(enum err e)
{
    static const int status[ERR__COUNT] = {
        [ERR_OK] = 200,         [ERR_BAD_REQUEST] = 400,     [ERR_MISSING] = 400,
        [ERR_MALFORMED] = 400,  [ERR_EMPTY_BODY] = 400,      [ERR_TOO_LARGE] = 413,
        [ERR_UNAUTHENTICATED] = 401, [ERR_EXPIRED] = 401,    [ERR_FORBIDDEN] = 403,
        [ERR_NOT_FOUND] = 404,  [ERR_GONE] = 410,            [ERR_METHOD] = 405,          [ERR_CONFLICT] = 409,
        [ERR_LIMIT] = 400,      [ERR_RATE_LIMITED] = 429,    [ERR_STORE] = 503,           [ERR_INTERNAL] = 500,
        [ERR_BUSY] = 503,       [ERR_FAULT] = 500,
    };

    return ((unsigned)e < ERR__COUNT && status[e] != 0) ? status[e] : 500;
}

static void ad_render(struct req *rq, enum err e, json_t *out)
{
    json_t *body;

    rq->http->log_code = ad_status(e);
    rq->http->log_code_set = true;
    if (e == ERR_OK) {
        dialect_send_json(rq, 200, out);
        return;
    }
    body = json_pack("{s:{s:s,s:s}}", "error", "code", err_name(e), "message",
                     rq->err.msg[0] ? rq->err.msg : err_name(e));
    if (rq->err.field[0] != '\0')
        json_object_set_new(json_object_get(body, "error"), "field",
                            json_string(rq->err.field));
    dialect_send_json(rq, ad_status(e), body);
    json_decref(body);
}

const struct dialect ad_dialect = {
    .name = "admin",
    .prefix = "/admin/v1/",
    .routes = ad_routes,
    .nroutes = sizeof(ad_routes) / sizeof(ad_routes[0]),
    .operator_bodies = true,
    .auth = ad_auth,
    .render = ad_render,
};
