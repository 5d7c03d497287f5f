/* SPDX-License-Identifier: MIT */
/* tests/unit/test_http.c - route path patterns and methods. */
#include "unit.h"

#include "core/arena.h"
#include "http/http.h"

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

const struct unit_case http_cases[] = {
    { "http/framing_ambiguous", framing },
    { "http/path_match", path_match },
    { "http/method_parse", method_parse },
    { NULL, NULL },
};
