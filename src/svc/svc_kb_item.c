/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_kb_item.c - knowledge items inside knowledge-base categories,
 * independent of any API dialect: WeCom's Q&A intents in their groups and
 * Udesk's questions, useful expressions and useful links in their typed
 * catalogs are one model (struct kb_item) under a struct kb_item_policy per
 * kind of item: which fields it has and their limits, a quota per category,
 * unique titles, attachments and the media they name, validity windows, and
 * owners (from the categories' policy) who alone may see and change theirs.
 * Request shapes live in dialect/, SQL in store/.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"
#include "json/json.h"

#include <string.h>

#define MEDIA_TTL (3 * 24 * 3600) /* temporary media live three days */
#define MINIPROGRAM_TITLE_BYTES 64

const struct kb_item_policy svc_kb_wecom_intent = {
    .cats = &svc_kb_wecom,
    .type = "",
    .max_per_category = 200,  /* "每个分组最多200个问答" */
    .max_title_chars = 200,   /* question.text.content */
    .max_content_chars = 500, /* answers[].text.content */
    .max_similar = 100,
    .max_similar_chars = 200,
    .max_attachments = 4,
    .title_required = true,
    .content_required = true,
    .unique_titles = true, /* "不同分组的问题不能重复" */
    .category_required = true,
};

/* Udesk states no limits for items (unconfirmed, docs/compat.md): names as
 * catalog names, bodies and URLs bounded generously. */
#define UD_TITLE 255
#define UD_CONTENT 20000
#define UD_URL 2048

const struct kb_item_policy svc_kb_udesk_question = {
    .cats = &svc_kb_udesk,
    .type = "question",
    .max_title_chars = UD_TITLE,
    .max_content_chars = UD_CONTENT,
    .title_required = true,
    .content_required = true,
    .validity = true,
};

const struct kb_item_policy svc_kb_udesk_expression = {
    .cats = &svc_kb_udesk,
    .type = "useful_expression",
    .max_content_chars = UD_CONTENT,
    .content_required = true,
};

const struct kb_item_policy svc_kb_udesk_link = {
    .cats = &svc_kb_udesk,
    .type = "useful_link",
    .max_title_chars = UD_TITLE,
    .max_url_chars = UD_URL,
    .title_required = true,
    .url_required = true,
};

/* A text field: present when required, within 'max' characters. */
static enum err check_text(struct svc_ctx *c, const char *field, const char *v, bool required,
                           long max)
{
    long chars = v ? str_utf8_len(v, strlen(v)) : 0;

    if (chars < 0)
        return err_field(c->ei, ERR_BAD_REQUEST, field, "%s", field);
    if (chars == 0 && required)
        return err_field(c->ei, ERR_MISSING, field, "%s", field);
    if (max > 0 && chars > max)
        return err_field(c->ei, ERR_BAD_REQUEST, field, "content too long");
    return ERR_OK;
}

static bool is_http_url(const char *u)
{
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/* The media 'id' of 'type', live, of this tenant: its file name. */
static enum err media_name(struct svc_ctx *c, const char *id, const char *type,
                           const char **name)
{
    struct wc_media_row m;
    enum err e;

    if (id == NULL || *id == '\0')
        return err_field(c->ei, ERR_MISSING, "media_id", "media_id");
    e = store_wc_media_get(c->st, c->a, c->tenant, id, &m);
    if (e == ERR_OK && (m.expires_at <= c->now || strcmp(m.type, type) != 0))
        e = ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_MEDIA, "invalid media_id");
    *name = m.name;
    return e;
}

/* A mini program's appid: "wx" and 16 hex digits. */
static bool appid_ok(const char *id)
{
    if (strlen(id) != 18 || strncmp(id, "wx", 2) != 0)
        return false;
    for (size_t i = 2; i < 18; i++)
        if (!strchr("0123456789abcdefABCDEF", id[i]))
            return false;
    return true;
}

/* Cuts 's' to at most 'max' bytes on a character boundary ("truncated"). */
static const char *cut_bytes(struct arena *a, const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return s;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return arena_strndup(a, s, n);
}

/* Checks one attachment and turns it into its read form. */
static enum err check_attachment(struct svc_ctx *c, struct kb_attachment *t)
{
    const char *m = t->msgtype ? t->msgtype : "";
    enum err e = ERR_OK;

    if (strcmp(m, "image") == 0 || strcmp(m, "video") == 0)
        return media_name(c, t->media_id, m, &t->name);
    if (strcmp(m, "link") == 0) {
        e = check_text(c, "title", t->title, true, 0);
        if (e == ERR_OK)
            e = check_text(c, "url", t->url, true, 0);
        return e;
    }
    if (strcmp(m, "miniprogram") != 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MSGTYPE, "invalid msgtype");
    e = check_text(c, "appid", t->appid, true, 0);
    if (e == ERR_OK)
        e = check_text(c, "pagepath", t->pagepath, true, 0);
    if (e == ERR_OK && !appid_ok(t->appid))
        return err_field(c->ei, ERR_BAD_REQUEST, "appid", "invalid appid");
    if (e == ERR_OK)
        e = media_name(c, t->media_id, "image", &t->name);
    t->title = cut_bytes(c->a, t->title ? t->title : "", MINIPROGRAM_TITLE_BYTES);
    return e;
}

/* Checks the parts of 'it' that are given against the policy. */
static enum err check_item(struct svc_ctx *c, const struct kb_item_policy *p, struct kb_item *it)
{
    struct kb_item_row *r = &it->row;
    enum err e = ERR_OK;

    if (it->has_title)
        e = check_text(c, "title", r->title, p->title_required, p->max_title_chars);
    if (e == ERR_OK && it->has_content)
        e = check_text(c, "content", r->content, p->content_required, p->max_content_chars);
    if (e == ERR_OK && it->has_url)
        e = check_text(c, "url", r->url, p->url_required, p->max_url_chars);
    if (e == ERR_OK && it->has_url && p->url_required && !is_http_url(r->url))
        return err_field(c->ei, ERR_BAD_REQUEST, "url", "url");
    if (e == ERR_OK && it->has_similar && it->nsimilar > p->max_similar)
        return err_field(c->ei, ERR_BAD_REQUEST, "similar_questions", "too many items");
    for (size_t i = 0; e == ERR_OK && it->has_similar && i < it->nsimilar; i++)
        e = check_text(c, "similar_questions", it->similar[i], true, p->max_similar_chars);
    if (e == ERR_OK && it->has_answer && it->natt > p->max_attachments)
        return err_field(c->ei, ERR_BAD_REQUEST, "attachments", "too many items");
    for (size_t i = 0; e == ERR_OK && it->has_answer && i < it->natt; i++)
        e = check_attachment(c, &it->att[i]);
    if (e == ERR_OK && it->has_validity && p->validity && !r->lasts &&
        (r->valid_from <= 0 || r->valid_until < r->valid_from))
        return err_field(c->ei, ERR_BAD_REQUEST, "last_min", "last_min");
    return e;
}

static void set_opt(json_t *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, key, json_string(v));
}

/* The stored forms: similar questions as a JSON array of strings,
 * attachments in read form. */
static void encode_lists(struct svc_ctx *c, struct kb_item *it)
{
    json_t *sim = json_array(), *att = json_array();
    size_t len;

    for (size_t i = 0; i < it->nsimilar; i++)
        json_array_append_new(sim, json_string(it->similar[i]));
    for (size_t i = 0; i < it->natt; i++) {
        const struct kb_attachment *t = &it->att[i];
        json_t *o = json_pack("{s:s}", "msgtype", t->msgtype);

        set_opt(o, "name", t->name);
        set_opt(o, "title", t->title);
        set_opt(o, "url", t->url);
        set_opt(o, "desc", t->desc);
        set_opt(o, "pic_url", t->pic_url);
        set_opt(o, "appid", t->appid);
        set_opt(o, "pagepath", t->pagepath);
        json_array_append_new(att, o);
    }
    if (it->has_similar)
        it->row.similar = json_dump_arena(c->a, sim, &len);
    if (it->has_answer)
        it->row.attachments = json_dump_arena(c->a, att, &len);
    json_decref(sim);
    json_decref(att);
}

static const char *opt_str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One stored list; NULL for none or an empty one ("[]", what every item
 * without similar questions or attachments holds: not parsed). */
static json_t *stored_list(const char *text)
{
    if (text == NULL || strcmp(text, "[]") == 0)
        return NULL;
    return json_loads(text, 0, NULL);
}

/* Decodes the stored lists of it->row (written by encode_lists). */
void svc_kb_item_decode(struct svc_ctx *c, struct kb_item *it)
{
    json_t *sim = stored_list(it->row.similar), *att = stored_list(it->row.attachments);

    it->nsimilar = json_is_array(sim) ? json_array_size(sim) : 0;
    it->similar = arena_alloc(c->a, (it->nsimilar + 1) * sizeof(*it->similar));
    for (size_t i = 0; i < it->nsimilar; i++) {
        const char *s = json_string_value(json_array_get(sim, i));

        it->similar[i] = arena_strdup(c->a, s ? s : "");
    }
    it->natt = json_is_array(att) ? json_array_size(att) : 0;
    it->att = arena_alloc(c->a, (it->natt + 1) * sizeof(*it->att));
    for (size_t i = 0; i < it->natt; i++) {
        const json_t *o = json_array_get(att, i);
        struct kb_attachment *t = &it->att[i];
        const char *keys[] = { "msgtype", "name", "title", "url", "desc", "pic_url", "appid",
                               "pagepath" };
        const char **dst[] = { &t->msgtype, &t->name,    &t->title, &t->url,
                               &t->desc,    &t->pic_url, &t->appid, &t->pagepath };

        memset(t, 0, sizeof(*t));
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            const char *v = opt_str(o, keys[k]);

            *dst[k] = v ? arena_strdup(c->a, v) : NULL;
        }
    }
    json_decref(sim);
    json_decref(att);
}

/* Resolves 'cat_ref' to a category 'owner' may put items of this kind in:
 * '*id' 0 for uncategorized. */
static enum err category_of(struct svc_ctx *c, const struct kb_item_policy *p,
                            const char *cat_ref, int64_t owner, int64_t *id)
{
    struct kb_cat_row cat;
    enum err e;

    *id = 0;
    if (cat_ref == NULL || *cat_ref == '\0' ||
        (p->cats->row_refs && (strcmp(cat_ref, "0") == 0 || strcmp(cat_ref, "-1") == 0))) {
        if (p->category_required)
            return err_field(c->ei, ERR_MISSING, "group_id", "group_id");
        return ERR_OK;
    }
    e = svc_kb_cat_get(c, p->cats, cat_ref, &cat);
    if (e != ERR_OK)
        return e;
    /* A catalog of another type holds no items of this kind. */
    if (strcmp(cat.type, p->type) != 0)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_GROUP, "group not found");
    if (p->cats->owned && cat.owner_id != owner)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_GROUP, "not the owner of the category");
    *id = cat.id;
    return ERR_OK;
}

static enum err check_quota(struct svc_ctx *c, const struct kb_item_policy *p, int64_t cat)
{
    struct kb_item_filter f = { c->tenant, p->cats->space, p->type, -1, cat };
    int64_t n;
    enum err e;

    if (p->max_per_category <= 0 || cat == 0)
        return ERR_OK;
    e = store_kb_item_count(c->st, &f, &n);
    if (e == ERR_OK && n >= p->max_per_category)
        return err_set(c->ei, ERR_LIMIT, SUBJ_KB_ITEM, "intent count exceeds limit");
    return e;
}

static enum err title_taken(struct svc_ctx *c, const struct kb_item_policy *p, const char *title,
                            int64_t except_id)
{
    struct kb_item_row row;
    enum err e;

    if (!p->unique_titles)
        return ERR_OK;
    e = store_kb_item_by_title(c->st, c->a, c->tenant, p->cats->space, title, &row);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && row.id == except_id))
        return ERR_OK;
    if (e == ERR_OK)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_QUESTION, "question already exists");
    return e;
}

/* A unique index that a racing writer beat us to reads as the rule. */
static enum err title_conflict(struct svc_ctx *c, enum err e)
{
    if (e == ERR_CONFLICT && c->ei->code != ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_QUESTION, "question already exists");
    return e;
}

enum err svc_kb_item_add(struct svc_ctx *c, const struct kb_item_policy *p, const char *cat_ref,
                         int64_t owner, struct kb_item *it)
{
    struct kb_item_row *r = &it->row;
    enum err e;

    it->has_title = it->has_content = it->has_url = true;
    it->has_similar = it->has_answer = it->has_validity = true;
    if (!p->validity)
        r->lasts = true;
    e = check_item(c, p, it);
    /* Locked before the checks: a category deleted, or the last free slot
     * taken, by a concurrent request after we looked would break the rules. */
    if (e == ERR_OK)
        e = store_lock_tenant(c->st, c->tenant);
    if (e == ERR_OK)
        e = category_of(c, p, cat_ref, owner, &r->category_id);
    if (e == ERR_OK)
        e = check_quota(c, p, r->category_id);
    if (e == ERR_OK)
        e = title_taken(c, p, r->title ? r->title : "", 0);
    if (e != ERR_OK)
        return e;
    encode_lists(c, it);
    r->tenant_id = c->tenant;
    r->space = p->cats->space;
    r->type = p->type;
    r->owner_id = p->cats->owned ? owner : 0;
    r->ext_id = ids_token_ordered(c->a, "", 12);
    r->created_at = r->updated_at = c->now;
#define NZ(f) (r->f = r->f ? r->f : "")
    NZ(title), NZ(content), NZ(url), NZ(content_type);
#undef NZ
    return title_conflict(c, store_kb_item_insert(c->st, r));
}

/* Looks up item 'ref' of this kind that 'owner' may see. */
static enum err find(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                     int64_t owner, struct kb_item *out)
{
    enum err e = ERR_NOT_FOUND;
    int64_t id;

    memset(out, 0, sizeof(*out));
    if (ref == NULL)
        e = ERR_NOT_FOUND;
    else if (!p->cats->row_refs)
        e = store_kb_item_get(c->st, c->a, c->tenant, p->cats->space, ref, &out->row);
    else if (str_to_i64(ref, 1, INT64_MAX, &id))
        e = store_kb_item_get_id(c->st, c->a, c->tenant, p->cats->space, id, &out->row);
    if (e == ERR_OK && strcmp(out->row.type, p->type) != 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_KB_ITEM, "intent not found");
    if (e == ERR_OK && p->cats->owned && out->row.owner_id != owner)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_KB_ITEM, "not the owner of the item");
    return e;
}

enum err svc_kb_item_get(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                         int64_t owner, struct kb_item *out)
{
    enum err e = find(c, p, ref, owner, out);

    if (e == ERR_OK)
        svc_kb_item_decode(c, out);
    return e;
}

enum err svc_kb_item_mod(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                         int64_t owner, const char *cat_ref, struct kb_item *it)
{
    struct kb_item cur;
    struct kb_item_row *r = &cur.row;
    enum err e = check_item(c, p, it);

    if (e == ERR_OK)
        e = store_lock_tenant(c->st, c->tenant);
    if (e == ERR_OK)
        e = find(c, p, ref, owner, &cur);
    if (e == ERR_OK && it->has_category) {
        int64_t cat;

        e = category_of(c, p, cat_ref, owner, &cat);
        if (e == ERR_OK && cat != r->category_id)
            e = check_quota(c, p, cat);
        r->category_id = cat;
    }
    if (e == ERR_OK && it->has_title && p->unique_titles)
        e = title_taken(c, p, it->row.title, r->id);
    if (e != ERR_OK)
        return e;
    encode_lists(c, it);
#define TAKE(flag, f)                \
    if (it->flag)                    \
        r->f = it->row.f ? it->row.f : ""
    TAKE(has_title, title);
    TAKE(has_content, content);
    TAKE(has_url, url);
    TAKE(has_content_type, content_type);
    TAKE(has_similar, similar);
    TAKE(has_answer, attachments);
#undef TAKE
    if (it->has_validity && p->validity) {
        r->lasts = it->row.lasts;
        r->valid_from = it->row.lasts ? 0 : it->row.valid_from;
        r->valid_until = it->row.lasts ? 0 : it->row.valid_until;
    }
    r->updated_at = c->now;
    e = title_conflict(c, store_kb_item_update(c->st, r));
    if (e == ERR_OK) {
        it->row = *r;
        svc_kb_item_decode(c, it);
    }
    return e;
}

enum err svc_kb_item_delete(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                            int64_t owner)
{
    struct kb_item cur;
    /* Locked so that two deletes of one item cannot both find it. */
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = find(c, p, ref, owner, &cur);
    return e == ERR_OK ? store_kb_item_delete(c->st, cur.row.id) : e;
}

enum err svc_kb_item_page(struct svc_ctx *c, const struct kb_item_policy *p, const char *cat_ref,
                          int64_t owner, int64_t after, int64_t offset, int64_t limit,
                          struct kb_item **items, size_t *n, bool *has_more, int64_t *total)
{
    struct kb_item_filter f = { c->tenant, p->cats->space, p->type,
                                p->cats->owned ? owner : -1, -1 };
    struct kb_item_row *rows;
    enum err e = ERR_OK;

    *items = NULL;
    *n = 0;
    *has_more = false;
    if (cat_ref != NULL) {
        /* Under categories a caller must name, "0" is every item of the owner. */
        if (p->category_required || !p->cats->row_refs || strcmp(cat_ref, "0") != 0)
            e = category_of(c, p, cat_ref, owner, &f.category);
    }
    /* One extra row tells whether another page exists. */
    if (e == ERR_OK)
        e = store_kb_item_list(c->st, c->a, &f, after, offset, limit + 1, &rows, n, total);
    if (e != ERR_OK)
        return e;
    *has_more = (int64_t)*n > limit;
    if (*has_more)
        *n = (size_t)limit;
    *items = arena_alloc(c->a, (*n + 1) * sizeof(**items));
    for (size_t i = 0; i < *n; i++) {
        memset(&(*items)[i], 0, sizeof(**items));
        (*items)[i].row = rows[i];
    }
    return ERR_OK;
}

enum err svc_kb_item_list(struct svc_ctx *c, const struct kb_item_policy *p, const char *cat_ref,
                          int64_t owner, int64_t after, int64_t offset, int64_t limit,
                          struct kb_item **items, size_t *n, bool *has_more, int64_t *total)
{
    enum err e = svc_kb_item_page(c, p, cat_ref, owner, after, offset, limit, items, n, has_more,
                                  total);

    for (size_t i = 0; e == ERR_OK && i < *n; i++)
        svc_kb_item_decode(c, &(*items)[i]);
    return e;
}

/* The length of the JSON string at 's' if it is exactly as json_dump_arena
 * writes one (quotes included: printable ASCII as it is, '"' and '\\' and
 * the controls with short escapes escaped so, other controls as \u00XX in
 * upper case, valid UTF-8 as it is), else 0. */
static size_t canon_str(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 1;

    if (u[0] != '"')
        return 0;
    for (;;) {
        unsigned char ch = u[i];

        if (ch == '"')
            return i + 1;
        if (ch < 0x20)
            return 0;
        if (ch >= 0x80) {
            size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2, k;

            for (k = 1; k < len && u[i + k] != '\0'; k++)
                ;
            if (k < len || str_utf8_len(s + i, len) != 1)
                return 0;
            i += len;
        } else if (ch != '\\') {
            i++;
        } else if (strchr("\"\\bfnrt", u[i + 1]) != NULL && u[i + 1] != '\0') {
            i += 2;
        } else if (u[i + 1] == 'u' && u[i + 2] == '0' && u[i + 3] == '0' &&
                   (u[i + 4] == '0' || u[i + 4] == '1') && strchr("0123456789ABCDEF", u[i + 5]) &&
                   u[i + 5] != '\0') {
            /* Not one with a short escape, nor NUL. */
            unsigned v = (unsigned)(u[i + 4] - '0') * 16 +
                         (unsigned)(u[i + 5] <= '9' ? u[i + 5] - '0' : u[i + 5] - 'A' + 10);

            if (v == 0 || strchr("\b\f\n\r\t", (int)v) != NULL)
                return 0;
            i += 6;
        } else {
            return 0;
        }
    }
}

/* A stored list: '[' then items separated by ',', then ']' and the end;
 * 'item' reads one at '*p' and moves it on (false: not as svc writes). */
static bool scan_list(const char *stored, bool (*item)(const char **p, void *ctx), void *ctx)
{
    const char *p = stored;

    if (p == NULL)
        return true;
    if (*p++ != '[')
        return false;
    if (*p == ']')
        return p[1] == '\0';
    for (;;) {
        if (!item(&p, ctx))
            return false;
        if (*p == ']')
            return p[1] == '\0';
        if (*p++ != ',')
            return false;
    }
}

/* The items read so far, in the request's arena (grown by doubling). */
struct scan_out {
    struct arena *a;
    void *v;
    size_t n, cap, size;
};

static void *scan_push(struct scan_out *o)
{
    if (o->n == o->cap) {
        void *v = arena_alloc(o->a, (o->cap = o->cap ? 2 * o->cap : 4) * o->size);

        if (o->n > 0)
            memcpy(v, o->v, o->n * o->size);
        o->v = v;
    }
    return (char *)o->v + o->size * o->n++;
}

static bool similar_item(const char **p, void *ctx)
{
    size_t len = canon_str(*p);
    struct kb_json_str *s;

    if (len == 0)
        return false;
    s = scan_push(ctx);
    *s = (struct kb_json_str){ *p, len };
    *p += len;
    return true;
}

bool svc_kb_similar_json(struct svc_ctx *c, const char *stored, struct kb_json_str **out,
                         size_t *n)
{
    struct scan_out o = { .a = c->a, .size = sizeof(**out) };
    bool ok = scan_list(stored, similar_item, &o);

    *out = o.v;
    *n = o.n;
    return ok;
}

/* One attachment: an object of string fields named as encode_lists names
 * them, each at most once. */
static bool att_item(const char **p, void *ctx)
{
    static const char *const keys[KB_ATT__COUNT] = {
        [KB_ATT_MSGTYPE] = "\"msgtype\"", [KB_ATT_NAME] = "\"name\"",
        [KB_ATT_TITLE] = "\"title\"",     [KB_ATT_URL] = "\"url\"",
        [KB_ATT_DESC] = "\"desc\"",       [KB_ATT_PIC_URL] = "\"pic_url\"",
        [KB_ATT_APPID] = "\"appid\"",     [KB_ATT_PAGEPATH] = "\"pagepath\"",
    };
    struct kb_att_json *t = scan_push(ctx);
    const char *s = *p;

    memset(t, 0, sizeof(*t));
    if (*s++ != '{')
        return false;
    if (*s == '}') {
        *p = s + 1;
        return true;
    }
    for (;;) {
        size_t klen = canon_str(s), vlen, k;

        for (k = 0; k < KB_ATT__COUNT; k++)
            if (klen == strlen(keys[k]) && memcmp(s, keys[k], klen) == 0)
                break;
        if (klen == 0 || k == KB_ATT__COUNT || t->f[k].len > 0 || s[klen] != ':')
            return false;
        s += klen + 1;
        vlen = canon_str(s);
        if (vlen == 0)
            return false;
        t->f[k] = (struct kb_json_str){ s, vlen };
        s += vlen;
        if (*s == '}') {
            *p = s + 1;
            return true;
        }
        if (*s++ != ',')
            return false;
    }
}

bool svc_kb_att_json(struct svc_ctx *c, const char *stored, struct kb_att_json **out, size_t *n)
{
    struct scan_out o = { .a = c->a, .size = sizeof(**out) };
    bool ok = scan_list(stored, att_item, &o);

    *out = o.v;
    *n = o.n;
    return ok;
}

enum err svc_wc_media_add(struct svc_ctx *c, const char *type, const char *name, int64_t size,
                          const char **media_id)
{
    struct wc_media_row m = {
        .tenant_id = c->tenant,
        .media_id = ids_token(c->a, "", 24),
        .type = type,
        .name = name,
        .size = size,
        .created_at = c->now,
        .expires_at = c->now + MEDIA_TTL,
    };

    *media_id = m.media_id;
    return store_wc_media_insert(c->st, &m);
}
