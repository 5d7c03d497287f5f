/* SPDX-License-Identifier: MIT */
/*
 * store/store_tables.c - the table registry: one row per table of the
 * schema, the one place besides the migrations where a table is declared.
 * --copy-to (store_copy.c) copies the tables in this order with these
 * columns, PostgreSQL's identity sequences are moved past copied ids
 * (store_pg.c), and the one-time conversion of plain secrets
 * (store_secrets.c) rewrites the columns listed here. test_store.c checks the
 * registry against the schema both migrations build.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/str.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In foreign-key order: parents first. */
const struct store_table store_tables[] = {
    /* The target checked its server key on open (secret_key_check): the same
     * key, so the same row; copying upserts it. */
    { .name = "meta", .columns = "key, value", .order = "key", .upsert = "key",
      .global = true },
    { .name = "tenant", .columns = "id, name, is_demo, created_at, rate_limit", .order = "id",
      .identity = "id",
      .owner = { { "id" } }, .reset_keeps = true },
    { .name = "person", .columns = "id, tenant_id, user_id, union_id, name, email, udesk_agent_id",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    { .name = "fs_tenant", .columns = "tenant_id, tenant_key, member_limit", .order = "tenant_id",
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    { .name = "fs_app", .columns = "id, tenant_id, app_id, app_secret, name", .order = "id",
      .identity = "id", .secret_key = "id", .secrets = { { "app_secret", 'S', "app_secret" } },
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    { .name = "fs_open_id", .columns = "app_id, person_id, open_id", .order = "app_id, person_id",
      .owner = { { "app_id", "fs_app" } }, .reset_keeps = true },
    { .name = "wc_corp", .columns = "tenant_id, corpid", .order = "tenant_id",
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    { .name = "wc_secret", .columns = "id, tenant_id, secret, sealed", .order = "id",
      .identity = "id", .secret_key = "id",
      .secrets = { { "secret", 'D', "secret" }, { "sealed", 'S', "secret" } },
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    { .name = "udesk_company",
      .columns = "tenant_id, subdomain, admin_email, api_token, admin_password",
      .order = "tenant_id", .secret_key = "tenant_id",
      .secrets = { { "api_token", 'S', "api_token" },
                   { "admin_password", 'S', "admin_password" } },
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    /* Tokens written before 010 are all kept recoverable: the kinds that are
     * never handed out again expire soon enough. */
    { .name = "token",
      .columns = "token, kind, tenant_id, principal, created_at, expires_at, app_ref, sealed",
      .order = "token", .secret_key = "token",
      .secrets = { { "token", 'D', "token" }, { "sealed", 'S', "token" } },
      .owner = { { "tenant_id" } } },
    { .name = "nonce", .columns = "tenant_id, nonce, expires_at", .order = "tenant_id, nonce",
      .owner = { { "tenant_id" } } },
    /* A moved catalog may come before its parent; the parent check is deferred. */
    { .name = "kb_category",
      .columns = "id, tenant_id, space, type, parent_id, owner_id, ext_id, name, is_default, "
                 "created_at",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    { .name = "fs_chat",
      .columns = "id, tenant_id, chat_id, creator_app, owner_kind, owner_ref, chat_mode, "
                 "chat_type, name, description, avatar, i18n_names, settings, status, "
                 "top_notice, created_at, active_at, user_count, bot_count",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    { .name = "fs_chat_member",
      .columns = "seq, chat_ref, member_kind, member_ref, is_manager, is_moderator, joined_at",
      .order = "seq", .identity = "seq",
      .owner = { { "chat_ref", "fs_chat" } } },
    { .name = "fs_chat_uuid", .columns = "tenant_id, uuid, owner_key, chat_ref, created_at",
      .order = "tenant_id, uuid, owner_key",
      .owner = { { "tenant_id" } } },
    { .name = "fs_auth_code", .columns = "code, tenant_id, app_ref, person_id, expires_at, used",
      .order = "code", .secret_key = "code", .secrets = { { "code", 'D', "code" } },
      .owner = { { "tenant_id" } } },
    { .name = "outbox",
      .columns = "id, tenant_id, app_ref, event_type, event_id, body, created_at, delivered_at, "
                 "state, attempts, next_at, lease_until",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    { .name = "fs_subscription",
      .columns = "app_ref, callback_url, encrypt_key, verification_token, types, mode",
      .order = "app_ref", .secret_key = "app_ref",
      .secrets = { { "encrypt_key", 'S', "encrypt_key" },
                   { "verification_token", 'S', "verification_token" } },
      .owner = { { "app_ref", "fs_app" } }, .reset_keeps = true },
    { .name = "outbox_attempt",
      .columns = "id, outbox_ref, attempt, at, http_status, latency_us, error, response, "
                 "connection",
      .order = "id", .identity = "id",
      .owner = { { "outbox_ref", "outbox" } } },
    { .name = "fs_ws_ticket", .columns = "ticket, app_ref, device_id, access_key, expires_at",
      .order = "ticket", .owner = { { "app_ref", "fs_app" } } },
    { .name = "fs_ws_conn",
      .columns = "id, app_ref, node, since, last_ping, delivered, unacked, silenced, kick, seen_at",
      .order = "id",
      /* Live connections, not data: a reset leaves them connected. */
      .owner = { { "app_ref", "fs_app" } }, .reset_keeps = true },
    /* A rehearsal setting, like a fault rule: a reset clears it. */
    { .name = "fs_delivery_opt", .columns = "app_ref, duplicate, delay_ms", .order = "app_ref",
      .owner = { { "app_ref", "fs_app" } } },
    { .name = "fs_chat_tab",
      .columns = "id, chat_ref, tab_id, tab_type, tab_name, tab_content, tab_config, position",
      .order = "id", .identity = "id",
      .owner = { { "chat_ref", "fs_chat" } } },
    { .name = "fs_menu", .columns = "id, chat_ref, item_id, parent_ref, position, item",
      .order = "id", .identity = "id",
      .owner = { { "chat_ref", "fs_chat" } } },
    { .name = "fs_announcement",
      .columns = "chat_ref, content, revision, create_time, update_time, owner_kind, owner_ref, "
                 "modifier_kind, modifier_ref",
      .order = "chat_ref",
      .owner = { { "chat_ref", "fs_chat" } } },
    { .name = "fs_chat_link",
      .columns = "link_token, chat_ref, expires_at, creator_kind, creator_ref, created_at",
      .order = "link_token", .secret_key = "link_token",
      .secrets = { { "link_token", 'D', "link_token" } },
      .owner = { { "chat_ref", "fs_chat" } } },
    { .name = "fs_chat_pending",
      .columns = "chat_ref, person_id, inviter_kind, inviter_ref, created_at",
      .order = "chat_ref, person_id",
      .owner = { { "chat_ref", "fs_chat" } } },
    { .name = "fs_message",
      .columns = "id, tenant_id, message_id, chat_ref, sender_kind, sender_ref, msg_type, content, "
                 "body, mentions, root_ref, parent_ref, thread_id, in_chat, created_ms, updated_ms, "
                 "updated, deleted, edits, upper_ref",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    { .name = "fs_message_uuid",
      .columns = "tenant_id, sender_kind, sender_ref, uuid, message_ref, created_at",
      .order = "tenant_id, sender_kind, sender_ref, uuid",
      .owner = { { "tenant_id" } } },
    /* Reactions and pins of messages (020_reactions_pins). */
    { .name = "fs_reaction",
      .columns = "id, tenant_id, reaction_id, message_ref, emoji_type, operator_kind, "
                 "operator_ref, created_ms",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    { .name = "fs_pin",
      .columns = "message_ref, tenant_id, chat_ref, operator_kind, operator_ref, created_ms",
      .order = "message_ref",
      .owner = { { "tenant_id" } } },
    { .name = "fs_message_read", .columns = "tenant_id, message_ref, person_ref, read_ms",
      .order = "message_ref, person_ref",
      .owner = { { "tenant_id" } } },
    { .name = "fs_message_buzz",
      .columns = "id, tenant_id, message_ref, person_ref, app_ref, kind, created_ms",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    /* Upload contents by digest, shared by every tenant that uploaded the
     * same bytes: no tenant's own. A row names a file of upload_dir, which
     * the sweep keeps while the row is there: a restore adds rows, never
     * drops one, so a later restore finds the bytes its rows name. */
    { .name = "fs_blob", .columns = "sha256, size, created_at", .order = "sha256",
      .upsert = "sha256", .global = true, .restore_merges = true },
    { .name = "fs_resource",
      .columns = "id, tenant_id, res_key, app_ref, kind, sub_type, file_name, duration, mime, size, "
                 "sha256, created_at",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    /* The Feishu directory and what each app holds (017_contacts). */
    { .name = "fs_department",
      .columns = "id, tenant_id, department_id, open_department_id, parent_ref, sort_order, detail",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } }, .reset_keeps = true },
    { .name = "fs_person_profile", .columns = "person_id, mobile, resigned, profile",
      .order = "person_id",
      .owner = { { "person_id", "person" } }, .reset_keeps = true },
    { .name = "fs_person_dept",
      .columns = "person_id, dept_ref, pos, user_order, department_order",
      .order = "person_id, dept_ref",
      .owner = { { "person_id", "person" } }, .reset_keeps = true },
    { .name = "fs_app_access", .columns = "app_ref, scopes, contact_range, bot_open_id",
      .order = "app_ref",
      .owner = { { "app_ref", "fs_app" } }, .reset_keeps = true },
    /* A grant is keyed by the digest of the code or token it came with: no
     * tenant to name, and inert once that code or token is gone. */
    { .name = "fs_grant", .columns = "secret, scope, expires_at", .order = "secret",
      .global = true },
    { .name = "fault_rule",
      .columns = "id, dialect, method, route, tenant_id, app_ref, count, ratio, answer, created_at",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" }, { "app_ref", "fs_app" } } },
    /* Knowledge items after their categories (migration 018). */
    { .name = "kb_item",
      .columns = "id, tenant_id, space, type, category_id, owner_id, ext_id, title, content, "
                 "url, content_type, lasts, valid_from, valid_until, alt_titles, attachments, "
                 "created_at, updated_at",
      .order = "id", .identity = "id",
      .owner = { { "tenant_id" } } },
    { .name = "wc_media",
      .columns = "tenant_id, media_id, type, name, size, created_at, expires_at",
      .order = "tenant_id, media_id",
      .owner = { { "tenant_id" } } },
    /* The rate-limit counts the nodes share (svc_rate.c): throwaway. */
    { .name = "rate_count", .columns = "rkey, window_ms, start_ms, ends_ms, n",
      .order = "rkey, window_ms, start_ms", .pg_only = true,
      .global = true },
};

const size_t store_table_count = sizeof(store_tables) / sizeof(store_tables[0]);

#define NTABLES (sizeof(store_tables) / sizeof(store_tables[0]))

/* The statements are made once per process and kept: the drivers cache
 * prepared statements by the address of their text. */
static char *made[NTABLES][TABLE_SQL_KINDS];
static pthread_once_t made_once = PTHREAD_ONCE_INIT;

static size_t count_columns(const char *cols)
{
    size_t n = 1;

    for (const char *p = cols; *p != '\0'; p++)
        n += *p == ',';
    return n;
}

static char *params(struct arena *a, size_t from, size_t n)
{
    char *out = "";

    for (size_t i = 0; i < n; i++)
        out = arena_printf(a, "%s%s$%zu", out, i ? ", " : "", from + i);
    return out;
}

/* "ON CONFLICT (key) DO UPDATE SET c = excluded.c, ..." for every other column. */
static char *upsert_clause(struct arena *a, const struct store_table *t)
{
    char *out = arena_printf(a, " ON CONFLICT (%s) DO UPDATE SET ", t->upsert);
    const char *p = t->columns;
    bool first = true;

    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        char *col = arena_strndup(a, p, n);

        if (strcmp(col, t->upsert) != 0) {
            out = arena_printf(a, "%s%s%s = excluded.%s", out, first ? "" : ", ", col, col);
            first = false;
        }
        p += n;
        p += strspn(p, ", ");
    }
    return out;
}

static char *secrets_select(struct arena *a, const struct store_table *t)
{
    char *out = arena_printf(a, "SELECT %s", t->secret_key);

    for (size_t j = 0; j < TABLE_SECRETS && t->secrets[j].column != NULL; j++)
        out = arena_printf(a, "%s, %s", out, t->secrets[j].from);
    return arena_printf(a, "%s FROM %s", out, t->name);
}

static char *secrets_update(struct arena *a, const struct store_table *t)
{
    char *out = arena_printf(a, "UPDATE %s SET ", t->name);

    for (size_t j = 0; j < TABLE_SECRETS && t->secrets[j].column != NULL; j++)
        out = arena_printf(a, "%s%s%s = $%zu", out, j ? ", " : "", t->secrets[j].column, j + 2);
    return arena_printf(a, "%s WHERE %s = $1", out, t->secret_key);
}

const struct store_table *store_table_find(const char *name)
{
    for (size_t i = 0; i < NTABLES; i++)
        if (strcmp(store_tables[i].name, name) == 0)
            return &store_tables[i];
    return NULL;
}

/* "<column> = $1 OR <column> IN (SELECT <identity> FROM <parent> WHERE
 * <the parent's own>)": the rows of tenant $1. NULL for a global table or
 * a path the registry does not resolve (test_store.c reports those). */
static char *owned_where(struct arena *a, const struct store_table *t, int depth)
{
    char *out = NULL;

    if (t->global || depth > 4)
        return NULL;
    for (size_t k = 0; k < 2 && t->owner[k].column != NULL; k++) {
        const struct table_owner *o = &t->owner[k];
        char *one;

        if (o->parent == NULL) {
            one = arena_printf(a, "%s = $1", o->column);
        } else {
            const struct store_table *p = store_table_find(o->parent);
            char *pw = p != NULL && p->identity != NULL ? owned_where(a, p, depth + 1) : NULL;

            if (pw == NULL)
                return NULL;
            one = arena_printf(a, "%s IN (SELECT %s FROM %s WHERE %s)", o->column, p->identity,
                               p->name, pw);
        }
        out = out == NULL ? one : arena_printf(a, "%s OR %s", out, one);
    }
    return out;
}

static void make_all(void)
{
    struct arena a;

    arena_init(&a, 4096);
    for (size_t i = 0; i < NTABLES; i++) {
        const struct store_table *t = &store_tables[i];
        char *sql[TABLE_SQL_KINDS] = { 0 };

        sql[TABLE_COPY_SELECT] =
            arena_printf(&a, "SELECT %s FROM %s ORDER BY %s", t->columns, t->name, t->order);
        sql[TABLE_COPY_INSERT] =
            arena_printf(&a, "INSERT INTO %s (%s) VALUES (%s)%s", t->name, t->columns,
                         params(&a, 1, count_columns(t->columns)),
                         t->upsert != NULL ? upsert_clause(&a, t) : "");
        if (t->secret_key != NULL) {
            sql[TABLE_SECRETS_SELECT] = secrets_select(&a, t);
            sql[TABLE_SECRETS_UPDATE] = secrets_update(&a, t);
        }
        {
            char *where = owned_where(&a, t, 0);

            if (where != NULL) {
                sql[TABLE_TENANT_DELETE] =
                    arena_printf(&a, "DELETE FROM %s WHERE %s", t->name, where);
                sql[TABLE_TENANT_COUNT] =
                    arena_printf(&a, "SELECT count(*) FROM %s WHERE %s", t->name, where);
            }
        }
        sql[TABLE_WIPE] = arena_printf(&a, "DELETE FROM %s", t->name);
        for (size_t k = 0; k < TABLE_SQL_KINDS; k++)
            made[i][k] = sql[k] != NULL ? xstrdup(sql[k]) : NULL;
    }
    arena_release(&a);
}

const char *store_table_sql(const struct store_table *t, enum table_sql kind)
{
    size_t i = (size_t)(t - store_tables);

    pthread_once(&made_once, make_all);
    return i < NTABLES ? made[i][kind] : NULL;
}
