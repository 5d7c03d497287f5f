/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_file.c - the database file under a running server:
 * deleted, replaced or moved, or made unwritable (read-only file system,
 * permissions, the immutable flag).
 *
 * A connection checks its file before a write transaction, at most every
 * sqlite_file_check_ms, and on every /readyz: a file that was unlinked or
 * renamed (SQLITE_FCNTL_HAS_MOVED: its link count is 0, or the path now names
 * another inode) fails every write of the connection from then on, and a
 * database, WAL or shared-memory file that cannot be written fails writes
 * while it lasts. Writes get the store error and /readyz 503; reads go on.
 *
 * At start, a database that is missing although its key file (PATH.key) or
 * WAL (PATH-wal) shows one existed is not created anew unless sqlite_create
 * says so: that is a lost database, not a first start.
 */
#include "store/store_sqlite_int.h"

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* EACCES, EPERM (immutable), EROFS: the file cannot be written. A file
 * that is not there (no WAL yet) is no reason. */
static bool unwritable(const char *path)
{
    return path != NULL && access(path, W_OK) != 0 && errno != ENOENT;
}

enum err sq_file_check(struct sq *s, bool now)
{
    const char *db = sqlite3_db_filename(s->db, "main");
    char shm[4200];
    int moved = 0;
    int64_t t;

    if (s->file_lost)
        return ERR_STORE;
    if (db == NULL || db[0] == '\0' || s->check_ms < 0)
        return ERR_OK; /* in memory */
    t = clock_mono_us();
    if (!now && t - s->checked_us < s->check_ms * 1000)
        return s->file_unwritable ? ERR_STORE : ERR_OK;
    s->checked_us = t;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK
        && moved) {
        log_error("sqlite: the database file '%s' was deleted or replaced while open; writes "
                  "fail until the server is restarted",
                  db);
        s->file_lost = true;
        return ERR_STORE;
    }
    snprintf(shm, sizeof(shm), "%s-shm", db);
    if (unwritable(db) || unwritable(sqlite3_filename_wal(db)) || unwritable(shm)) {
        if (!s->file_unwritable)
            log_error("sqlite: the database files of '%s' cannot be written (%s); writes fail",
                      db, strerror(errno));
        s->file_unwritable = true;
        return ERR_STORE;
    }
    if (s->file_unwritable)
        log_info("sqlite: the database files of '%s' can be written again", db);
    s->file_unwritable = false;
    return ERR_OK;
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* A leftover WAL of a missing database must not be replayed into the new
 * one: it is set aside under a name that says so. */
static void set_aside(const char *path, const char *suffix, time_t now)
{
    char from[4200], to[4300];

    snprintf(from, sizeof(from), "%s%s", path, suffix);
    snprintf(to, sizeof(to), "%s%s.lost-%lld", path, suffix, (long long)now);
    if (exists(from) && rename(from, to) == 0)
        log_warn("sqlite: set the old '%s' aside as '%s'", from, to);
}

bool sq_file_may_open(const struct config *cfg, const char *path)
{
    char wal[4200];

    if (exists(path))
        return true;
    snprintf(wal, sizeof(wal), "%s-wal", path);
    if (!cfg->sqlite_key_found && !exists(wal))
        return true; /* a first start */
    if (!cfg->sqlite_create) {
        log_error("sqlite: the database '%s' is missing, but its %s shows it existed (deleted "
                  "or moved?); not creating an empty one. Restore the file, or start with "
                  "--sqlite-create on to begin a new, empty database",
                  path, exists(wal) ? "WAL" : "key file");
        return false;
    }
    log_warn("sqlite: the database '%s' is missing; creating a new, empty one (sqlite_create)",
             path);
    set_aside(path, "-wal", time(NULL));
    set_aside(path, "-shm", time(NULL));
    return true;
}
