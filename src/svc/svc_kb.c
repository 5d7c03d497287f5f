/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_kb.c - knowledge-base categories, independent of any API dialect.
 *
 * Owns the rules dialects share by meaning: names unique per knowledge base,
 * a name-length limit in Unicode characters, a quota that counts the system
 * default category, and that default's immunity to rename and delete.
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
};

static enum err check_name(struct svc_ctx *c, const struct kb_policy *p, const char *name)
{
    long chars = str_utf8_len(name, strlen(name));

    if (chars <= 0)
        return err_field(c->ei, ERR_MISSING, "name", "name");
    if (chars > p->max_name_chars)
        return err_field(c->ei, ERR_BAD_REQUEST, "name", "name too long");
    return ERR_OK;
}

static enum err name_taken(struct svc_ctx *c, const struct kb_policy *p, const char *name,
                           int64_t except_id)
{
    struct kb_cat_row row;
    enum err e = store_kb_cat_by_name(c->st, c->a, c->tenant, p->space, name, &row);

    if (e == ERR_NOT_FOUND || (e == ERR_OK && row.id == except_id))
        return ERR_OK;
    if (e == ERR_OK)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

static enum err insert(struct svc_ctx *c, const struct kb_policy *p, int64_t tenant,
                       const char *name, bool is_default, struct kb_cat_row *out)
{
    out->tenant_id = tenant;
    out->space = p->space;
    out->ext_id = ids_token(c->a, "", 12);
    out->name = name;
    out->is_default = is_default;
    out->created_at = c->now;
    return store_kb_cat_insert(c->st, out);
}

enum err svc_kb_default_ensure(struct svc_ctx *c, const struct kb_policy *p, int64_t tenant)
{
    struct kb_cat_row first;
    struct kb_cat_row *rows;
    size_t n;
    enum err e;

    if (p->default_name == NULL)
        return ERR_OK;
    /* The default is created first, so it is the lowest row if it exists. */
    e = store_kb_cat_list(c->st, c->a, tenant, p->space, 0, 1, &rows, &n);
    if (e != ERR_OK || (n == 1 && rows[0].is_default))
        return e;
    return insert(c, p, tenant, p->default_name, true, &first);
}

enum err svc_kb_cat_add(struct svc_ctx *c, const struct kb_policy *p, const char *name,
                        struct kb_cat_row *out)
{
    int64_t count;
    enum err e;

    e = check_name(c, p, name);
    if (e == ERR_OK)
        e = store_lock_tenant(c->st, c->tenant);
    if (e != ERR_OK)
        return e;
    e = name_taken(c, p, name, 0);
    if (e != ERR_OK)
        return e;
    /* Counted inside the write transaction: two adds that counted before it
     * began could both see the last free slot. */
    e = store_kb_cat_count(c->st, c->tenant, p->space, &count);
    if (e != ERR_OK)
        return e;
    if (count >= p->max_count)
        return err_set(c->ei, ERR_LIMIT, SUBJ_GROUP, "group count exceeds limit");
    e = insert(c, p, c->tenant, name, false, out);
    if (e == ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

enum err svc_kb_cat_get(struct svc_ctx *c, const struct kb_policy *p, const char *ext_id,
                        struct kb_cat_row *out)
{
    enum err e = store_kb_cat_get(c->st, c->a, c->tenant, p->space, ext_id, out);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_GROUP, "group not found");
    return e;
}

/* Looks up a category that may be changed: it exists and is not the default. */
static enum err get_mutable(struct svc_ctx *c, const struct kb_policy *p, const char *ext_id,
                            struct kb_cat_row *out)
{
    enum err e = svc_kb_cat_get(c, p, ext_id, out);

    if (e == ERR_OK && out->is_default)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_DEFAULT_GROUP,
                       "default group can not be modified");
    return e;
}

enum err svc_kb_cat_rename(struct svc_ctx *c, const struct kb_policy *p, const char *ext_id,
                           const char *name)
{
    struct kb_cat_row row;
    enum err e;

    e = store_lock_tenant(c->st, c->tenant);
    if (e == ERR_OK)
        e = get_mutable(c, p, ext_id, &row);
    if (e == ERR_OK)
        e = check_name(c, p, name);
    if (e == ERR_OK)
        e = name_taken(c, p, name, row.id);
    if (e == ERR_OK && strcmp(row.name, name) != 0)
        e = store_kb_cat_rename(c->st, row.id, name);
    if (e == ERR_CONFLICT && c->ei->code != ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_GROUP, "group name already exists");
    return e;
}

enum err svc_kb_cat_delete(struct svc_ctx *c, const struct kb_policy *p, const char *ext_id)
{
    struct kb_cat_row row;
    /* Locked like every change, so two deletes of one group cannot both
     * find it and both succeed. */
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = get_mutable(c, p, ext_id, &row);
    return e == ERR_OK ? store_kb_cat_delete(c->st, row.id) : e;
}

enum err svc_kb_cat_list(struct svc_ctx *c, const struct kb_policy *p, int64_t after,
                         int64_t limit, struct kb_cat_row **rows, size_t *n, bool *has_more)
{
    /* One extra row tells whether another page exists. */
    enum err e = store_kb_cat_list(c->st, c->a, c->tenant, p->space, after, limit + 1, rows,
                                         n);

    if (e != ERR_OK)
        return e;
    *has_more = (int64_t)*n > limit;
    if (*has_more)
        *n = (size_t)limit;
    return ERR_OK;
}
