/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_upload.c - images and files (Feishu's "Upload an
 * image", "Upload a file", "Download an image", "Download a file", "Get
 * resources in a message"): the two
 * multipart uploads, the two downloads of an app's own keys and the
 * resource of a message, answered as raw bytes with the headers the SDKs
 * read; and the error codes those pages list.
 */
#include "dialect/feishu/fs.h"

#include "config/config.h"
#include "core/arena.h"
#include "http/multipart.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct dialect_error up_errors[] = {
    { ERR_MISSING, SUBJ_NONE, 400, 99992402, "field validation failed" },
    { ERR_MALFORMED, SUBJ_NONE, 400, 99992402, "field validation failed" },
    { ERR_BAD_REQUEST, SUBJ_FIELD, 400, 99992402, "field validation failed" },
    { ERR_BAD_REQUEST, SUBJ_MESSAGE, 400, 99992354,
      "The request you send is not a valid {open_message_id} or not exists" },
    { ERR_GONE, SUBJ_MESSAGE, 400, 230110, "Action unavailable as the message has been deleted." },
    { ERR_FORBIDDEN, SUBJ_MEMBERSHIP, 400, 234004, "App not in chat." },
    { ERR_BAD_REQUEST, SUBJ_MSG_TYPE, 400, 234043, "Unsupported message type." },
    { ERR_CONFLICT, SUBJ_RESOURCE, 400, 234003, "File not in message." },
    { ERR_NOT_FOUND, SUBJ_RESOURCE, 400, 234005, "Image has been deleted" },
    { ERR_FORBIDDEN, SUBJ_RESOURCE, 400, 234008, "The app is not the resource sender" },
    { ERR_BAD_REQUEST, SUBJ_RESOURCE, 400, 234001, "Invalid request param." },
    { ERR_MISSING, SUBJ_CONTENT, 400, 234010, "File's size can't be 0." },
    { ERR_LIMIT, SUBJ_CONTENT, 400, 234006, "The file size exceed the max value." },
    { ERR_BAD_REQUEST, SUBJ_CONTENT, 400, 234011, "Can't regonnize the image format." },
    { ERR_LIMIT, SUBJ_RESOURCE, 400, 234039, "Image resolution exceeds limit." },
    { ERR_FORBIDDEN, SUBJ_CHAT_MODE, 400, 234038,
      "Do not allow downloading of message resources in restricted mode." },
    { ERR_LIMIT, SUBJ_NONE, 400, 232096, "Meta writing has stopped, please try again later." },
    { ERR_BAD_REQUEST, SUBJ_NONE, 400, 234001, "Invalid request param." },
};

const struct dialect_error *fs_up_error_lookup(enum err e, enum subj s)
{
    return dialect_error_lookup(up_errors, sizeof(up_errors) / sizeof(up_errors[0]), e, s);
}

static const char *upload_dir(struct req *rq)
{
    bool shared;

    return svc_upload_dir(rq->app->cfg, rq->http->arena, &shared);
}

/* Uploads take the tenant token only ("Upload an image", "Upload a file"). */
static enum err bot_only(struct req *rq)
{
    if (rq->actor.kind != ACTOR_BOT)
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN, "uploads take a tenant token");
    return ERR_OK;
}

/* The text parts of a form as a JSON object for the route's field rules;
 * the file part 'file' separately. */
static enum err form_in(struct req *rq, const struct field_rule *rules, const char *file,
                        json_t **fields, const struct mp_part **part)
{
    struct mp_part *parts;
    size_t n;
    enum err e = mp_parse(rq->http->arena, rq->http->req_content_type, rq->http->body,
                          rq->http->body_len, &parts, &n);

    if (e != ERR_OK)
        return err_set(&rq->err, ERR_MALFORMED, SUBJ_NONE, "not a multipart/form-data body");
    *fields = json_object();
    for (size_t i = 0; i < n; i++) {
        /* The first of duplicate parts wins; the file part is not a field. */
        if (strcmp(parts[i].name, file) == 0 || json_object_get(*fields, parts[i].name) != NULL)
            continue;
        json_object_set_new(*fields, parts[i].name,
                            json_stringn((const char *)parts[i].data, parts[i].len));
    }
    e = json_check_query(*fields, rules, &rq->err);
    *part = mp_find(parts, n, file);
    if (e == ERR_OK && *part == NULL)
        e = err_field(&rq->err, ERR_MISSING, file, "%s is required", file);
    return e;
}

static const char *const IMAGE_TYPES[] = { "message", "avatar", NULL };
static const char *const FILE_TYPES[] = { "opus", "mp4", "pdf", "doc", "xls", "ppt", "stream",
                                          NULL };

static const struct field_rule image_form[] = {
    { .name = "image_type", .type = JT_STRING, .flags = F_REQUIRED | F_EMPTY_ABSENT,
      .values = IMAGE_TYPES, .subj = SUBJ_RESOURCE },
    { NULL },
};
static const struct field_rule file_form[] = {
    { .name = "file_type", .type = JT_STRING, .flags = F_REQUIRED | F_EMPTY_ABSENT,
      .values = FILE_TYPES, .subj = SUBJ_RESOURCE },
    { .name = "file_name", .type = JT_STRING, .flags = F_REQUIRED | F_EMPTY_ABSENT },
    { .name = "duration", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 0,
      .max = INT32_MAX, .subj = SUBJ_RESOURCE },
    { NULL },
};

static enum err upload(struct req *rq, bool image, json_t *out)
{
    const struct mp_part *part = NULL;
    json_t *fields = NULL;
    struct res_upload u = { .kind = image ? "image" : "file", .dir = upload_dir(rq),
                            .max_total = rq->app->cfg->upload_max_bytes };
    const char *key = NULL;
    enum err e = bot_only(rq);

    if (e == ERR_OK)
        e = form_in(rq, image ? image_form : file_form, image ? "image" : "file", &fields, &part);
    if (e == ERR_OK) {
        u.sub_type = json_str(fields, image ? "image_type" : "file_type");
        u.file_name = image ? NULL : json_str(fields, "file_name");
        if (!json_int(fields, "duration", &u.duration))
            u.duration = 0;
        u.data = part->data;
        u.len = part->len;
        e = svc_res_upload(&rq->svc, rq->app_ref, &u, &key);
    }
    if (e == ERR_OK)
        json_out_str(out, image ? "image_key" : "file_key", key);
    json_decref(fields);
    return e;
}

enum err fs_image_upload(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return upload(rq, true, out);
}

enum err fs_file_upload(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return upload(rq, false, out);
}

/* One "bytes=a-b" or "bytes=a-" range of 'size': 1 (in [*from, *to]), 0
 * (none or another form: the whole), -1 (not satisfiable). */
static int range_of(const char *h, size_t size, size_t *from, size_t *to)
{
    unsigned long long a, b;
    int used = 0;

    if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
        return 0;
    if (sscanf(h + 6, "%llu-%n", &a, &used) != 1 || used == 0)
        return 0;
    if (a >= size)
        return -1;
    b = size - 1;
    if (h[6 + used] != '\0') {
        int used2 = 0;

        if (sscanf(h + 6 + used, "%llu%n", &b, &used2) != 1 || h[6 + used + used2] != '\0'
            || b < a)
            return 0;
        if (b > size - 1)
            b = size - 1;
    }
    *from = (size_t)a;
    *to = (size_t)b;
    return 1;
}

/* Writes the bytes as the response ("Download a file"): the type, Content-Disposition
 * when the request said application/json, one range if asked. */
static void send_bytes(struct req *rq, const struct res_bytes *b)
{
    struct http_req *h = rq->http;
    const char *ct = h->req_content_type;
    size_t from = 0, to = b->len ? b->len - 1 : 0;
    int r = range_of(h->range, b->len, &from, &to);

    h->content_type = b->mime;
    if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0)
        http_add_header(h, "content-disposition",
                        arena_printf(h->arena, "attachment; filename=\"%s\"", b->file_name));
    if (r < 0) {
        h->status = 416;
        http_add_header(h, "content-range", arena_printf(h->arena, "bytes */%zu", b->len));
        h->content_type = "text/plain; charset=utf-8";
        h->resp_body = "";
        h->resp_len = 0;
        return;
    }
    h->status = r > 0 ? 206 : 200;
    if (r > 0)
        http_add_header(h, "content-range",
                        arena_printf(h->arena, "bytes %zu-%zu/%zu", from, to, b->len));
    h->resp_body = (const char *)b->data + (r > 0 ? from : 0);
    h->resp_len = r > 0 ? to - from + 1 : b->len;
}

static enum err download(struct req *rq, const char *kind)
{
    struct res_bytes b;
    enum err e = bot_only(rq);

    if (e == ERR_OK)
        e = svc_res_download(&rq->svc, rq->app_ref, kind, rq->params[0], upload_dir(rq), &b);
    if (e == ERR_OK)
        send_bytes(rq, &b);
    return e;
}

enum err fs_image_get(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    (void)out;
    return download(rq, "image");
}

enum err fs_file_get(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    (void)out;
    return download(rq, "file");
}

enum err fs_msg_resource(struct req *rq, json_t *body, json_t *out)
{
    struct msg_op o = { rq->actor, rq->app_ref, NULL };
    struct res_bytes b;
    enum err e = svc_msg_resource(&rq->svc, &o, rq->params[0], json_str(rq->query, "type"),
                                  rq->params[1], upload_dir(rq), &b);

    (void)body;
    (void)out;
    if (e == ERR_OK)
        send_bytes(rq, &b);
    return e;
}
