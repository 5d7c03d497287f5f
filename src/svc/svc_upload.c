/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_upload.c - Feishu uploads ("Upload an image", "Upload a file",
 * "Download an image", "Download a file", "Get resources in a message"): an
 * image or a file becomes a key of the uploading app, its bytes stored once by content
 * under a bounded directory; who may download which key; what a message's
 * resource is; the keys a message may refer to.
 */
#include "svc/svc_msg_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "json/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define IMAGE_MAX (10 * MIB)
#define FILE_MAX (30 * MIB)

/* Image formats by their first bytes (the formats "Upload an image" lists);
 * NULL when none matches. */
static const char *image_mime(const unsigned char *d, size_t n)
{
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
        return "image/gif";
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return "image/webp";
    if (n >= 2 && d[0] == 'B' && d[1] == 'M')
        return "image/bmp";
    if (n >= 4 && memcmp(d, "\0\0\1\0", 4) == 0)
        return "image/x-icon";
    if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0))
        return "image/tiff";
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0
        && (memcmp(d + 8, "heic", 4) == 0 || memcmp(d + 8, "heix", 4) == 0
            || memcmp(d + 8, "mif1", 4) == 0))
        return "image/heic";
    return NULL;
}

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const unsigned char *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t le24(const unsigned char *p) { return le16(p) | (uint32_t)p[2] << 16; }
static uint32_t be32(const unsigned char *p) { return be16(p) << 16 | be16(p + 2); }
static uint32_t le32(const unsigned char *p) { return le16(p + 2) << 16 | le16(p); }

/* A JPEG's size from its first start-of-frame segment (SOF0..SOF15 but
 * DHT, JPG and DAC). */
static bool jpeg_size(const unsigned char *d, size_t n, uint32_t *w, uint32_t *h)
{
    size_t i = 2;

    while (i + 9 < n && d[i] == 0xFF) {
        unsigned m = d[i + 1];

        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *h = be16(d + i + 5);
            *w = be16(d + i + 7);
            return true;
        }
        if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
            i += 2;
            continue;
        }
        i += 2 + be16(d + i + 2);
    }
    return false;
}

/* An image's width and height from its header, where the format says them
 * plainly (PNG IHDR, GIF logical screen, JPEG SOFn, BMP info header, WEBP);
 * false for the others (ICO, TIFF, HEIC) and for a header cut short or not
 * as the format lays it out: those are not held to a resolution. */
static bool image_size(const char *mime, const unsigned char *d, size_t n, uint32_t *w,
                       uint32_t *h)
{
    int32_t bh;

    if (strcmp(mime, "image/png") == 0 && n >= 33 && memcmp(d + 12, "IHDR", 4) == 0) {
        *w = be32(d + 16);
        *h = be32(d + 20);
    } else if (strcmp(mime, "image/gif") == 0 && n >= 13) {
        *w = le16(d + 6);
        *h = le16(d + 8);
    } else if (strcmp(mime, "image/bmp") == 0 && n >= 26 && le32(d + 14) >= 40) {
        *w = le32(d + 18);
        bh = (int32_t)le32(d + 22); /* negative: stored top-down */
        *h = bh < 0 ? (uint32_t)-(int64_t)bh : (uint32_t)bh;
    } else if (strcmp(mime, "image/webp") == 0 && n >= 30 && memcmp(d + 12, "VP8X", 4) == 0) {
        *w = le24(d + 24) + 1;
        *h = le24(d + 27) + 1;
    } else if (strcmp(mime, "image/webp") == 0 && n >= 25 && memcmp(d + 12, "VP8L", 4) == 0
               && d[20] == 0x2F) {
        uint32_t b = le32(d + 21);

        *w = (b & 0x3FFF) + 1;
        *h = (b >> 14 & 0x3FFF) + 1;
    } else if (strcmp(mime, "image/webp") == 0 && n >= 30 && memcmp(d + 12, "VP8 ", 4) == 0
               && memcmp(d + 23, "\x9d\x01\x2a", 3) == 0) {
        *w = le16(d + 26) & 0x3FFF;
        *h = le16(d + 28) & 0x3FFF;
    } else if (strcmp(mime, "image/jpeg") == 0) {
        return jpeg_size(d, n, w, h);
    } else {
        return false;
    }
    return true;
}

/* "Upload an image": a GIF up to 2000 x 2000, other images up to 12000 x
 * 12000, an avatar up to 4096 x 4096 (either side over is too large). */
static bool resolution_ok(const char *mime, const char *sub_type, const unsigned char *d,
                          size_t n)
{
    uint32_t w = 0, h = 0, max = strcmp(sub_type, "avatar") == 0 ? 4096 : 12000;

    if (strcmp(mime, "image/gif") == 0 && max > 2000)
        max = 2000;
    return !image_size(mime, d, n, &w, &h) || (w <= max && h <= max);
}

/* A file's type by the extension of its name (the Content-Type "Download a
 * file" answers with). */
static const char *file_mime(const char *name)
{
    static const char *const map[][2] = {
        { ".mp4", "video/mp4" },
        { ".pdf", "application/pdf" },
        { ".doc", "application/msword" },
        { ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
        { ".xls", "application/vnd.ms-excel" },
        { ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
        { ".ppt", "application/vnd.ms-powerpoint" },
        { ".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
        { ".opus", "audio/ogg" },
        { ".ogg", "audio/ogg" },
        { ".txt", "text/plain" },
        { ".csv", "text/csv" },
        { ".png", "image/png" },
        { ".jpg", "image/jpeg" },
        { ".zip", "application/zip" },
    };
    const char *dot = name ? strrchr(name, '.') : NULL;

    for (size_t i = 0; dot != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(dot, map[i][0]) == 0)
            return map[i][1];
    return "application/octet-stream";
}

/* img_v3_02<2 alnum>_<uuid, last char g> / file_v3_00<2 digits>j_<uuid...g>. */
static const char *new_key(struct svc_ctx *c, bool image)
{
    char *u = ids_hex(c->a, "", 16), shard[3];
    const char *uuid;

    shard[0] = u[30] >= 'a' ? (char)('0' + (u[30] - 'a')) : u[30];
    shard[1] = u[31] >= 'a' ? (char)('0' + (u[31] - 'a')) : u[31];
    shard[2] = '\0';
    u[31] = 'g';
    uuid = arena_printf(c->a, "%.8s-%.4s-%.4s-%.4s-%.12s", u, u + 8, u + 12, u + 16, u + 20);
    return image ? arena_printf(c->a, "img_v3_02%c%c_%s", u[0], shard[1], uuid)
                 : arena_printf(c->a, "file_v3_00%sj_%s", shard, uuid);
}

enum err svc_res_upload(struct svc_ctx *c, int64_t app, const struct res_upload *u,
                        const char **key)
{
    bool image = strcmp(u->kind, "image") == 0, added = false;
    struct fs_res_row r = { .tenant_id = c->tenant, .app = app, .kind = u->kind,
                            .sub_type = u->sub_type, .duration = u->duration,
                            .size = (int64_t)u->len, .created_at = c->now };
    int64_t total = 0;
    enum err e;

    if (u->len == 0)
        return err_set(c->ei, ERR_MISSING, SUBJ_CONTENT, "empty file");
    if (u->len > (size_t)(image ? IMAGE_MAX : FILE_MAX))
        return err_set(c->ei, ERR_LIMIT, SUBJ_CONTENT, "file too large");
    r.mime = image ? image_mime(u->data, u->len) : file_mime(u->file_name);
    if (r.mime == NULL)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_CONTENT, "unknown image format");
    if (image && !resolution_ok(r.mime, u->sub_type, u->data, u->len))
        return err_set(c->ei, ERR_LIMIT, SUBJ_RESOURCE, "image resolution exceeds the limit");
    r.file_name = u->file_name ? u->file_name : "";
    e = store_blob_total(c->st, &total);
    if (e == ERR_OK && total + (int64_t)u->len > u->max_total)
        return err_set(c->ei, ERR_LIMIT, SUBJ_NONE, "upload storage full");
    /* The blob's row, then the bytes, then the key: a key is only ever
     * written for bytes that are whole, and the row keeps the sweep
     * (svc_upload_sweep) off the file. */
    if (e == ERR_OK)
        e = store_blob_hash(c->a, u->data, u->len, &r.sha256);
    if (e == ERR_OK)
        e = store_blob_put(c->st, r.sha256, (int64_t)u->len, c->now, &added);
    if (e == ERR_OK)
        e = store_blob_write(c->a, u->dir, r.sha256, u->data, u->len);
    r.key = new_key(c, image);
    if (image && r.file_name[0] == '\0')
        r.file_name = arena_printf(c->a, "%s.%s", r.key, strchr(r.mime, '/') + 1);
    if (e == ERR_OK)
        e = store_fs_res_insert(c->st, &r);
    if (e == ERR_OK)
        *key = r.key;
    else if (added) /* the row goes with the rollback; nobody else has the bytes */
        store_blob_remove(c->a, u->dir, r.sha256);
    return e;
}

const char *svc_upload_dir(const struct config *cfg, struct arena *a, bool *shared)
{
    const char *tmp = getenv("TMPDIR");

    *shared = false;
    if (cfg->upload_dir != NULL && cfg->upload_dir[0] != '\0')
        return cfg->upload_dir;
    if (strncmp(cfg->db, "sqlite:", 7) == 0 && strcmp(cfg->db, "sqlite::memory:") != 0)
        return arena_printf(a, "%s.uploads", cfg->db + 7);
    *shared = true;
    return arena_printf(a, "%s/qunzu-uploads", tmp && *tmp ? tmp : "/tmp");
}

/* A key of this tenant of 'kind': ERR_NOT_FOUND otherwise. */
static enum err res_load(struct svc_ctx *c, const char *kind, const char *key,
                         struct fs_res_row *out)
{
    enum err e = store_fs_res_get(c->st, c->a, key, out);

    if (e == ERR_OK && (out->tenant_id != c->tenant || strcmp(out->kind, kind) != 0))
        e = ERR_NOT_FOUND;
    return e;
}

enum err svc_res_download(struct svc_ctx *c, int64_t app, const char *kind, const char *key,
                          const char *dir, struct res_bytes *out)
{
    struct fs_res_row r;
    enum err e = res_load(c, kind, key, &r);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_RESOURCE, "no such key");
    if (e != ERR_OK)
        return e;
    if (r.app != app)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_RESOURCE, "another app's key");
    if (strcmp(r.sub_type, "avatar") == 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_RESOURCE, "avatars are not downloaded");
    out->file_name = r.file_name;
    out->mime = r.mime;
    return store_blob_read(c->a, dir, r.sha256, &out->data, &out->len);
}

/* Whether 'key' appears in the content of 'm' as a key of 'type'. */
static bool msg_has_key(const struct fs_msg_row *m, const char *type, const char *key)
{
    bool image = strcmp(type, "image") == 0;
    json_t *c = json_loads(m->content, 0, NULL), *root = c, *loc, *para, *node;
    const char *k, *want = image ? "image_key" : "file_key";
    size_t i, j;
    bool found = false;

    if (strcmp(m->msg_type, "post") != 0) {
        const char *v = json_str(c, want);

        found = v != NULL && strcmp(v, key) == 0
                && (image ? strcmp(m->msg_type, "image") == 0 || strcmp(m->msg_type, "media") == 0
                          : strcmp(m->msg_type, "file") == 0 || strcmp(m->msg_type, "audio") == 0
                                || strcmp(m->msg_type, "media") == 0);
    } else {
        if (json_is_object(json_object_get(c, "post")) && json_object_size(c) == 1)
            root = json_object_get(c, "post");
        json_object_foreach(root, k, loc) {
            json_array_foreach(json_object_get(loc, "content"), i, para) {
                json_array_foreach(para, j, node) {
                    const char *v = json_str(node, want);

                    if (v != NULL && strcmp(v, key) == 0)
                        found = true;
                }
            }
        }
    }
    json_decref(c);
    return found;
}

enum err svc_msg_resource(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                          const char *type, const char *key, const char *dir,
                          struct res_bytes *out)
{
    struct fs_msg_row m;
    struct fs_res_row r;
    struct chat_view v;
    enum err e = svc_msg_load(c, message_id, &m);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_RESOURCE, "invalid message_id");
    if (e != ERR_OK)
        return e;
    if (m.deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    e = svc_chat_open(c, m.chat_id, &o->op, true, &v);
    if (e != ERR_OK)
        return e;
    /* restricted_mode_setting: status on, download not_anyone */
    if (svc_chat_restricts(c, &v.chat, "download_has_permission_setting"))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_CHAT_MODE, "restricted mode: no downloads");
    if (strcmp(m.msg_type, "interactive") == 0 || strcmp(m.msg_type, "sticker") == 0
        || strcmp(m.msg_type, "merge_forward") == 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MSG_TYPE, "unsupported message type");
    if (strcmp(type, "image") != 0 && strcmp(type, "file") != 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_RESOURCE, "type is image or file");
    if (!msg_has_key(&m, type, key) || res_load(c, type, key, &r) != ERR_OK)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_RESOURCE, "the key is not in the message");
    out->file_name = r.file_name;
    out->mime = r.mime;
    return store_blob_read(c->a, dir, r.sha256, &out->data, &out->len);
}

enum err svc_res_for_message(struct svc_ctx *c, int64_t app, const char *kind, const char *key,
                             struct fs_res_row *out)
{
    enum err e = res_load(c, kind, key, out);

    if (e == ERR_NOT_FOUND)
        return e;
    if (e == ERR_OK && out->app != app)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_RESOURCE, "the resource is another app's");
    return e;
}

/* --- the sweep of the upload directory ----------------------------------------- */

#define OWNER_FILE ".qunzu-database"
#define TMP_GRACE_SECONDS 600

/* This database's id (meta 'database_id', made by the first node to ask)
 * and whether 'dir' is this database's: its owner file names the id, or
 * there was none and now there is. A directory another database wrote is
 * not swept: its files are that database's. */
static enum err dir_owned(struct store *st, struct arena *a, const char *dir, bool *owned)
{
    char *id = NULL, buf[64];
    const char *path = arena_printf(a, "%s/" OWNER_FILE, dir);
    struct stat sb;
    enum err e;
    ssize_t n;
    int fd;

    *owned = false;
    if (stat(dir, &sb) != 0)
        return ERR_OK; /* nothing uploaded yet: nothing to sweep */
    /* Read first; the first sweep of a database writes the id. */
    for (int write = 0; write < 2 && id == NULL; write++) {
        e = store_begin(st, write);
        if (e == ERR_OK && write)
            e = store_meta_add(st, "database_id", ids_hex(a, "", 16));
        if (e == ERR_OK)
            e = store_meta_get(st, a, "database_id", &id);
        if (e == ERR_OK)
            e = store_commit(st);
        else
            store_rollback(st);
        if (e != ERR_OK && e != ERR_NOT_FOUND)
            return e;
    }
    if (id == NULL)
        return ERR_STORE;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        bool ok = write(fd, id, strlen(id)) == (ssize_t)strlen(id) && fsync(fd) == 0;

        close(fd);
        if (!ok) {
            unlink(path);
            return ERR_STORE;
        }
        *owned = true;
        return ERR_OK;
    }
    if (errno != EEXIST)
        return ERR_STORE;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return ERR_STORE;
    buf[n] = '\0';
    *owned = strcmp(buf, id) == 0;
    return *owned ? ERR_OK : ERR_CONFLICT;
}

enum err svc_upload_sweep(struct store *st, const struct config *cfg, int *cursor, int shards,
                          int64_t *removed)
{
    struct arena a;
    bool shared, owned = false;
    const char *dir;
    enum err e;

    arena_init(&a, 1024);
    dir = svc_upload_dir(cfg, &a, &shared);
    e = shared ? ERR_OK : dir_owned(st, &a, dir, &owned);
    for (int i = 0; e == ERR_OK && owned && i < shards; i++) {
        int64_t tmp_before = clock_wall_us() / 1000000 - TMP_GRACE_SECONDS;

        /* Rolled back whatever happens: the sweep only claims the orphans' rows.
         * A shard with no file takes no write transaction. */
        if (!store_blob_shard_used(dir, *cursor)) {
            *cursor = (*cursor + 1) % UPLOAD_SHARDS;
            continue;
        }
        e = store_begin(st, true);
        if (e == ERR_OK)
            e = store_blob_sweep(st, dir, *cursor, tmp_before, removed);
        store_rollback(st);
        *cursor = (*cursor + 1) % UPLOAD_SHARDS;
    }
    arena_release(&a);
    return e;
}
