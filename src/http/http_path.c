/* SPDX-License-Identifier: MIT */
/* http/http_path.c - route path patterns; see http_path_match in http.h. */
#include "http/http.h"

#include "core/str.h"

#include <string.h>

bool http_path_match(const char *pattern, const char *path, size_t len, struct arena *a,
                     const char **params, int *nparams)
{
    const char *p = pattern, *s = path, *end = path + len;
    const char *seg[HTTP_MAX_PARAMS];
    size_t seg_len[HTTP_MAX_PARAMS];
    int n = 0;

    *nparams = 0;
    while (*p != '\0' && s < end) {
        if (*p == ':') {
            const char *pe = strchr(p, '/');
            const char *se = memchr(s, '/', (size_t)(end - s));

            if (pe == NULL)
                pe = p + strlen(p);
            if (se == NULL)
                se = end;
            if (se == s || n >= HTTP_MAX_PARAMS)
                return false;
            seg[n] = s;
            seg_len[n++] = (size_t)(se - s);
            p = pe;
            s = se;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    if (*p != '\0' || s != end)
        return false;
    /* Decoded only for the pattern that matched: a router tries many. */
    for (int i = 0; i < n; i++)
        params[i] = str_url_decode(a, seg[i], seg_len[i]);
    *nparams = n;
    return true;
}
