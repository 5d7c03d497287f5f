/* SPDX-License-Identifier: MIT */
/*
 * store/store_copy.c - copies every row of one database into another, empty
 * one of any backend (SQLite into PostgreSQL and back), so an emulator's
 * state can seed a production database. Tables go parents first; ids are
 * kept, so every reference stays valid. Secrets are copied as stored
 * (digests, sealed values): the target needs the source's server key, which
 * main.c's --copy-to arranges or names.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <stdio.h>

struct copy_table {
    const char *name;
    const char *select;
    const char *insert;
};

/* One row per table, in foreign-key order. Adding a table to a migration
 * means adding it here; test_store.c checks every table is listed. */
static const struct copy_table copy_tables[] = {
    /* The target checked its server key on open (secret_key_check): the same
     * key, so the same row; an upsert keeps it. */
    { "meta", "SELECT key, value FROM meta ORDER BY key",
      "INSERT INTO meta (key, value) VALUES ($1, $2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value" },
    { "tenant", "SELECT id, name, is_demo, created_at, rate_limit FROM tenant ORDER BY id",
      "INSERT INTO tenant (id, name, is_demo, created_at, rate_limit) VALUES ($1, $2, $3, $4, $5)" },
    { "person",
      "SELECT id, tenant_id, user_id, union_id, name, email, udesk_agent_id FROM person "
      "ORDER BY id",
      "INSERT INTO person (id, tenant_id, user_id, union_id, name, email, udesk_agent_id) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)" },
    { "fs_tenant", "SELECT tenant_id, tenant_key, member_limit FROM fs_tenant ORDER BY tenant_id",
      "INSERT INTO fs_tenant (tenant_id, tenant_key, member_limit) VALUES ($1, $2, $3)" },
    { "fs_app", "SELECT id, tenant_id, app_id, app_secret, name FROM fs_app ORDER BY id",
      "INSERT INTO fs_app (id, tenant_id, app_id, app_secret, name) VALUES ($1, $2, $3, $4, $5)" },
    { "fs_open_id", "SELECT app_id, person_id, open_id FROM fs_open_id ORDER BY app_id, person_id",
      "INSERT INTO fs_open_id (app_id, person_id, open_id) VALUES ($1, $2, $3)" },
    { "wc_corp", "SELECT tenant_id, corpid FROM wc_corp ORDER BY tenant_id",
      "INSERT INTO wc_corp (tenant_id, corpid) VALUES ($1, $2)" },
    { "wc_secret", "SELECT id, tenant_id, secret, sealed FROM wc_secret ORDER BY id",
      "INSERT INTO wc_secret (id, tenant_id, secret, sealed) VALUES ($1, $2, $3, $4)" },
    { "udesk_company",
      "SELECT tenant_id, subdomain, admin_email, api_token, admin_password FROM udesk_company "
      "ORDER BY tenant_id",
      "INSERT INTO udesk_company (tenant_id, subdomain, admin_email, api_token, admin_password) "
      "VALUES ($1, $2, $3, $4, $5)" },
    { "token",
      "SELECT token, kind, tenant_id, principal, created_at, expires_at, app_ref, sealed "
      "FROM token ORDER BY token",
      "INSERT INTO token (token, kind, tenant_id, principal, created_at, expires_at, app_ref, "
      "sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" },
    { "nonce", "SELECT tenant_id, nonce, expires_at FROM nonce ORDER BY tenant_id, nonce",
      "INSERT INTO nonce (tenant_id, nonce, expires_at) VALUES ($1, $2, $3)" },
    /* A moved catalog may come before its parent; the parent check is deferred. */
    { "kb_category",
      "SELECT id, tenant_id, space, type, parent_id, owner_id, ext_id, name, is_default, "
      "created_at FROM kb_category ORDER BY id",
      "INSERT INTO kb_category (id, tenant_id, space, type, parent_id, owner_id, ext_id, name, "
      "is_default, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" },
    { "fs_chat",
      "SELECT id, tenant_id, chat_id, creator_app, owner_kind, owner_ref, chat_mode, chat_type, "
      "name, description, avatar, i18n_names, settings, status, top_notice, created_at, "
      "active_at, user_count, bot_count FROM fs_chat ORDER BY id",
      "INSERT INTO fs_chat (id, tenant_id, chat_id, creator_app, owner_kind, owner_ref, "
      "chat_mode, chat_type, name, description, avatar, i18n_names, settings, status, "
      "top_notice, created_at, active_at, user_count, bot_count) VALUES ($1, $2, $3, $4, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)" },
    { "fs_chat_member",
      "SELECT seq, chat_ref, member_kind, member_ref, is_manager, is_moderator, joined_at "
      "FROM fs_chat_member ORDER BY seq",
      "INSERT INTO fs_chat_member (seq, chat_ref, member_kind, member_ref, is_manager, "
      "is_moderator, joined_at) VALUES ($1, $2, $3, $4, $5, $6, $7)" },
    { "fs_chat_uuid",
      "SELECT tenant_id, uuid, owner_key, chat_ref, created_at FROM fs_chat_uuid "
      "ORDER BY tenant_id, uuid, owner_key",
      "INSERT INTO fs_chat_uuid (tenant_id, uuid, owner_key, chat_ref, created_at) "
      "VALUES ($1, $2, $3, $4, $5)" },
    { "fs_auth_code",
      "SELECT code, tenant_id, app_ref, person_id, expires_at, used FROM fs_auth_code "
      "ORDER BY code",
      "INSERT INTO fs_auth_code (code, tenant_id, app_ref, person_id, expires_at, used) "
      "VALUES ($1, $2, $3, $4, $5, $6)" },
    { "outbox",
      "SELECT id, tenant_id, app_ref, event_type, event_id, body, created_at, delivered_at, "
      "state, attempts, next_at, lease_until FROM outbox ORDER BY id",
      "INSERT INTO outbox (id, tenant_id, app_ref, event_type, event_id, body, created_at, "
      "delivered_at, state, attempts, next_at, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9, $10, $11, $12)" },
    { "fs_subscription",
      "SELECT app_ref, callback_url, encrypt_key, verification_token, types FROM fs_subscription "
      "ORDER BY app_ref",
      "INSERT INTO fs_subscription (app_ref, callback_url, encrypt_key, verification_token, "
      "types) VALUES ($1, $2, $3, $4, $5)" },
    { "outbox_attempt",
      "SELECT id, outbox_ref, attempt, at, http_status, latency_us, error, response "
      "FROM outbox_attempt ORDER BY id",
      "INSERT INTO outbox_attempt (id, outbox_ref, attempt, at, http_status, latency_us, error, "
      "response) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" },
    { "fs_chat_tab",
      "SELECT id, chat_ref, tab_id, tab_type, tab_name, tab_content, tab_config, position "
      "FROM fs_chat_tab ORDER BY id",
      "INSERT INTO fs_chat_tab (id, chat_ref, tab_id, tab_type, tab_name, tab_content, "
      "tab_config, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" },
    { "fs_menu", "SELECT id, chat_ref, item_id, parent_ref, position, item FROM fs_menu ORDER BY id",
      "INSERT INTO fs_menu (id, chat_ref, item_id, parent_ref, position, item) "
      "VALUES ($1, $2, $3, $4, $5, $6)" },
    { "fs_announcement",
      "SELECT chat_ref, content, revision, create_time, update_time, owner_kind, owner_ref, "
      "modifier_kind, modifier_ref FROM fs_announcement ORDER BY chat_ref",
      "INSERT INTO fs_announcement (chat_ref, content, revision, create_time, update_time, "
      "owner_kind, owner_ref, modifier_kind, modifier_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9)" },
    { "fs_chat_link",
      "SELECT link_token, chat_ref, expires_at, creator_kind, creator_ref, created_at "
      "FROM fs_chat_link ORDER BY link_token",
      "INSERT INTO fs_chat_link (link_token, chat_ref, expires_at, creator_kind, creator_ref, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6)" },
    { "fs_chat_pending",
      "SELECT chat_ref, person_id, inviter_kind, inviter_ref, created_at FROM fs_chat_pending "
      "ORDER BY chat_ref, person_id",
      "INSERT INTO fs_chat_pending (chat_ref, person_id, inviter_kind, inviter_ref, created_at) "
      "VALUES ($1, $2, $3, $4, $5)" },
    { "fault_rule",
      "SELECT id, dialect, method, route, tenant_id, app_ref, count, ratio, answer, created_at "
      "FROM fault_rule ORDER BY id",
      "INSERT INTO fault_rule (id, dialect, method, route, tenant_id, app_ref, count, ratio, "
      "answer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" },
    { "kb_item",
      "SELECT id, tenant_id, space, type, category_id, owner_id, ext_id, title, content, url, "
      "content_type, lasts, valid_from, valid_until, alt_titles, attachments, created_at, "
      "updated_at FROM kb_item ORDER BY id",
      "INSERT INTO kb_item (id, tenant_id, space, type, category_id, owner_id, ext_id, title, "
      "content, url, content_type, lasts, valid_from, valid_until, alt_titles, attachments, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
      "$14, $15, $16, $17, $18)" },
    { "wc_media",
      "SELECT tenant_id, media_id, type, name, size, created_at, expires_at FROM wc_media "
      "ORDER BY tenant_id, media_id",
      "INSERT INTO wc_media (tenant_id, media_id, type, name, size, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)" },
};

static const char SQL_TENANT_COUNT[] = "SELECT count(*) FROM tenant";

size_t store_copy_table_count(void)
{
    return sizeof(copy_tables) / sizeof(copy_tables[0]);
}

const char *store_copy_table_name(size_t i)
{
    return i < store_copy_table_count() ? copy_tables[i].name : NULL;
}

const char *store_copy_table_select(size_t i)
{
    return i < store_copy_table_count() ? copy_tables[i].select : NULL;
}

static enum err copy_one(struct store *src, struct store *dst, const struct copy_table *t,
                         size_t *rows)
{
    struct sql_param p[SQL_MAX_PARAMS];
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 65536);
    e = sql_exec(src, &a, t->select, NULL, 0, &r);
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        /* Text carries every value; each backend converts on insert. */
        for (size_t c = 0; c < r.ncols; c++)
            p[c] = (struct sql_param){ 's', sql_text(&r, i, c), 0 };
        e = sql_exec(dst, NULL, t->insert, p, (int)r.ncols, NULL);
    }
    *rows = r.nrows;
    arena_release(&a);
    return e;
}

enum err store_copy(struct store *src, struct store *dst)
{
    struct arena a;
    struct sql_res r;
    enum err e;
    int64_t n = 0;

    arena_init(&a, 1024);
    e = store_begin(src, false);
    if (e == ERR_OK)
        e = store_begin(dst, true);
    if (e == ERR_OK)
        e = sql_one_int(store_q(dst, &a, &r, SQL_TENANT_COUNT, ""), &r, &n);
    if (e == ERR_OK && n > 0) {
        log_error("copy: the destination database already has tenants; copy into an empty one");
        e = ERR_CONFLICT;
    }
    for (size_t i = 0; e == ERR_OK && i < store_copy_table_count(); i++) {
        size_t rows = 0;

        e = copy_one(src, dst, &copy_tables[i], &rows);
        if (e == ERR_OK)
            printf("copied %zu rows of %s\n", rows, copy_tables[i].name);
    }
    if (e == ERR_OK)
        e = dst->ops->ids_follow(dst);
    if (e == ERR_OK)
        e = store_commit(dst);
    if (e != ERR_OK)
        store_rollback(dst);
    store_rollback(src);
    arena_release(&a);
    return e;
}
