/* SPDX-License-Identifier: MIT */
/* tests/unit/test_svc_chat.c - the chat rules in svc (svc_chat*.c) on an
 * in-memory SQLite store, with no request: create, the update permission
 * matrix, settings, disband, share links, pins, speech permissions, search
 * and the announcement's revisions; an event body that cannot be built, and
 * the Feishu event header of an app the store does not find. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "dialect/feishu/fs.h"
#include "store/store.h"
#include "svc/svc.h"

#include <stdlib.h>

struct chats {
    struct config cfg;
    struct store *st;
    struct arena a;
    struct err_info ei;
    struct svc_ctx c;
    int64_t tenant;
    struct actor bot, bot2, u1, u2, u3;
    int64_t app;
};

static const char SEED[] =
    "{\"tenants\": ["
    "{\"name\": \"A\", \"users\": [{\"user_id\": \"u1\", \"name\": \"Alice\"},"
    " {\"user_id\": \"u2\", \"name\": \"Bob\"}, {\"user_id\": \"u3\", \"name\": \"Carol\"}],"
    " \"feishu\": {\"tenant_key\": \"ta\", \"apps\": [{\"app_id\": \"cli_a1\"}, {\"app_id\": \"cli_a2\"}]}},"
    "{\"name\": \"B\", \"users\": [{\"user_id\": \"b1\"}],"
    " \"feishu\": {\"tenant_key\": \"tb\", \"apps\": [{\"app_id\": \"cli_b1\"}]}}]}";

static struct actor person(struct chats *f, const char *user_id)
{
    struct person_row p = { 0 };

    CHECK(svc_fs_person_find(&f->c, f->app, "user_id", user_id, &p) == ERR_OK);
    return (struct actor){ ACTOR_USER, p.id };
}

static struct actor bot(struct chats *f, const char *app_id)
{
    struct fs_app_row app = { 0 };

    CHECK(store_fs_app_by_app_id(f->st, &f->a, app_id, &app) == ERR_OK);
    return (struct actor){ ACTOR_BOT, app.id };
}

static void setup(struct chats *f)
{
    char err[256];
    char *argv[] = { "qunzu", "--db", "sqlite::memory:", NULL };
    const char *env[] = { NULL };
    json_t *doc = json_loads(SEED, 0, NULL), *res = NULL;

    memset(f, 0, sizeof(*f));
    CHECK(config_load(&f->cfg, 3, argv, env, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&f->cfg, err, sizeof(err)) == 0);
    f->st = store_open(&f->cfg);
    CHECK(f->st != NULL);
    arena_init(&f->a, 0);
    f->c = (struct svc_ctx){ .st = f->st, .a = &f->a, .ei = &f->ei, .now = 100000 };
    CHECK(store_begin(f->st, true) == ERR_OK);
    CHECK(svc_seed_apply(&f->c, doc, &res) == ERR_OK);
    CHECK(svc_tenant_find(&f->c, "A", &f->tenant) == ERR_OK);
    f->c.tenant = f->tenant;
    f->bot = bot(f, "cli_a1");
    f->bot2 = bot(f, "cli_a2");
    f->app = f->bot.ref;
    f->u1 = person(f, "u1");
    f->u2 = person(f, "u2");
    f->u3 = person(f, "u3");
    json_decref(doc);
    json_decref(res);
}

static void teardown(struct chats *f)
{
    CHECK(store_commit(f->st) == ERR_OK);
    store_close(f->st);
    arena_release(&f->a);
    config_release(&f->cfg);
}

/* The bot creates a private group owned by u1 with u2 as a member. */
static struct fs_chat_row group(struct chats *f, const char *type, const char *name,
                                const char *settings)
{
    static const char *const users[] = { "u2" };
    const struct chat_caller by = { f->bot, f->app, "user_id" };
    json_t *s = json_loads(settings ? settings : "{}", 0, NULL);
    struct chat_new in = { .name = name, .description = "", .avatar = "", .i18n_names = "{}",
                           .chat_mode = "group", .chat_type = type, .settings = s,
                           .owner_id = "u1", .user_ids = users, .n_users = 1 };
    struct fs_chat_row c = { 0 };

    CHECK(svc_chat_create(&f->c, &by, &in, &c) == ERR_OK);
    json_decref(s);
    return c;
}

static enum err create_err(struct chats *f, struct chat_new in)
{
    const struct chat_caller by = { f->bot, f->app, "user_id" };
    struct fs_chat_row c;

    if (in.i18n_names == NULL) {
        in.name = in.name ? in.name : "";
        in.description = in.avatar = "";
        in.i18n_names = "{}";
        in.chat_mode = "group";
        in.chat_type = in.chat_type ? in.chat_type : "private";
    }
    err_info_clear(&f->ei);
    return svc_chat_create(&f->c, &by, &in, &c);
}

static void create_rules(void)
{
    static const char *const ghosts[] = { "u2", "nobody", "ghost" };
    static const char *const other_bot[] = { "cli_b1" };
    static const char *const self_bot[] = { "cli_a1" };
    struct chats f;
    struct fs_chat_row c, again;
    struct chat_view v;
    json_t *s;

    setup(&f);
    /* Public chats need a name of two characters. */
    CHECK(create_err(&f, (struct chat_new){ .chat_type = "public" }) == ERR_MISSING);
    CHECK(f.ei.subj == SUBJ_NAME);
    CHECK(create_err(&f, (struct chat_new){ .chat_type = "public", .name = "x" })
          == ERR_BAD_REQUEST);
    CHECK(f.ei.subj == SUBJ_NAME);
    /* Every unknown person is named, in one error. */
    CHECK(create_err(&f, (struct chat_new){ .user_ids = ghosts, .n_users = 3 }) == ERR_NOT_FOUND);
    CHECK(f.ei.subj == SUBJ_USER);
    CHECK_STR(f.ei.msg, "invalid user ids: [nobody, ghost]");
    CHECK(create_err(&f, (struct chat_new){ .owner_id = "nobody" }) == ERR_NOT_FOUND);
    CHECK_STR(f.ei.msg, "invalid user ids: [nobody]");
    /* Bots of another tenant are unknown; the creating bot cannot list itself. */
    CHECK(create_err(&f, (struct chat_new){ .bot_ids = other_bot, .n_bots = 1 }) == ERR_NOT_FOUND);
    CHECK(f.ei.subj == SUBJ_BOT);
    CHECK(create_err(&f, (struct chat_new){ .bot_ids = self_bot, .n_bots = 1 })
          == ERR_BAD_REQUEST);

    /* Defaults, the named owner, the members. */
    c = group(&f, "private", "Team", NULL);
    CHECK(c.owner.kind == ACTOR_USER && c.owner.ref == f.u1.ref);
    CHECK(c.creator_app == f.app);
    CHECK_STR(svc_chat_setting(&f.c, &c, "membership_approval"), "no_approval_required");
    CHECK(svc_chat_open(&f.c, c.chat_id, &f.u2, true, &v) == ERR_OK);
    CHECK(!svc_chat_privileged(&v));
    CHECK(svc_chat_open(&f.c, c.chat_id, &f.u3, true, &v) == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_MEMBERSHIP);
    CHECK(svc_chat_open(&f.c, c.chat_id, &f.bot, true, &v) == ERR_OK && v.creator_bot);
    CHECK(!v.manager);

    /* A uuid makes a retried create the same chat; set_bot_manager. */
    s = json_object();
    {
        const struct chat_caller by = { f.bot, f.app, "user_id" };
        struct chat_new in = { .name = "U", .description = "", .avatar = "", .i18n_names = "{}",
                               .chat_mode = "group", .chat_type = "private", .settings = s,
                               .owner_id = "u1", .uuid = "retry-1", .set_bot_manager = true };

        CHECK(svc_chat_create(&f.c, &by, &in, &c) == ERR_OK);
        CHECK(svc_chat_create(&f.c, &by, &in, &again) == ERR_OK);
        CHECK_STR(again.chat_id, c.chat_id);
        CHECK(svc_chat_open(&f.c, c.chat_id, &f.bot, true, &v) == ERR_OK && v.manager);
    }
    json_decref(s);
    teardown(&f);
}

static enum err update(struct chats *f, const struct actor *op, const char *chat_id,
                       const char *settings, struct chat_change in)
{
    const struct chat_caller by = { *op, f->app, "user_id" };
    json_t *s = json_loads(settings ? settings : "{}", 0, NULL);
    struct fs_chat_row before, after;
    enum err e;

    in.settings = s;
    err_info_clear(&f->ei);
    e = svc_chat_update(&f->c, &by, chat_id, &in, &before, &after);
    json_decref(s);
    return e;
}

/* Who may change what: owner, managers and the creator bot anything; other
 * members the basic fields while edit_permission is all_members; only the
 * owner or creator bot hands ownership on, to a member. */
static void update_matrix(void)
{
    struct chats f;
    struct fs_chat_row c, d;
    struct chat_view v;

    setup(&f);
    c = group(&f, "private", "Team", NULL);
    CHECK(update(&f, &f.u2, c.chat_id, NULL, (struct chat_change){ .name = "Renamed",
                                                                    .only_basic = true })
          == ERR_OK);
    CHECK(update(&f, &f.u2, c.chat_id, "{\"urgent_setting\": \"only_owner\"}",
                 (struct chat_change){ 0 })
          == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_SETTINGS);
    CHECK(update(&f, &f.u3, c.chat_id, NULL, (struct chat_change){ .only_basic = true })
          == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_MEMBERSHIP);
    CHECK(update(&f, &f.u1, c.chat_id, "{\"edit_permission\": \"only_owner\"}",
                 (struct chat_change){ 0 })
          == ERR_OK);
    CHECK(update(&f, &f.u2, c.chat_id, NULL, (struct chat_change){ .name = "No",
                                                                    .only_basic = true })
          == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_EDIT);
    /* The two sharing permissions change together. */
    CHECK(update(&f, &f.u1, c.chat_id, "{\"add_member_permission\": \"only_owner\"}",
                 (struct chat_change){ 0 })
          == ERR_BAD_REQUEST);
    CHECK(update(&f, &f.u1, c.chat_id,
                 "{\"add_member_permission\": \"only_owner\","
                 " \"share_card_permission\": \"not_allowed\"}",
                 (struct chat_change){ 0 })
          == ERR_OK);
    /* Ownership: not by a plain member; only to a member. */
    CHECK(update(&f, &f.u2, c.chat_id, NULL, (struct chat_change){ .owner_id = "u2" })
          == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_EDIT || f.ei.subj == SUBJ_OWNER_ONLY);
    CHECK(update(&f, &f.u1, c.chat_id, NULL, (struct chat_change){ .owner_id = "u3" })
          == ERR_BAD_REQUEST);
    CHECK(f.ei.subj == SUBJ_OWNER);
    CHECK(update(&f, &f.u1, c.chat_id, NULL, (struct chat_change){ .owner_id = "nobody" })
          == ERR_NOT_FOUND);
    CHECK(f.ei.subj == SUBJ_OWNER);
    CHECK(update(&f, &f.bot, c.chat_id, NULL, (struct chat_change){ .owner_id = "u2" }) == ERR_OK);
    CHECK(svc_chat_open(&f.c, c.chat_id, &f.u2, true, &v) == ERR_OK && v.owner);
    /* Public names are unique in the tenant. */
    d = group(&f, "public", "Shared", NULL);
    CHECK(update(&f, &f.u2, c.chat_id, NULL,
                 (struct chat_change){ .name = "Shared", .chat_type = "public" })
          == ERR_CONFLICT);
    CHECK(f.ei.subj == SUBJ_NAME);
    CHECK(update(&f, &f.u1, d.chat_id, NULL, (struct chat_change){ .name = "Shared" }) == ERR_OK);
    teardown(&f);
}

/* restricted_mode_setting: on, not all three open; off, none closed. */
static void restricted_mode(void)
{
    static const char *const bad[] = {
        "{\"restricted_mode_setting\": {\"status\": true}}",
        "{\"restricted_mode_setting\": {\"download_has_permission_setting\": \"not_anyone\"}}",
    };
    struct chats f;
    json_t *s, *req;

    setup(&f);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s = svc_chat_settings_default();
        req = json_loads(bad[i], 0, NULL);
        CHECK(svc_chat_settings_apply(&f.c, req, CHAT_SET_CREATE, s) == ERR_BAD_REQUEST);
        CHECK_STR(f.ei.field, "restricted_mode_setting");
        json_decref(req);
        json_decref(s);
    }
    s = svc_chat_settings_default();
    req = json_loads("{\"restricted_mode_setting\": {\"status\": true,"
                     " \"screenshot_has_permission_setting\": \"not_anyone\"},"
                     " \"add_member_permission\": \"only_owner\"}",
                     0, NULL);
    CHECK(svc_chat_settings_apply(&f.c, req, CHAT_SET_CREATE, s) == ERR_OK);
    /* Create does not set what only update may. */
    CHECK_STR(json_string_value(json_object_get(s, "add_member_permission")), "all_members");
    CHECK(json_is_true(json_object_get(json_object_get(s, "restricted_mode_setting"), "status")));
    json_decref(req);
    json_decref(s);
    teardown(&f);
}

static void disband_link_pin(void)
{
    struct chats f;
    struct fs_chat_row c, before;
    struct chat_view v;
    const char *token;
    int64_t expire;

    setup(&f);
    c = group(&f, "private", "Team", NULL);
    /* Links: a week, or permanent; restricted sharing is the privileged's. */
    CHECK(svc_chat_link(&f.c, &f.u2, c.chat_id, 7 * 86400, &token, &expire) == ERR_OK);
    CHECK(expire == f.c.now + 7 * 86400 && strlen(token) == 36);
    CHECK(svc_chat_link(&f.c, &f.u2, c.chat_id, 0, &token, &expire) == ERR_OK && expire == 0);
    CHECK(update(&f, &f.u1, c.chat_id,
                 "{\"add_member_permission\": \"only_owner\","
                 " \"share_card_permission\": \"not_allowed\","
                 " \"pin_manage_setting\": \"only_owner\"}",
                 (struct chat_change){ 0 })
          == ERR_OK);
    CHECK(svc_chat_link(&f.c, &f.u2, c.chat_id, 0, &token, &expire) == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_SHARE);
    CHECK(svc_chat_link(&f.c, &f.u1, c.chat_id, 0, &token, &expire) == ERR_OK);
    /* Pins follow pin_manage_setting. */
    CHECK(svc_chat_top_notice(&f.c, &f.u2, c.chat_id, "{}") == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_PIN);
    CHECK(svc_chat_top_notice(&f.c, &f.u1, c.chat_id, "{\"action_type\":\"2\"}") == ERR_OK);
    CHECK(svc_chat_open(&f.c, c.chat_id, &f.u1, true, &v) == ERR_OK);
    CHECK_STR(v.chat.top_notice, "{\"action_type\":\"2\"}");
    /* Disband: the owner or the creator bot; then the chat is gone. */
    CHECK(svc_chat_disband(&f.c, &f.u2, c.chat_id, &before) == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_OWNER_ONLY);
    CHECK(svc_chat_disband(&f.c, &f.bot, c.chat_id, &before) == ERR_OK);
    CHECK_STR(before.status, "normal");
    CHECK(svc_chat_open(&f.c, c.chat_id, &f.u1, true, &v) == ERR_GONE);
    CHECK(svc_chat_link(&f.c, &f.u1, c.chat_id, 0, &token, &expire) == ERR_GONE);
    teardown(&f);
}

static void moderation(void)
{
    const struct chat_caller owner = { { ACTOR_USER, 0 }, 0, "user_id" };
    struct chat_caller by = owner;
    struct chats f;
    struct fs_chat_row c, before, after;
    json_t *add = json_pack("[s,s,s]", "u2", "u3", "nobody"), *rm = json_pack("[s]", "u2");
    json_t *added, *removed;
    const char *mode;
    int64_t *people;
    size_t n;
    bool more;

    setup(&f);
    c = group(&f, "private", "Team", NULL);
    by.op = f.u1;
    by.app = f.app;
    /* One person on both lists is refused before anything changes. */
    CHECK(svc_chat_moderation(&f.c, &by, c.chat_id, NULL, add, rm, &before, &after, &added,
                              &removed)
          == ERR_BAD_REQUEST);
    by.op = f.u2;
    CHECK(svc_chat_moderation(&f.c, &by, c.chat_id, "moderator_list", add, NULL, &before, &after,
                              &added, &removed)
          == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_OWNER_ONLY);
    /* Non-members and unknown people are skipped: only u2 changes. */
    by.op = f.u1;
    CHECK(svc_chat_moderation(&f.c, &by, c.chat_id, "moderator_list", add, NULL, &before, &after,
                              &added, &removed)
          == ERR_OK);
    CHECK(json_array_size(added) == 1 && json_integer_value(json_array_get(added, 0)) == f.u2.ref);
    CHECK(json_array_size(removed) == 0);
    CHECK_STR(svc_chat_setting(&f.c, &after, "moderation_permission"), "moderator_list");
    json_decref(added);
    json_decref(removed);
    CHECK(svc_chat_moderators(&f.c, &f.u1, c.chat_id, 0, 10, &mode, &people, &n, &more) == ERR_OK);
    CHECK_STR(mode, "moderator_list");
    CHECK(n == 1 && people[0] == f.u2.ref && !more);
    CHECK(svc_chat_moderators(&f.c, &f.u1, c.chat_id, f.u2.ref, 10, &mode, &people, &n, &more)
          == ERR_OK);
    CHECK(n == 0);
    CHECK(svc_chat_moderators(&f.c, &f.u3, c.chat_id, 0, 10, &mode, &people, &n, &more)
          == ERR_FORBIDDEN);
    json_decref(add);
    json_decref(rm);
    teardown(&f);
}

static void list_and_search(void)
{
    struct chats f;
    struct fs_chat_row *rows;
    int64_t start[2] = { INT64_MAX, 0 }, next[2];
    size_t n;
    bool more;

    setup(&f);
    group(&f, "private", "Alpha team", NULL);
    group(&f, "private", "Beta", NULL);
    group(&f, "public", "Open gamma", NULL);
    /* u2 is in all three, in id order, two a page. */
    CHECK(svc_chat_list(&f.c, &f.u2, false, start, 2, &rows, &n, &more) == ERR_OK);
    CHECK(n == 2 && more);
    CHECK_STR(rows[0].name, "Alpha team");
    next[0] = INT64_MAX;
    next[1] = rows[1].id;
    CHECK(svc_chat_list(&f.c, &f.u2, false, next, 2, &rows, &n, &more) == ERR_OK);
    CHECK(n == 1 && !more);
    /* Names, case-insensitive; members' names; public chats for outsiders. */
    CHECK(svc_chat_search(&f.c, &f.u2, "ALPHA", 0, 10, &rows, &n, &more) == ERR_OK);
    CHECK(n == 1);
    CHECK_STR(rows[0].name, "Alpha team");
    CHECK(svc_chat_search(&f.c, &f.u2, "bob", 0, 10, &rows, &n, &more) == ERR_OK);
    CHECK(n == 3);
    CHECK(svc_chat_search(&f.c, &f.u2, "bob", 0, 2, &rows, &n, &more) == ERR_OK);
    CHECK(n == 2 && more);
    CHECK(svc_chat_search(&f.c, &f.u3, "a", 0, 10, &rows, &n, &more) == ERR_OK);
    CHECK(n == 1);
    CHECK_STR(rows[0].name, "Open gamma");
    CHECK(svc_chat_search(&f.c, &f.u2, "", 0, 10, &rows, &n, &more) == ERR_OK && n == 0);
    teardown(&f);
}

static json_t *title_request(const char *title)
{
    json_t *payload = json_pack("{s:[{s:s,s:{s:s}}]}", "elements", "type", "textRun", "textRun",
                                "text", title);
    char *p = json_dumps(payload, JSON_COMPACT);
    json_t *req = json_pack("{s:s,s:{s:s}}", "requestType", "UpdateTitleRequestType",
                            "updateTitleRequest", "payload", p);
    char *text = json_dumps(req, JSON_COMPACT);
    json_t *out = json_pack("[s]", text);

    free(p);
    free(text);
    json_decref(payload);
    json_decref(req);
    return out;
}

static void announcement_revisions(void)
{
    struct chats f;
    struct fs_chat_row c;
    struct fs_announcement_row an;
    json_t *reqs = title_request("Hello"), *many = json_array(), *junk = json_pack("[s]", "{}");

    setup(&f);
    c = group(&f, "private", "Team", NULL);
    /* Created empty on first read, at revision 1, owned by the chat's owner. */
    CHECK(svc_chat_announcement(&f.c, &f.u2, c.chat_id, &an) == ERR_OK);
    CHECK(an.revision == 1 && an.owner.ref == f.u1.ref);
    CHECK(svc_chat_announcement(&f.c, &f.u3, c.chat_id, &an) == ERR_FORBIDDEN);
    CHECK(svc_chat_announcement_patch(&f.c, &f.u2, c.chat_id, 1, reqs) == ERR_OK);
    CHECK(svc_chat_announcement(&f.c, &f.u2, c.chat_id, &an) == ERR_OK);
    CHECK(an.revision == 2 && an.modifier.ref == f.u2.ref);
    CHECK(strstr(an.content, "Hello") != NULL);
    /* A base ahead of the document, or a request that does not apply. */
    CHECK(svc_chat_announcement_patch(&f.c, &f.u2, c.chat_id, 3, reqs) == ERR_BAD_REQUEST);
    CHECK(f.ei.subj == SUBJ_ANNOUNCEMENT);
    CHECK(svc_chat_announcement_patch(&f.c, &f.u2, c.chat_id, 2, junk) == ERR_BAD_REQUEST);
    CHECK(f.ei.subj == SUBJ_ANNOUNCEMENT);
    for (int i = 0; i < 11; i++)
        json_array_extend(many, reqs);
    CHECK(svc_chat_announcement_patch(&f.c, &f.u2, c.chat_id, 2, many) == ERR_BAD_REQUEST);
    /* Only the privileged edit once edit_permission is only_owner. */
    CHECK(update(&f, &f.u1, c.chat_id, "{\"edit_permission\": \"only_owner\"}",
                 (struct chat_change){ 0 })
          == ERR_OK);
    CHECK(svc_chat_announcement_patch(&f.c, &f.u2, c.chat_id, 2, reqs) == ERR_FORBIDDEN);
    CHECK(f.ei.subj == SUBJ_EDIT);
    CHECK(svc_chat_announcement_patch(&f.c, &f.u1, c.chat_id, 2, reqs) == ERR_OK);
    json_decref(reqs);
    json_decref(many);
    json_decref(junk);
    teardown(&f);
}

static json_t *no_body(void *arg, int64_t app, const char *event_id)
{
    (void)arg;
    (void)app;
    (void)event_id;
    return NULL;
}

/* An event whose body could not be built fails the change. */
static void event_body_missing(void)
{
    struct chats f;

    setup(&f);
    CHECK(svc_event_to_app(&f.c, f.app, "im.chat.updated_v1", no_body, NULL) == ERR_STORE);
    teardown(&f);
}

/* fs_event_header for an app the store does not find: no header (it once
 * packed an uninitialised app row's app_id). */
static void event_header_unknown_app(void)
{
    struct chats f;
    struct http_req h = { 0 };
    struct req rq = { 0 };
    json_t *hdr;

    setup(&f);
    h.arena = &f.a;
    rq.http = &h;
    rq.svc = f.c;
    hdr = fs_event_header(&rq, f.app, "e1", "im.chat.updated_v1");
    CHECK(hdr != NULL);
    CHECK_STR(json_string_value(json_object_get(hdr, "app_id")), "cli_a1");
    CHECK_STR(json_string_value(json_object_get(hdr, "tenant_key")), "ta");
    json_decref(hdr);
    CHECK(fs_event_header(&rq, 987654321, "e2", "im.chat.updated_v1") == NULL);
    teardown(&f);
}

const struct unit_case svc_chat_cases[] = {
    { "svc/chat_create", create_rules },
    { "svc/chat_update_matrix", update_matrix },
    { "svc/chat_restricted_mode", restricted_mode },
    { "svc/chat_disband_link_pin", disband_link_pin },
    { "svc/chat_moderation", moderation },
    { "svc/chat_list_search", list_and_search },
    { "svc/chat_announcement", announcement_revisions },
    { "svc/chat_event_body_missing", event_body_missing },
    { "feishu/event_header_unknown_app", event_header_unknown_app },
    { NULL, NULL },
};
