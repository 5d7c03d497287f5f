/* SPDX-License-Identifier: MIT */
/* http/http_path.c - route path patterns; see http_path_match in http.h. */
#include "http/http.h"

#include "core/str.h"

#include <string.h>

bool http_path_match(const char *pattern, const char *path, size_t len, struct arena *a,
                     const char **params, int *nparams)
{
    const char *p = pattern, *s = path, *end = path + len;

    *nparams = 0;
    while (*p != '\0' && s < end) {
        if (*p == ':') {
            const char *pe = strchr(p, '/');
            const char *se = memchr(s, '/', (size_t)(end - s));
            char *val;

            if (pe == NULL)
                pe = p + strlen(p);
            if (se == NULL)
                se = end;
            if (se == s || *nparams >= HTTP_MAX_PARAMS)
                return false;
            val = str_url_decode(a, s, (size_t)(se - s));
            params[(*nparams)++] = val;
            p = pe;
            s = se;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && s == end;
}
