/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_kb.c - knowledge-base categories, independent of any API dialect.
 *
 * One model serves every dialect: a category has a type, an optional parent,
 * an owner, a default flag and a name. A dialect's struct kb_policy says which
 * rules apply: a name-length limit in Unicode characters, unique names, a
 * quota that counts a system default category (immune to rename and delete),
 * allowed types, nesting depth, and owners who alone may change what they own.
 * Request shapes live in dialect/, SQL in store/.
 */
#include "svc/svc.h"

#include "core/ids.h"
#include "core/str.h"

#include <string.h>

const struct kb_policy svc_kb_wecom = {
    .space = "wecom",
    .max_name_chars = 12,          /* "不超过12个字" */
    .max_count = 100,              /* "全部分组数上限为100", default included */
    .default_name = "默认分组",
    .max_depth = 1,
    .unique_names = true,
    .items_go_with = true,         /* unconfirmed: an intent needs its group */
};

static const char *const udesk_types[] = { "question", "useful_expression", "useful_link",
                                           "attachment", NULL };

const struct kb_policy svc_kb_udesk = {
    .space = "udesk",
    .max_name_chars = 255,  /* Udesk "Knowledge catalogs": "≤ 255 characters" */
    .types = udesk_types,   /* the four knowledge types */
    .max_depth = 32,        /* unconfirmed; docs/compat.md */
    .owned = true,          /* agents own their catalogs */
    .row_refs = true,       /* integer ids */
};

static enum err check_name(struct svc_ctx *c, const struct kb_policy *p, const char *name)
{
    long chars = name ? str_utf8_len(name, strlen(name)) : 0;

    if (chars <= 0)
        return err_field(c->ei, ERR_MISSING, "name", "name");
    if (chars > p->max_name_chars)
        return err_field(c->ei, ERR_BAD_REQUEST, "name", "name too long");
    return ERR_OK;
}

static enum err check_type(struct svc_ctx *c, const struct kb_policy *p, const char *type)
{
    bool empty = type == NULL || *type == '\0';

    if (p->types == NULL)
        return empty ? ERR_OK : err_field(c->ei, ERR_BAD_REQUEST, "type", "type");
    if (empty)
        return err_field(c->ei, ERR_MISSING, "type", "type");
    for (const char *const *t = p->types; *t != NULL; t++)
        if (strcmp(*t, type) == 0)
            return ERR_OK;
    return err_field(c->ei, ERR_BAD_REQUEST, "type", "unknown type");
}

/* 'named': the category called 'name' when the caller read it already
 * (0: none), or -1. */
static enum err name_taken(struct svc_ctx *c, const struct kb_policy *p, const char *name,
                           int64_t except_id, int64_t named)
{
    struct kb_cat_row row = { .id = named };
    enum err e = named > 0 ? ERR_OK : ERR_NOT_FOUND;

    if (!p->unique_names)
        return ERR_OK;
    if (named < 0)
        e = store_kb_cat_by_name(c->st, c->a, c->tenant, p->space, name, &row);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && row.id == except_id))
        return ERR_OK;
    if (e == ERR_OK)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

/* Checks that a category of 'type' owned by 'owner', 'height' levels tall
 * (1: no children), may sit under 'parent'. 'self' is the category being
 * moved (0 when adding): it may not go under itself or its descendants. */
static enum err check_parent(struct svc_ctx *c, const struct kb_policy *p, const char *type,
                             int64_t owner, int64_t parent, int64_t self, int64_t height)
{
    struct kb_cat_row par;
    int64_t *path;
    size_t n;
    enum err e;

    if (parent == 0)
        return ERR_OK;
    if (p->max_depth <= 1 || parent < 0)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_PARENT, "parent not found");
    e = store_kb_cat_get_id(c->st, c->a, c->tenant, p->space, parent, &par);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_PARENT, "parent not found");
    if (e != ERR_OK)
        return e;
    if (strcmp(par.type, type) != 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_PARENT, "parent is of another type");
    if (p->owned && par.owner_id != owner)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_PARENT, "parent has another owner");
    /* The path is cut one past the depth limit: a cut path is too deep anyway. */
    e = store_kb_cat_path(c->st, c->a, parent, p->max_depth + 1, &path, &n);
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < n; i++)
        if (path[i] == self)
            return err_set(c->ei, ERR_CONFLICT, SUBJ_PARENT,
                           "a category cannot go under itself or its descendants");
    if ((int64_t)n + height > p->max_depth)
        return err_set(c->ei, ERR_LIMIT, SUBJ_PARENT, "tree deeper than %lld levels",
                       (long long)p->max_depth);
    return ERR_OK;
}

static void fill(struct svc_ctx *c, const struct kb_policy *p, int64_t tenant, bool is_default,
                 struct kb_cat_row *out)
{
    out->tenant_id = tenant;
    out->space = p->space;
    if (out->type == NULL)
        out->type = "";
    if (!p->owned)
        out->owner_id = 0;
    out->ext_id = ids_token_ordered(c->a, "", 12);
    out->is_default = is_default;
    out->created_at = c->now;
}

static enum err insert(struct svc_ctx *c, const struct kb_policy *p, int64_t tenant,
                       bool is_default, struct kb_cat_row *out)
{
    fill(c, p, tenant, is_default, out);
    return store_kb_cat_insert(c->st, out);
}

enum err svc_kb_default_ensure(struct svc_ctx *c, const struct kb_policy *p, int64_t tenant)
{
    struct kb_cat_row first = { .name = p->default_name };
    struct kb_cat_row *rows;
    size_t n;
    enum err e;

    if (p->default_name == NULL)
        return ERR_OK;
    /* The default is created first, so it is the lowest row if it exists. */
    e = store_kb_cat_list(c->st, c->a, tenant, p->space, "", 0, 0, 1, &rows, &n);
    if (e != ERR_OK || (n == 1 && rows[0].is_default))
        return e;
    return insert(c, p, tenant, true, &first);
}

/* Counted inside the write transaction, under the tenant lock: two adds that
 * counted before it began could both see the last free slot. 'count' was
 * read with the category called 'name' ('named'; -1 when not wanted). */
static enum err count_space(struct svc_ctx *c, const struct kb_policy *p, const char *name,
                            int64_t *count, int64_t *named)
{
    *count = 0;
    *named = -1;
    if (p->max_count <= 0)
        return ERR_OK;
    return store_kb_cat_count(c->st, c->tenant, p->space, p->unique_names ? name : NULL, count,
                              named);
}

static enum err check_quota(struct svc_ctx *c, const struct kb_policy *p, int64_t count)
{
    if (p->max_count > 0 && count >= p->max_count)
        return err_set(c->ei, ERR_LIMIT, SUBJ_GROUP, "group count exceeds limit");
    return ERR_OK;
}

/* A category with a unique name, a count and no parent (WeCom's group):
 * under the tenant lock, the insert that checks both rules is the one
 * statement; only when it inserted nothing are the rules read again, to
 * answer which failed (in their order: the name, then the count). */
static enum err add_counted(struct svc_ctx *c, const struct kb_policy *p, struct kb_cat_row *cat)
{
    int64_t count, named;
    bool made = false;
    enum err e = store_lock_tenant(c->st, c->tenant);

    fill(c, p, c->tenant, false, cat);
    if (e == ERR_OK)
        e = store_kb_cat_insert_counted(c->st, cat, p->max_count, &made);
    if (e == ERR_OK && !made) {
        e = count_space(c, p, cat->name, &count, &named);
        if (e == ERR_OK)
            e = name_taken(c, p, cat->name, 0, named);
        if (e == ERR_OK)
            e = check_quota(c, p, count);
        if (e == ERR_OK) /* neither rule failed, yet nothing was inserted */
            e = err_set(c->ei, ERR_STORE, SUBJ_NONE, "group not inserted");
    }
    if (e == ERR_CONFLICT && c->ei->code != ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

enum err svc_kb_cat_add(struct svc_ctx *c, const struct kb_policy *p, struct kb_cat_row *cat)
{
    int64_t count, named;
    enum err e = check_name(c, p, cat->name);

    if (e == ERR_OK)
        e = check_type(c, p, cat->type);
    if (e == ERR_OK && p->unique_names && p->max_count > 0 && cat->parent_id == 0)
        return add_counted(c, p, cat);
    /* Locked before the checks: a parent deleted, or the last free slot
     * taken, by a concurrent request after we looked would break the rules.
     * A category with no rule that reads others (no unique name, no count,
     * no parent: Udesk's top level) needs no lock, and adds run side by
     * side. */
    if (e == ERR_OK && (p->unique_names || p->max_count > 0 || cat->parent_id != 0))
        e = store_lock_tenant(c->st, c->tenant);
    /* The count and the name in one read; the rules still answer in their
     * order (the name, the parent, the count). */
    if (e == ERR_OK)
        e = count_space(c, p, cat->name, &count, &named);
    if (e == ERR_OK)
        e = name_taken(c, p, cat->name, 0, p->unique_names ? named : -1);
    if (e == ERR_OK)
        e = check_parent(c, p, cat->type ? cat->type : "", cat->owner_id, cat->parent_id, 0, 1);
    if (e == ERR_OK)
        e = check_quota(c, p, count);
    if (e == ERR_OK)
        e = insert(c, p, c->tenant, false, cat);
    if (e == ERR_CONFLICT && c->ei->code != ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

enum err svc_kb_cat_get(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                        struct kb_cat_row *out)
{
    enum err e = ERR_NOT_FOUND;
    int64_t id;

    if (!p->row_refs)
        e = store_kb_cat_get(c->st, c->a, c->tenant, p->space, ref, out);
    else if (str_to_i64(ref, 1, INT64_MAX, &id))
        e = store_kb_cat_get_id(c->st, c->a, c->tenant, p->space, id, out);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_GROUP, "group not found");
    return e;
}

/* Locks the tenant and looks up a category that 'owner' may change: it
 * exists, is not the default, and (under owners) is the owner's. */
static enum err get_mutable(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                            int64_t owner, struct kb_cat_row *out)
{
    /* Locked like every change, so two deletes of one category cannot both
     * find it and both succeed. */
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = svc_kb_cat_get(c, p, ref, out);
    if (e != ERR_OK)
        return e;
    if (out->is_default)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_DEFAULT_GROUP,
                       "default group can not be modified");
    if (p->owned && out->owner_id != owner)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_GROUP, "not the owner of the category");
    return ERR_OK;
}

enum err svc_kb_cat_rename(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                           int64_t owner, const char *name)
{
    struct kb_cat_row row;
    enum err e = get_mutable(c, p, ref, owner, &row);

    if (e == ERR_OK)
        e = check_name(c, p, name);
    if (e == ERR_OK)
        e = name_taken(c, p, name, row.id, -1);
    if (e == ERR_OK && strcmp(row.name, name) != 0)
        e = store_kb_cat_rename(c->st, row.id, name);
    if (e == ERR_CONFLICT && c->ei->code != ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

enum err svc_kb_cat_move(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                         int64_t owner, int64_t parent)
{
    struct kb_cat_row row;
    int64_t height = 1;
    enum err e = get_mutable(c, p, ref, owner, &row);

    if (e != ERR_OK || row.parent_id == parent)
        return e;
    if (parent != 0)
        e = store_kb_cat_height(c->st, row.id, p->max_depth + 1, &height);
    if (e == ERR_OK)
        e = check_parent(c, p, row.type, row.owner_id, parent, row.id, height);
    return e == ERR_OK ? store_kb_cat_move(c->st, row.id, parent) : e;
}

enum err svc_kb_cat_delete(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                           int64_t owner)
{
    struct kb_cat_row row;
    enum err e = get_mutable(c, p, ref, owner, &row);

    /* Otherwise the items of the subtree lose their category (the column
     * is ON DELETE SET NULL) and stay, uncategorized. */
    if (e == ERR_OK && p->items_go_with)
        e = store_kb_item_delete_in(c->st, row.id);
    return e == ERR_OK ? store_kb_cat_delete(c->st, row.id) : e;
}

enum err svc_kb_cat_list(struct svc_ctx *c, const struct kb_policy *p, int64_t after,
                         int64_t limit, struct kb_cat_row **rows, size_t *n, bool *has_more)
{
    /* One extra row tells whether another page exists. */
    enum err e = store_kb_cat_list(c->st, c->a, c->tenant, p->space, "", 0, after, limit + 1,
                                   rows, n);

    if (e != ERR_OK)
        return e;
    *has_more = (int64_t)*n > limit;
    if (*has_more)
        *n = (size_t)limit;
    return ERR_OK;
}

enum err svc_kb_cat_all(struct svc_ctx *c, const struct kb_policy *p, const char *type,
                        int64_t owner, struct kb_cat_row **rows, size_t *n)
{
    enum err e = check_type(c, p, type);

    *rows = NULL;
    *n = 0;
    if (e != ERR_OK)
        return e;
    return store_kb_cat_tree(c->st, c->a, c->tenant, p->space, type ? type : "", owner, rows, n);
}
