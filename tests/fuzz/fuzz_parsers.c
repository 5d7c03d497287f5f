/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_parsers.c - libFuzzer target for the parsers that take
 * untrusted text on their own: page tokens and cursors, query strings and
 * path patterns, UTF-8 lengths, strict JSON with field rules, and the
 * announcement document engine. The first byte picks the parser.
 */
#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"
#include "http/http.h"
#include "json/json.h"
#include "svc/svc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct field_rule rules[] = {
    { "name", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT, 12 },
    { "limit", JT_INT, F_EMPTY_ABSENT | F_RANGE, 0, 1, 1000 },
    { "list", JT_ARRAY },
    { NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    const char *s;
    size_t n;

    if (size < 1 || size > 1 << 16)
        return 0;
    arena_init(&a, 4096);
    s = arena_strndup(&a, (const char *)data + 1, size - 1);
    n = size - 1;
    switch (data[0] % 5) {
    case 0: {
        int64_t pos;

        if (cursor_decode(s, (uint8_t)'G', 7, &pos) && strcmp(cursor_encode(&a, 'G', 7, pos), s) != 0)
            abort(); /* one spelling per position */
        break;
    }
    case 1: {
        const char *params[HTTP_MAX_PARAMS];
        int np;

        str_query_get(&a, s, strlen(s), "access_token");
        str_query_get(&a, s, strlen(s), "page_token");
        http_path_match("/open-apis/im/v1/chats/:chat_id/members/:x", s, strlen(s), &a, params,
                        &np);
        break;
    }
    case 2:
        str_utf8_len((const char *)data + 1, n);
        break;
    case 3: {
        struct err_info ei;
        json_t *v = NULL;

        err_info_clear(&ei);
        if (json_parse_object((const char *)data + 1, n, 20000, &v, &ei) == ERR_OK)
            json_check(v, rules, &ei);
        json_decref(v);
        break;
    }
    case 4: {
        json_t *doc = svc_doc_new(), *req = json_loadb((const char *)data + 1, n, 0, NULL);

        if (req != NULL)
            svc_doc_apply(doc, req);
        json_decref(req);
        json_decref(doc);
        break;
    }
    }
    arena_release(&a);
    return 0;
}
