/* SPDX-License-Identifier: MIT */
/*
 * main.c - argv, config, wiring, run loop: nothing else.
 *
 * Start-up runs in one connection before any worker serves: migrations, the
 * admin token, the stored clock offset, the demo tenant and the seed file.
 */
#include "config/config.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/str.h"
#include "dialect/admin/ad.h"
#include "dialect/dialect.h"
#include "dialect/feishu/fs.h"
#include "dialect/udesk/ud.h"
#include "dialect/wecom/wc.h"
#include "events/ev.h"
#include "events/ev_ws.h"
#include "http/http.h"
#include "store/store.h"
#include "svc/svc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t stop_requested;
static const char *log_path; /* log_file, for SIGHUP; set before the handler */
static const char *json_path; /* access_log_json, for SIGHUP ... */
static int json_fd = -1;      /* ... and its descriptor */

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* SIGHUP: reopen the log file (it was rotated); nothing else changes, no
 * request is disturbed. Only async-signal-safe calls here. */
static void on_hangup(int sig)
{
    static const char failed[] = "qunzu: SIGHUP: cannot reopen the log file; still "
                                 "writing to the old one\n";
    int saved = errno;

    (void)sig;
    if (log_path != NULL && log_file_open(log_path) != 0
        && write(STDERR_FILENO, failed, sizeof(failed) - 1) < 0)
        saved = errno; /* nowhere left to say it */
    if (json_fd >= 0 && access_json_open(json_path, json_fd) < 0
        && write(STDERR_FILENO, failed, sizeof(failed) - 1) < 0)
        saved = errno;
    errno = saved;
}

static const struct dialect *const all_dialects[] = { &wc_dialect, &fs_dialect, &ud_dialect,
                                                      &ad_dialect, &fs_ws_boot_dialect,
                                                      &fs_ws_conn_dialect, NULL };

static void *worker_open(void *userdata, int idx)
{
    struct app *app = userdata;
    struct worker_state *ws;
    struct store *st = store_fault_wrap(store_open(app->cfg), app->cfg);

    (void)idx;
    if (st == NULL)
        return NULL;
    store_group_attach(st, app->group, true); /* R_INLINE calls only try it (dialect.c) */
    ws = xcalloc(1, sizeof(*ws));
    ws->app = app;
    ws->st = st;
    return ws;
}

static void worker_close(void *userdata, void *w)
{
    struct worker_state *ws = w;

    (void)userdata;
    store_close(ws->st);
    free(ws);
}

/* Shutdown outlasted its timeout: the writes still waiting for the group
 * are answered busy; the batch running ends as it would. */
static void drain_timeout(void *userdata)
{
    struct app *app = userdata;

    store_group_cancel(app->group);
    dialect_runner_cancel(app->runner);
}

static void on_listening(void *userdata, const char *host, int port)
{
    (void)userdata;
    printf("qunzu listening on http://%s:%d\n", host, port);
    printf("web console: http://%s:%d/console/ (log in with the admin token)\n", host, port);
    fflush(stdout);
}

/* Runs 'fn' in one write transaction on the start-up connection. */
static enum err in_tx(struct store *st, struct svc_ctx *c,
                      enum err (*fn)(struct svc_ctx *c, void *arg), void *arg)
{
    enum err e = store_begin(st, true);

    if (e != ERR_OK)
        return e;
    e = fn(c, arg);
    if (e != ERR_OK) {
        store_rollback(st);
        return e;
    }
    return store_commit(st);
}

/* The admin token comes from the configuration, or is generated on first
 * start and printed that once: the database keeps only its SHA-256, so a
 * copy of it does not open the admin API. A plain token stored by an
 * earlier version is replaced by its digest. */
static enum err setup_admin_token(struct svc_ctx *c, void *arg)
{
    struct app *app = arg;
    char *tok = NULL, *hex = NULL;
    enum err e;

    if (app->cfg->admin_token != NULL) {
        admin_token_digest(app->cfg->admin_token, app->admin_digest);
        return ERR_OK;
    }
    e = store_meta_get(c->st, c->a, "admin_token_sha256", &hex);
    if (e == ERR_OK) {
        if (strlen(hex) != 64 || str_unhex(hex, app->admin_digest, 32) != 32)
            return err_set(c->ei, ERR_STORE, SUBJ_NONE, "meta admin_token_sha256 is damaged");
        printf("admin token: set on first start (only its digest is stored; "
               "--admin-token replaces it)\n");
        return ERR_OK;
    }
    if (e != ERR_NOT_FOUND)
        return e;
    e = store_meta_get(c->st, c->a, "admin_token", &tok);
    if (e == ERR_NOT_FOUND) {
        tok = ids_hex(c->a, "qz_adm_", 20);
        printf("admin token: %s\n", tok);
        e = ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    admin_token_digest(tok, app->admin_digest);
    hex = arena_alloc(c->a, 65);
    str_hex(app->admin_digest, 32, hex);
    e = store_meta_set(c->st, "admin_token_sha256", hex);
    return e == ERR_OK ? store_meta_delete(c->st, "admin_token") : e;
}

static void print_demo(json_t *t)
{
    json_t *wc = json_object_get(t, "wecom"), *fs = json_object_get(t, "feishu");
    json_t *ud = json_object_get(t, "udesk"), *app = json_array_get(json_object_get(fs, "apps"), 0);

    printf("demo tenant '%s':\n", json_string_value(json_object_get(t, "name")));
    printf("  wecom corpid: %s\n", json_string_value(json_object_get(wc, "corpid")));
    printf("  wecom secret: %s\n",
           json_string_value(json_array_get(json_object_get(wc, "secrets"), 0)));
    printf("  feishu tenant_key: %s\n", json_string_value(json_object_get(fs, "tenant_key")));
    printf("  feishu app_id: %s\n", json_string_value(json_object_get(app, "app_id")));
    printf("  feishu app_secret: %s\n", json_string_value(json_object_get(app, "app_secret")));
    printf("  udesk subdomain: %s\n", json_string_value(json_object_get(ud, "subdomain")));
    printf("  udesk admin_email: %s\n", json_string_value(json_object_get(ud, "admin_email")));
    printf("  udesk api_token: %s\n", json_string_value(json_object_get(ud, "api_token")));
    printf("  udesk admin_password: %s\n",
           json_string_value(json_object_get(ud, "admin_password")));
}

static enum err setup_demo(struct svc_ctx *c, void *arg)
{
    json_t *desc;
    bool created;
    int64_t id;
    enum err e;

    (void)arg;
    e = svc_demo_ensure(c, &created, &id);
    if (e == ERR_OK)
        e = svc_tenant_describe(c, id, &desc);
    if (e != ERR_OK)
        return e;
    print_demo(desc);
    json_decref(desc);
    return ERR_OK;
}

/* Start-up work on one connection. Returns 0, -1 for a fatal error (a bad
 * seed file), or 1 when the database did not answer (worth retrying). */
static int startup(struct app *app, struct store *st)
{
    struct arena a;
    struct err_info ei;
    struct svc_ctx c = { .st = st, .a = &a, .ei = &ei };
    enum err e;
    int rc = -1;

    arena_init(&a, 16384);
    err_info_clear(&ei);
    e = in_tx(st, &c, setup_admin_token, app);
    if (e == ERR_OK)
        e = app_clock_load(app, st);
    c.now = clock_now(&app->clock);
    if (e == ERR_OK && app->cfg->seed != NULL) {
        json_error_t jerr;
        json_t *doc = json_load_file(app->cfg->seed, JSON_REJECT_DUPLICATES, &jerr);
        json_t *res = NULL;

        if (doc == NULL) {
            log_error("cannot read seed file '%s': line %d: %s", app->cfg->seed, jerr.line,
                      jerr.text);
            goto out;
        }
        e = svc_seed_run(&c, doc, &res);
        json_decref(res);
        json_decref(doc);
        if (e != ERR_OK) {
            log_error("cannot apply seed file '%s': %s", app->cfg->seed,
                      ei.msg[0] ? ei.msg : err_name(e));
            goto out;
        }
    }
    if (e == ERR_OK && app->cfg->demo)
        e = in_tx(st, &c, setup_demo, NULL);
    if (e != ERR_OK) {
        log_error("start-up failed: %s", ei.msg[0] ? ei.msg : err_name(e));
        rc = (e == ERR_STORE) ? 1 : -1;
        goto out;
    }
    rc = 0;
out:
    fflush(stdout);
    arena_release(&a);
    return rc;
}

/* Opens the start-up connection and runs start-up, retrying for
 * db_wait_seconds while the database does not answer (a PostgreSQL server
 * still starting, say). Returns NULL if it never does or start-up fails. */
static struct store *open_and_start(struct app *app)
{
    int64_t deadline = clock_mono_us() + app->cfg->db_wait_seconds * 1000000;

    for (;;) {
        struct store *st = store_open(app->cfg);
        int rc = (st != NULL) ? startup(app, st) : -1;

        if (rc == 0)
            return st;
        store_close(st);
        if (rc < 0 || stop_requested || clock_mono_us() >= deadline)
            return NULL;
        log_warn("database unavailable at start; retrying in 1 s");
        sleep(1);
    }
}

/* --copy-to: copies the database named by --db into another, empty one.
 * Its secrets stay sealed under the source's key, so the target must use
 * that key: a SQLite target gets it in its default key file; otherwise the
 * same secret_key_file serves both, or a note names the file to use. */
static int copy_database(const struct config *cfg)
{
    struct config dst_cfg = *cfg;
    struct store *src, *dst = NULL;
    enum err e = ERR_STORE;
    char errbuf[512], path[4096];
    bool note;

    if (config_secret_key_share(cfg, cfg->copy_to, &note, errbuf, sizeof(errbuf)) != 0) {
        fprintf(stderr, "qunzu: %s\n", errbuf);
        return 1;
    }
    dst_cfg.db = cfg->copy_to;
    dst_cfg.sqlite_key_found = false; /* the source's; a copy's target is new */
    src = store_open(cfg);
    if (src != NULL)
        dst = store_open(&dst_cfg);
    if (src != NULL && dst != NULL)
        e = store_copy(src, dst);
    store_close(dst);
    store_close(src);
    if (e != ERR_OK) {
        fprintf(stderr, "qunzu: copy failed: %s\n", err_name(e));
        return 1;
    }
    printf("copy complete\n");
    if (note && config_secret_key_path(cfg, cfg->db, path, sizeof(path)))
        printf("the copy's secrets are sealed under the key in '%s': start servers on it with "
               "secret_key_file set to a copy of that file\n",
               path);
    else if (note)
        printf("the copy's secrets are sealed under a key of this process only: the copy's "
               "secrets will not open\n");
    return 0;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct app app = { .access_json_fd = -1 };
    struct store *st = NULL;
    struct ev_worker *worker = NULL;
    struct svc_rate_sync *rate_sync = NULL;
    struct svc_retention *retention = NULL;
    struct sigaction sa;
    char errbuf[512];
    int rc = 1, listen_fd, port;

    json_alloc_init(); /* before any JSON: request values come from the request's arena */

    if (config_load(&cfg, argc, argv, (const char *const *)environ, errbuf, sizeof(errbuf))
        != 0) {
        fprintf(stderr, "qunzu: %s\n", errbuf);
        config_release(&cfg);
        return 2;
    }
    if (cfg.help || cfg.print_config || cfg.print_example) {
        if (cfg.help)
            config_usage(stdout);
        else
            config_print(&cfg, stdout, cfg.print_example);
        config_release(&cfg);
        return 0;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    if (cfg.log_file != NULL && log_file_open(cfg.log_file) != 0) {
        fprintf(stderr, "qunzu: cannot open log file '%s': %s\n", cfg.log_file,
                strerror(errno));
        config_release(&cfg);
        return 2;
    }
    log_path = cfg.log_file;
    if (config_secret_key_load(&cfg, errbuf, sizeof(errbuf)) != 0) {
        fprintf(stderr, "qunzu: %s\n", errbuf);
        config_release(&cfg);
        return 2;
    }
    if (cfg.copy_to != NULL) {
        rc = copy_database(&cfg);
        config_release(&cfg);
        return rc;
    }
    /* The port first: a port another process holds stops us before the
     * database is touched. */
    listen_fd = http_listen(cfg.listen_host, cfg.listen_port, &port);
    if (listen_fd < 0) {
        config_release(&cfg);
        return 1;
    }
    app.cfg = &cfg;
    app.dialects = all_dialects;
    app.fs_timeline = fs_console_timeline;
    app.chat_events = &fs_chat_events;
    app.fs_talk = &fs_talk;
    app.tokens = svc_tcache_new(cfg.token_cache_ttl_ms);
    app.access = svc_acache_new();
    app.answers = svc_answers_new((size_t)cfg.answer_cache_bytes);
    app.grants = svc_gcache_new();
    app.udesk = svc_ucache_new();
    app.metrics = metrics_new();
    app.inspector = svc_inspect_new(cfg.inspector_requests, cfg.inspector_body_bytes);
    app.faults = svc_faults_new();
    if (cfg.access_log_json != NULL) {
        app.access_json_fd = access_json_open(cfg.access_log_json, -1);
        if (app.access_json_fd < 0) {
            log_error("cannot open access_log_json '%s': %s", cfg.access_log_json,
                      strerror(errno));
            goto out;
        }
        json_path = cfg.access_log_json;
        json_fd = app.access_json_fd;
    }
    if (cfg.rate_limit) {
        app.limiter = rate_new();
        app.rates[RATE_FEISHU][0] = (struct rate_rule){ 1000, cfg.rate_feishu_per_second };
        app.rates[RATE_FEISHU][1] = (struct rate_rule){ 60000, cfg.rate_feishu_per_minute };
        app.rates[RATE_WECOM][0] = (struct rate_rule){ 60000, cfg.rate_wecom_per_minute };
        app.rates[RATE_WECOM][1] = (struct rate_rule){ 3600000, cfg.rate_wecom_per_hour };
        app.rates[RATE_UDESK][0] = (struct rate_rule){ 60000, cfg.rate_udesk_per_minute };
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hangup;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* This connection stays open while serving: it keeps a sqlite::memory:
     * database alive between worker connections. */
    ev_init();
    st = open_and_start(&app);
    if (st == NULL)
        goto out;
    if (store_group_open(&cfg, &app.group) != ERR_OK) {
        log_error("cannot start group commit");
        goto out;
    }
    /* The admin calls that may take long run beside the workers. */
    app.runner = dialect_runner_start(&app);
    if (app.runner == NULL) {
        log_error("cannot start the operator runner");
        goto out;
    }
    /* Deliveries run beside the HTTP workers and stop with them. */
    worker = ev_worker_start(&cfg, &app.clock, app.group, &stop_requested);
    if (worker == NULL) {
        log_error("cannot start the event delivery worker");
        goto out;
    }
    /* Settled events, expired tokens and the like go in small batches. */
    if (svc_retention_start(&cfg, &app.clock, app.group, &stop_requested, &retention)
        != ERR_OK) {
        log_error("cannot start retention");
        goto out;
    }
    /* Long connections: a WebSocket loop of their own (events/ev_ws.c). */
    app.ws = ev_ws_start(&cfg, &app.clock, app.group);
    if (app.ws == NULL) {
        log_error("cannot start the long-connection loop");
        goto out;
    }
    /* On PostgreSQL the nodes share their rate-limit counts (docs/scale-out.md). */
    if (svc_rate_sync_start(&cfg, app.limiter, &stop_requested, &rate_sync) != ERR_OK) {
        log_error("cannot start the rate-limit sync");
        goto out;
    }
    {
        struct http_server_opts o = {
            .host = cfg.listen_host,
            .port = port,
            .listen_fd = listen_fd,
            .threads = (int)cfg.threads,
            .max_connections = cfg.max_connections,
            .body_limit = (size_t)cfg.body_limit,
            /* Bodies between the two limits get the dialect's own error;
             * only far larger ones meet h2o's plain 413. */
            .body_limit_hard = (size_t)(cfg.body_limit * 4 > cfg.upload_body_limit
                                            ? cfg.body_limit * 4
                                            : cfg.upload_body_limit),
            .shutdown_timeout_ms = cfg.shutdown_timeout_ms,
            .access_log = cfg.access_log,
            .userdata = &app,
            .worker_open = worker_open,
            .worker_close = worker_close,
            .handle = dialect_handle,
            .drain_timeout = drain_timeout,
            .observe = dialect_observe,
            .on_listening = on_listening,
        };

        listen_fd = -1; /* http_server_run closes it */
        if (http_server_run(&o, &stop_requested) == 0)
            rc = 0;
    }
    log_info("shut down cleanly");
out:
    if (listen_fd >= 0)
        close(listen_fd);
    stop_requested = 1;
    svc_rate_sync_stop(rate_sync);
    svc_retention_stop(retention);
    ev_worker_stop(worker);
    ev_ws_stop(app.ws);
    /* After the workers: a request they deferred is answered first. */
    dialect_runner_stop(app.runner);
    store_group_close(app.group);
    ev_cleanup();
    store_close(st);
    rate_free(app.limiter);
    svc_tcache_free(app.tokens);
    svc_acache_free(app.access);
    svc_answers_free(app.answers);
    svc_gcache_free(app.grants);
    svc_ucache_free(app.udesk);
    svc_faults_free(app.faults);
    svc_inspect_free(app.inspector);
    metrics_free(app.metrics);
    if (app.access_json_fd >= 0) {
        json_fd = -1;
        close(app.access_json_fd);
    }
    config_release(&cfg);
    return rc;
}
