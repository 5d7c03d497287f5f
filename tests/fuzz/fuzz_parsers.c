/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_parsers.c - libFuzzer target for the parsers that take
 * untrusted text on their own: page tokens and cursors, query strings and
 * path patterns, UTF-8 lengths, strict JSON with field rules, and the
 * announcement document engine, message content per msg_type,
 * multipart/form-data bodies, and a long connection's pbbp2 client frames. The first byte picks the parser.
 */
#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"
#include "events/ev_ws.h"
#include "http/http.h"
#include "http/multipart.h"
#include "svc/svc.h"
#include "json/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct field_rule rules[] = {
    { "name", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT, 12 },
    { "limit", JT_INT, F_EMPTY_ABSENT | F_RANGE, 0, 1, 1000 },
    { "list", JT_ARRAY },
    { NULL },
};

/* Every id names someone, every key is an upload of the wanted type. */
static enum err any_mention(void *arg, const char *id, struct msg_mention *out)
{
    (void)arg;
    *out = (struct msg_mention){ id[0] == 'b' ? MENTION_BOT : MENTION_USER, 1, id, NULL };
    return id[0] == 'x' ? ERR_NOT_FOUND : ERR_OK;
}

static enum err any_chat(void *arg, const char *id)
{
    (void)arg;
    return id[0] == 'x' ? ERR_NOT_FOUND : ERR_OK;
}

static enum err any_resource(void *arg, const char *kind, const char *key, struct fs_res_row *out)
{
    (void)arg;
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->sub_type = key[0] == 'o' ? "opus" : key[0] == 'm' ? "mp4" : "message";
    out->file_name = key;
    return key[0] == 'x' ? ERR_NOT_FOUND : ERR_OK;
}

static const char *const msg_types[] = { "text", "post", "image", "file", "audio", "media",
                                         "sticker", "interactive", "share_chat", "share_user",
                                         "system" };

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
    switch (data[0] % 8) {
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
    case 5: {
        /* The second byte picks the msg_type; the rest is the content. */
        static const struct msg_lookup lk = { any_mention, any_chat, any_chat, any_resource, NULL };
        struct err_info ei;
        struct msg_content mc;

        if (n < 1)
            break;
        err_info_clear(&ei);
        svc_msg_content(&a, &ei, msg_types[(unsigned char)s[0] % 11], s + 1, &lk, &mc);
        break;
    }
    case 6: {
        struct mp_part *parts;
        size_t np;

        mp_parse(&a, "multipart/form-data; boundary=XyZ", (const char *)data + 1, n, &parts, &np);
        break;
    }
    case 7: {
        struct ev_frame f;

        if (ev_frame_parse(data + 1, n, &f)) {
            if (f.type != NULL && strlen(f.type) > n)
                abort(); /* a header read out of the frame */
            ev_frame_free(&f);
        }
        break;
    }
    }
    arena_release(&a);
    return 0;
}
