/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_content.c - a message's content per msg_type: checked on the
 * way in ("Message content description") and turned into what readers get
 * back ("Get the content of a specified message"): <at> tags become
 * @_user_N keys in order of appearance, style tags go, a post loses its
 * locale wrapper, a card is simplified. Mentions are resolved through the
 * caller's lookup, so this file touches no store.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/str.h"
#include "json/json.h"

#include <stdlib.h>
#include <string.h>

#define TEXT_MAX_BYTES (150 * 1024)
#define RICH_MAX_BYTES (30 * 1024)
#define MAX_MENTIONS 256

struct build {
    struct arena *a;
    struct err_info *ei;
    const struct msg_lookup *lk;
    struct msg_mention *m;
    size_t n;
};

static enum err bad(struct build *b, const char *what)
{
    return err_set(b->ei, ERR_BAD_REQUEST, SUBJ_CONTENT, "%s", what);
}

/* Resolves one mention target and gives it the next key; ERR_NOT_FOUND
 * when it names nobody (the caller keeps its text instead). */
static enum err mention(struct build *b, const char *id, const char **key)
{
    struct msg_mention m = { 0 };
    enum err e;

    if (strcmp(id, "all") == 0) {
        m.kind = MENTION_ALL;
        m.name = "所有人";
    } else {
        e = b->lk->mention(b->lk->arg, id, &m);
        if (e != ERR_OK)
            return e;
    }
    if (b->n >= MAX_MENTIONS)
        return bad(b, "too many mentions");
    if (m.kind == MENTION_ALL) {
        m.key = "@_all";
    } else {
        size_t users = 0;

        for (size_t i = 0; i < b->n; i++)
            users += b->m[i].kind != MENTION_ALL;
        m.key = arena_printf(b->a, "@_user_%zu", users + 1);
    }
    b->m[b->n++] = m;
    *key = m.key;
    return ERR_OK;
}

static enum err key_check(struct build *b, const char *kind, const char *key,
                          const char *sub_type, struct fs_res_row *out);

/* --- text --- */

struct style_tag {
    size_t at, len;
    int name; /* 'b', 'i', 'u', 's' */
    bool close, matched;
};

/* Style tags <b> <i> <u> <s> and their closers, balanced pairs marked. */
static size_t style_tags(struct arena *a, const char *t, struct style_tag **out)
{
    size_t cap = 0, n = 0;
    struct style_tag *tags;

    for (const char *p = t; (p = strchr(p, '<')) != NULL; p++)
        cap++;
    tags = arena_alloc(a, (cap + 1) * sizeof(*tags));
    for (const char *p = t; (p = strchr(p, '<')) != NULL; p++) {
        bool close = p[1] == '/';
        const char *q = p + 1 + close;

        if (strchr("bius", *q) != NULL && *q != '\0' && q[1] == '>')
            tags[n++] = (struct style_tag){ (size_t)(p - t), (size_t)(q + 2 - p), *q, close, false };
    }
    /* A closer matches the nearest open tag of its name with nothing
     * unmatched of another name left open in between. */
    for (size_t i = 0; i < n; i++) {
        if (!tags[i].close)
            continue;
        for (size_t j = i; j-- > 0;) {
            if (tags[j].close || tags[j].matched)
                continue;
            if (tags[j].name == tags[i].name) {
                tags[i].matched = tags[j].matched = true;
            }
            break;
        }
    }
    *out = tags;
    return n;
}

/* The value of attribute 'name' in an <at ...> tag spanning [p, end). */
static const char *at_attr(struct arena *a, const char *p, const char *end, const char *name)
{
    size_t nl = strlen(name);

    for (const char *q = p; q + nl < end; q++) {
        if (strncmp(q, name, nl) != 0 || q[nl] != '=' || (q > p && q[-1] != ' '))
            continue;
        q += nl + 1;
        if (*q == '"' || *q == '\'') {
            const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));

            return close ? arena_strndup(a, q + 1, (size_t)(close - q - 1)) : NULL;
        }
        {
            const char *stop = q;

            while (stop < end && *stop != ' ' && *stop != '>')
                stop++;
            return arena_strndup(a, q, (size_t)(stop - q));
        }
    }
    return NULL;
}

/* Appends 'n' bytes to the growing buffer. */
struct sbuf {
    struct arena *a;
    char *s;
    size_t len, cap;
};

static void sb_put(struct sbuf *sb, const char *p, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = (sb->len + n + 1) * 2;
        char *s = arena_alloc(sb->a, cap);

        if (sb->len > 0)
            memcpy(s, sb->s, sb->len);
        sb->s = s;
        sb->cap = cap;
    }
    memcpy(sb->s + sb->len, p, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

/* Text as read back: balanced style tags dropped, <at> tags replaced by
 * their keys (an id that names nobody leaves "@name"). */
static enum err text_read(struct build *b, const char *t, const char **out)
{
    struct style_tag *tags;
    size_t ntags = style_tags(b->a, t, &tags), k = 0;
    struct sbuf sb = { b->a, NULL, 0, 0 };
    const char *p = t;

    sb_put(&sb, "", 0);
    while (*p != '\0') {
        size_t at = (size_t)(p - t);

        while (k < ntags && tags[k].at < at)
            k++;
        if (k < ntags && tags[k].at == at && tags[k].matched) {
            p += tags[k].len;
            continue;
        }
        if (strncmp(p, "<at ", 4) == 0) {
            const char *gt = strchr(p, '>');
            const char *end = gt ? strstr(gt, "</at>") : NULL;

            if (end != NULL) {
                const char *id = at_attr(b->a, p + 4, gt, "user_id");
                const char *key = NULL;
                enum err e = id ? mention(b, id, &key) : ERR_NOT_FOUND;

                if (e != ERR_OK && e != ERR_NOT_FOUND)
                    return e;
                if (e == ERR_OK) {
                    sb_put(&sb, key, strlen(key));
                } else {
                    sb_put(&sb, "@", 1);
                    sb_put(&sb, gt + 1, (size_t)(end - gt - 1));
                }
                p = end + 5;
                continue;
            }
        }
        sb_put(&sb, p, 1);
        p++;
    }
    *out = sb.s;
    return ERR_OK;
}

static enum err content_text(struct build *b, json_t *c, json_t **read)
{
    const char *t = json_str(c, "text");
    const char *r;
    enum err e;

    if (t == NULL || json_object_size(c) < 1)
        return bad(b, "content format of the text type is incorrect");
    e = text_read(b, t, &r);
    if (e == ERR_OK)
        *read = json_pack("{s:s}", "text", r);
    return e;
}

/* --- post --- */

static json_t *styles(json_t *node)
{
    static const char *const ok[] = { "bold", "underline", "lineThrough", "italic" };
    json_t *in = json_object_get(node, "style"), *out = json_array(), *v;
    size_t i;

    json_array_foreach(in, i, v) {
        for (size_t k = 0; k < 4; k++)
            if (json_is_string(v) && strcmp(json_string_value(v), ok[k]) == 0)
                json_array_append_new(out, json_string(ok[k]));
    }
    return out;
}

static bool has_str(json_t *node, const char *key)
{
    const char *s = json_str(node, key);

    return s != NULL && *s != '\0';
}

/* One node of a paragraph, checked, as read back (NULL: dropped). */
static enum err post_node(struct build *b, json_t *node, json_t **out)
{
    const char *tag = json_str(node, "tag");

    *out = NULL;
    if (!json_is_object(node) || tag == NULL)
        return bad(b, "message_content has wrong tag");
    if (strcmp(tag, "text") == 0 || strcmp(tag, "md") == 0) {
        if (!json_is_string(json_object_get(node, "text")))
            return bad(b, arena_printf(b->a, "message_content_%s_tag's text field can't be nil",
                                       tag));
        *out = json_pack("{s:s,s:s,s:o}", "tag", "text", "text", json_str(node, "text"), "style",
                         styles(node));
    } else if (strcmp(tag, "a") == 0) {
        if (!has_str(node, "href"))
            return bad(b, "message_content_a_tag's href field can't be nil");
        *out = json_pack("{s:s,s:s,s:s,s:o}", "tag", "a", "href", json_str(node, "href"), "text",
                         json_str(node, "text") ? json_str(node, "text") : "", "style",
                         styles(node));
    } else if (strcmp(tag, "at") == 0) {
        const char *id = json_str(node, "user_id"), *key = NULL;
        enum err e;

        if (id == NULL || *id == '\0')
            return bad(b, "message_content_at_tag's user_id field can't be nil");
        e = mention(b, id, &key);
        if (e == ERR_NOT_FOUND) {
            const char *name = json_str(node, "user_name");

            *out = json_pack("{s:s,s:s,s:o}", "tag", "text", "text",
                             arena_printf(b->a, "@%s", name ? name : id), "style", styles(node));
            return ERR_OK;
        }
        if (e != ERR_OK)
            return e;
        /* The name is in mentions[]; the node keeps only the key ("Message
         * content" read side: user_name empty). */
        *out = json_pack("{s:s,s:s,s:s,s:o}", "tag", "at", "user_id", key, "user_name", "",
                         "style", styles(node));
    } else if (strcmp(tag, "img") == 0) {
        struct fs_res_row r;
        enum err e;

        if (!has_str(node, "image_key"))
            return bad(b, "message_content_img_tag's image_key field can't be nil");
        e = key_check(b, "image", json_str(node, "image_key"), "message", &r);
        if (e != ERR_OK)
            return e;
        *out = json_pack("{s:s,s:s}", "tag", "img", "image_key", json_str(node, "image_key"));
    } else if (strcmp(tag, "media") == 0) {
        struct fs_res_row r;
        enum err e;

        if (!has_str(node, "file_key"))
            return bad(b, "message_content_media_tag's file_key field can't be nil");
        e = key_check(b, "file", json_str(node, "file_key"), "mp4", &r);
        if (e != ERR_OK)
            return e;
        *out = json_pack("{s:s,s:s,s:s}", "tag", "media", "file_key", json_str(node, "file_key"),
                         "image_key",
                         json_str(node, "image_key") ? json_str(node, "image_key") : "");
    } else if (strcmp(tag, "emotion") == 0) {
        if (!has_str(node, "emoji_type"))
            return bad(b, "message_content_emotion_tag's emoji_type is invalid");
        *out = json_pack("{s:s,s:s}", "tag", "emotion", "emoji_type",
                         json_str(node, "emoji_type"));
    } else if (strcmp(tag, "hr") == 0) {
        *out = json_pack("{s:s}", "tag", "hr");
    } else if (strcmp(tag, "code_block") == 0) {
        if (!json_is_string(json_object_get(node, "text")))
            return bad(b, "message_content_code_block_tag's text field can't be nil");
        *out = json_pack("{s:s,s:s,s:s}", "tag", "code_block", "language",
                         json_str(node, "language") ? json_str(node, "language") : "", "text",
                         json_str(node, "text"));
    } else {
        return bad(b, "message_content has wrong tag");
    }
    return ERR_OK;
}

static bool locale_key(const char *k)
{
    return strlen(k) == 5 && k[2] == '_' && k[0] >= 'a' && k[0] <= 'z' && k[1] >= 'a'
           && k[1] <= 'z' && k[3] >= 'a' && k[3] <= 'z' && k[4] >= 'a' && k[4] <= 'z';
}

/* Checks one locale; with 'read' (the locale readers get) builds it too. */
static enum err post_locale(struct build *b, json_t *loc, json_t **read)
{
    json_t *content = json_object_get(loc, "content"), *para, *title = json_object_get(loc, "title");
    json_t *paras;
    size_t i, j;
    enum err e = ERR_OK;

    if (!json_is_object(loc) || !json_is_array(content) || (title && !json_is_string(title)))
        return bad(b, "content format of the post type is incorrect");
    paras = read ? json_array() : NULL;
    json_array_foreach(content, i, para) {
        json_t *nodes = read ? json_array() : NULL, *node;

        if (!json_is_array(para))
            e = bad(b, "content format of the post type is incorrect");
        json_array_foreach(para, j, node) {
            json_t *r = NULL;

            if (e != ERR_OK)
                break;
            if (read) {
                e = post_node(b, node, &r);
            } else if (json_str(node, "tag") && strcmp(json_str(node, "tag"), "at") == 0) {
                /* Other locales are checked, not resolved: no mention keys. */
                if (!has_str(node, "user_id"))
                    e = bad(b, "message_content_at_tag's user_id field can't be nil");
            } else {
                e = post_node(b, node, &r);
                json_decref(r);
                r = NULL;
            }
            if (r != NULL)
                json_array_append_new(nodes, r);
        }
        if (read)
            json_array_append_new(paras, nodes);
        if (e != ERR_OK)
            break;
    }
    if (e == ERR_OK && read)
        *read = json_pack("{s:s,s:O}", "title", title ? json_string_value(title) : "", "content",
                          paras);
    json_decref(paras);
    return e;
}

static enum err content_post(struct build *b, json_t *c, json_t **read)
{
    static const char *const prefer[] = { "zh_cn", "en_us" };
    json_t *post = json_object_get(c, "post"), *loc;
    const char *key, *pick = NULL;
    enum err e;

    if (json_is_object(post) && json_object_size(c) == 1)
        c = post; /* {"post": {locale: ...}} */
    if (json_object_size(c) == 0)
        return bad(b, "content format of the post type is incorrect");
    json_object_foreach(c, key, loc) {
        if (!locale_key(key))
            return bad(b, "content format of the post type is incorrect");
        if (pick == NULL)
            pick = key;
    }
    for (size_t i = 0; i < 2; i++) {
        if (json_object_get(c, prefer[i]) != NULL) {
            pick = prefer[i];
            break;
        }
    }
    json_object_foreach(c, key, loc) {
        if (strcmp(key, pick) == 0)
            continue;
        e = post_locale(b, loc, NULL);
        if (e != ERR_OK)
            return e;
    }
    return post_locale(b, json_object_get(c, pick), read);
}

/* --- cards --- */

static enum err card_bad(struct build *b, const char *what)
{
    return err_set(b->ei, ERR_BAD_REQUEST, SUBJ_CARD,
                   "ErrCode: 200621; ErrMsg: %s; ErrorValue: ", what);
}

static const char *text_of(json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : json_str(v, "content");

    return s ? s : "";
}

/* One card element as a paragraph of the simplified card (NULL: none). */
static json_t *card_paragraph(json_t *el)
{
    const char *tag = json_str(el, "tag");
    json_t *para, *v;
    size_t i;

    if (tag == NULL)
        return NULL;
    if (strcmp(tag, "div") == 0 || strcmp(tag, "markdown") == 0 || strcmp(tag, "plain_text") == 0)
        return json_pack("[{s:s,s:s}]", "tag", "text", "text",
                         text_of(strcmp(tag, "div") == 0 ? json_object_get(el, "text") : el));
    if (strcmp(tag, "hr") == 0)
        return json_pack("[{s:s}]", "tag", "hr");
    if (strcmp(tag, "img") == 0)
        return json_pack("[{s:s,s:s}]", "tag", "img", "image_key",
                         json_str(el, "img_key") ? json_str(el, "img_key") : "");
    if (strcmp(tag, "note") == 0) {
        json_t *texts = json_array();

        json_array_foreach(json_object_get(el, "elements"), i, v)
            json_array_append_new(texts, json_pack("{s:s,s:s}", "tag", "text", "text", text_of(v)));
        return json_pack("[{s:s,s:o}]", "tag", "note", "elements", texts);
    }
    if (strcmp(tag, "button") == 0)
        return json_pack("[{s:s,s:s}]", "tag", "button", "text",
                         text_of(json_object_get(el, "text")));
    if (strcmp(tag, "action") != 0)
        return NULL;
    para = json_array();
    json_array_foreach(json_object_get(el, "actions"), i, v) {
        const char *t = json_str(v, "tag");

        if (t == NULL)
            continue;
        if (strcmp(t, "button") == 0)
            json_array_append_new(para, json_pack("{s:s,s:s}", "tag", "button", "text",
                                                  text_of(json_object_get(v, "text"))));
        else if (strcmp(t, "select_static") == 0 || strcmp(t, "overflow") == 0
                 || strcmp(t, "date_picker") == 0)
            json_array_append_new(para, json_pack("{s:s}", "tag", t));
    }
    return para;
}

static enum err content_card(struct build *b, json_t *c, json_t **read)
{
    const char *type = json_str(c, "type"), *schema = json_str(c, "schema");
    json_t *elements, *paras, *el, *header;
    size_t i;

    if (type != NULL && (strcmp(type, "template") == 0 || strcmp(type, "card") == 0)) {
        json_t *data = json_object_get(c, "data");
        const char *need = strcmp(type, "template") == 0 ? "template_id" : "card_id";

        if (!json_is_object(data) || !has_str(data, need))
            return card_bad(b, arena_printf(b->a, "%s is required", need));
        *read = json_pack("{s:s,s:[]}", "title", "", "elements");
        return ERR_OK;
    }
    if (schema != NULL && strcmp(schema, "2.0") != 0)
        return card_bad(b, "unsupported card schema");
    elements = schema ? json_object_get(json_object_get(c, "body"), "elements")
                      : json_object_get(c, "elements");
    if (elements == NULL && schema == NULL && json_is_object(json_object_get(c, "i18n_elements"))) {
        const char *k;
        json_t *v;

        json_object_foreach(json_object_get(c, "i18n_elements"), k, v) {
            elements = v;
            break;
        }
    }
    if (elements != NULL && !json_is_array(elements))
        return card_bad(b, "elements must be an array");
    if (elements == NULL && (schema == NULL || !json_is_object(json_object_get(c, "body"))))
        return card_bad(b, "the card has no elements");
    paras = json_array();
    json_array_foreach(elements, i, el) {
        json_t *p;

        if (!json_is_object(el) || json_str(el, "tag") == NULL) {
            json_decref(paras);
            return card_bad(b, "an element has no tag");
        }
        p = card_paragraph(el);
        if (p != NULL)
            json_array_append_new(paras, p);
    }
    header = json_object_get(c, "header");
    *read = json_pack("{s:s,s:o}", "title", text_of(json_object_get(header, "title")),
                      "elements", paras);
    return ERR_OK;
}

/* --- the rest --- */

/* An uploaded key a message names: the sender's, of the right type
 * ('sub_type' NULL: any; "message" for images). */
static enum err key_check(struct build *b, const char *kind, const char *key,
                          const char *sub_type, struct fs_res_row *out)
{
    enum err e = b->lk->resource(b->lk->arg, kind, key, out);

    if (e == ERR_NOT_FOUND)
        return bad(b, arena_printf(b->a, "invalid %s_key", kind));
    if (e == ERR_OK && sub_type != NULL && strcmp(out->sub_type, sub_type) != 0)
        return err_set(b->ei, ERR_CONFLICT, SUBJ_RESOURCE, "uploaded as %s", out->sub_type);
    return e;
}

static enum err content_keys(struct build *b, const char *type, json_t *c, json_t **read)
{
    static const char *const need[][2] = { { "file", NULL }, { "audio", "opus" },
                                           { "media", "mp4" } };
    const char *file = json_str(c, "file_key"), *image = json_str(c, "image_key");
    const char *what = arena_printf(b->a, "content format of the %s type is incorrect", type);
    struct fs_res_row r = { 0 }, img;
    enum err e = ERR_OK;

    if (strcmp(type, "image") == 0) {
        if (image == NULL || *image == '\0')
            return bad(b, what);
        e = key_check(b, "image", image, "message", &img);
        if (e == ERR_OK)
            *read = json_pack("{s:s}", "image_key", image);
        return e;
    }
    if (file == NULL || *file == '\0')
        return bad(b, what);
    if (strcmp(type, "sticker") == 0) {
        /* Stickers come from messages the bot received, not from uploads. */
        *read = json_pack("{s:s}", "file_key", file);
        return ERR_OK;
    }
    for (size_t i = 0; i < 3 && e == ERR_OK; i++)
        if (strcmp(type, need[i][0]) == 0)
            e = key_check(b, "file", file, need[i][1], &r);
    if (e == ERR_OK && strcmp(type, "media") == 0 && image != NULL && *image != '\0')
        e = key_check(b, "image", image, "message", &img);
    if (e != ERR_OK)
        return e;
    if (strcmp(type, "file") == 0)
        *read = json_pack("{s:s,s:s}", "file_key", file, "file_name", r.file_name);
    else if (strcmp(type, "audio") == 0)
        *read = json_pack("{s:s,s:I}", "file_key", file, "duration", (json_int_t)r.duration);
    else
        *read = json_pack("{s:s,s:s,s:s,s:I}", "file_key", file, "image_key", image ? image : "",
                          "file_name", r.file_name, "duration", (json_int_t)r.duration);
    return ERR_OK;
}

static enum err content_share(struct build *b, const char *type, json_t *c, json_t **read)
{
    bool chat = strcmp(type, "share_chat") == 0;
    const char *key = chat ? "chat_id" : "user_id", *id = json_str(c, key);
    enum err e;

    if (id == NULL || *id == '\0')
        return bad(b, arena_printf(b->a, "content format of the %s type is incorrect", type));
    e = chat ? b->lk->share_chat(b->lk->arg, id) : b->lk->share_user(b->lk->arg, id);
    if (e == ERR_NOT_FOUND)
        return bad(b, arena_printf(b->a, "invalid %s", key));
    if (e == ERR_OK)
        *read = json_pack("{s:s}", key, id);
    return e;
}

/* Characters counted as the divider's limit counts them: CJK (3-byte and
 * longer UTF-8) as two. */
static long divider_width(const char *s)
{
    long w = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        w += *p >= 0xE0 ? 2 : 1;
    }
    return w;
}

static enum err content_system(struct build *b, json_t *c, json_t **read)
{
    static const char *const langs[] = { "zh_CN", "en_US", "zh_HK", "zh_TW", "ja_JP", "id_ID",
                                         "vi_VN", "th_TH", "pt_BR", "es_ES", "ko_KR", "de_DE",
                                         "fr_FR", "it_IT", "ru_RU", "ms_MY" };
    json_t *dt = json_object_get(json_object_get(c, "params"), "divider_text");
    json_t *i18n = json_object_get(dt, "i18n_text"), *out = json_object(), *v;
    const char *type = json_str(c, "type"), *text = json_str(dt, "text"), *k;

    if (type == NULL || strcmp(type, "divider") != 0 || !json_is_object(dt)
        || (text == NULL && !json_is_object(i18n)) || (i18n && !json_is_object(i18n))) {
        json_decref(out);
        return bad(b, "content format of the system type is incorrect");
    }
    if (text != NULL && divider_width(text) > 20) {
        json_decref(out);
        return bad(b, "divider_text is too long");
    }
    json_object_foreach(i18n, k, v) {
        size_t i = 0;
        char lower[8];

        while (i < 16 && strcmp(k, langs[i]) != 0)
            i++;
        if (i == 16 || !json_is_string(v) || divider_width(json_string_value(v)) > 20) {
            json_decref(out);
            return bad(b, "content format of the system type is incorrect");
        }
        for (i = 0; i < 5; i++)
            lower[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
        lower[5] = '\0';
        json_object_set(out, lower, v);
    }
    *read = json_pack("{s:s,s:[],s:[],s:{s:s,s:o}}", "template", "{divider_text}", "from_user",
                      "to_chatters", "divider_text", "text", text ? text : "", "i18n_text", out);
    return ERR_OK;
}

static const char *const send_types[] = { "text",        "post",       "image",      "file",
                                          "audio",       "media",      "sticker",    "interactive",
                                          "share_chat",  "share_user", "system",     NULL };

bool svc_msg_type_known(const char *msg_type)
{
    for (size_t i = 0; msg_type != NULL && send_types[i] != NULL; i++)
        if (strcmp(msg_type, send_types[i]) == 0)
            return true;
    return false;
}

enum err svc_msg_content(struct arena *a, struct err_info *ei, const char *msg_type,
                         const char *content, const struct msg_lookup *lk, struct msg_content *out)
{
    struct build b = { a, ei, lk, NULL, 0 };
    size_t len = content ? strlen(content) : 0;
    json_error_t jerr;
    json_t *c, *read = NULL;
    enum err e;

    memset(out, 0, sizeof(*out));
    if (!svc_msg_type_known(msg_type))
        return err_set(ei, ERR_BAD_REQUEST, SUBJ_CONTENT, "invalid msg_type");
    if (len > (strcmp(msg_type, "text") == 0 ? TEXT_MAX_BYTES : RICH_MAX_BYTES)
        && (strcmp(msg_type, "text") == 0 || strcmp(msg_type, "post") == 0
            || strcmp(msg_type, "interactive") == 0))
        return err_set(ei, ERR_LIMIT, SUBJ_CONTENT, "content too long");
    if (len > TEXT_MAX_BYTES)
        return err_set(ei, ERR_LIMIT, SUBJ_CONTENT, "content too long");
    c = content ? json_loads(content, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!json_is_object(c)) {
        json_decref(c);
        return err_set(ei, ERR_BAD_REQUEST, SUBJ_CONTENT, "content is not a string in json format");
    }
    b.m = arena_alloc(a, MAX_MENTIONS * sizeof(*b.m));
    if (strcmp(msg_type, "text") == 0)
        e = content_text(&b, c, &read);
    else if (strcmp(msg_type, "post") == 0)
        e = content_post(&b, c, &read);
    else if (strcmp(msg_type, "interactive") == 0)
        e = content_card(&b, c, &read);
    else if (strncmp(msg_type, "share_", 6) == 0)
        e = content_share(&b, msg_type, c, &read);
    else if (strcmp(msg_type, "system") == 0)
        e = content_system(&b, c, &read);
    else
        e = content_keys(&b, msg_type, c, &read);
    if (e == ERR_OK) {
        size_t n;

        out->sent = json_dump_arena(a, c, &n);
        out->body = json_dump_arena(a, read, &n);
        out->mentions = b.m;
        out->nmentions = b.n;
    }
    json_decref(read);
    json_decref(c);
    return e;
}
