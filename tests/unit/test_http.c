/* SPDX-License-Identifier: MIT */
/* tests/unit/test_http.c - route path patterns and methods; the console's files. */
#include "unit.h"

#include "core/arena.h"
#include "http/http.h"
#include "http/http_console.h"

static bool match(struct arena *a, const char *pattern, const char *path, const char **params,
                  int *n)
{
    return http_path_match(pattern, path, strlen(path), a, params, n);
}

static void path_match(void)
{
    struct arena a;
    const char *p[HTTP_MAX_PARAMS];
    int n;

    arena_init(&a, 0);
    CHECK(match(&a, "/cgi-bin/gettoken", "/cgi-bin/gettoken", p, &n) && n == 0);
    CHECK(!match(&a, "/cgi-bin/gettoken", "/cgi-bin/gettoken/", p, &n));
    CHECK(!match(&a, "/cgi-bin/gettoken", "/cgi-bin/gettokenx", p, &n));
    CHECK(!match(&a, "/cgi-bin/gettoken", "/cgi-bin/get", p, &n));
    CHECK(match(&a, "/admin/v1/tenants/:name", "/admin/v1/tenants/Acme%20Co", p, &n) && n == 1);
    CHECK_STR(p[0], "Acme Co");
    CHECK(!match(&a, "/admin/v1/tenants/:name", "/admin/v1/tenants/", p, &n));
    CHECK(!match(&a, "/admin/v1/tenants/:name", "/admin/v1/tenants/a/b", p, &n));
    CHECK(match(&a, "/im/v1/chats/:chat_id/members/:id", "/im/v1/chats/oc_1/members/ou_2", p, &n)
          && n == 2);
    CHECK_STR(p[0], "oc_1");
    CHECK_STR(p[1], "ou_2");
    CHECK(match(&a, "/x/:id", "/x/%zz", p, &n) && n == 1);
    CHECK_STR(p[0], "%zz");
    CHECK(match(&a, "/x/:id", "/x/oc_1%00x", p, &n));
    CHECK_STR(p[0], "oc_1%00x"); /* not "oc_1" */
    arena_release(&a);
}

static void method_parse(void)
{
    CHECK(http_method_parse("GET", 3) == HTTP_GET);
    CHECK(http_method_parse("POST", 4) == HTTP_POST);
    CHECK(http_method_parse("DELETE", 6) == HTTP_DELETE);
    CHECK(http_method_parse("get", 3) == HTTP_OTHER);
    CHECK(http_method_parse("BREW", 4) == HTTP_OTHER);
}

static bool ambiguous(const char *head)
{
    return http_head_framing_ambiguous(head, strlen(head));
}

static void framing(void)
{
    CHECK(!ambiguous("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(!ambiguous("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"));
    CHECK(!ambiguous("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
    CHECK(ambiguous("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"));
    CHECK(ambiguous("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n"));
    CHECK(ambiguous("POST / HTTP/1.1\nContent-Length: 2\nContent-Length: 3\n\n{}"));
    CHECK(ambiguous("POST / HTTP/1.1\r\nCONTENT-LENGTH: 2\r\nContent-Length:3\r\n\r\n{}"));
    /* The same length twice is one length (RFC 9110 §8.6). */
    CHECK(!ambiguous("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length:  2 \r\n\r\n{}"));
    /* Only the head counts: a body that looks like headers does not. */
    CHECK(!ambiguous("POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\nContent-Length: 1\r\n"
                     "Transfer-Encoding: chunked\r\n"));
    /* A folded line names no header; a look-alike name is another header. */
    CHECK(!ambiguous("POST / HTTP/1.1\r\nX: a\r\n Content-Length: 9\r\nContent-Length: 2\r\n\r\n"));
    CHECK(!ambiguous("POST / HTTP/1.1\r\nContent-Lengths: 9\r\nContent-Length: 2\r\n\r\n"));
}

/* The compiled-in table: paths under /console/, in order and unique, an
 * index page, a content type and a quoted ETag for every file. */
static void console_table(void)
{
    CHECK(console_nfiles >= 1);
    for (size_t i = 0; i < console_nfiles; i++) {
        const struct console_file *f = &console_files[i];

        CHECK(strncmp(f->path, "/console/", 9) == 0 && f->path[9] != '\0');
        CHECK(i == 0 || strcmp(console_files[i - 1].path, f->path) < 0);
        CHECK(f->content_type != NULL && f->content_type[0] != '\0');
        CHECK(strlen(f->etag) == 22 && f->etag[0] == '"' && f->etag[21] == '"');
        CHECK(f->bytes != NULL);
        CHECK(http_console_find(f->path, strlen(f->path)) == f);
    }
    CHECK(console_files[console_nfiles].path == NULL);
    CHECK(http_console_find("/console/", 9) != NULL);
    CHECK(http_console_find("/console/", 9) == http_console_find("/console/index.html", 19));
    CHECK_STR(http_console_find("/console/", 9)->content_type, "text/html; charset=utf-8");
    CHECK(http_console_find("/console", 8) == NULL);
    CHECK(http_console_find("/console/index.htm", 18) == NULL);
    CHECK(http_console_find("/console/index.html/", 20) == NULL);
}

/* One request through http_console_serve: its status. */
static int console_status(struct arena *a, const char *method, const char *path, const char *inm,
                          struct http_req *r)
{
    memset(r, 0, sizeof(*r));
    r->arena = a;
    r->method_str = method;
    r->method = http_method_parse(method, strlen(method));
    r->path = path;
    r->path_len = strlen(path);
    r->if_none_match = inm;
    r->status = 500;
    return http_console_serve(r) ? r->status : 0;
}

static const char *header(const struct http_req *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static void console_serve(void)
{
    struct arena a;
    struct http_req r;
    const struct console_file *index = http_console_find("/console/", 9);
    char list[128];

    arena_init(&a, 0);
    CHECK(console_status(&a, "GET", "/console/", NULL, &r) == 200);
    CHECK(r.resp_len == index->len && r.resp_body == (const char *)index->bytes);
    CHECK_STR(header(&r, "ETag"), index->etag);
    CHECK_STR(header(&r, "Cache-Control"), "no-cache");
    CHECK(strstr(header(&r, "Content-Security-Policy"), "default-src 'self'") != NULL);
    CHECK(console_status(&a, "HEAD", "/console/index.html", NULL, &r) == 200);
    /* If-None-Match: the tag, weak or in a list, or "*"; not a tag it starts. */
    CHECK(console_status(&a, "GET", "/console/", index->etag, &r) == 304 && r.resp_len == 0);
    snprintf(list, sizeof(list), "\"x\", W/%s", index->etag);
    CHECK(console_status(&a, "GET", "/console/", list, &r) == 304);
    CHECK(console_status(&a, "GET", "/console/", "*", &r) == 304);
    snprintf(list, sizeof(list), "%.21sx\"", index->etag);
    CHECK(console_status(&a, "GET", "/console/", list, &r) == 200);
    CHECK(console_status(&a, "GET", "/console/", "", &r) == 200);
    CHECK(console_status(&a, "GET", "/console", NULL, &r) == 301);
    CHECK_STR(header(&r, "Location"), "/console/");
    CHECK(console_status(&a, "GET", "/console/missing.js", NULL, &r) == 404);
    CHECK(console_status(&a, "POST", "/console/", NULL, &r) == 405);
    CHECK_STR(header(&r, "Allow"), "GET, HEAD");
    /* Not the console's: left to the dialects. */
    CHECK(console_status(&a, "GET", "/consoles", NULL, &r) == 0);
    CHECK(console_status(&a, "GET", "/admin/v1/console", NULL, &r) == 0);
    CHECK(console_status(&a, "GET", "/", NULL, &r) == 0);
    arena_release(&a);
}

const struct unit_case http_cases[] = {
    { "http/console_table", console_table },
    { "http/console_serve", console_serve },
    { "http/framing_ambiguous", framing },
    { "http/path_match", path_match },
    { "http/method_parse", method_parse },
    { NULL, NULL },
};
