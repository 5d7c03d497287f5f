/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_int.h - the SQLite connection, shared by the driver
 * (store_sqlite.c) and group commit (store_sqlite_group.c).
 */
#ifndef QZ_STORE_SQLITE_INT_H
#define QZ_STORE_SQLITE_INT_H

#include "store/store_int.h"

#include <sqlite3.h>

struct store_group;
struct sq_ckpt;
struct config;

struct sq {
    struct store base;
    sqlite3 *db;
    struct stmt_cache cache;
    /* A transaction is open on this connection: a statement that finds
     * SQLite has dropped it (a failed write can roll everything back) fails
     * instead of running on its own, outside any transaction. */
    bool in_tx;
    /* The open transaction is a read whose BEGIN waits for its first
     * statement (sq_tx_begin): one that reads nothing costs nothing. */
    bool begin_pending;
    /* Group commit. On a connection attached to a group, a write
     * transaction runs on the group's connection ('via' while it is open).
     * On the group's own connection, 'batch' is set while a batch runs: a
     * job's begin, commit and rollback are then a savepoint's. */
    struct store_group *group;
    bool nowait; /* an event loop's: never wait for the group (ERR_BUSY) */
    struct sq *via;
    bool batch;
    bool savepoint;
    /* The file under the connection (store_sqlite_file.c): checked every
     * check_ms before a write (-1: in memory, never), last at checked_us;
     * lost: deleted or replaced (for good); unwritable: at the last check. */
    int64_t check_ms, checked_us;
    bool file_lost, file_unwritable;
    /* Rows nodes keep (store_cache_epoch): the process's epoch when this
     * connection's transaction began, and whether it changed such rows
     * (the epoch moves when it ends). */
    int64_t cache_epoch;
    bool cache_dirty;
    /* The same for any row (store_data_version). */
    int64_t data_epoch;
    bool data_dirty;
};

#define SQ(st) ((struct sq *)(st))

/* store_sqlite_fault.c: the VFS that gathers each WAL file's consecutive
 * writes into one until the file is synced, read or otherwise used; only
 * where every commit syncs the WAL (synchronous FULL or EXTRA). NULL if it
 * could not be registered. */
const char *sq_wal_vfs(void);

/* store_sqlite_ret.c: a one-row INSERT that returns the new row's rowid
 * (SQ_RET_ROWID) or 1 (SQ_RET_ONE) runs as '*plain' (malloc'd: the SQL
 * without its RETURNING clause), and sq_ret_result makes the row it would
 * have returned; SQ_RET_NONE: run the statement as written. Kept in the
 * statement cache entry's 'id'. */
enum sq_ret { SQ_RET_NONE = 0, SQ_RET_ROWID, SQ_RET_ONE };
enum sq_ret sq_ret_plan(sqlite3 *db, const char *sql, char **plain);
void sq_ret_result(sqlite3 *db, enum sq_ret kind, struct arena *a, struct sql_res *res);

enum err sq_exec(struct sq *s, const char *sql);
/* A transaction on 's' ('write': BEGIN IMMEDIATE); sq_tx_end commits or
 * rolls it back and leaves no transaction behind, whatever fails. */
enum err sq_tx_begin(struct sq *s, bool write);
enum err sq_tx_end(struct sq *s, bool commit);
/* Releases (commit) or undoes the open savepoint of a batch's job. */
enum err sq_savepoint_end(struct sq *s, bool commit);
/* ERR_STORE when the connection's database file was deleted, replaced or
 * cannot be written (logged once); 'now' checks even within check_ms. */
enum err sq_file_check(struct sq *s, bool now);
/* Turns a SIGBUS on the WAL index of a file made unwritable into failed
 * writes instead of a crash; installed once per process. */
void sq_file_guard(void);
/* Whether 'path' may be opened: it exists, or this is a first start, or
 * cfg->sqlite_create says to create a database that was lost. Logs why not. */
bool sq_file_may_open(const struct config *cfg, const char *path);

/* The group's connection, for one write transaction of another connection
 * of the process: taken in turn with the batches, given back after. */
struct sq *sq_group_take(struct store_group *g);
/* The same without waiting: NULL while another has it. */
struct sq *sq_group_try(struct store_group *g);
void sq_group_give(struct store_group *g);

/* store_sqlite_ckpt.c: the WAL checkpointed by a thread of its own instead
 * of by the commits of 'writer' (sqlite_checkpoint_pages); NULL when off
 * (0, or a database in memory) or when it could not start (the writer then
 * keeps SQLite's automatic checkpoint). Stopped before 'writer' closes. */
struct sq_ckpt *sq_ckpt_start(const struct config *cfg, struct sq *writer);
void sq_ckpt_stop(struct sq_ckpt *k, struct sq *writer);
/* Checkpoints run by the thread, and by the writer past the WAL's bound. */
void sq_ckpt_counts(struct sq_ckpt *k, int64_t *runs, int64_t *writer_runs);

#endif
