/* SPDX-License-Identifier: MIT */
/*
 * dialect/admin/ad_control.c - the emulator's control room in the admin API:
 * fault rules (POST/GET /admin/v1/faults, DELETE /admin/v1/faults/{id}) and
 * the request inspector (GET /admin/v1/requests). docs/admin-api.md.
 */
#include "dialect/admin/ad.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

enum err ad_fault_add(struct req *rq, json_t *body, json_t *out)
{
    const char *dialect = json_str(body, "dialect"), *route = json_str(body, "route");
    const char *sp = strchr(route, ' ');
    bool known = false;
    json_t *res;
    enum err e;

    for (const struct dialect *const *d = rq->app->dialects; *d != NULL; d++)
        known = known || (strcmp((*d)->name, dialect) == 0 && *d != &ad_dialect);
    if (!known)
        return err_field(&rq->err, ERR_BAD_REQUEST, "dialect",
                         "dialect must be feishu, wecom or udesk");
    /* The route as a route table writes it: one the dialect has. */
    if (sp != NULL
        && dialect_route_find(rq->app, dialect,
                              arena_strndup(rq->http->arena, route, (size_t)(sp - route)), sp + 1)
               == NULL)
        return err_field(&rq->err, ERR_NOT_FOUND, "route", "dialect %s has no route \"%s\"",
                         dialect, route);
    e = svc_fault_add(&rq->svc, rq->app->faults, body, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_fault_list(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    enum err e = svc_fault_list(&rq->svc, rq->app->faults, &res);

    (void)body;
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_fault_delete(struct req *rq, json_t *body, json_t *out)
{
    int64_t id;
    enum err e;

    (void)body;
    if (!str_to_i64(rq->params[0], 1, INT64_MAX, &id))
        return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_NONE, "no fault rule %s", rq->params[0]);
    e = svc_fault_delete(&rq->svc, rq->app->faults, id);
    if (e == ERR_OK)
        json_out_int(out, "id", id);
    return e;
}

/* GET /admin/v1/requests?tenant=NAME&after=SEQ&limit=N: this node's last
 * requests, oldest first, redacted. */
enum err ad_requests(struct req *rq, json_t *body, json_t *out)
{
    const char *tenant_s = dialect_query(rq, "tenant"), *after_s = dialect_query(rq, "after");
    const char *limit_s = dialect_query(rq, "limit");
    int64_t tenant = 0, after = 0, limit = 100;
    enum err e = ERR_OK;

    (void)body;
    if ((after_s && !str_to_i64(after_s, 0, INT64_MAX, &after))
        || (limit_s && !str_to_i64(limit_s, 1, 1000, &limit)))
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_FIELD, "after and limit are integers");
    if (tenant_s != NULL && *tenant_s != '\0')
        e = svc_tenant_find(&rq->svc, tenant_s, &tenant);
    if (e == ERR_OK)
        json_object_update_new(out, svc_inspect_list(rq->app->inspector, tenant, after, limit));
    return e;
}

/* GET /admin/v1/tenants?after=N&limit=M: every tenant, a page at a time. */
enum err ad_tenant_list(struct req *rq, json_t *body, json_t *out)
{
    const char *after_s = dialect_query(rq, "after"), *limit_s = dialect_query(rq, "limit");
    int64_t after = 0, limit = 50;
    json_t *res;
    enum err e;

    (void)body;
    if ((after_s && !str_to_i64(after_s, 0, INT64_MAX, &after))
        || (limit_s && !str_to_i64(limit_s, 1, 200, &limit)))
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_FIELD,
                       "after is an integer, limit one from 1 to 200");
    e = svc_tenant_list(&rq->svc, after, limit, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

/* Both run their own transaction (R_NO_TX), then tell this node's fault
 * rules to reload: the tenant's rules went. */
enum err ad_tenant_delete(struct req *rq, json_t *body, json_t *out)
{
    enum err e = svc_tenant_delete(&rq->svc, rq->params[0]);

    (void)body;
    if (e == ERR_OK) {
        svc_faults_changed(rq->app->faults);
        json_out_str(out, "deleted", rq->params[0]);
    }
    return e;
}

enum err ad_tenant_reset(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    int64_t id;
    enum err e = svc_tenant_reset(&rq->svc, rq->params[0]);

    (void)body;
    if (e != ERR_OK)
        return e;
    svc_faults_changed(rq->app->faults);
    /* What the tenant is now, read in a transaction of its own. */
    e = svc_tx_begin(rq->svc.st, false);
    if (e != ERR_OK)
        return e;
    e = svc_tenant_find(&rq->svc, rq->params[0], &id);
    if (e == ERR_OK)
        e = svc_tenant_describe(&rq->svc, id, &res);
    svc_tx_rollback(rq->svc.st);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_snapshot_list(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    enum err e = svc_snapshot_list(&rq->svc, rq->app->cfg, &res);

    (void)body;
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_snapshot_save(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    enum err e = svc_snapshot_save(&rq->svc, rq->app->cfg, json_str(body, "name"), &res);

    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

/* After the restore this node reads again what it keeps of the database:
 * the fault rules and the clock offset (the token cache went in svc). */
enum err ad_snapshot_restore(struct req *rq, json_t *body, json_t *out)
{
    enum err e = svc_snapshot_restore(&rq->svc, rq->app->cfg, rq->params[0]);

    (void)body;
    if (e != ERR_OK)
        return e;
    svc_faults_changed(rq->app->faults);
    app_clock_load(rq->app, rq->svc.st);
    json_out_str(out, "restored", rq->params[0]);
    return ERR_OK;
}

enum err ad_snapshot_delete(struct req *rq, json_t *body, json_t *out)
{
    enum err e = svc_snapshot_delete(&rq->svc, rq->app->cfg, rq->params[0]);

    (void)body;
    if (e == ERR_OK)
        json_out_str(out, "deleted", rq->params[0]);
    return e;
}
