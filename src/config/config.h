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

struct config {
    char *listen;            /* "HOST:PORT" as given */
    char *listen_host;       /* parsed from listen */
    int listen_port;
    char *db;                /* "sqlite:PATH", "sqlite::memory:" or "postgres://..." */
    char *admin_token;       /* secret; NULL until configured or generated */
    char *seed;              /* seed document applied at start, or NULL */
    int64_t threads;
    char *log_level;
    int64_t body_limit;      /* bytes */
    char *sqlite_synchronous;
    int64_t sqlite_busy_timeout_ms;
    bool sqlite_group_commit;
    bool demo;
    bool access_log;
    int64_t shutdown_timeout_ms;
    int64_t db_wait_seconds;
    int64_t store_fault_every; /* testing: every Nth store call fails (0: off) */
    int64_t sqlite_fault_every; /* testing: every Nth SQLite write/sync fails (0: off) */
    bool rate_limit;
    int64_t rate_feishu_per_second, rate_feishu_per_minute;
    int64_t rate_wecom_per_minute, rate_wecom_per_hour;
    int64_t rate_udesk_per_minute;
    int64_t rate_sync_ms;    /* PostgreSQL: share counts every N ms (0: off) */
    char *udesk_domain;      /* Host suffix that carries a Udesk subdomain */
    char *config_file;       /* where the file source came from, or NULL */

    /* Actions requested on the command line, not configuration. */
    bool print_config;
    bool print_example;
    bool help;
    char *copy_to; /* --copy-to URL: copy the database into URL and exit */
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

/* Splits "HOST:PORT" ("[::1]:80" too). Returns -1 if malformed. */
int config_parse_listen(const char *s, char *host, size_t hostlen, int *port);

#endif
