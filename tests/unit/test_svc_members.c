/* SPDX-License-Identifier: MIT */
/* tests/unit/test_svc_members.c - the chat rules of svc_chat_members.c,
 * svc_chat_tabs.c, svc_chat_menus.c and svc_chat_sim.c on SQLite,
 * without a request: member caps, approvals, who may add and remove whom,
 * managers, tabs (the message tab read without being stored), menus, and
 * the simulated person actions, with the events they write recorded by a
 * format of the test's own. */
#include "unit.h"
#include "unit_db.h"

struct fixture {
    struct unit_db db;
    struct store *st;
    struct svc_ctx c; /* db's, with the test's event format */
    int64_t tenant, bot, bot2; /* the tenant, its two apps' row ids */
    struct actor owner, member, outsider, botactor;
};

/* The events written, in order: kind and receiving app. */
struct recorded {
    enum chat_event_kind kind;
    int64_t app;
    size_t npeople;
};
static struct recorded events[64];
static size_t nevents;

static json_t *record(struct svc_ctx *c, const struct chat_event *ev, int64_t app,
                      const char *event_id)
{
    (void)c;
    (void)event_id;
    if (nevents < sizeof(events) / sizeof(events[0]))
        events[nevents++] = (struct recorded){ ev->kind, app, ev->npeople };
    return json_object();
}

static const struct chat_event_format test_events = {
    .type = { "users_added", "users_deleted", "users_withdrawn", "bot_added", "bot_deleted",
              "p2p_created", "p2p_entered" },
    .body = record,
};

static const char SEED[] =
    "{\"tenants\": [{\"name\": \"A\","
    " \"users\": [{\"user_id\": \"own\"}, {\"user_id\": \"mem\"}, {\"user_id\": \"out\"},"
    "             {\"user_id\": \"u4\"}, {\"user_id\": \"u5\"}],"
    " \"feishu\": {\"tenant_key\": \"ka\", \"member_limit\": 4,"
    "             \"apps\": [{\"app_id\": \"cli_a\"}, {\"app_id\": \"cli_b\"}]}},"
    " {\"name\": \"B\", \"users\": [{\"user_id\": \"b1\"}],"
    "  \"feishu\": {\"tenant_key\": \"kb\", \"apps\": [{\"app_id\": \"cli_other\"}]}}]}";

static struct actor person(struct fixture *f, const char *user_id)
{
    struct actor who = { ACTOR_USER, 0 };

    CHECK(svc_chat_actor_find(&f->c, 0, "user_id", user_id, &who) == ERR_OK);
    return who;
}

static void setup(struct fixture *f)
{
    struct fs_app_row app;

    memset(f, 0, sizeof(*f));
    nevents = 0;
    unit_db_open(&f->db, SEED);
    f->st = f->db.st;
    f->c = f->db.c;
    f->c.events = &test_events;
    CHECK(store_begin(f->st, false) == ERR_OK);
    CHECK(svc_tenant_find(&f->c, "A", &f->tenant) == ERR_OK);
    f->c.tenant = f->tenant;
    CHECK(store_fs_app_by_app_id(f->st, f->c.a, "cli_a", &app) == ERR_OK);
    f->bot = app.id;
    CHECK(store_fs_app_by_app_id(f->st, f->c.a, "cli_b", &app) == ERR_OK);
    f->bot2 = app.id;
    f->owner = person(f, "own");
    f->member = person(f, "mem");
    f->outsider = person(f, "out");
    f->botactor = (struct actor){ ACTOR_BOT, f->bot };
    store_rollback(f->st);
}

static void teardown(struct fixture *f)
{
    unit_db_close(&f->db);
}

/* A chat owned by 'own' with 'mem' and the bot of cli_a in it. */
static const char *make_chat(struct fixture *f, const char *mode, const char *type,
                             const char *settings)
{
    static int seq;
    struct fs_chat_row chat = { .tenant_id = f->tenant, .owner = f->owner, .chat_mode = mode,
                                .chat_type = type, .name = "n", .description = "",
                                .avatar = "", .i18n_names = "{}", .settings = settings,
                                .status = "normal", .top_notice = "", .created_at = 1,
                                .active_at = 1 };

    chat.chat_id = arena_printf(&f->db.a, "oc_test%d", ++seq);
    CHECK(store_fs_chat_insert(f->st, &chat) == ERR_OK);
    CHECK(svc_chat_member_add(&f->c, chat.id, &f->owner, false) == ERR_OK);
    CHECK(svc_chat_member_add(&f->c, chat.id, &f->member, false) == ERR_OK);
    CHECK(svc_chat_member_add(&f->c, chat.id, &f->botactor, false) == ERR_OK);
    return chat.chat_id;
}

static struct chat_ids ids_of(const char *type, const char *const *ids, size_t n)
{
    return (struct chat_ids){ .type = type, .field = "id_list", .ids = ids, .n = n };
}

static void members_add_rules(void)
{
    static const char *const one[] = { "out" }, *const unknown[] = { "out", "nobody", "ghost" };
    static const char *const three[] = { "out", "u4", "u5" }, *const bots[] = { "cli_b" };
    static const char *const foreign[] = { "cli_other" };
    const char *many[51];
    struct chat_member_result res;
    struct chat_ids ids;
    struct fixture f;
    const char *chat, *closed, *p2p, *approval;

    setup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    chat = make_chat(&f, "group", "private", "{}");
    closed = make_chat(&f, "group", "private", "{\"add_member_permission\":\"only_owner\"}");
    p2p = make_chat(&f, "p2p", "private", "{}");
    approval = make_chat(&f, "group", "private", "{\"membership_approval\":\"approval_required\"}");
    nevents = 0;

    /* Per call: not empty, at most 50 users. */
    ids = ids_of("user_id", one, 0);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_MISSING && f.db.ei.subj == SUBJ_USER);
    for (size_t i = 0; i < 51; i++)
        many[i] = "out";
    ids = ids_of("user_id", many, 51);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_BAD_REQUEST && strcmp(f.db.ei.field, "id_list") == 0);
    /* Only members add; a p2p chat takes nobody; only_owner keeps members out. */
    ids = ids_of("user_id", one, 1);
    CHECK(svc_chat_members_add(&f.c, chat, &f.outsider, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_FORBIDDEN && f.db.ei.subj == SUBJ_MEMBERSHIP);
    CHECK(svc_chat_members_add(&f.c, p2p, &f.owner, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_BAD_REQUEST && f.db.ei.subj == SUBJ_CHAT_MODE);
    CHECK(svc_chat_members_add(&f.c, closed, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_FORBIDDEN && f.db.ei.subj == SUBJ_OWNER_ONLY);
    /* Ids that name nobody: all named, the first named, or skipped. */
    ids = ids_of("user_id", unknown, 3);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_NOT_FOUND && f.db.ei.subj == SUBJ_USER_ID
          && strcmp(f.db.ei.msg, "nobody, ghost") == 0);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL_FIRST, &res)
              == ERR_NOT_FOUND && f.db.ei.subj == SUBJ_USER
          && strcmp(f.db.ei.msg, "invalid ids: [nobody]") == 0);
    CHECK(nevents == 0);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_SKIP, &res) == ERR_OK);
    CHECK(res.n_not_existed == 2 && strcmp(res.not_existed[1], "ghost") == 0
          && res.npending == 0);
    /* One users event to the one bot in the chat. */
    CHECK(nevents == 1 && events[0].kind == CHAT_EV_USERS_ADDED && events[0].app == f.bot
          && events[0].npeople == 1);
    /* Added again: a no-op, no event. */
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_SKIP, &res) == ERR_OK);
    CHECK(nevents == 1);
    /* The tenant's limit of 4 users: own, mem, out are in; two more is one too many. */
    ids = ids_of("user_id", three, 3);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_LIMIT && f.db.ei.subj == SUBJ_TENANT);
    /* Bots: by app_id, of this tenant only; the added bot alone hears of it. */
    ids = ids_of("app_id", foreign, 1);
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_NOT_FOUND && f.db.ei.subj == SUBJ_USER);
    ids = ids_of("app_id", bots, 1);
    nevents = 0;
    CHECK(svc_chat_members_add(&f.c, chat, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res) == ERR_OK);
    CHECK(nevents == 1 && events[0].kind == CHAT_EV_BOT_ADDED && events[0].app == f.bot2);
    /* Approval: a plain member's invitees wait; the owner's join. */
    ids = ids_of("user_id", one, 1);
    nevents = 0;
    CHECK(svc_chat_members_add(&f.c, approval, &f.member, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_OK);
    CHECK(res.npending == 1 && strcmp(res.pending[0], "out") == 0 && nevents == 0);
    CHECK(svc_chat_members_add(&f.c, approval, &f.owner, 0, &ids, CHAT_UNKNOWN_FAIL, &res)
              == ERR_OK);
    CHECK(res.npending == 0 && nevents == 1);
    store_rollback(f.st);
    teardown(&f);
}

static void members_remove_and_join(void)
{
    static const char *const own[] = { "own" }, *const mem[] = { "mem" };
    static const char *const out[] = { "out", "nobody" };
    struct chat_member_result res;
    struct chat_ids ids;
    struct fixture f;
    const char *chat, *pub, *approval;

    setup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    chat = make_chat(&f, "group", "private", "{}");
    pub = make_chat(&f, "group", "public", "{}");
    approval = make_chat(&f, "group", "public", "{\"membership_approval\":\"approval_required\"}");
    /* The owner stays; a plain member removes only itself. */
    ids = ids_of("user_id", own, 1);
    CHECK(svc_chat_members_remove(&f.c, chat, &f.owner, 0, &ids, &res) == ERR_FORBIDDEN
          && f.db.ei.subj == SUBJ_OWNER);
    ids = ids_of("user_id", mem, 1);
    CHECK(svc_chat_members_remove(&f.c, chat, &f.botactor, 0, &ids, &res) == ERR_FORBIDDEN);
    /* Ids that name nobody or no member come back as invalid. */
    ids = ids_of("user_id", out, 2);
    CHECK(svc_chat_members_remove(&f.c, chat, &f.owner, 0, &ids, &res) == ERR_OK);
    CHECK(res.ninvalid == 2 && strcmp(res.invalid[0], "nobody") == 0
          && strcmp(res.invalid[1], "out") == 0);
    nevents = 0;
    ids = ids_of("user_id", mem, 1);
    CHECK(svc_chat_members_remove(&f.c, chat, &f.member, 0, &ids, &res) == ERR_OK
          && res.ninvalid == 0);
    CHECK(nevents == 1 && events[0].kind == CHAT_EV_USERS_DELETED);
    /* Joining: public chats only, not when approval is needed, twice a no-op. */
    CHECK(svc_chat_join(&f.c, chat, &f.outsider) == ERR_BAD_REQUEST
          && f.db.ei.subj == SUBJ_CHAT_MODE);
    CHECK(svc_chat_join(&f.c, approval, &f.outsider) == ERR_FORBIDDEN
          && f.db.ei.subj == SUBJ_APPROVAL);
    CHECK(svc_chat_join(&f.c, pub, &f.outsider) == ERR_OK);
    CHECK(svc_chat_join(&f.c, pub, &f.outsider) == ERR_OK);
    {
        struct fs_member_person *rows;
        int64_t total;
        size_t n;
        bool more;

        CHECK(svc_chat_members_page(&f.c, pub, &f.outsider, f.bot, 0, 2, &rows, &n, &more,
                                    &total) == ERR_OK);
        CHECK(n == 2 && more && total == 3);
        CHECK(svc_chat_members_page(&f.c, pub, &f.outsider, f.bot, rows[1].seq, 2, &rows, &n,
                                    &more, &total) == ERR_OK);
        CHECK(n == 1 && !more && strcmp(rows[0].user_id, "out") == 0);
    }
    store_rollback(f.st);
    teardown(&f);
}

static void managers_rules(void)
{
    static const char *const mem[] = { "mem" }, *const out[] = { "out" };
    struct fs_member_row *all;
    struct chat_ids ids = { .type = "user_id", .field = "manager_ids", .ids = mem, .n = 1 };
    struct fixture f;
    const char *chat;
    size_t n;

    setup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    chat = make_chat(&f, "group", "private", "{}");
    CHECK(svc_chat_managers_change(&f.c, chat, &f.member, 0, &ids, true, &all, &n)
              == ERR_FORBIDDEN && f.db.ei.subj == SUBJ_MANAGER);
    CHECK(svc_chat_managers_change(&f.c, chat, &f.owner, 0, &ids, true, &all, &n) == ERR_OK);
    CHECK(n == 1 && all[0].who.ref == f.member.ref);
    /* Managers come from the members. */
    ids.ids = out;
    CHECK(svc_chat_managers_change(&f.c, chat, &f.owner, 0, &ids, true, &all, &n)
              == ERR_BAD_REQUEST && strcmp(f.db.ei.field, "manager_ids") == 0);
    ids.n = 0;
    CHECK(svc_chat_managers_change(&f.c, chat, &f.owner, 0, &ids, true, &all, &n) == ERR_MISSING);
    ids = (struct chat_ids){ .type = "user_id", .field = "manager_ids", .ids = mem, .n = 1 };
    CHECK(svc_chat_managers_change(&f.c, chat, &f.owner, 0, &ids, false, &all, &n) == ERR_OK
          && n == 0);
    store_rollback(f.st);
    teardown(&f);
}

static void tabs_rules(void)
{
    struct fs_tab_row *stored;
    struct chat_tabs t, t2;
    struct fixture f;
    const char *chat, *msg_id;
    const char *ids[2];
    size_t n;

    setup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    chat = make_chat(&f, "group", "private", "{}");
    CHECK(store_commit(f.st) == ERR_OK);
    /* A read shows the message tab and stores nothing; the id holds. */
    CHECK(store_begin(f.st, false) == ERR_OK);
    CHECK(svc_chat_tabs_list(&f.c, chat, &f.member, &t) == ERR_OK);
    CHECK(t.n == 1 && strcmp(t.tabs[0].tab_type, "message") == 0 && strlen(t.tabs[0].tab_id) == 19);
    msg_id = t.tabs[0].tab_id;
    CHECK(store_fs_tab_list(f.st, &f.db.a, t.v.chat.id, &stored, &n) == ERR_OK && n == 0);
    CHECK(svc_chat_tabs_list(&f.c, chat, &f.member, &t2) == ERR_OK
          && strcmp(t2.tabs[0].tab_id, msg_id) == 0);
    CHECK(svc_chat_tabs_list(&f.c, chat, &f.outsider, &t2) == ERR_FORBIDDEN);
    store_rollback(f.st);
    /* The first write stores it under the same id. */
    CHECK(store_begin(f.st, true) == ERR_OK);
    {
        struct fs_tab_row add[21];

        for (size_t i = 0; i < 21; i++)
            add[i] = (struct fs_tab_row){ .tab_type = "url", .tab_name = "u",
                                          .tab_content = "{\"url\":\"https://x\"}" };
        CHECK(svc_chat_tabs_add(&f.c, chat, &f.member, add, 21, &t) == ERR_LIMIT
              && f.db.ei.subj == SUBJ_TAB);
        add[0].tab_type = "message";
        CHECK(svc_chat_tabs_add(&f.c, chat, &f.member, add, 1, &t) == ERR_BAD_REQUEST);
        add[0].tab_type = "doc";
        CHECK(svc_chat_tabs_add(&f.c, chat, &f.member, add, 2, &t) == ERR_OK);
    }
    CHECK(t.n == 3 && strcmp(t.tabs[0].tab_id, msg_id) == 0
          && strcmp(t.tabs[1].tab_type, "doc") == 0 && t.tabs[2].position == 2);
    /* The message tab never moves and cannot be deleted. */
    ids[0] = t.tabs[2].tab_id;
    ids[1] = t.tabs[1].tab_id;
    CHECK(svc_chat_tabs_sort(&f.c, chat, &f.member, ids, 2, &t2) == ERR_BAD_REQUEST);
    {
        const char *order[3] = { msg_id, t.tabs[2].tab_id, t.tabs[1].tab_id };

        CHECK(svc_chat_tabs_sort(&f.c, chat, &f.member, order, 3, &t2) == ERR_OK);
        CHECK(strcmp(t2.tabs[1].tab_type, "url") == 0);
    }
    ids[0] = msg_id;
    CHECK(svc_chat_tabs_delete(&f.c, chat, &f.member, ids, 1, &t2) == ERR_FORBIDDEN);
    ids[0] = t.tabs[1].tab_id;
    CHECK(svc_chat_tabs_delete(&f.c, chat, &f.member, ids, 1, &t2) == ERR_OK);
    CHECK(t2.n == 2 && t2.tabs[1].position == 1);
    store_rollback(f.st);
    teardown(&f);
}

static void menus_rules(void)
{
    static const char *const kids[6] = { "{}", "{}", "{}", "{}", "{}", "{}" };
    struct chat_menu_new tops[4];
    struct chat_menus m;
    struct fixture f;
    const char *chat, *ids[3];
    bool has_children;

    setup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    chat = make_chat(&f, "group", "private", "{}");
    for (size_t i = 0; i < 4; i++)
        tops[i] = (struct chat_menu_new){ .item = "{\"name\":\"t\"}", .children = kids };
    /* Bots only; 3 top levels; 5 children each. */
    CHECK(svc_chat_menus_add(&f.c, chat, &f.member, tops, 1, &m) == ERR_UNAUTHENTICATED);
    CHECK(svc_chat_menus_add(&f.c, chat, &f.botactor, tops, 4, &m) == ERR_LIMIT
          && f.db.ei.subj == SUBJ_MENU);
    tops[1].nchildren = 6;
    CHECK(svc_chat_menus_add(&f.c, chat, &f.botactor, tops, 2, &m) == ERR_LIMIT
          && f.db.ei.subj == SUBJ_MENU_CHILD);
    tops[1].nchildren = 2;
    CHECK(svc_chat_menus_add(&f.c, chat, &f.botactor, tops, 2, &m) == ERR_OK && m.n == 4);
    CHECK(svc_chat_menu_find(&m, m.rows[0].item_id, &has_children) != NULL && !has_children);
    /* Sorting names exactly the top levels. */
    ids[0] = m.rows[0].item_id;
    CHECK(svc_chat_menus_sort(&f.c, chat, &f.botactor, ids, 1, &m) == ERR_CONFLICT);
    store_rollback(f.st);
    teardown(&f);
}

static void simulated_actions(void)
{
    struct fixture f;
    const char *chat_id, *chat, *result;
    bool created;

    setup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    f.c.tenant = 0; /* as the admin API */
    CHECK(svc_chat_p2p_enter(&f.c, "cli_a", "out", &chat_id, &created) == ERR_OK && created);
    CHECK(f.c.tenant == f.tenant);
    CHECK(nevents == 2 && events[0].kind == CHAT_EV_P2P_CREATED
          && events[1].kind == CHAT_EV_P2P_ENTERED && events[1].app == f.bot);
    CHECK(svc_chat_p2p_enter(&f.c, "cli_a", "out", &result, &created) == ERR_OK && !created
          && strcmp(result, chat_id) == 0);
    CHECK(svc_chat_p2p_enter(&f.c, "cli_a", "b1", &result, &created) == ERR_NOT_FOUND
          && strcmp(f.db.ei.field, "user_id") == 0);
    chat = make_chat(&f, "group", "private", "{\"membership_approval\":\"approval_required\"}");
    /* A plain member's invitation waits; withdrawn, it is gone. */
    CHECK(svc_chat_invite(&f.c, chat, "out", "u4", &result) == ERR_FORBIDDEN
          && f.db.ei.subj == SUBJ_MEMBERSHIP);
    CHECK(svc_chat_invite(&f.c, chat, "mem", "u4", &result) == ERR_OK
          && strcmp(result, "pending_approval") == 0);
    nevents = 0;
    CHECK(svc_chat_withdraw(&f.c, chat, "u4", &result) == ERR_OK
          && strcmp(result, "withdrawn") == 0);
    CHECK(nevents == 1 && events[0].kind == CHAT_EV_USERS_WITHDRAWN);
    err_info_clear(&f.db.ei);
    CHECK(svc_chat_withdraw(&f.c, chat, "u4", &result) == ERR_NOT_FOUND);
    /* The owner's invitation joins; the owner cannot leave. */
    CHECK(svc_chat_invite(&f.c, chat, "own", "u4", &result) == ERR_OK
          && strcmp(result, "joined") == 0);
    CHECK(svc_chat_leave(&f.c, chat, "own", &result) == ERR_FORBIDDEN
          && f.db.ei.subj == SUBJ_OWNER);
    CHECK(svc_chat_leave(&f.c, chat, "u4", &result) == ERR_OK && strcmp(result, "left") == 0);
    CHECK(svc_chat_leave(&f.c, chat, "u4", &result) == ERR_NOT_FOUND);
    store_rollback(f.st);
    teardown(&f);
}

const struct unit_case svc_members_cases[] = {
    { "svc/chat_members_add", members_add_rules },
    { "svc/chat_members_remove_join", members_remove_and_join },
    { "svc/chat_managers", managers_rules },
    { "svc/chat_tabs", tabs_rules },
    { "svc/chat_menus", menus_rules },
    { "svc/chat_simulated_actions", simulated_actions },
    { NULL, NULL },
};
