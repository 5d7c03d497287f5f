/* SPDX-License-Identifier: MIT */
/*
 * config/config.h - the server's configuration.
 *
 * One struct, described by one key table (config.c). Sources apply in order:
 * defaults, the config file (--config / QUNZU_CONFIG), environment
 * (QUNZU_<KEY>), command-line flags (--key value or --key=value). Every value
 * is validated at load; errors name the key (and the file line).
 */
#ifndef QZ_CONFIG_H
#define QZ_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/seal.h"

struct config {
    char *listen;            /* "HOST:PORT" as given */
    char *listen_host;       /* parsed from listen */
    int listen_port;
    char *db;                /* "sqlite:PATH", "sqlite::memory:" or "postgres://..." */
    char *admin_token;       /* secret; NULL until configured or generated */
    char *secret_key_file;   /* the server key's file; NULL: the default for 'db' */
    char *seed;              /* seed document applied at start, or NULL */
    int64_t threads;
    int64_t max_connections; /* 0: from the descriptor limit */
    char *log_level;
    char *log_file;          /* NULL: stderr */
    int64_t body_limit;      /* bytes */
    int64_t json_max_values; /* most values a vendor API body may hold */
    int64_t admin_json_max_values;
    int64_t inspector_requests;   /* requests the inspector keeps (0: off) */
    int64_t inspector_body_bytes; /* bytes of each body it keeps */
    bool metrics_require_admin;
    char *snapshot_dir;   /* NULL: <SQLite database>.snapshots */
    int64_t snapshot_max; /* snapshots kept at once */
    int64_t write_queue_max;   /* group commit: jobs waiting, at most */
    int64_t write_queue_bytes; /* ... and the memory they hold */
    int64_t upload_body_limit; /* bytes, routes that take uploads (R_UPLOAD) */
    int64_t answer_cache_bytes; /* svc_answers.c; 0: off */
    char *upload_dir;          /* where uploaded bytes live ("": beside the database) */
    int64_t upload_max_bytes;  /* all uploaded bytes of the database together */
    char *sqlite_synchronous;
    int64_t sqlite_busy_timeout_ms;
    bool sqlite_group_commit;
    int64_t sqlite_checkpoint_pages; /* WAL pages before the checkpoint thread runs (0: off) */
    int64_t sqlite_file_check_ms; /* check the file before a write at most this often */
    bool sqlite_create;      /* create a database whose file was lost */
    bool sqlite_key_found;   /* sqlite:PATH's PATH.key was there before this start */
    bool demo;
    bool access_log;
    char *access_log_json; /* JSON-lines access log file, or NULL */
    int64_t shutdown_timeout_ms;
    int64_t db_wait_seconds;
    int64_t retention_days, retention_events_max; /* what retention keeps (0: all) */
    int64_t retention_batch, retention_interval_ms; /* how it deletes (interval 0: off) */
    int64_t event_deliveries, event_app_deliveries; /* POSTs in flight: in all, per app */
    int64_t pg_connect_timeout_s; /* PostgreSQL connection and session limits (0: none) */
    int64_t pg_statement_timeout_ms, pg_lock_timeout_ms, pg_idle_tx_timeout_ms;
    int64_t pg_keepalive_s;
    int64_t store_fault_every; /* testing: every Nth store call fails (0: off) */
    int64_t sqlite_fault_every; /* testing: every Nth SQLite write/sync fails (0: off) */
    int64_t sqlite_group_delay_ms; /* testing: the writer waits before each batch */
    bool rate_limit;
    int64_t rate_feishu_per_second, rate_feishu_per_minute;
    int64_t rate_feishu_chat_per_second, rate_feishu_card_per_second;
    int64_t rate_feishu_pin_per_second, rate_feishu_pin_list_per_second;
    int64_t feishu_urgent_quota; /* SMS and phone buzzes a tenant sends in 30 days (0: no limit) */
    int64_t rate_wecom_per_minute, rate_wecom_per_hour;
    int64_t rate_udesk_per_minute;
    int64_t rate_sync_ms;    /* PostgreSQL: share counts every N ms (0: off) */
    int64_t token_cache_ttl_ms; /* how long a checked token is cached (0: off) */
    char *udesk_domain;      /* Host suffix that carries a Udesk subdomain */
    /* Feishu long connections (events/ev_ws.c): ClientConfig and limits. */
    int64_t ws_chunk_bytes, ws_ping_interval, ws_reconnect_interval, ws_reconnect_nonce;
    int64_t ws_reconnect_count, ws_max_connections;
    char *config_file;       /* where the file source came from, or NULL */

    /* Actions requested on the command line, not configuration. */
    bool print_config;
    bool print_example;
    bool help;
    char *copy_to; /* --copy-to URL: copy the database into URL and exit */

    /* The server key (config_secret_key_load); never printed. */
    struct seal_key secret_key;
    bool has_secret_key;
};

/* Loads every source into 'c'. On failure returns -1 with a message naming
 * the key in 'errbuf'; 'c' must still be released. */
int config_load(struct config *c, int argc, char **argv, const char *const *envp,
                char *errbuf, size_t errlen);
void config_release(struct config *c);

/* Prints "key = value" for every key, secrets masked. With 'example', prints
 * the commented reference file (conf/server.conf.example) of defaults. */
void config_print(const struct config *c, FILE *f, bool example);
void config_usage(FILE *f);

/* Loads the server key into c->secret_key: from secret_key_file; when that
 * is unset, for sqlite:PATH from PATH.key (created with a random key, mode
 * 0600, on first start), for sqlite::memory: a random key of this process;
 * PostgreSQL needs secret_key_file. Returns -1 with a message in 'errbuf'
 * on failure. */
int config_secret_key_load(struct config *c, char *errbuf, size_t errlen);

/* The key file of database 'db': secret_key_file, else PATH.key for
 * sqlite:PATH. Returns false when there is none. */
bool config_secret_key_path(const struct config *c, const char *db, char *out, size_t n);

/* For --copy-to: makes database 'db' (the target) use the key in 'c'. With
 * secret_key_file set, or a PostgreSQL target, there is nothing to write
 * (the same file serves both; *note says so for PostgreSQL); a SQLite file
 * gets PATH.key written, or checked when it exists. Returns -1 with a
 * message in 'errbuf' when the target already has another key. */
int config_secret_key_share(const struct config *c, const char *db, bool *note, char *errbuf,
                            size_t errlen);

/* Splits "HOST:PORT" ("[::1]:80" too). Returns -1 if malformed. */
int config_parse_listen(const char *s, char *host, size_t hostlen, int *port);

#endif
