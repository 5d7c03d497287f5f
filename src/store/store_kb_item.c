/* SPDX-License-Identifier: MIT */
/*
 * store/store_kb_item.c - knowledge items inside knowledge-base categories
 * (WeCom intents, Udesk questions, phrases and links) and WeCom's temporary
 * media, in SQL that every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"

#define ITEM_COLS                                                                                  \
    "i.id, i.tenant_id, i.space, i.type, i.category_id, c.ext_id, i.owner_id, i.ext_id, "          \
    "i.title, i.content, i.url, i.content_type, i.lasts, i.valid_from, i.valid_until, "            \
    "i.alt_titles, i.attachments, i.created_at, i.updated_at"
#define ITEM_FROM " FROM kb_item i LEFT JOIN kb_category c ON c.id = i.category_id "

static const char SQL_ITEM_INSERT[] =
    "INSERT INTO kb_item (tenant_id, space, type, category_id, owner_id, ext_id, title, "
    "content, url, content_type, lasts, valid_from, valid_until, alt_titles, attachments, "
    "created_at, updated_at) VALUES ($1, $2, $3, NULLIF(CAST($4 AS BIGINT), 0), $5, $6, $7, "
    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id";
static const char SQL_ITEM_UPDATE[] =
    "UPDATE kb_item SET category_id = NULLIF(CAST($1 AS BIGINT), 0), title = $2, content = $3, "
    "url = $4, content_type = $5, lasts = $6, valid_from = $7, valid_until = $8, alt_titles = $9, "
    "attachments = $10, updated_at = $11 WHERE id = $12";
static const char SQL_ITEM_DELETE[] = "DELETE FROM kb_item WHERE id = $1";
static const char SQL_ITEM_DELETE_IN[] = "DELETE FROM kb_item WHERE category_id = $1";
static const char SQL_ITEM_GET[] =
    "SELECT " ITEM_COLS ITEM_FROM "WHERE i.tenant_id = $1 AND i.space = $2 AND i.ext_id = $3";
static const char SQL_ITEM_GET_ID[] =
    "SELECT " ITEM_COLS ITEM_FROM "WHERE i.tenant_id = $1 AND i.space = $2 AND i.id = $3";
static const char SQL_ITEM_BY_TITLE[] =
    "SELECT " ITEM_COLS ITEM_FROM "WHERE i.tenant_id = $1 AND i.space = $2 AND i.title = $3";
/* $4 owner and $5 category: < 0 any; category 0 the uncategorized items. Each
 * combination is its own statement, so the planner sees the equalities it can
 * take from an index (kb_item_filter for an owner's category, kb_item_list for
 * an owner) and walks it in id order, counting and skipping rows in the index,
 * instead of reading and sorting every item of the type; a predicate that
 * always holds still names its parameter. */
#define ITEM_KEY "i.tenant_id = $1 AND i.space = $2 AND i.type = $3 "
#define OWNER_ANY "AND CAST($4 AS BIGINT) < 0 "
#define OWNER_ONE "AND i.owner_id = CAST($4 AS BIGINT) "
#define CAT_ANY "AND CAST($5 AS BIGINT) < 0 "
#define CAT_NONE "AND (i.category_id IS NULL OR i.category_id = CAST($5 AS BIGINT)) "
#define CAT_ONE "AND i.category_id = CAST($5 AS BIGINT) "
/* One row of statements per owner filter, one column per category filter. */
#define ITEM_ANY_OWNER(X) { X(OWNER_ANY CAT_ANY), X(OWNER_ANY CAT_NONE), X(OWNER_ANY CAT_ONE) }
#define ITEM_ONE_OWNER(X) { X(OWNER_ONE CAT_ANY), X(OWNER_ONE CAT_NONE), X(OWNER_ONE CAT_ONE) }
#define COUNT_SQL(f) "SELECT count(*) FROM kb_item i WHERE " ITEM_KEY f
/* The page's ids first, from the index alone; the rows and their category's
 * ext_id are read for those ids only, not for the rows OFFSET skips. */
#define LIST_SQL_WITH(more, f)                                                                     \
    "SELECT " ITEM_COLS more ITEM_FROM "WHERE i.id IN (SELECT i.id FROM kb_item i WHERE " ITEM_KEY \
    f "AND i.id > $6 ORDER BY i.id LIMIT $7 OFFSET $8) ORDER BY i.id"
#define LIST_SQL(f) LIST_SQL_WITH("", f)
/* A page and, in a last column of every row, the count of the whole filter
 * (computed once): one statement where there are rows. */
#define PAGE_SQL(f) LIST_SQL_WITH(", (" COUNT_SQL(f) ")", f)
#define ITEM_NCOLS 19
static const char *const SQL_ITEM_COUNT[2][3] = { ITEM_ANY_OWNER(COUNT_SQL),
                                                  ITEM_ONE_OWNER(COUNT_SQL) };
static const char *const SQL_ITEM_LIST[2][3] = { ITEM_ANY_OWNER(LIST_SQL),
                                                 ITEM_ONE_OWNER(LIST_SQL) };
static const char *const SQL_ITEM_PAGE[2][3] = { ITEM_ANY_OWNER(PAGE_SQL),
                                                 ITEM_ONE_OWNER(PAGE_SQL) };

/* The statement of 'f' from one of the tables above. */
static const char *item_sql(const char *const sql[2][3], const struct kb_item_filter *f)
{
    return sql[f->owner >= 0][f->category < 0 ? 0 : f->category == 0 ? 1 : 2];
}

static void item_fill(const struct sql_res *r, size_t i, struct kb_item_row *out)
{
    out->id = sql_int(r, i, 0);
    out->tenant_id = sql_int(r, i, 1);
    out->space = sql_text(r, i, 2);
    out->type = sql_text(r, i, 3);
    out->category_id = sql_int(r, i, 4);
    out->category_ext = sql_text(r, i, 5);
    out->owner_id = sql_int(r, i, 6);
    out->ext_id = sql_text(r, i, 7);
    out->title = sql_text(r, i, 8);
    out->content = sql_text(r, i, 9);
    out->url = sql_text(r, i, 10);
    out->content_type = sql_text(r, i, 11);
    out->lasts = sql_int(r, i, 12) != 0;
    out->valid_from = sql_int(r, i, 13);
    out->valid_until = sql_int(r, i, 14);
    out->similar = sql_text(r, i, 15);
    out->attachments = sql_text(r, i, 16);
    out->created_at = sql_int(r, i, 17);
    out->updated_at = sql_int(r, i, 18);
}

static enum err item_one(enum err e, const struct sql_res *r, struct kb_item_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK)
        item_fill(r, 0, out);
    return e;
}

enum err store_kb_item_insert(struct store *s, struct kb_item_row *it)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    e = store_q(s, &a, &r, SQL_ITEM_INSERT, ARG_INT(it->tenant_id), ARG_TEXT(it->space),
                ARG_TEXT(it->type), ARG_INT(it->category_id), ARG_INT(it->owner_id),
                ARG_TEXT(it->ext_id), ARG_TEXT(it->title), ARG_TEXT(it->content), ARG_TEXT(it->url),
                ARG_TEXT(it->content_type), ARG_BOOL(it->lasts), ARG_INT(it->valid_from),
                ARG_INT(it->valid_until), ARG_TEXT(it->similar), ARG_TEXT(it->attachments),
                ARG_INT(it->created_at), ARG_INT(it->updated_at));
    e = sql_one_int(e, &r, &it->id);
    arena_release(&a);
    return e;
}

enum err store_kb_item_update(struct store *s, const struct kb_item_row *it)
{
    return store_q(s, NULL, NULL, SQL_ITEM_UPDATE, ARG_INT(it->category_id), ARG_TEXT(it->title),
                   ARG_TEXT(it->content), ARG_TEXT(it->url), ARG_TEXT(it->content_type),
                   ARG_BOOL(it->lasts), ARG_INT(it->valid_from), ARG_INT(it->valid_until),
                   ARG_TEXT(it->similar), ARG_TEXT(it->attachments), ARG_INT(it->updated_at),
                   ARG_INT(it->id));
}

enum err store_kb_item_delete(struct store *s, int64_t id)
{
    return store_q(s, NULL, NULL, SQL_ITEM_DELETE, ARG_INT(id));
}

enum err store_kb_item_delete_in(struct store *s, int64_t category)
{
    return store_q_later(s, SQL_ITEM_DELETE_IN, ARG_INT(category));
}

enum err store_kb_item_get(struct store *s, struct arena *a, int64_t tenant, const char *space,
                           const char *ext_id, struct kb_item_row *out)
{
    struct sql_res r;

    return item_one(
        store_q(s, a, &r, SQL_ITEM_GET, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(ext_id)), &r,
        out);
}

enum err store_kb_item_get_id(struct store *s, struct arena *a, int64_t tenant, const char *space,
                              int64_t id, struct kb_item_row *out)
{
    struct sql_res r;

    return item_one(
        store_q(s, a, &r, SQL_ITEM_GET_ID, ARG_INT(tenant), ARG_TEXT(space), ARG_INT(id)), &r, out);
}

enum err store_kb_item_by_title(struct store *s, struct arena *a, int64_t tenant, const char *space,
                                const char *title, struct kb_item_row *out)
{
    struct sql_res r;

    return item_one(
        store_q(s, a, &r, SQL_ITEM_BY_TITLE, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(title)), &r,
        out);
}

enum err store_kb_item_count(struct store *s, const struct kb_item_filter *f, int64_t *n)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 512);
    e = store_q(s, &a, &r, item_sql(SQL_ITEM_COUNT, f), ARG_INT(f->tenant), ARG_TEXT(f->space),
                ARG_TEXT(f->type), ARG_INT(f->owner), ARG_INT(f->category));
    e = sql_one_int(e, &r, n);
    arena_release(&a);
    return e == ERR_NOT_FOUND ? ERR_STORE : e;
}

enum err store_kb_item_list(struct store *s, struct arena *a, const struct kb_item_filter *f,
                            int64_t after, int64_t offset, int64_t limit, struct kb_item_row **rows,
                            size_t *n, int64_t *total)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, item_sql(total ? SQL_ITEM_PAGE : SQL_ITEM_LIST, f),
                         ARG_INT(f->tenant), ARG_TEXT(f->space), ARG_TEXT(f->type),
                         ARG_INT(f->owner), ARG_INT(f->category), ARG_INT(after), ARG_INT(limit),
                         ARG_INT(offset));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        item_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    if (total == NULL)
        return ERR_OK;
    /* Past the last page no row carries the count. */
    if (r.nrows == 0)
        return store_kb_item_count(s, f, total);
    *total = sql_int(&r, 0, ITEM_NCOLS);
    return ERR_OK;
}

static const char SQL_MEDIA_INSERT[] =
    "INSERT INTO wc_media (tenant_id, media_id, type, name, size, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_MEDIA_GET[] =
    "SELECT tenant_id, media_id, type, name, size, created_at, expires_at FROM wc_media "
    "WHERE tenant_id = $1 AND media_id = $2";

enum err store_wc_media_insert(struct store *s, const struct wc_media_row *m)
{
    return store_q(s, NULL, NULL, SQL_MEDIA_INSERT, ARG_INT(m->tenant_id), ARG_TEXT(m->media_id),
                   ARG_TEXT(m->type), ARG_TEXT(m->name), ARG_INT(m->size), ARG_INT(m->created_at),
                   ARG_INT(m->expires_at));
}

enum err store_wc_media_get(struct store *s, struct arena *a, int64_t tenant, const char *media_id,
                            struct wc_media_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_MEDIA_GET, ARG_INT(tenant), ARG_TEXT(media_id)), &r);

    if (e == ERR_OK) {
        out->tenant_id = sql_int(&r, 0, 0);
        out->media_id = sql_text(&r, 0, 1);
        out->type = sql_text(&r, 0, 2);
        out->name = sql_text(&r, 0, 3);
        out->size = sql_int(&r, 0, 4);
        out->created_at = sql_int(&r, 0, 5);
        out->expires_at = sql_int(&r, 0, 6);
    }
    return e;
}
