/* SPDX-License-Identifier: MIT */
/*
 * http/multipart.c - multipart/form-data through GMime (libgmime-3.0): the
 * request's Content-Type header and its body make one MIME entity, which
 * GMime's parser splits into parts. GMime is initialised once per process.
 */
#include "http/multipart.h"

#include "core/arena.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

static pthread_once_t mp_once = PTHREAD_ONCE_INIT;

static void mp_init(void)
{
    g_mime_init();
}

static const char *dup_g(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* The decoded bytes of one leaf part into the arena. */
static void part_bytes(struct arena *a, GMimePart *part, struct mp_part *out)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *mem;
    GByteArray *ba;

    out->data = (const unsigned char *)"";
    out->len = 0;
    if (w == NULL)
        return;
    mem = g_mime_stream_mem_new();
    if (g_mime_data_wrapper_write_to_stream(w, mem) >= 0) {
        ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        if (ba != NULL && ba->len > 0) {
            unsigned char *d = arena_alloc(a, ba->len + 1);

            memcpy(d, ba->data, ba->len);
            out->data = d;
            out->len = ba->len;
        }
    }
    g_object_unref(mem);
}

enum err mp_parse(struct arena *a, const char *content_type, const void *body, size_t len,
                  struct mp_part **parts, size_t *n)
{
    GMimeStream *head, *rest, *cat;
    GMimeParser *parser;
    GMimeObject *obj;
    GMimeMultipart *mp;
    char *hdr;
    int count;

    *parts = NULL;
    *n = 0;
    if (content_type == NULL || strncasecmp(content_type, "multipart/form-data", 19) != 0
        || strstr(content_type, "boundary=") == NULL || strchr(content_type, '\n') != NULL
        || strchr(content_type, '\r') != NULL)
        return ERR_MALFORMED;
    pthread_once(&mp_once, mp_init);
    hdr = arena_printf(a, "Content-Type: %s\r\n\r\n", content_type);
    head = g_mime_stream_mem_new_with_buffer(hdr, strlen(hdr));
    rest = g_mime_stream_mem_new_with_buffer(body, len);
    cat = g_mime_stream_cat_new();
    g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), head);
    g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), rest);
    g_object_unref(head);
    g_object_unref(rest);
    parser = g_mime_parser_new_with_stream(cat);
    g_object_unref(cat);
    obj = g_mime_parser_construct_part(parser, NULL);
    g_object_unref(parser);
    if (obj == NULL || !GMIME_IS_MULTIPART(obj)) {
        if (obj != NULL)
            g_object_unref(obj);
        return ERR_MALFORMED;
    }
    mp = GMIME_MULTIPART(obj);
    count = g_mime_multipart_get_count(mp);
    *parts = arena_alloc(a, ((size_t)(count > 0 ? count : 0) + 1) * sizeof(**parts));
    for (int i = 0; i < count; i++) {
        GMimeObject *p = g_mime_multipart_get_part(mp, i);
        GMimeContentType *ct = g_mime_object_get_content_type(p);
        struct mp_part *out = &(*parts)[*n];
        const char *name;

        if (!GMIME_IS_PART(p))
            continue; /* a nested multipart is not a form field */
        name = g_mime_object_get_content_disposition_parameter(p, "name");
        out->name = name ? arena_strdup(a, name) : "";
        out->filename = dup_g(a, g_mime_object_get_content_disposition_parameter(p, "filename"));
        out->content_type = NULL;
        if (ct != NULL && g_mime_object_get_header(p, "Content-Type") != NULL) {
            char *t = g_mime_content_type_get_mime_type(ct);

            out->content_type = dup_g(a, t);
            g_free(t);
        }
        part_bytes(a, GMIME_PART(p), out);
        (*n)++;
    }
    g_object_unref(obj);
    return ERR_OK;
}

const struct mp_part *mp_find(const struct mp_part *parts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}
