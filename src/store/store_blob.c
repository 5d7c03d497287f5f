/* SPDX-License-Identifier: MIT */
/*
 * store/store_blob.c - uploaded bytes: files named by their SHA-256 under a
 * directory (DIR/ab/abcdef...), written to a temporary name, synced and
 * renamed, so a file under its final name is always whole; the rows that
 * name them (fs_blob, fs_resource) are ordinary store operations.
 *
 * A file is kept while an fs_blob row names it. The row is inserted before
 * the file is written, in the upload's transaction, so whoever else wants
 * the same bytes waits for that transaction (PostgreSQL: the key's row
 * lock; SQLite: the one writer). The sweep (store_blob_sweep) takes the
 * same lock to decide a file is an orphan: it inserts the row itself, and
 * only if that succeeds (nobody holds or committed it) removes the file,
 * then rolls back. So a file is never removed under a key that is being
 * written or was committed, on one node or several sharing the directory.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool mkdir_one(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static bool sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    bool ok = fd >= 0 && fsync(fd) == 0;

    if (fd >= 0)
        close(fd);
    return ok;
}

enum err store_blob_hash(struct arena *a, const void *data, size_t len, const char **sha256)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hex[65];

    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
        return ERR_INTERNAL;
    str_hex(md, 32, hex);
    *sha256 = arena_strdup(a, hex);
    return ERR_OK;
}

static char *blob_path(struct arena *a, const char *dir, const char *sha256)
{
    return arena_printf(a, "%s/%.2s/%s", dir, sha256, sha256);
}

enum err store_blob_write(struct arena *a, const char *dir, const char *sha256, const void *data,
                          size_t len)
{
    char *sub = arena_printf(a, "%s/%.2s", dir, sha256), *final = blob_path(a, dir, sha256), *tmp;
    struct stat st;
    int fd;

    if (stat(final, &st) == 0 && (size_t)st.st_size == len)
        return ERR_OK; /* the same bytes are there already */
    if (!mkdir_one(dir) || !mkdir_one(sub)) {
        log_error("upload directory %s: %s", sub, strerror(errno));
        return ERR_STORE;
    }
    tmp = arena_printf(a, "%s/.tmp-%s", sub, ids_hex(a, "", 8));
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("upload %s: %s", tmp, strerror(errno));
        return ERR_STORE;
    }
    if (!write_all(fd, data, len) || fsync(fd) != 0) {
        log_error("upload %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return ERR_STORE;
    }
    close(fd);
    if (rename(tmp, final) != 0 || !sync_dir(sub)) {
        log_error("upload %s: %s", final, strerror(errno));
        unlink(tmp);
        return ERR_STORE;
    }
    return ERR_OK;
}

void store_blob_remove(struct arena *a, const char *dir, const char *sha256)
{
    char *path = blob_path(a, dir, sha256);

    if (unlink(path) != 0 && errno != ENOENT)
        log_warn("upload %s: cannot remove: %s", path, strerror(errno));
}

enum err store_blob_read(struct arena *a, const char *dir, const char *sha256,
                         const unsigned char **data, size_t *len)
{
    char *path = blob_path(a, dir, sha256);
    struct stat st;
    unsigned char *buf;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT) {
        log_error("upload %s: missing: its key was written by a node whose upload_dir this "
                  "node does not share", path);
        return ERR_STORE;
    }
    if (fd < 0 || fstat(fd, &st) != 0) {
        log_error("upload %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return ERR_STORE;
    }
    buf = arena_alloc(a, (size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != (size_t)st.st_size)
        return ERR_STORE;
    *data = buf;
    *len = got;
    return ERR_OK;
}

#define RES_COLS                                                                              \
    "id, tenant_id, res_key, app_ref, kind, sub_type, file_name, duration, mime, size, sha256, " \
    "created_at"

static const char SQL_BLOB_TOTAL[] = "SELECT COALESCE(SUM(size), 0) FROM fs_blob";
/* Waits for a transaction that inserted the same row (its lock) and takes
 * the row only when nobody has it. */
static const char SQL_BLOB_PUT[] =
    "INSERT INTO fs_blob (sha256, size, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (sha256) DO NOTHING RETURNING 1";
static const char SQL_RES_INSERT[] =
    "INSERT INTO fs_resource (tenant_id, res_key, app_ref, kind, sub_type, file_name, duration, "
    "mime, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "RETURNING id";
static const char SQL_RES_GET[] = "SELECT " RES_COLS " FROM fs_resource WHERE res_key = $1";

enum err store_blob_total(struct store *s, int64_t *total)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(store_q(s, &a, &r, SQL_BLOB_TOTAL), &r, total);
    arena_release(&a);
    return e;
}

enum err store_blob_put(struct store *s, const char *sha256, int64_t size, int64_t now,
                        bool *added)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = store_q(s, &a, &r, SQL_BLOB_PUT, ARG_TEXT(sha256), ARG_INT(size), ARG_INT(now));
    *added = e == ERR_OK && r.nrows == 1;
    arena_release(&a);
    return e;
}

static bool is_sha256_name(const char *name, const char *shard)
{
    size_t i = 0;

    for (; name[i] != '\0'; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return false;
    return i == 64 && name[0] == shard[0] && name[1] == shard[1];
}

bool store_blob_shard_used(const char *dir, int shard)
{
    char sub[4096];
    DIR *d;
    struct dirent *de;
    bool used = false;

    if ((size_t)snprintf(sub, sizeof(sub), "%s/%02x", dir, (unsigned)shard & 0xff) >= sizeof(sub))
        return true; /* the sweep itself will say */
    d = opendir(sub);
    while (d != NULL && !used && (de = readdir(d)) != NULL)
        used = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return used;
}

enum err store_blob_sweep(struct store *s, const char *dir, int shard, int64_t tmp_before,
                          int64_t *removed)
{
    struct arena a;
    char name[3];
    const char *sub;
    DIR *d;
    struct dirent *de;
    enum err e = ERR_OK;

    snprintf(name, sizeof(name), "%02x", (unsigned)shard & 0xff);
    arena_init(&a, 4096);
    sub = arena_printf(&a, "%s/%s", dir, name);
    d = opendir(sub);
    while (d != NULL && e == ERR_OK && (de = readdir(d)) != NULL) {
        const char *path = arena_printf(&a, "%s/%s", sub, de->d_name);
        struct sql_res r;
        struct stat st;

        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (strncmp(de->d_name, ".tmp-", 5) == 0) {
            /* A write in progress renames its file within seconds. */
            if (st.st_mtime < tmp_before && unlink(path) == 0)
                ++*removed;
            continue;
        }
        if (!is_sha256_name(de->d_name, name))
            continue;
        e = store_q(s, &a, &r, SQL_BLOB_PUT, ARG_TEXT(de->d_name), ARG_INT(st.st_size),
                    ARG_INT(0));
        if (e == ERR_OK && r.nrows == 1 && unlink(path) == 0) {
            log_info("upload %s: no key refers to it: removed", path);
            ++*removed;
        }
    }
    if (d != NULL)
        closedir(d);
    arena_release(&a);
    return e;
}

enum err store_fs_res_insert(struct store *s, struct fs_res_row *res)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(store_q(s, &a, &r, SQL_RES_INSERT, ARG_INT(res->tenant_id), ARG_TEXT(res->key),
                            ARG_INT(res->app), ARG_TEXT(res->kind), ARG_TEXT(res->sub_type),
                            ARG_TEXT(res->file_name), ARG_INT(res->duration), ARG_TEXT(res->mime),
                            ARG_INT(res->size), ARG_TEXT(res->sha256), ARG_INT(res->created_at)),
                    &r, &res->id);
    arena_release(&a);
    return e;
}

enum err store_fs_res_get(struct store *s, struct arena *a, const char *key,
                          struct fs_res_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_RES_GET, ARG_TEXT(key)), &r);

    if (e == ERR_OK) {
        out->id = sql_int(&r, 0, 0);
        out->tenant_id = sql_int(&r, 0, 1);
        out->key = sql_text(&r, 0, 2);
        out->app = sql_int(&r, 0, 3);
        out->kind = sql_text(&r, 0, 4);
        out->sub_type = sql_text(&r, 0, 5);
        out->file_name = sql_text(&r, 0, 6);
        out->duration = sql_int(&r, 0, 7);
        out->mime = sql_text(&r, 0, 8);
        out->size = sql_int(&r, 0, 9);
        out->sha256 = sql_text(&r, 0, 10);
        out->created_at = sql_int(&r, 0, 11);
    }
    return e;
}
