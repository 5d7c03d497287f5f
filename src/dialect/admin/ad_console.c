/* SPDX-License-Identifier: MIT */
/*
 * dialect/admin/ad_console.c - the reads the web console needs beyond the
 * control room's (docs/admin-api.md, "The web console's reads"): a
 * tenant's chats and people, a chat whole and its members, a page at a
 * time; its timeline is spelled by Feishu (app->fs_timeline).
 */
#include "dialect/admin/ad.h"

#include "core/str.h"
#include "svc/svc_console.h"

/* ?after=N&limit=M, limit 1..200 (default 50). */
static enum err page_args(struct req *rq, int64_t *after, int64_t *limit)
{
    const char *after_s = dialect_query(rq, "after"), *limit_s = dialect_query(rq, "limit");

    *after = 0;
    *limit = 50;
    if ((after_s && !str_to_i64(after_s, 0, INT64_MAX, after))
        || (limit_s && !str_to_i64(limit_s, 1, 200, limit)))
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_FIELD,
                       "after is an integer, limit 1..200");
    return ERR_OK;
}

typedef enum err (*tenant_page_fn)(struct svc_ctx *c, int64_t tenant, int64_t after,
                                   int64_t limit, json_t **out);

static enum err tenant_page(struct req *rq, json_t *out, tenant_page_fn fn)
{
    int64_t tenant, after, limit;
    json_t *res;
    enum err e = page_args(rq, &after, &limit);

    if (e == ERR_OK)
        e = svc_tenant_find(&rq->svc, rq->params[0], &tenant);
    if (e == ERR_OK)
        e = fn(&rq->svc, tenant, after, limit, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_console_chats(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return tenant_page(rq, out, svc_console_chats);
}

enum err ad_console_people(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return tenant_page(rq, out, svc_console_people);
}

enum err ad_console_depts(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return tenant_page(rq, out, svc_console_depts);
}

/* One object named by the path's parameter. */
static enum err one(struct req *rq, json_t *out,
                    enum err (*fn)(struct svc_ctx *c, const char *id, json_t **out))
{
    json_t *res;
    enum err e = fn(&rq->svc, rq->params[0], &res);

    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_console_chat(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return one(rq, out, svc_console_chat);
}

enum err ad_console_app(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return one(rq, out, svc_console_app);
}

enum err ad_console_members(struct req *rq, json_t *body, json_t *out)
{
    int64_t after, limit;
    json_t *res;
    enum err e = page_args(rq, &after, &limit);

    (void)body;
    if (e == ERR_OK)
        e = svc_console_members(&rq->svc, rq->params[0], after, limit, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_console_messages(struct req *rq, json_t *body, json_t *out)
{
    return rq->app->fs_timeline(rq, body, out);
}
