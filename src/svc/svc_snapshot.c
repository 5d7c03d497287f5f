/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_snapshot.c - named snapshots of the whole state, for the control
 * room: the files in the snapshot directory (snapshot_dir, or
 * <database>.snapshots/ next to a SQLite database), one SQLite database
 * NAME.qzsnap each (store_snapshot.c writes and reads them).
 *
 * A snapshot is written to a hidden temporary file, made durable, then
 * linked to its name (which fails if the name is taken: two saves of one
 * name cannot overwrite each other) and the temporary name removed; a save
 * that fails or is killed leaves no snapshot of that name. Names are of a
 * safe set of characters, so a name is never a path.
 */
#include "svc/svc.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/ids.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAP_EXT ".qzsnap"
#define SNAP_NAME_MAX 64

/* 1 to 64 of [A-Za-z0-9_.-], beginning with a letter or digit. */
static bool name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > SNAP_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');

        if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
            return false;
    }
    return true;
}

/* The directory, created if missing. */
static enum err snap_dir(struct svc_ctx *c, const struct config *cfg, const char **dir)
{
    const char *d = cfg->snapshot_dir;

    if (d == NULL || *d == '\0') {
        if (strncmp(cfg->db, "sqlite:", 7) != 0 || strcmp(cfg->db, "sqlite::memory:") == 0)
            return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE,
                           "snapshots need snapshot_dir with this database");
        d = arena_printf(c->a, "%s.snapshots", cfg->db + 7);
    }
    if (mkdir(d, 0700) != 0 && errno != EEXIST)
        return err_set(c->ei, ERR_STORE, SUBJ_NONE, "cannot create the snapshot directory %s: %s",
                       d, strerror(errno));
    *dir = d;
    return ERR_OK;
}

static enum err snap_path(struct svc_ctx *c, const struct config *cfg, const char *name,
                          const char **dir, const char **path)
{
    enum err e;

    if (name == NULL || !name_ok(name))
        return err_field(c->ei, ERR_BAD_REQUEST, "name",
                         "a snapshot name is 1 to 64 of A-Z a-z 0-9 _ . -, "
                         "beginning with a letter or digit");
    e = snap_dir(c, cfg, dir);
    if (e == ERR_OK)
        *path = arena_printf(c->a, "%s/%s" SNAP_EXT, *dir, name);
    return e;
}

/* A database file and what SQLite keeps beside it. */
static void remove_db(struct arena *a, const char *path)
{
    unlink(path);
    unlink(arena_printf(a, "%s-wal", path));
    unlink(arena_printf(a, "%s-shm", path));
    unlink(arena_printf(a, "%s-journal", path));
}

static bool fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;

    if (fd >= 0)
        close(fd);
    return ok;
}

static json_t *describe(const char *name, const struct stat *sb)
{
    return json_pack("{s:s,s:I,s:I}", "name", name, "size", (json_int_t)sb->st_size,
                     "created_at", (json_int_t)sb->st_mtime);
}

/* Snapshot names in the directory, in name order. */
static char **names(struct svc_ctx *c, const char *dir, size_t *n)
{
    size_t cap = 16;
    char **out = arena_alloc(c->a, cap * sizeof(*out));
    DIR *d = opendir(dir);
    struct dirent *de;

    *n = 0;
    while (d != NULL && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name), ext = strlen(SNAP_EXT);
        char *name;

        if (len <= ext || strcmp(de->d_name + len - ext, SNAP_EXT) != 0)
            continue;
        name = arena_strndup(c->a, de->d_name, len - ext);
        if (!name_ok(name))
            continue;
        if (*n == cap) {
            char **bigger = arena_alloc(c->a, 2 * cap * sizeof(*out));

            memcpy(bigger, out, cap * sizeof(*out));
            out = bigger;
            cap *= 2;
        }
        out[(*n)++] = name;
    }
    if (d != NULL)
        closedir(d);
    for (size_t i = 1; i < *n; i++) /* insertion sort: at most snapshot_max */
        for (size_t j = i; j > 0 && strcmp(out[j - 1], out[j]) > 0; j--) {
            char *t = out[j];

            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return out;
}

enum err svc_snapshot_list(struct svc_ctx *c, const struct config *cfg, json_t **out)
{
    const char *dir;
    json_t *items;
    char **list;
    size_t n;
    enum err e = snap_dir(c, cfg, &dir);

    *out = NULL;
    if (e != ERR_OK)
        return e;
    list = names(c, dir, &n);
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        struct stat sb;

        if (stat(arena_printf(c->a, "%s/%s" SNAP_EXT, dir, list[i]), &sb) == 0)
            json_array_append_new(items, describe(list[i], &sb));
    }
    *out = json_pack("{s:o}", "items", items);
    return ERR_OK;
}

enum err svc_snapshot_save(struct svc_ctx *c, const struct config *cfg, const char *name,
                           json_t **out)
{
    const char *dir = NULL, *path = NULL, *tmp;
    struct stat sb;
    size_t n;
    enum err e = snap_path(c, cfg, name, &dir, &path);

    *out = NULL;
    if (e != ERR_OK)
        return e;
    if (access(path, F_OK) == 0)
        return err_field(c->ei, ERR_CONFLICT, "name", "snapshot '%s' exists; delete it first",
                         name);
    names(c, dir, &n);
    if ((int64_t)n >= cfg->snapshot_max)
        return err_set(c->ei, ERR_LIMIT, SUBJ_NONE,
                       "at most %lld snapshots (snapshot_max); delete one first",
                       (long long)cfg->snapshot_max);
    tmp = arena_printf(c->a, "%s/.%s.%s.tmp", dir, name, ids_hex(c->a, "", 8));
    e = store_snapshot_save(c->st, cfg, tmp);
    if (e == ERR_OK && !fsync_path(tmp, false))
        e = ERR_STORE;
    if (e == ERR_OK && link(tmp, path) != 0)
        e = errno == EEXIST ? err_field(c->ei, ERR_CONFLICT, "name", "snapshot '%s' exists", name)
                            : err_set(c->ei, ERR_STORE, SUBJ_NONE, "cannot name the snapshot: %s",
                                      strerror(errno));
    remove_db(c->a, tmp);
    if (e == ERR_OK)
        fsync_path(dir, true);
    if (e == ERR_OK && stat(path, &sb) == 0)
        *out = describe(name, &sb);
    else if (e == ERR_OK)
        e = ERR_STORE;
    return e;
}

enum err svc_snapshot_restore(struct svc_ctx *c, const struct config *cfg, const char *name)
{
    const char *dir = NULL, *path = NULL;
    enum err e = snap_path(c, cfg, name, &dir, &path);

    if (e != ERR_OK)
        return e;
    if (access(path, F_OK) != 0)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "no snapshot '%s'", name);
    e = store_snapshot_restore(c->st, cfg, path);
    if (e != ERR_OK)
        return err_set(c->ei, ERR_STORE, SUBJ_NONE,
                       "snapshot '%s' could not be restored (damaged, another server key, "
                       "or the database failed); nothing changed",
                       name);
    svc_tcache_flush(c->tokens);
    return ERR_OK;
}

enum err svc_snapshot_delete(struct svc_ctx *c, const struct config *cfg, const char *name)
{
    const char *dir = NULL, *path = NULL;
    enum err e = snap_path(c, cfg, name, &dir, &path);

    if (e != ERR_OK)
        return e;
    if (unlink(path) != 0)
        return errno == ENOENT ? err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "no snapshot '%s'", name)
                               : err_set(c->ei, ERR_STORE, SUBJ_NONE, "cannot delete: %s",
                                         strerror(errno));
    remove_db(c->a, path);
    fsync_path(dir, true);
    return ERR_OK;
}
