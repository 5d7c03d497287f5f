/* SPDX-License-Identifier: MIT */
/*
 * http/http_console.c - serves the web console's compiled-in files at
 * /console/ (see http_console.h). The files change only with the binary:
 * each carries an ETag (its content's digest) and is revalidated on every
 * load (Cache-Control: no-cache), so a new build is seen at once and an
 * unchanged one costs a 304.
 */
#include "http/http_console.h"
#include "http/http.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define CONSOLE_PREFIX "/console"

/* The page loads only its own files and calls only this server: no inline
 * script or style, no frame, no other origin. Images may be blob: or data:
 * URLs, for the images a message carries are read through the API with a
 * token and shown from memory. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; "
                          "object-src 'none'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'";

static void security_headers(struct http_req *r)
{
    http_add_header(r, "Content-Security-Policy", csp);
    http_add_header(r, "X-Content-Type-Options", "nosniff");
    http_add_header(r, "X-Frame-Options", "DENY");
    /* The token may sit in the URL's fragment: never sent on, but no page
     * address is worth sending anywhere either. */
    http_add_header(r, "Referrer-Policy", "no-referrer");
    http_add_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

static void text(struct http_req *r, int status, const char *body)
{
    r->status = status;
    r->content_type = "text/plain; charset=utf-8";
    r->resp_body = body;
    r->resp_len = strlen(body);
}

const struct console_file *http_console_find(const char *path, size_t len)
{
    static const char index_path[] = CONSOLE_PREFIX "/index.html";

    if (str_eq_n(path, len, CONSOLE_PREFIX "/")) {
        path = index_path;
        len = sizeof(index_path) - 1;
    }
    for (size_t i = 0; i < console_nfiles; i++)
        if (str_eq_n(path, len, console_files[i].path))
            return &console_files[i];
    return NULL;
}

/* RFC 9110, If-None-Match: "*" or a list of entity tags, weak ones
 * compared by their opaque part too. */
static bool etag_matches(const char *header, const char *etag)
{
    size_t n = strlen(etag);

    if (header == NULL)
        return false;
    for (const char *p = header; *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return true;
        while (*p != '\0' && *p != ',')
            p++;
    }
    return false;
}

bool http_console_serve(struct http_req *r)
{
    const size_t plen = sizeof(CONSOLE_PREFIX) - 1;
    const struct console_file *f;
    bool head = r->method_str != NULL && strcmp(r->method_str, "HEAD") == 0;

    if (r->path_len < plen || memcmp(r->path, CONSOLE_PREFIX, plen) != 0
        || (r->path_len > plen && r->path[plen] != '/'))
        return false;
    security_headers(r);
    if (r->method != HTTP_GET && !head) {
        http_add_header(r, "Allow", "GET, HEAD");
        text(r, 405, "405 method not allowed\n");
        return true;
    }
    if (r->path_len == plen) {
        /* The page's relative URLs resolve under /console/ only. */
        http_add_header(r, "Location",
                        r->query != NULL
                            ? arena_printf(r->arena, CONSOLE_PREFIX "/?%.*s", (int)r->query_len,
                                           r->query)
                            : CONSOLE_PREFIX "/");
        text(r, 301, "301 moved to /console/\n");
        return true;
    }
    f = http_console_find(r->path, r->path_len);
    if (f == NULL) {
        text(r, 404, "404 page not found\n");
        return true;
    }
    http_add_header(r, "ETag", f->etag);
    http_add_header(r, "Cache-Control", "no-cache");
    if (etag_matches(r->if_none_match, f->etag)) {
        r->status = 304;
        r->resp_body = "";
        r->resp_len = 0;
        return true;
    }
    r->status = 200;
    r->content_type = f->content_type;
    r->resp_body = (const char *)f->bytes;
    r->resp_len = f->len; /* h2o sends no body for HEAD */
    return true;
}
