/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_contact.c - the directory a bot reads ("获取机器人信息",
 * the contact v3 user and department pages):
 * its own info (bot/v3/info), users and departments of contact v3. The
 * directory, the data range and the trees are svc_contact.c; here are the
 * Feishu shapes, each field shown only with one of its field scopes (the
 * rows below, from the user and department field overviews).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"

#include <string.h>

#define S(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define BROAD "contact:contact:access_as_app", "contact:contact:readonly", \
              "contact:contact:readonly_as_app"
#define ALWAYS ((const char *const[]){ NULL })
#define U_BASE S("contact:user.base:readonly", BROAD)
#define U_EMPLOYEE S("contact:user.employee:readonly", BROAD)
#define U_DEPT S("contact:user.department:readonly", BROAD)
#define D_BASE S("contact:department.base:readonly", BROAD)
#define D_ORG S("contact:department.organize:readonly", BROAD)

enum { PAGE_DEFAULT = 10, PAGE_MAX = 50, BATCH_MAX = 50 };
#define CURSOR_DEPT_USERS 'P'
#define CURSOR_CHILDREN 'D'

/* Where a user field comes from. */
enum ufrom { UF_PROFILE, UF_NAME, UF_EMAIL, UF_DEPTS, UF_LEADER, UF_ORDERS };

/* The user fields ("用户资源介绍"), in the order the platform writes them. */
static const struct user_field {
    const char *key;
    enum ufrom from;
    const char *const *scopes; /* any one */
} user_fields[] = {
    { "name", UF_NAME, U_BASE },
    { "en_name", UF_PROFILE, U_BASE },
    { "nickname", UF_PROFILE, U_BASE },
    { "email", UF_EMAIL, S("contact:user.email:readonly") },
    { "mobile", UF_PROFILE, S("contact:user.phone:readonly") },
    { "mobile_visible", UF_PROFILE, ALWAYS },
    { "gender", UF_PROFILE, S("contact:user.gender:readonly", BROAD) },
    { "avatar", UF_PROFILE, U_BASE },
    { "status", UF_PROFILE, U_EMPLOYEE },
    { "department_ids", UF_DEPTS, U_DEPT },
    { "leader_user_id", UF_LEADER, U_DEPT },
    { "city", UF_PROFILE, U_EMPLOYEE },
    { "country", UF_PROFILE, U_EMPLOYEE },
    { "work_station", UF_PROFILE, U_EMPLOYEE },
    { "join_time", UF_PROFILE, U_EMPLOYEE },
    { "is_tenant_manager", UF_PROFILE, U_EMPLOYEE },
    { "employee_no", UF_PROFILE,
      S("contact:user.employee_number:read", "contact:user.employee:readonly", BROAD) },
    { "employee_type", UF_PROFILE, U_EMPLOYEE },
    { "orders", UF_ORDERS, U_DEPT },
    { "job_title", UF_PROFILE, U_EMPLOYEE },
    { "enterprise_email", UF_PROFILE, U_EMPLOYEE },
};

/* What one request reads the directory with. */
struct cx {
    struct contact_dir d;
    const char *id_type;   /* user_id_type */
    bool open_dept;        /* department_id_type is open_department_id */
};

/* The query rules of the contact routes (fs_routes.c): user_id_type, and
 * department_id_type where departments are named or returned. */
static const char *const dept_id_types[] = { "open_department_id", "department_id", NULL };
const struct field_rule fs_q_contact_ids[] = {
    FS_Q_USER_ID_TYPE,
    { NULL },
};
const struct field_rule fs_q_contact[] = {
    FS_Q_USER_ID_TYPE,
    { .name = "department_id_type", .type = JT_STRING, .flags = F_EMPTY_ABSENT,
      .values = dept_id_types, .def = "open_department_id" },
    { NULL },
};

static enum err cx_open(struct req *rq, struct cx *x)
{
    const char *dt = json_str(rq->query, "department_id_type");

    x->id_type = fs_id_type(rq, "user_id_type");
    x->open_dept = dt == NULL || strcmp(dt, "open_department_id") == 0;
    return svc_contact_open(&rq->svc, rq->app_ref, rq->actor.kind == ACTOR_USER, &x->d);
}

static const char *dept_ext_id(const struct cx *x, int64_t dept)
{
    const struct fs_dept_row *r = svc_contact_dept_row(&x->d, dept);

    if (dept == 0 || r == NULL)
        return "0";
    return x->open_dept ? r->open_department_id : r->department_id;
}

/* The department a request names ("0": the root, row 0); ERR_NOT_FOUND. */
static enum err dept_named(struct req *rq, const struct cx *x, const char *id, int64_t *dept)
{
    const struct fs_dept_row *r;

    if (id == NULL || *id == '\0')
        return err_field(&rq->err, ERR_MISSING, "department_id", "department_id");
    if (strcmp(id, "0") == 0) {
        *dept = 0;
        return ERR_OK;
    }
    r = svc_contact_dept(&x->d, x->open_dept, id);
    if (r == NULL)
        return err_set(&rq->err, ERR_NOT_FOUND, FS_SUBJ_DEPT, "department not exist");
    *dept = r->id;
    return ERR_OK;
}

static json_t *user_json(struct req *rq, const struct cx *x, const struct contact_person *cp)
{
    json_t *o = json_object(), *prof = json_loads(cp->profile.profile, 0, NULL);
    const struct scope_set *held = &x->d.scopes;

    json_object_set_new(o, "union_id", json_string(cp->p.union_id));
    if (svc_scope_has(held, SCOPE_USER_ID))
        json_object_set_new(o, "user_id", json_string(cp->p.user_id));
    if (cp->open_id != NULL)
        json_object_set_new(o, "open_id", json_string(cp->open_id));
    for (size_t i = 0; i < sizeof(user_fields) / sizeof(user_fields[0]); i++) {
        const struct user_field *f = &user_fields[i];
        json_t *v = NULL;

        if (!svc_scope_any(held, f->scopes))
            continue;
        switch (f->from) {
        case UF_PROFILE:
            v = json_incref(json_object_get(prof, f->key));
            if (v == NULL && strcmp(f->key, "mobile_visible") == 0)
                v = json_true();
            break;
        case UF_NAME:
            v = json_string(cp->p.name);
            break;
        case UF_EMAIL:
            v = cp->p.email ? json_string(cp->p.email) : NULL;
            break;
        case UF_DEPTS:
            v = json_array();
            for (size_t k = 0; k < cp->nmem; k++)
                json_array_append_new(v, json_string(dept_ext_id(x, cp->mem[k].dept)));
            break;
        case UF_LEADER: {
            const char *leader = json_string_value(json_object_get(prof, "leader_user_id"));
            const char *id = leader ? svc_contact_id_of(&rq->svc, &x->d, leader, x->id_type)
                                    : NULL;

            v = id ? json_string(id) : NULL;
            break;
        }
        case UF_ORDERS:
            v = json_array();
            for (size_t k = 0; k < cp->nmem; k++)
                json_array_append_new(
                    v, json_pack("{s:s,s:I,s:I,s:b}", "department_id",
                                 dept_ext_id(x, cp->mem[k].dept), "user_order",
                                 (json_int_t)cp->mem[k].user_order, "department_order",
                                 (json_int_t)cp->mem[k].department_order, "is_primary_dept",
                                 k == 0));
            break;
        }
        if (v != NULL)
            json_object_set_new(o, f->key, v);
    }
    json_decref(prof);
    return o;
}

/* The department fields ("部门资源介绍"), in the order the platform writes
 * them; the root has no detail. */
static json_t *dept_json(struct req *rq, const struct cx *x, int64_t dept)
{
    const struct fs_dept_row *r = svc_contact_dept_row(&x->d, dept);
    const struct scope_set *held = &x->d.scopes;
    bool base = svc_scope_any(held, D_BASE), org = svc_scope_any(held, D_ORG);
    json_t *o = json_object(), *det = r ? json_loads(r->detail, 0, NULL) : json_object();
    const char *leader = json_string_value(json_object_get(det, "leader_user_id"));
    const char *lid = leader ? svc_contact_id_of(&rq->svc, &x->d, leader, x->id_type) : NULL;
    int64_t members = 0, primary = 0;

    if (base)
        json_object_set_new(o, "name", json_string(r ? json_string_value(json_object_get(det, "name"))
                                                     : x->d.tenant_name));
    if (base && json_object_get(det, "i18n_name") != NULL)
        json_object_set(o, "i18n_name", json_object_get(det, "i18n_name"));
    if (org && r != NULL)
        json_object_set_new(o, "parent_department_id", json_string(dept_ext_id(x, r->parent)));
    if (base)
        json_object_set_new(o, "department_id", json_string(r ? r->department_id : "0"));
    json_object_set_new(o, "open_department_id", json_string(r ? r->open_department_id : "0"));
    if (org && lid != NULL)
        json_object_set_new(o, "leader_user_id", json_string(lid));
    if (base && json_object_get(det, "chat_id") != NULL)
        json_object_set(o, "chat_id", json_object_get(det, "chat_id"));
    if (org && r != NULL)
        json_object_set_new(o, "order",
                            json_string(arena_printf(rq->http->arena, "%lld", (long long)r->order)));
    if (org && json_object_get(det, "unit_ids") != NULL)
        json_object_set(o, "unit_ids", json_object_get(det, "unit_ids"));
    if (org && svc_contact_counts(&rq->svc, &x->d, dept, &members, &primary) == ERR_OK)
        json_object_set_new(o, "member_count", json_integer(members));
    if (base)
        json_object_set_new(o, "status", json_pack("{s:b}", "is_deleted", 0));
    if (org && lid != NULL)
        json_object_set_new(o, "leaders", json_pack("[{s:i,s:s}]", "leaderType", 1, "leaderID", lid));
    if (org)
        json_object_set_new(o, "primary_member_count", json_integer(primary));
    json_decref(det);
    return o;
}

/* page_size and page_token of a list bound to (app, department, kind). */
static enum err page_args(struct req *rq, uint8_t kind, int64_t dept, int64_t *size, int64_t *off)
{
    const char *ps = dialect_query(rq, "page_size"), *pt = dialect_query(rq, "page_token");
    uint64_t scope = cursor_scope_ints(rq->app_ref, dept, kind);

    *size = PAGE_DEFAULT;
    *off = 0;
    if (ps != NULL && *ps != '\0' && !str_to_i64(ps, 1, PAGE_MAX, size))
        return err_set(&rq->err, ERR_BAD_REQUEST, FS_SUBJ_PAGE_SIZE, "page size is invalid");
    if (pt != NULL && *pt != '\0' && !cursor_decode(pt, kind, scope, off))
        return err_set(&rq->err, ERR_BAD_REQUEST, FS_SUBJ_CURSOR, "page token is invalid");
    return ERR_OK;
}

static void page_out(struct req *rq, json_t *out, uint8_t kind, int64_t dept, bool more,
                     int64_t next)
{
    json_object_set_new(out, "has_more", json_boolean(more));
    if (more)
        json_object_set_new(out, "page_token",
                            json_string(cursor_encode(rq->http->arena, kind,
                                                      cursor_scope_ints(rq->app_ref, dept, kind),
                                                      next)));
}

/* "获取机器人信息": the payload sits beside code and msg (FS_BARE). */
enum err fs_bot_info(struct req *rq, json_t *body, json_t *out)
{
    struct contact_dir d;
    enum err e = svc_contact_open(&rq->svc, rq->app_ref, false, &d);

    (void)body;
    if (e != ERR_OK)
        return e;
    json_object_set_new(out, "bot",
                        json_pack("{s:i,s:s,s:s,s:[],s:s}", "activate_status", 2, "app_name",
                                  d.app_name, "avatar_url", fs_avatar_url(rq, ""), "ip_white_list",
                                  "open_id", d.bot_open_id));
    return ERR_OK;
}

/* "通过手机号或邮箱获取用户 ID": one entry per e-mail, then per mobile; a miss is an entry without
 * user_id. user_id-type ids need the field scope (else left out). */
enum err fs_users_batch_get_id(struct req *rq, json_t *body, json_t *out)
{
    static const char *const kinds[] = { "emails", "mobiles" };
    bool resigned = json_is_true(json_object_get(body, "include_resigned"));
    json_t *list = json_array();
    struct cx x;
    enum err e = cx_open(rq, &x);

    for (size_t k = 0; e == ERR_OK && k < 2; k++) {
        json_t *in = json_object_get(body, kinds[k]), *v;
        size_t i;

        if (json_array_size(in) > BATCH_MAX)
            e = err_field(&rq->err, ERR_BAD_REQUEST, kinds[k], "at most 50 %s", kinds[k]);
        json_array_foreach(in, i, v) {
            struct contact_person cp;
            json_t *entry;
            enum err le;

            if (e != ERR_OK)
                break;
            if (!json_is_string(v)) {
                e = err_field(&rq->err, ERR_BAD_REQUEST, kinds[k], "%s are strings", kinds[k]);
                break;
            }
            le = svc_contact_lookup(&rq->svc, &x.d, k ? "mobile" : "email", json_string_value(v),
                                    resigned, &cp);
            entry = json_object();
            if (le == ERR_OK) {
                const char *id = strcmp(x.id_type, "open_id") == 0  ? cp.open_id
                                 : strcmp(x.id_type, "union_id") == 0 ? cp.p.union_id
                                 : svc_scope_has(&x.d.scopes, SCOPE_USER_ID) ? cp.p.user_id
                                                                            : NULL;

                if (id != NULL)
                    json_object_set_new(entry, "user_id", json_string(id));
            } else if (le != ERR_NOT_FOUND) {
                e = le;
            }
            json_object_set(entry, k ? "mobile" : "email", v);
            if (le == ERR_OK && svc_scope_any(&x.d.scopes, U_EMPLOYEE)) {
                json_t *prof = json_loads(cp.profile.profile, 0, NULL);

                if (json_object_get(prof, "status") != NULL)
                    json_object_set(entry, "status", json_object_get(prof, "status"));
                json_decref(prof);
            }
            json_array_append_new(list, entry);
        }
    }
    if (e == ERR_OK)
        json_object_set(out, "user_list", list);
    json_decref(list);
    return e;
}

/* A person the caller may see, by an id of its user_id_type. */
static enum err person_named(struct req *rq, const struct cx *x, const char *id,
                             struct contact_person *cp)
{
    static const char *const prefix[][2] = { { "open_id", "ou_" }, { "union_id", "on_" } };
    int64_t person;
    enum err e;

    for (size_t i = 0; i < 2; i++) {
        if (strcmp(x->id_type, prefix[i][0]) == 0 && strncmp(id, prefix[i][1], 3) != 0)
            return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_USER_ID, "user id invalid");
    }
    e = svc_contact_person_find(&rq->svc, &x->d, x->id_type, id, &person);
    if (e == ERR_OK)
        e = svc_contact_person(&rq->svc, &x->d, person, cp);
    if (e == ERR_OK && !cp->visible)
        e = ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return err_set(&rq->err, ERR_FORBIDDEN, FS_SUBJ_CONTACT_USER, "no user authority");
    return e;
}

/* "获取单个用户信息" */
enum err fs_user_get(struct req *rq, json_t *body, json_t *out)
{
    struct contact_person cp;
    struct cx x;
    enum err e = cx_open(rq, &x);

    (void)body;
    if (e == ERR_OK)
        e = person_named(rq, &x, rq->params[0], &cp);
    if (e == ERR_OK)
        json_object_set_new(out, "user", user_json(rq, &x, &cp));
    return e;
}

/* "批量获取用户信息": unknown and out-of-range ids are left out; request order kept. */
enum err fs_users_batch(struct req *rq, json_t *body, json_t *out)
{
    const char *ids[BATCH_MAX];
    struct http_req *h = rq->http;
    size_t n = h->query ? str_query_all(h->arena, h->query, h->query_len, "user_ids", ids,
                                        BATCH_MAX)
                        : 0;
    json_t *items;
    struct cx x;
    enum err e = cx_open(rq, &x);

    (void)body;
    if (e != ERR_OK)
        return e;
    if (n == 0 || n > BATCH_MAX)
        return err_field(&rq->err, ERR_BAD_REQUEST, "user_ids", "1 to 50 user_ids");
    items = json_array();
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        struct contact_person cp;

        e = person_named(rq, &x, ids[i], &cp);
        if (e == ERR_OK)
            json_array_append_new(items, user_json(rq, &x, &cp));
        else if (rq->err.subj == FS_SUBJ_CONTACT_USER || rq->err.subj == SUBJ_USER_ID)
            e = ERR_OK;
    }
    if (e == ERR_OK)
        json_object_set(out, "items", items);
    json_decref(items);
    return e;
}

/* The department of a list (query or path), which the caller must see:
 * 40004 otherwise, and for an unknown one (the find_by_department and
 * children pages). */
static enum err list_dept(struct req *rq, const struct cx *x, const char *id, int64_t *dept)
{
    enum err e = dept_named(rq, x, id, dept);

    if (e == ERR_OK && !svc_contact_dept_visible(&x->d, *dept))
        e = ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return err_set(&rq->err, ERR_FORBIDDEN, FS_SUBJ_DEPT, "no dept authority");
    return e;
}

/* "获取部门直属用户列表" */
enum err fs_users_by_department(struct req *rq, json_t *body, json_t *out)
{
    struct fs_membership_row *m;
    int64_t dept = 0, size, off;
    size_t n;
    json_t *items;
    struct cx x;
    enum err e = cx_open(rq, &x);

    (void)body;
    if (e == ERR_OK)
        e = list_dept(rq, &x, dialect_query(rq, "department_id"), &dept);
    if (e == ERR_OK)
        e = page_args(rq, CURSOR_DEPT_USERS, dept, &size, &off);
    if (e == ERR_OK)
        e = svc_contact_members(&rq->svc, &x.d, dept, off, size + 1, &m, &n);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; e == ERR_OK && i < n && i < (size_t)size; i++) {
        struct contact_person cp;

        e = svc_contact_person(&rq->svc, &x.d, m[i].person, &cp);
        if (e == ERR_OK)
            json_array_append_new(items, user_json(rq, &x, &cp));
    }
    if (e == ERR_OK) {
        page_out(rq, out, CURSOR_DEPT_USERS, dept, n > (size_t)size, off + size);
        json_object_set(out, "items", items);
    }
    json_decref(items);
    return e;
}

/* "获取单个部门信息" */
enum err fs_department_get(struct req *rq, json_t *body, json_t *out)
{
    int64_t dept = 0;
    struct cx x;
    enum err e = cx_open(rq, &x);

    (void)body;
    if (e == ERR_OK)
        e = dept_named(rq, &x, rq->params[0], &dept);
    if (e == ERR_OK && !svc_contact_dept_visible(&x.d, dept))
        e = err_set(&rq->err, ERR_FORBIDDEN, FS_SUBJ_DEPT, "no dept authority");
    if (e == ERR_OK)
        json_object_set_new(out, "department", dept_json(rq, &x, dept));
    return e;
}

/* "获取子部门列表" */
enum err fs_department_children(struct req *rq, json_t *body, json_t *out)
{
    const char *fc = dialect_query(rq, "fetch_child");
    const struct fs_dept_row **rows;
    int64_t dept = 0, size, off;
    size_t n;
    json_t *items;
    struct cx x;
    enum err e = cx_open(rq, &x);

    (void)body;
    if (fc != NULL && *fc != '\0' && strcmp(fc, "true") != 0 && strcmp(fc, "false") != 0)
        e = err_field(&rq->err, ERR_BAD_REQUEST, "fetch_child", "fetch_child");
    if (e == ERR_OK)
        e = list_dept(rq, &x, rq->params[0], &dept);
    if (e == ERR_OK)
        e = page_args(rq, CURSOR_CHILDREN, dept, &size, &off);
    if (e != ERR_OK)
        return e;
    svc_contact_children(&rq->svc, &x.d, dept, fc != NULL && strcmp(fc, "true") == 0, &rows, &n);
    items = json_array();
    for (int64_t i = off; i < off + size && i < (int64_t)n; i++)
        json_array_append_new(items, dept_json(rq, &x, rows[i]->id));
    page_out(rq, out, CURSOR_CHILDREN, dept, off + size < (int64_t)n, off + size);
    json_object_set_new(out, "items", items);
    return ERR_OK;
}
