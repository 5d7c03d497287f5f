/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc_media.c - temporary media (POST /cgi-bin/media/upload,
 * official page "上传临时素材"), the media_id an intent's image, video and
 * mini-program cover name ("知识库问答管理"). The form's "media" part is read for its
 * file name and size; the media lives three days (svc_wc_media_add). Its
 * bytes are not kept: no endpoint qunzu serves reads them back
 * (docs/compat.md).
 */
#include "dialect/wecom/wc.h"

#include "core/arena.h"

#include <string.h>

static const char *const media_types[] = { "image", "voice", "video", "file", NULL };

/* The value of 'key="..."' in one part's header block [h, end), or NULL. */
static const char *disposition_param(struct arena *a, const char *h, const char *end,
                                     const char *key)
{
    size_t klen = strlen(key);

    for (const char *p = h; p + klen + 2 < end; p++) {
        const char *v, *q;

        if (memcmp(p, key, klen) != 0 || p[klen] != '=' || p[klen + 1] != '"' ||
            (p > h && p[-1] != ' ' && p[-1] != ';'))
            continue;
        v = p + klen + 2;
        q = memchr(v, '"', (size_t)(end - v));
        return q ? arena_strndup(a, v, (size_t)(q - v)) : NULL;
    }
    return NULL;
}

bool wc_multipart_file(struct arena *a, const char *body, size_t len, const char *field,
                       const char **filename, size_t *size)
{
    const char *end = body + len, *eol = memchr(body, '\r', len);
    const char *part;
    char *delim;
    size_t dlen;

    /* The first line is the delimiter: "--" and the boundary. */
    if (len < 4 || body[0] != '-' || body[1] != '-' || eol == NULL || eol + 1 >= end ||
        eol[1] != '\n' || eol - body > 72)
        return false;
    dlen = (size_t)(eol - body) + 2;
    delim = arena_alloc(a, dlen + 1);
    delim[0] = '\r';
    delim[1] = '\n';
    memcpy(delim + 2, body, dlen - 2);
    for (part = eol + 2; part < end;) {
        const char *hend = memmem(part, (size_t)(end - part), "\r\n\r\n", 4);
        const char *data, *next;
        const char *name;

        if (hend == NULL)
            return false;
        data = hend + 4;
        next = memmem(data, (size_t)(end - data), delim, dlen);
        if (next == NULL)
            return false;
        name = disposition_param(a, part, hend, "name");
        if (name != NULL && strcmp(name, field) == 0) {
            *filename = disposition_param(a, part, hend, "filename");
            *size = (size_t)(next - data);
            return *filename != NULL && **filename != '\0';
        }
        part = next + dlen;
        if (part + 2 <= end && part[0] == '-' && part[1] == '-')
            return false; /* the closing delimiter */
        part += 2;        /* CRLF after the delimiter */
    }
    return false;
}

enum err wc_media_upload(struct req *rq, json_t *body, json_t *out)
{
    const char *type = dialect_query(rq, "type"), *name, *media_id;
    const char *const *t = media_types;
    size_t size;
    enum err e;

    (void)body;
    while (*t != NULL && (type == NULL || strcmp(*t, type) != 0))
        t++;
    if (*t == NULL)
        return err_field(&rq->err, ERR_BAD_REQUEST, "type", "invalid media type");
    if (rq->http->body_len == 0)
        return err_set(&rq->err, ERR_EMPTY_BODY, SUBJ_NONE, "empty post data");
    if (!wc_multipart_file(rq->http->arena, rq->http->body, rq->http->body_len, "media", &name,
                           &size))
        return err_field(&rq->err, ERR_MISSING, "media", "media");
    if (size == 0)
        return err_field(&rq->err, ERR_BAD_REQUEST, "media", "media file is empty");
    e = svc_wc_media_add(&rq->svc, *t, name, (int64_t)size, &media_id);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "type", *t);
    json_out_str(out, "media_id", media_id);
    /* A string of the unix time, as WeCom sends it. */
    json_out_str(out, "created_at", arena_printf(rq->http->arena, "%lld", (long long)rq->svc.now));
    return ERR_OK;
}
