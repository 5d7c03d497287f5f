/* SPDX-License-Identifier: MIT */
/*
 * http/http_frame.c - request framing that RFC 9112 calls ambiguous; see
 * http_head_framing_ambiguous in http.h.
 *
 * libh2o 2.2.5 keeps Content-Length and Transfer-Encoding out of the header
 * list a handler sees (it frames the body itself: Transfer-Encoding wins,
 * else the first Content-Length), so the adapter reads them from the
 * request head still at the start of the connection's input buffer.
 */
#include "http/http.h"

#include <string.h>
#include <strings.h>

static bool name_is(const char *s, size_t n, const char *name)
{
    return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

/* The value without the optional whitespace around it. */
static void trim_ows(const char **v, size_t *n)
{
    while (*n > 0 && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*n)--;
    }
    while (*n > 0 && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

bool http_head_framing_ambiguous(const char *head, size_t len)
{
    const char *p = head, *end = head + len, *cl = NULL;
    size_t cl_len = 0;
    bool te = false, first = true;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *colon, *v;
        size_t n, vn;

        if (eol == NULL)
            break; /* an incomplete head: h2o would not have handed it over */
        n = (size_t)(eol - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n == 0)
            break; /* the empty line: end of the head */
        colon = memchr(p, ':', n);
        /* The request line, and continuation lines (obsolete folding),
         * name no header. */
        if (!first && colon != NULL && p[0] != ' ' && p[0] != '\t') {
            v = colon + 1;
            vn = n - (size_t)(v - p);
            trim_ows(&v, &vn);
            if (name_is(p, (size_t)(colon - p), "transfer-encoding")) {
                te = true;
            } else if (name_is(p, (size_t)(colon - p), "content-length")) {
                if (cl != NULL && (vn != cl_len || memcmp(v, cl, vn) != 0))
                    return true;
                cl = v;
                cl_len = vn;
            }
        }
        first = false;
        p = eol + 1;
    }
    return te && cl != NULL;
}
