/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_fault.c - fault rules: the next calls of an endpoint answer what a
 * test wants to rehearse (the platform's rate limit, a 5xx, a slow or lost
 * answer).
 *
 * Rules live in the database, so every node of a deployment applies them;
 * each node keeps a copy in memory and reloads it when the stored
 * generation moves (svc_faults_refresh). A call checks the copy under a read
 * lock; with no rule at all it costs one atomic load. How often a rule
 * fired is counted per node, in memory: 'count' is exact on one node (the
 * SQLite case) and per node on a PostgreSQL deployment (docs/admin-api.md).
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct rule_mem {
    struct fault_rule_row row; /* strings malloc'd */
    struct fault_answer ans;   /* msg malloc'd */
    _Atomic int64_t fired;
};

struct svc_faults {
    pthread_rwlock_t lock;
    struct rule_mem *rules;
    size_t n;
    atomic_size_t live; /* n, for the check without the lock */
    int64_t gen;        /* the generation loaded (under reload) */
    pthread_mutex_t reload;
    _Atomic int64_t next_check_us, force_until_us;
};

struct svc_faults *svc_faults_new(void)
{
    struct svc_faults *f = xcalloc(1, sizeof(*f));

    pthread_rwlock_init(&f->lock, NULL);
    pthread_mutex_init(&f->reload, NULL);
    f->gen = -1;
    return f;
}

static void rules_free(struct rule_mem *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)r[i].row.dialect);
        free((char *)r[i].row.method);
        free((char *)r[i].row.route);
        free((char *)r[i].row.answer);
        free((char *)r[i].ans.msg);
    }
    free(r);
}

void svc_faults_free(struct svc_faults *f)
{
    if (f == NULL)
        return;
    rules_free(f->rules, f->n);
    pthread_rwlock_destroy(&f->lock);
    pthread_mutex_destroy(&f->reload);
    free(f);
}

/* Reads a stored or submitted answer object; false if it is none of the
 * three kinds. Strings stay in 'v'. */
static bool answer_read(json_t *v, struct fault_answer *a, const char **why)
{
    json_t *code = json_object_get(v, "code"), *status = json_object_get(v, "status");
    json_t *msg = json_object_get(v, "msg"), *delay = json_object_get(v, "delay_ms");
    json_t *drop = json_object_get(v, "drop");
    int kinds = (code != NULL) + (delay != NULL) + (drop != NULL);

    memset(a, 0, sizeof(*a));
    *why = NULL;
    if (!json_is_object(v) || kinds != 1)
        *why = "answer must be one of {\"code\"}, {\"delay_ms\"}, {\"drop\": true}";
    else if (code != NULL && !json_is_integer(code))
        *why = "answer.code must be an integer";
    else if (status != NULL && (code == NULL || !json_is_integer(status)
                                || json_integer_value(status) < 200
                                || json_integer_value(status) > 599))
        *why = "answer.status must be an HTTP status (200-599) beside a code";
    else if (msg != NULL && (code == NULL || !json_is_string(msg)))
        *why = "answer.msg must be a string beside a code";
    else if (delay != NULL && (!json_is_integer(delay) || json_integer_value(delay) < 1
                               || json_integer_value(delay) > 600000))
        *why = "answer.delay_ms must be 1-600000";
    else if (drop != NULL && !json_is_true(drop))
        *why = "answer.drop must be true";
    if (*why != NULL)
        return false;
    a->has_code = code != NULL;
    a->code = code ? json_integer_value(code) : 0;
    a->status = status ? (int)json_integer_value(status) : 0;
    a->msg = msg ? json_string_value(msg) : NULL;
    a->delay_ms = delay ? json_integer_value(delay) : 0;
    a->drop = drop != NULL;
    return true;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Replaces the copy with 'rows', keeping what each surviving rule fired. */
static void install(struct svc_faults *f, const struct fault_rule_row *rows, size_t n)
{
    struct rule_mem *next = xcalloc(n + 1, sizeof(*next)), *old;
    size_t kept = 0, oldn;

    for (size_t i = 0; i < n; i++) {
        struct rule_mem *m = &next[kept];
        json_t *v = json_loads(rows[i].answer, 0, NULL);
        const char *why;

        if (v == NULL || !answer_read(v, &m->ans, &why)) {
            json_decref(v);
            continue; /* not ours: written by hand, skipped */
        }
        m->ans.msg = dup_or_null(m->ans.msg);
        json_decref(v);
        m->row = rows[i];
        m->row.dialect = xstrdup(rows[i].dialect);
        m->row.method = xstrdup(rows[i].method);
        m->row.route = xstrdup(rows[i].route);
        m->row.answer = xstrdup(rows[i].answer);
        kept++;
    }
    pthread_rwlock_wrlock(&f->lock);
    for (size_t i = 0; i < kept; i++)
        for (size_t j = 0; j < f->n; j++)
            if (f->rules[j].row.id == next[i].row.id)
                atomic_store(&next[i].fired, atomic_load(&f->rules[j].fired));
    old = f->rules;
    oldn = f->n;
    f->rules = next;
    f->n = kept;
    atomic_store(&f->live, kept);
    pthread_rwlock_unlock(&f->lock);
    rules_free(old, oldn);
}

void svc_faults_refresh(struct svc_faults *f, struct store *st)
{
    int64_t now = clock_mono_us(), gen = 0;
    struct fault_rule_row *rows;
    struct arena a;
    size_t n;

    if (f == NULL
        || (now < atomic_load(&f->next_check_us) && now > atomic_load(&f->force_until_us)))
        return;
    atomic_store(&f->next_check_us, now + 1000000);
    if (pthread_mutex_trylock(&f->reload) != 0)
        return; /* another worker is at it */
    arena_init(&a, 4096);
    if (store_begin(st, false) == ERR_OK) {
        if (store_faultrule_gen(st, &gen) == ERR_OK && gen != f->gen
            && store_faultrule_list(st, &a, &rows, &n) == ERR_OK) {
            install(f, rows, n);
            f->gen = gen;
        }
        store_rollback(st);
    }
    arena_release(&a);
    pthread_mutex_unlock(&f->reload);
}

/* A per-thread generator for ratios: xorshift64*, seeded once. */
static double uniform(void)
{
    static _Thread_local uint64_t x;

    if (x == 0) {
        ids_random(&x, sizeof(x));
        x |= 1;
    }
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static bool fires(struct rule_mem *m)
{
    int64_t n = atomic_load(&m->fired);

    if (m->row.count > 0) {
        while (n < m->row.count)
            if (atomic_compare_exchange_weak(&m->fired, &n, n + 1))
                return true;
        return false;
    }
    if (m->row.ratio > 0 && uniform() >= m->row.ratio)
        return false;
    atomic_fetch_add(&m->fired, 1);
    return true;
}

bool svc_faults_match(struct svc_faults *f, const char *dialect, const char *method,
                      const char *route, int64_t tenant, int64_t app_ref, struct arena *a,
                      struct fault_answer *out)
{
    bool hit = false;

    if (f == NULL || atomic_load_explicit(&f->live, memory_order_relaxed) == 0)
        return false;
    pthread_rwlock_rdlock(&f->lock);
    for (size_t i = 0; i < f->n && !hit; i++) {
        struct rule_mem *m = &f->rules[i];

        if (strcmp(m->row.dialect, dialect) != 0 || strcmp(m->row.method, method) != 0
            || strcmp(m->row.route, route) != 0
            || (m->row.tenant_id != 0 && m->row.tenant_id != tenant)
            || (m->row.app_ref != 0 && m->row.app_ref != app_ref) || !fires(m))
            continue;
        *out = m->ans;
        out->msg = arena_strdup(a, m->ans.msg);
        hit = true;
    }
    pthread_rwlock_unlock(&f->lock);
    return hit;
}

/* After a change here, every call looks at the generation for a while, so
 * the change applies from the next call on, whichever worker takes it. */
static void changed(struct svc_faults *f)
{
    atomic_store(&f->force_until_us, clock_mono_us() + 2000000);
}

void svc_faults_changed(struct svc_faults *f)
{
    if (f != NULL)
        changed(f);
}

static const char *const fault_dialects[] = { "feishu", "wecom", "udesk" };

enum err svc_fault_add(struct svc_ctx *c, struct svc_faults *f, json_t *rule, json_t **out)
{
    const char *dialect = json_string_value(json_object_get(rule, "dialect"));
    const char *route = json_string_value(json_object_get(rule, "route"));
    const char *tenant = json_string_value(json_object_get(rule, "tenant"));
    const char *app_id = json_string_value(json_object_get(rule, "app_id"));
    json_t *count = json_object_get(rule, "count"), *ratio = json_object_get(rule, "ratio");
    json_t *answer = json_object_get(rule, "answer");
    struct fault_rule_row r = { 0 };
    struct fault_answer ans;
    const char *why, *sp;
    bool known = false;
    enum err e;

    for (size_t i = 0; dialect && i < sizeof(fault_dialects) / sizeof(fault_dialects[0]); i++)
        known = known || strcmp(dialect, fault_dialects[i]) == 0;
    if (!known)
        return err_field(c->ei, ERR_BAD_REQUEST, "dialect", "dialect must be feishu, wecom or udesk");
    sp = route ? strchr(route, ' ') : NULL;
    if (sp == NULL || sp == route || sp[1] != '/')
        return err_field(c->ei, ERR_BAD_REQUEST, "route", "route must be \"METHOD /path\"");
    if (count != NULL && ratio != NULL)
        return err_field(c->ei, ERR_BAD_REQUEST, "count", "give count or ratio, not both");
    if (count != NULL && (!json_is_integer(count) || json_integer_value(count) < 1))
        return err_field(c->ei, ERR_BAD_REQUEST, "count", "count must be a positive integer");
    if (ratio != NULL && (!json_is_number(ratio) || json_number_value(ratio) <= 0
                          || json_number_value(ratio) > 1))
        return err_field(c->ei, ERR_BAD_REQUEST, "ratio", "ratio must be in (0, 1]");
    if (!answer_read(answer, &ans, &why))
        return err_field(c->ei, ERR_BAD_REQUEST, "answer", "%s", why);
    r.dialect = dialect;
    r.method = arena_strndup(c->a, route, (size_t)(sp - route));
    r.route = sp + 1;
    r.count = count ? json_integer_value(count) : 0;
    r.ratio = ratio ? json_number_value(ratio) : 0;
    {
        size_t len = json_dumpb(answer, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
        char *text = arena_alloc(c->a, len + 1);

        json_dumpb(answer, text, len, JSON_COMPACT | JSON_SORT_KEYS);
        r.answer = text;
    }
    r.created_at = c->now;
    e = tenant ? svc_tenant_find(c, tenant, &r.tenant_id) : ERR_OK;
    if (e == ERR_OK && app_id != NULL) {
        struct fs_app_row app;

        e = store_fs_app_by_app_id(c->st, c->a, app_id, &app);
        if (e == ERR_NOT_FOUND)
            e = err_field(c->ei, ERR_NOT_FOUND, "app_id", "no app '%s'", app_id);
        else if (e == ERR_OK && r.tenant_id != 0 && app.tenant_id != r.tenant_id)
            e = err_field(c->ei, ERR_BAD_REQUEST, "app_id", "app '%s' is not the tenant's", app_id);
        if (e == ERR_OK)
            r.app_ref = app.id;
    }
    if (e == ERR_OK)
        e = store_faultrule_insert(c->st, &r);
    if (e == ERR_OK) {
        *out = json_deep_copy(rule);
        json_object_set_new(*out, "id", json_integer(r.id));
        json_object_set_new(*out, "fired", json_integer(0));
        changed(f);
    }
    return e;
}

enum err svc_fault_list(struct svc_ctx *c, struct svc_faults *f, json_t **out)
{
    struct fault_rule_row *rows;
    json_t *items;
    size_t n;
    enum err e = store_faultrule_list(c->st, c->a, &rows, &n);

    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        json_t *it = json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)rows[i].id, "dialect",
                               rows[i].dialect, "route",
                               arena_printf(c->a, "%s %s", rows[i].method, rows[i].route),
                               "created_at", (json_int_t)rows[i].created_at);
        int64_t fired = 0;

        if (rows[i].tenant_id != 0) {
            struct tenant_row t;

            e = store_tenant_get(c->st, c->a, rows[i].tenant_id, &t);
            if (e == ERR_OK)
                json_object_set_new(it, "tenant", json_string(t.name));
        }
        if (e == ERR_OK && rows[i].app_ref != 0) {
            struct fs_app_row app;

            e = store_fs_app_get(c->st, c->a, rows[i].app_ref, &app);
            if (e == ERR_OK)
                json_object_set_new(it, "app_id", json_string(app.app_id));
        }
        if (rows[i].count > 0)
            json_object_set_new(it, "count", json_integer(rows[i].count));
        if (rows[i].ratio > 0)
            json_object_set_new(it, "ratio", json_real(rows[i].ratio));
        json_object_set_new(it, "answer", json_loads(rows[i].answer, 0, NULL));
        pthread_rwlock_rdlock(&f->lock);
        for (size_t j = 0; j < f->n; j++)
            if (f->rules[j].row.id == rows[i].id)
                fired = atomic_load(&f->rules[j].fired);
        pthread_rwlock_unlock(&f->lock);
        json_object_set_new(it, "fired", json_integer(fired));
        json_array_append_new(items, it);
    }
    if (e != ERR_OK) {
        json_decref(items);
        return e;
    }
    *out = json_pack("{s:o}", "items", items);
    return ERR_OK;
}

enum err svc_fault_delete(struct svc_ctx *c, struct svc_faults *f, int64_t id)
{
    enum err e = store_faultrule_delete(c->st, id);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "no fault rule %lld", (long long)id);
    if (e == ERR_OK)
        changed(f);
    return e;
}
