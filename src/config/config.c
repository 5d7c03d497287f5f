/* SPDX-License-Identifier: MIT */
/*
 * config/config.c - the key table and the four sources that fill it.
 *
 * The parser, --print-config and the example file all come from config_keys[];
 * adding a key is one row here plus its field in config.h.
 */
#include "config/config.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum cfg_type { CFG_STR, CFG_INT, CFG_BOOL };

struct config_key {
    const char *name;
    enum cfg_type type;
    size_t offset;
    const char *def;          /* NULL: unset */
    int64_t min, max;         /* CFG_INT bounds */
    const char *const *choices; /* CFG_STR: allowed values, NULL-terminated */
    bool secret;
    const char *help;
};

static const char *const log_levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const sync_modes[] = { "off", "normal", "full", "extra", NULL };

#define OFF(f) offsetof(struct config, f)

static const struct config_key config_keys[] = {
    { "listen", CFG_STR, OFF(listen), "127.0.0.1:8080", 0, 0, NULL, false,
      "Address and port to listen on (HOST:PORT; port 0 picks a free one)." },
    { "db", CFG_STR, OFF(db), "sqlite:qunzu.db", 0, 0, NULL, false,
      "Database: sqlite:PATH, sqlite::memory: (throwaway) or postgres://URL." },
    { "admin_token", CFG_STR, OFF(admin_token), NULL, 0, 0, NULL, true,
      "Bearer token for /admin/v1/. Unset: generated and printed on first start; only its digest is stored." },
    { "secret_key_file", CFG_STR, OFF(secret_key_file), NULL, 0, 0, NULL, false,
      "File holding the server key (64 hex digits) that seals stored secrets and keys their "
      "digests; never in the database. Unset: sqlite:PATH uses PATH.key (created on first "
      "start), sqlite::memory: a key per process; PostgreSQL requires it (one file for every "
      "node)." },
    { "seed", CFG_STR, OFF(seed), NULL, 0, 0, NULL, false,
      "Seed document (JSON, docs/seed.md) applied at start; idempotent." },
    { "threads", CFG_INT, OFF(threads), "2", 1, 256, NULL, false,
      "Worker threads, each with its own event loop and database connection." },
    { "max_connections", CFG_INT, OFF(max_connections), "0", 0, 10000000, NULL, false,
      "Client connections open at once; at the cap the server stops accepting until one "
      "closes (more wait in the backlog). 0: the descriptor limit (ulimit -n) less 64 and "
      "16 per thread, kept for the database, logs and deliveries." },
    { "log_level", CFG_STR, OFF(log_level), "info", 0, 0, log_levels, false,
      "Least severe level logged: error, warn, info or debug." },
    { "log_file", CFG_STR, OFF(log_file), NULL, 0, 0, NULL, false,
      "Append the log (access lines too) to this file instead of stderr; SIGHUP reopens it "
      "(after a rotation)." },
    { "body_limit", CFG_INT, OFF(body_limit), "1048576", 16, 64 << 20, NULL, false,
      "Largest request body in bytes; larger bodies get the dialect's error." },
    { "json_max_values", CFG_INT, OFF(json_max_values), "20000", 1, 100000000, NULL, false,
      "Most JSON values a request body may hold (the vendor APIs); a body that may hold more "
      "is refused before it is parsed, so parsing costs at most this much per request." },
    { "admin_json_max_values", CFG_INT, OFF(admin_json_max_values), "1000000", 1, 100000000,
      NULL, false, "Most JSON values an admin API body may hold (a seed of many people)." },
    { "upload_body_limit", CFG_INT, OFF(upload_body_limit), "31522816", 16, 1 << 30, NULL, false,
      "Largest request body in bytes of an upload route (Feishu images and files: 30 MiB and "
      "the form around it)." },
    { "answer_cache_bytes", CFG_INT, OFF(answer_cache_bytes), "67108864", 0, INT64_MAX / 2,
      NULL, false,
      "Most bytes of rendered read answers this node keeps (0: none). An answer is served "
      "again only while no commit on any node has changed data since it was rendered." },
    { "upload_dir", CFG_STR, OFF(upload_dir), "", 0, 0, NULL, false,
      "Directory of uploaded bytes, content-addressed; PostgreSQL nodes of one database must "
      "all use one shared directory, and no other database may use it (retention removes "
      "the files no row of this database names). Empty: DBFILE.uploads beside a SQLite "
      "file, else $TMPDIR/qunzu-uploads (never swept)." },
    { "upload_max_bytes", CFG_INT, OFF(upload_max_bytes), "1073741824", 0, INT64_MAX / 2, NULL,
      false, "Most bytes all uploads of the database may hold together (0: no uploads)." },
    { "sqlite_synchronous", CFG_STR, OFF(sqlite_synchronous), "full", 0, 0, sync_modes, false,
      "SQLite synchronous mode; full makes every acknowledged write survive power loss." },
    { "sqlite_busy_timeout_ms", CFG_INT, OFF(sqlite_busy_timeout_ms), "5000", 0, 600000, NULL,
      false, "How long a writer waits for the SQLite write lock before failing." },
    { "sqlite_file_check_ms", CFG_INT, OFF(sqlite_file_check_ms), "1000", 0, 3600000, NULL,
      false,
      "SQLite: how often (at most, in ms, before a write) to check that the database file is "
      "still there and writable; a deleted, replaced or unwritable file fails writes and "
      "/readyz (0: before every write)." },
    { "sqlite_create", CFG_BOOL, OFF(sqlite_create), "off", 0, 0, NULL, false,
      "SQLite: create a new, empty database when the file is missing although its key file "
      "(PATH.key) or WAL shows it existed; off: refuse to start. A first start (neither "
      "there) always creates one." },
    { "sqlite_group_commit", CFG_BOOL, OFF(sqlite_group_commit), "on", 0, 0, NULL, false,
      "Commit concurrent SQLite write requests together, one fsync per batch." },
    { "sqlite_checkpoint_pages", CFG_INT, OFF(sqlite_checkpoint_pages), "4000", 0, 1000000, NULL,
      false,
      "Group commit: a thread of its own checkpoints the WAL into the database once it holds "
      "this many pages, off the commit path, and the writer copies the last eighth itself so "
      "the WAL starts over; at four times as many the writer checkpoints all of it (0: the "
      "writer's commits checkpoint every 4000 pages, as SQLite does)." },
    { "write_queue_max", CFG_INT, OFF(write_queue_max), "4096", 1, 1000000, NULL, false,
      "Group commit: most write requests waiting for the writer; past it a write gets the "
      "dialect's busy answer at once." },
    { "write_queue_bytes", CFG_INT, OFF(write_queue_bytes), "67108864", 65536, 1LL << 40, NULL,
      false, "Group commit: most memory (bytes) the waiting write requests may hold; past it a "
      "write gets the dialect's busy answer at once." },
    { "inspector_requests", CFG_INT, OFF(inspector_requests), "1000", 0, 1000000, NULL, false,
      "Request inspector (GET /admin/v1/requests): how many of the last requests this node "
      "keeps (0: off)." },
    { "inspector_body_bytes", CFG_INT, OFF(inspector_body_bytes), "4096", 0, 1 << 20, NULL,
      false, "Request inspector: bytes kept of each request's query, body and answer." },
    { "metrics_require_admin", CFG_BOOL, OFF(metrics_require_admin), "off", 0, 0, NULL, false,
      "GET /metrics asks for the admin token (Authorization: Bearer) like the admin API." },
    { "snapshot_dir", CFG_STR, OFF(snapshot_dir), NULL, 0, 0, NULL, false,
      "Where POST /admin/v1/snapshots keeps its files; unset: <database file>.snapshots/ next "
      "to a SQLite database. PostgreSQL needs it: every node must see the same directory (a "
      "shared file system), or send every snapshot call to one node." },
    { "snapshot_max", CFG_INT, OFF(snapshot_max), "64", 1, 100000, NULL, false,
      "Most snapshots kept at once; saving one more is refused until one is deleted." },
    { "demo", CFG_BOOL, OFF(demo), "on", 0, 0, NULL, false,
      "Create a demo tenant on first start and print its credentials." },
    { "access_log", CFG_BOOL, OFF(access_log), "on", 0, 0, NULL, false,
      "Log one line per request (method, path, status, dialect code, microseconds)." },
    { "access_log_json", CFG_STR, OFF(access_log_json), NULL, 0, 0, NULL, false,
      "Also append one JSON object per request (ts_ms, rid, method, path, dialect, route, "
      "status, code, tenant, latency_us; never the query) to this file, one line each; "
      "SIGHUP reopens it." },
    { "pg_connect_timeout_s", CFG_INT, OFF(pg_connect_timeout_s), "5", 0, 3600, NULL, false,
      "PostgreSQL: how long opening a connection may take (libpq connect_timeout; 0: no "
      "limit). Also bounds a reconnection, which runs on a worker's event loop." },
    { "pg_statement_timeout_ms", CFG_INT, OFF(pg_statement_timeout_ms), "10000", 0, 3600000,
      NULL, false,
      "PostgreSQL: the longest a statement may run before the server cancels it and the "
      "request gets the dialect's store error (0: no limit)." },
    { "pg_lock_timeout_ms", CFG_INT, OFF(pg_lock_timeout_ms), "2000", 0, 3600000, NULL, false,
      "PostgreSQL: the longest a statement waits for a lock (a tenant's write lock held by "
      "another node or session, a row lock) before the request gets the store error (0: no "
      "limit)." },
    { "pg_idle_tx_timeout_ms", CFG_INT, OFF(pg_idle_tx_timeout_ms), "30000", 0, 3600000, NULL,
      false,
      "PostgreSQL: the server ends a session of this node that sits in an open transaction "
      "this long (a node stopped mid-request), releasing its locks for the other nodes (0: "
      "never)." },
    { "pg_keepalive_s", CFG_INT, OFF(pg_keepalive_s), "10", 0, 3600, NULL, false,
      "PostgreSQL over TCP: seconds of silence before keepalive probes (every s/2, three of "
      "them) find a dead peer; also the longest unacknowledged data may wait (tcp_user_timeout) "
      "(0: the system's defaults)." },
    { "event_deliveries", CFG_INT, OFF(event_deliveries), "64", 1, 4096, NULL, false,
      "Event delivery: POSTs in flight at once, every app together; a slow endpoint holds "
      "only its own." },
    { "event_app_deliveries", CFG_INT, OFF(event_app_deliveries), "1", 1, 64, NULL, false,
      "Event delivery: POSTs in flight at once to one app (1: each event waits for the one "
      "before it; more: first attempts still start in commit order)." },
    { "retention_days", CFG_INT, OFF(retention_days), "7", 0, 36500, NULL, false,
      "Days kept of settled events (delivered, skipped, failed; with their delivery log) and "
      "of expired tokens, OAuth codes and share links, on the server clock (0: keep them)." },
    { "retention_events_max", CFG_INT, OFF(retention_events_max), "100000", 0, 1000000000,
      NULL, false,
      "Outbox records kept at most, the newest; older settled ones go (pending ones never) "
      "(0: no cap)." },
    { "retention_batch", CFG_INT, OFF(retention_batch), "500", 1, 100000, NULL, false,
      "Rows one retention statement deletes at most (one short transaction per pass)." },
    { "retention_interval_ms", CFG_INT, OFF(retention_interval_ms), "10000", 0, 86400000,
      NULL, false,
      "How often retention runs, on a thread of its own; while a batch comes back full the "
      "next follows at once (0: no retention)." },
    { "db_wait_seconds", CFG_INT, OFF(db_wait_seconds), "60", 0, 86400, NULL, false,
      "At start, how long to keep retrying a database that does not answer (0: fail at once)." },
    { "store_fault_every", CFG_INT, OFF(store_fault_every), "0", 0, 1000000000, NULL, false,
      "Testing only: every Nth store call of the request workers and event delivery fails (0: off)." },
    { "sqlite_group_delay_ms", CFG_INT, OFF(sqlite_group_delay_ms), "0", 0, 10000, NULL, false,
      "Testing only: the group commit writer waits this long before each batch, so that "
      "writes queue (0: off)." },
    { "sqlite_fault_every", CFG_INT, OFF(sqlite_fault_every), "0", 0, 1000000000, NULL, false,
      "Testing only: once serving, every Nth SQLite file write fails with SQLITE_FULL and every Nth sync with an I/O error (0: off)." },
    { "rate_limit", CFG_BOOL, OFF(rate_limit), "on", 0, 0, NULL, false,
      "Enforce the platforms' rate limits (shared across nodes: rate_sync_ms): 429/99991400, "
      "45009, Udesk's code." },
    { "rate_feishu_per_second", CFG_INT, OFF(rate_feishu_per_second), "50", 0, 1000000, NULL,
      false, "Feishu: calls per second per app and endpoint (0: no limit)." },
    { "rate_feishu_per_minute", CFG_INT, OFF(rate_feishu_per_minute), "1000", 0, 100000000, NULL,
      false, "Feishu: calls per minute per app and endpoint (0: no limit)." },
    { "rate_feishu_chat_per_second", CFG_INT, OFF(rate_feishu_chat_per_second), "5", 0, 1000000,
      NULL, false, "Feishu: messages per second into one chat, shared by every sender (0: no limit)." },
    { "rate_feishu_card_per_second", CFG_INT, OFF(rate_feishu_card_per_second), "5", 0, 1000000,
      NULL, false, "Feishu: updates per second of one card message (0: no limit)." },
    { "rate_feishu_pin_per_second", CFG_INT, OFF(rate_feishu_pin_per_second), "5", 0, 1000000,
      NULL, false, "Feishu: pins and unpins per second of one message (0: no limit)." },
    { "rate_feishu_pin_list_per_second", CFG_INT, OFF(rate_feishu_pin_list_per_second), "50", 0,
      1000000, NULL, false, "Feishu: pin lists per second per app (0: no limit)." },
    { "feishu_urgent_quota", CFG_INT, OFF(feishu_urgent_quota), "1000", 0, 100000000, NULL, false,
      "Feishu: SMS and phone buzzes one tenant may send in 30 days (0: no limit; 230024 past it)." },
    { "rate_wecom_per_minute", CFG_INT, OFF(rate_wecom_per_minute), "10000", 0, 100000000, NULL,
      false, "WeCom: calls per minute per corp and API (0: no limit)." },
    { "rate_wecom_per_hour", CFG_INT, OFF(rate_wecom_per_hour), "150000", 0, 1000000000, NULL,
      false, "WeCom: calls per hour per corp and API (0: no limit)." },
    { "rate_udesk_per_minute", CFG_INT, OFF(rate_udesk_per_minute), "60", 0, 100000000, NULL,
      false, "Udesk: calls per minute per company, every API together (0: no limit)." },
    { "rate_sync_ms", CFG_INT, OFF(rate_sync_ms), "200", 0, 60000, NULL, false,
      "PostgreSQL: how often (ms) each node shares its rate-limit counts with the other nodes; "
      "a limit can be exceeded by what the nodes admit in about two intervals "
      "(0: each node counts alone)." },
    { "token_cache_ttl_ms", CFG_INT, OFF(token_cache_ttl_ms), "60000", 0, 86400000, NULL, false,
      "How long a checked access token is remembered in memory (0: read every time)." },
    { "ws_chunk_bytes", CFG_INT, OFF(ws_chunk_bytes), "524288", 1, 1048576, NULL, false,
      "Feishu long connections: an event body larger than this many bytes is sent in chunks "
      "(events-ws sum/seq) of at most this size." },
    { "ws_ping_interval", CFG_INT, OFF(ws_ping_interval), "120", 1, 86400, NULL, false,
      "Feishu long connections: ClientConfig.PingInterval (seconds) in the bootstrap answer "
      "and every pong; a connection silent for 3x this plus 10 s is closed." },
    { "ws_reconnect_interval", CFG_INT, OFF(ws_reconnect_interval), "120", 1, 86400, NULL,
      false, "Feishu long connections: ClientConfig.ReconnectInterval (seconds)." },
    { "ws_reconnect_nonce", CFG_INT, OFF(ws_reconnect_nonce), "30", 0, 86400, NULL, false,
      "Feishu long connections: ClientConfig.ReconnectNonce (seconds), the random wait "
      "before a client's first reconnect attempt." },
    { "ws_reconnect_count", CFG_INT, OFF(ws_reconnect_count), "-1", -1, 1000000, NULL, false,
      "Feishu long connections: ClientConfig.ReconnectCount (-1: clients retry forever)." },
    { "ws_max_connections", CFG_INT, OFF(ws_max_connections), "50", 1, 100000, NULL, false,
      "Feishu long connections: open connections per app; one more is refused (1000040350)." },
    { "shutdown_timeout_ms", CFG_INT, OFF(shutdown_timeout_ms), "5000", 0, 600000, NULL, false,
      "On SIGTERM/SIGINT, how long to wait for in-flight requests before closing." },
    { "udesk_domain", CFG_STR, OFF(udesk_domain), "udesk.cn", 0, 0, NULL, false,
      "Udesk requests to a Host under this domain name their company by its first label "
      "(acme.udesk.cn); other Hosts find the company by the admin e-mail alone." },
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const struct config_key *key_find(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (str_eq_n(name, len, config_keys[i].name))
            return &config_keys[i];
    return NULL;
}

static void *field(struct config *c, const struct config_key *k)
{
    return (char *)c + k->offset;
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = { "on", "true", "yes", "1" };
    static const char *const no[] = { "off", "false", "no", "0" };

    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static int key_set(struct config *c, const struct config_key *k, const char *v, char *errbuf,
                   size_t errlen)
{
    switch (k->type) {
    case CFG_INT: {
        int64_t n;

        if (!str_to_i64(v, k->min, k->max, &n)) {
            snprintf(errbuf, errlen, "invalid value for '%s': '%s' (expected an integer %lld..%lld)",
                     k->name, v, (long long)k->min, (long long)k->max);
            return -1;
        }
        *(int64_t *)field(c, k) = n;
        return 0;
    }
    case CFG_BOOL:
        if (!parse_bool(v, (bool *)field(c, k))) {
            snprintf(errbuf, errlen, "invalid value for '%s': '%s' (expected on or off)", k->name,
                     v);
            return -1;
        }
        return 0;
    case CFG_STR: {
        char **slot = field(c, k);

        if (k->choices != NULL) {
            size_t i;

            for (i = 0; k->choices[i] != NULL; i++)
                if (strcmp(v, k->choices[i]) == 0)
                    break;
            if (k->choices[i] == NULL) {
                snprintf(errbuf, errlen, "invalid value for '%s': '%s'", k->name, v);
                return -1;
            }
        }
        free(*slot);
        *slot = xstrdup(v);
        return 0;
    }
    }
    return -1;
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* "key = value" lines; '#' starts a comment line; values may be "quoted". */
static int load_file(struct config *c, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int lineno = 0, rc = 0;

    if (f == NULL) {
        snprintf(errbuf, errlen, "cannot open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        char *s = trim(line), *eq, *key, *val;
        const struct config_key *k;
        char inner[256];

        lineno++;
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(errbuf, errlen, "%s:%d: expected 'key = value'", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        key = trim(s);
        val = trim(eq + 1);
        if (val[0] == '"' && strlen(val) >= 2 && val[strlen(val) - 1] == '"') {
            val[strlen(val) - 1] = '\0';
            val++;
        }
        k = key_find(key, strlen(key));
        if (k == NULL) {
            snprintf(errbuf, errlen, "%s:%d: unknown key '%s'", path, lineno, key);
            rc = -1;
            break;
        }
        if (key_set(c, k, val, inner, sizeof(inner)) != 0) {
            snprintf(errbuf, errlen, "%s:%d: %s", path, lineno, inner);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

static const char *env_get(const char *const *envp, const char *name)
{
    size_t n = strlen(name);

    for (; envp != NULL && *envp != NULL; envp++)
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    return NULL;
}

static void env_name(const struct config_key *k, char *out, size_t n)
{
    size_t i = 0;

    snprintf(out, n, "QUNZU_");
    for (i = 0; k->name[i] != '\0' && 6 + i + 1 < n; i++)
        out[6 + i] = (char)toupper((unsigned char)k->name[i]);
    out[6 + i] = '\0';
}

/* Maps "--body-limit" or "--body_limit" to its key. */
static const struct config_key *flag_key(const char *flag, size_t len)
{
    char name[64];

    if (len >= sizeof(name))
        return NULL;
    for (size_t i = 0; i < len; i++)
        name[i] = (flag[i] == '-') ? '_' : flag[i];
    return key_find(name, len);
}

static int validate(struct config *c, char *errbuf, size_t errlen)
{
    char host[256];

    if (config_parse_listen(c->listen, host, sizeof(host), &c->listen_port) != 0) {
        snprintf(errbuf, errlen, "invalid value for 'listen': '%s' (expected HOST:PORT)",
                 c->listen);
        return -1;
    }
    free(c->listen_host);
    c->listen_host = xstrdup(host);
    if (strncmp(c->db, "sqlite:", 7) != 0 && strncmp(c->db, "postgres://", 11) != 0
        && strncmp(c->db, "postgresql://", 13) != 0) {
        snprintf(errbuf, errlen,
                 "invalid value for 'db': '%s' (expected sqlite:PATH or postgres://URL)", c->db);
        return -1;
    }
    if (strcmp(c->db, "sqlite:") == 0) {
        snprintf(errbuf, errlen, "invalid value for 'db': a path is required after 'sqlite:'");
        return -1;
    }
    if (c->admin_token != NULL && strlen(c->admin_token) < 8) {
        snprintf(errbuf, errlen, "invalid value for 'admin_token': at least 8 characters");
        return -1;
    }
    return 0;
}

int config_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon, *h = s;
    size_t hl;
    int64_t p;

    if (s == NULL)
        return -1;
    if (*s == '[') {
        const char *rb = strchr(s, ']');

        if (rb == NULL || rb[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= hostlen || !str_to_i64(colon + 1, 0, 65535, &p))
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 0;
}

int config_load(struct config *c, int argc, char **argv, const char *const *envp, char *errbuf,
                size_t errlen)
{
    const char *file = env_get(envp, "QUNZU_CONFIG");

    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NKEYS; i++)
        if (config_keys[i].def != NULL
            && key_set(c, &config_keys[i], config_keys[i].def, errbuf, errlen) != 0)
            return -1;

    /* The file comes first, so find --config before applying other flags. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    }
    if (file != NULL) {
        c->config_file = xstrdup(file);
        if (load_file(c, file, errbuf, errlen) != 0)
            return -1;
    }

    for (size_t i = 0; i < NKEYS; i++) {
        char name[80];
        const char *v;

        env_name(&config_keys[i], name, sizeof(name));
        v = env_get(envp, name);
        if (v != NULL && key_set(c, &config_keys[i], v, errbuf, errlen) != 0) {
            size_t n = strlen(errbuf);

            snprintf(errbuf + n, errlen - n, " (from %s)", name);
            return -1;
        }
    }

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq, *val;
        const struct config_key *k;
        size_t len;

        if (strcmp(a, "--print-config") == 0) {
            c->print_config = true;
            continue;
        }
        if (strcmp(a, "--print-config-example") == 0) {
            c->print_example = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            c->help = true;
            continue;
        }
        if (strcmp(a, "--copy-to") == 0 || strncmp(a, "--copy-to=", 10) == 0) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);

            if (v == NULL || (strncmp(v, "sqlite:", 7) != 0 && strncmp(v, "postgres", 8) != 0)) {
                snprintf(errbuf, errlen, "option '--copy-to' needs a sqlite: or postgres:// URL");
                return -1;
            }
            free(c->copy_to);
            c->copy_to = xstrdup(v);
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(errbuf, errlen, "unexpected argument '%s'", a);
            return -1;
        }
        a += 2;
        eq = strchr(a, '=');
        len = eq ? (size_t)(eq - a) : strlen(a);
        if (str_eq_n(a, len, "config")) {
            if (eq == NULL)
                i++;
            continue;
        }
        k = flag_key(a, len);
        if (k == NULL) {
            snprintf(errbuf, errlen, "unknown option '--%.*s'", (int)len, a);
            return -1;
        }
        if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            snprintf(errbuf, errlen, "option '--%.*s' needs a value", (int)len, a);
            return -1;
        }
        if (key_set(c, k, val, errbuf, errlen) != 0)
            return -1;
    }
    return validate(c, errbuf, errlen);
}

void config_release(struct config *c)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (config_keys[i].type == CFG_STR) {
            char **slot = field(c, &config_keys[i]);

            free(*slot);
            *slot = NULL;
        }
    }
    free(c->listen_host);
    free(c->config_file);
    free(c->copy_to);
    c->listen_host = c->config_file = c->copy_to = NULL;
    OPENSSL_cleanse(&c->secret_key, sizeof(c->secret_key));
    c->has_secret_key = false;
}

static void value_str(const struct config *c, const struct config_key *k, char *out, size_t n)
{
    const void *f = (const char *)c + k->offset;

    switch (k->type) {
    case CFG_INT:
        snprintf(out, n, "%lld", (long long)*(const int64_t *)f);
        break;
    case CFG_BOOL:
        snprintf(out, n, "%s", *(const bool *)f ? "on" : "off");
        break;
    case CFG_STR: {
        const char *s = *(char *const *)f;

        if (s == NULL)
            snprintf(out, n, "%s", "");
        else if (k->secret)
            snprintf(out, n, "%s", "********");
        else
            snprintf(out, n, "%s", s);
        break;
    }
    }
}

void config_print(const struct config *c, FILE *f, bool example)
{
    if (example)
        fputs("# qunzu configuration reference, generated by `qunzu --print-config-example`.\n"
              "# Every key, its default and its meaning. Sources apply in order:\n"
              "# defaults < this file (--config FILE or QUNZU_CONFIG) < environment\n"
              "# (QUNZU_<KEY>, e.g. QUNZU_THREADS=4) < flags (--key value, e.g. --threads 4).\n",
              f);
    for (size_t i = 0; i < NKEYS; i++) {
        const struct config_key *k = &config_keys[i];
        char v[512];

        if (example) {
            fprintf(f, "\n# %s\n", k->help);
            if (k->def == NULL) {
                fprintf(f, "# %s =\n", k->name);
                continue;
            }
            fprintf(f, "%s = %s\n", k->name, k->def);
            continue;
        }
        value_str(c, k, v, sizeof(v));
        fprintf(f, "%s = %s\n", k->name, v);
    }
}

void config_usage(FILE *f)
{
    fputs("usage: qunzu [--config FILE] [--KEY VALUE]... [--print-config] "
          "[--print-config-example]\n"
          "       qunzu --db SOURCE --copy-to DEST   (copy every row into an empty database)\n"
          "\noptions (also QUNZU_<KEY> in the environment):\n",
          f);
    for (size_t i = 0; i < NKEYS; i++) {
        char flag[64];
        size_t j;

        for (j = 0; config_keys[i].name[j] != '\0' && j + 1 < sizeof(flag); j++)
            flag[j] = config_keys[i].name[j] == '_' ? '-' : config_keys[i].name[j];
        flag[j] = '\0';
        fprintf(f, "  --%-24s %s\n", flag, config_keys[i].help);
    }
}
