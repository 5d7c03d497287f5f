/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc_intent.c - knowledge-base Q&A items, "intents" (WeCom
 * "知识库问答管理" and its attachment appendix): translate the WeCom shapes to svc_kb_item calls under the intent
 * policy. The rules themselves (lengths, counts, the per-group quota, unique
 * questions, media) live in svc/svc_kb_item.c.
 *
 * SDKs send every field, empty ones too (mod_intent): "items": null is an empty
 * list, "attachments": null none, and an attachment's payload is read from
 * the key its msgtype names only.
 */
#include "dialect/wecom/wc.h"

#include "core/arena.h"
#include "core/cursor.h"

#include <string.h>

#define WC_CURSOR_INTENTS 'I'
#define WC_LIMIT_DEFAULT 500

/* obj.key as a string: NULL if absent or null; a non-string is an error. */
static enum err str_in(struct req *rq, const json_t *obj, const char *key, const char **out)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return ERR_OK;
    if (!json_is_string(v))
        return err_field(&rq->err, ERR_BAD_REQUEST, key, "%s", key);
    *out = json_string_value(v);
    return ERR_OK;
}

/* {"text": {"content": "..."}}: the content, or NULL when absent. */
static enum err text_in(struct req *rq, const json_t *obj, const char *field, const char **out)
{
    const json_t *text = json_object_get(obj, "text");

    *out = NULL;
    if (text == NULL || json_is_null(text))
        return ERR_OK;
    if (!json_is_object(text))
        return err_field(&rq->err, ERR_BAD_REQUEST, field, "%s", field);
    return str_in(rq, text, "content", out);
}

static enum err similar_in(struct req *rq, const json_t *sq, struct kb_item *it)
{
    const json_t *items = json_object_get(sq, "items");
    enum err e = ERR_OK;

    it->has_similar = true;
    if (items == NULL || json_is_null(items))
        return ERR_OK;
    if (!json_is_array(items))
        return err_field(&rq->err, ERR_BAD_REQUEST, "similar_questions", "similar_questions");
    it->nsimilar = json_array_size(items);
    it->similar = arena_alloc(rq->http->arena, (it->nsimilar + 1) * sizeof(*it->similar));
    for (size_t i = 0; e == ERR_OK && i < it->nsimilar; i++) {
        const json_t *item = json_array_get(items, i);

        if (!json_is_object(item))
            return err_field(&rq->err, ERR_BAD_REQUEST, "similar_questions",
                             "similar_questions");
        e = text_in(rq, item, "similar_questions", &it->similar[i]);
    }
    return e;
}

/* One attachment in write form: the payload under the msgtype's key. */
static enum err attachment_in(struct req *rq, const json_t *o, struct kb_attachment *t)
{
    const json_t *pl;
    enum err e;

    memset(t, 0, sizeof(*t));
    if (!json_is_object(o))
        return err_field(&rq->err, ERR_BAD_REQUEST, "attachments", "attachments");
    e = str_in(rq, o, "msgtype", &t->msgtype);
    if (e != ERR_OK)
        return e;
    if (t->msgtype == NULL || *t->msgtype == '\0')
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_MSGTYPE, "invalid msgtype");
    pl = json_object_get(o, t->msgtype);
    if (pl != NULL && !json_is_object(pl))
        return err_field(&rq->err, ERR_BAD_REQUEST, t->msgtype, "%s", t->msgtype);
    if (strcmp(t->msgtype, "miniprogram") == 0)
        e = str_in(rq, pl, "thumb_media_id", &t->media_id);
    else
        e = str_in(rq, pl, "media_id", &t->media_id);
    if (e == ERR_OK)
        e = str_in(rq, pl, "title", &t->title);
    if (e == ERR_OK)
        e = str_in(rq, pl, "url", &t->url);
    if (e == ERR_OK)
        e = str_in(rq, pl, "desc", &t->desc);
    /* The cover is pic_url for most SDKs, picurl for one. */
    if (e == ERR_OK)
        e = str_in(rq, pl, "pic_url", &t->pic_url);
    if (e == ERR_OK && t->pic_url == NULL)
        e = str_in(rq, pl, "picurl", &t->pic_url);
    if (e == ERR_OK)
        e = str_in(rq, pl, "appid", &t->appid);
    if (e == ERR_OK)
        e = str_in(rq, pl, "pagepath", &t->pagepath);
    return e;
}

/* "answers": exactly one answer, text and attachments. */
static enum err answers_in(struct req *rq, const json_t *answers, struct kb_item *it)
{
    const json_t *ans = json_array_get(answers, 0), *att;
    enum err e;

    if (json_array_size(answers) == 0)
        return err_field(&rq->err, ERR_MISSING, "answers", "answers");
    if (json_array_size(answers) > 1)
        return err_field(&rq->err, ERR_BAD_REQUEST, "answers", "too many items");
    if (!json_is_object(ans))
        return err_field(&rq->err, ERR_BAD_REQUEST, "answers", "answers");
    it->has_answer = it->has_content = true;
    e = text_in(rq, ans, "answers", &it->row.content);
    att = json_object_get(ans, "attachments");
    if (e != ERR_OK || att == NULL || json_is_null(att))
        return e;
    if (!json_is_array(att))
        return err_field(&rq->err, ERR_BAD_REQUEST, "attachments", "attachments");
    it->natt = json_array_size(att);
    it->att = arena_alloc(rq->http->arena, (it->natt + 1) * sizeof(*it->att));
    for (size_t i = 0; e == ERR_OK && i < it->natt; i++)
        e = attachment_in(rq, json_array_get(att, i), &it->att[i]);
    return e;
}

/* The parts of an intent the body gives. 'add': every part is wanted. */
static enum err intent_in(struct req *rq, json_t *body, bool add, struct kb_item *it)
{
    const json_t *q = json_object_get(body, "question");
    const json_t *sq = json_object_get(body, "similar_questions");
    const json_t *ans = json_object_get(body, "answers");
    enum err e = ERR_OK;

    memset(it, 0, sizeof(*it));
    if (q != NULL) {
        e = text_in(rq, q, "question", &it->row.title);
        /* The Go SDK sends an empty question when the caller changes
         * something else (unconfirmed, docs/compat.md). */
        it->has_title = add || (it->row.title != NULL && *it->row.title != '\0');
    } else if (add) {
        return err_field(&rq->err, ERR_MISSING, "question", "question");
    }
    if (e == ERR_OK && sq != NULL)
        e = similar_in(rq, sq, it);
    if (e == ERR_OK && ans != NULL && (add || json_array_size(ans) > 0))
        e = answers_in(rq, ans, it);
    else if (e == ERR_OK && add)
        return err_field(&rq->err, ERR_MISSING, "answers", "answers");
    return e;
}

enum err wc_intent_add(struct req *rq, json_t *body, json_t *out)
{
    struct kb_item it;
    enum err e = intent_in(rq, body, true, &it);

    if (e == ERR_OK)
        e = svc_kb_item_add(&rq->svc, &svc_kb_wecom_intent, json_str(body, "group_id"), 0, &it);
    if (e == ERR_OK)
        json_out_str(out, "intent_id", it.row.ext_id);
    return e;
}

enum err wc_intent_del(struct req *rq, json_t *body, json_t *out)
{
    (void)out;
    return svc_kb_item_delete(&rq->svc, &svc_kb_wecom_intent, json_str(body, "intent_id"), 0);
}

enum err wc_intent_mod(struct req *rq, json_t *body, json_t *out)
{
    struct kb_item it;
    enum err e = intent_in(rq, body, false, &it);

    (void)out;
    if (e == ERR_OK)
        e = svc_kb_item_mod(&rq->svc, &svc_kb_wecom_intent, json_str(body, "intent_id"), 0, NULL,
                            &it);
    return e;
}

static json_t *text_json(const char *content)
{
    return json_pack("{s:{s:s}}", "text", "content", content ? content : "");
}

/* An attachment in read form: media by name only. */
static json_t *attachment_json(const struct kb_attachment *t)
{
    const char *m = t->msgtype ? t->msgtype : "";
    json_t *pl;

    if (strcmp(m, "image") == 0 || strcmp(m, "video") == 0) {
        pl = json_pack("{s:s}", "name", t->name ? t->name : "");
    } else if (strcmp(m, "link") == 0) {
        pl = json_pack("{s:s,s:s}", "title", t->title ? t->title : "", "url",
                       t->url ? t->url : "");
        if (t->desc != NULL)
            json_object_set_new(pl, "desc", json_string(t->desc));
        if (t->pic_url != NULL)
            json_object_set_new(pl, "pic_url", json_string(t->pic_url));
    } else {
        pl = json_pack("{s:s,s:s,s:s}", "title", t->title ? t->title : "", "appid",
                       t->appid ? t->appid : "", "pagepath", t->pagepath ? t->pagepath : "");
    }
    return json_pack("{s:s,s:o}", "msgtype", m, m, pl);
}

/* One intent: similar_questions and answers beside the question (the field
 * table) and inside it too (the official example). */
static json_t *intent_json(const struct kb_item *it)
{
    const struct kb_item_row *r = &it->row;
    json_t *items = json_array(), *atts = json_array(), *sq, *answers, *q;

    for (size_t i = 0; i < it->nsimilar; i++)
        json_array_append_new(items, text_json(it->similar[i]));
    for (size_t i = 0; i < it->natt; i++)
        json_array_append_new(atts, attachment_json(&it->att[i]));
    sq = json_pack("{s:o}", "items", items);
    answers = json_pack("[{s:o,s:o}]", "text", json_pack("{s:s}", "content", r->content),
                        "attachments", atts);
    q = text_json(r->title);
    json_object_set(q, "similar_questions", sq);
    json_object_set(q, "answers", answers);
    return json_pack("{s:s,s:s,s:o,s:o,s:o}", "group_id", r->category_ext ? r->category_ext : "",
                     "intent_id", r->ext_id, "question", q, "similar_questions", sq, "answers",
                     answers);
}

/* Writes a string constant's bytes, JSON text already. */
#define LIT(t, s) json_text_raw(t, s, sizeof(s) - 1)

/* {"text":{"content":S}}, S JSON text. */
static void text_out(struct json_text *t, const struct kb_json_str *s)
{
    LIT(t, "{\"text\":{\"content\":");
    if (s->len > 0)
        json_text_raw(t, s->p, s->len);
    else
        LIT(t, "\"\"");
    LIT(t, "}}");
}

/* A field of an attachment's payload after 'sep' ('{' for the first): its
 * stored text, or "" when absent ('opt': nothing). */
static void att_field_out(struct json_text *t, char sep, const char *key,
                          const struct kb_json_str *v, bool opt)
{
    if (opt && v->len == 0)
        return;
    json_text_raw(t, &sep, 1);
    LIT(t, "\"");
    json_text_raw(t, key, strlen(key));
    LIT(t, "\":");
    if (v->len > 0)
        json_text_raw(t, v->p, v->len);
    else
        LIT(t, "\"\"");
}

/* attachment_json's bytes, from the stored text. */
static void att_out(struct json_text *t, const struct kb_att_json *a)
{
    static const struct kb_json_str none = { "\"\"", 2 };
    const struct kb_json_str *m = a->f[KB_ATT_MSGTYPE].len > 0 ? &a->f[KB_ATT_MSGTYPE] : &none;

    LIT(t, "{\"msgtype\":");
    json_text_raw(t, m->p, m->len);
    LIT(t, ",");
    json_text_raw(t, m->p, m->len);
    LIT(t, ":");
    if (m->len == 7 && (memcmp(m->p, "\"image\"", 7) == 0 || memcmp(m->p, "\"video\"", 7) == 0)) {
        att_field_out(t, '{', "name", &a->f[KB_ATT_NAME], false);
    } else if (m->len == 6 && memcmp(m->p, "\"link\"", 6) == 0) {
        att_field_out(t, '{', "title", &a->f[KB_ATT_TITLE], false);
        att_field_out(t, ',', "url", &a->f[KB_ATT_URL], false);
        att_field_out(t, ',', "desc", &a->f[KB_ATT_DESC], true);
        att_field_out(t, ',', "pic_url", &a->f[KB_ATT_PIC_URL], true);
    } else {
        att_field_out(t, '{', "title", &a->f[KB_ATT_TITLE], false);
        att_field_out(t, ',', "appid", &a->f[KB_ATT_APPID], false);
        att_field_out(t, ',', "pagepath", &a->f[KB_ATT_PAGEPATH], false);
    }
    LIT(t, "}}");
}

/* intent_json's bytes written from the stored lists' text, without
 * decoding them; false (nothing written) when they are not as svc writes
 * them or a field is missing, and intent_json must build it. */
static bool intent_text(struct req *rq, struct json_text *t, const struct kb_item *it)
{
    const struct kb_item_row *r = &it->row;
    struct kb_json_str *sim, sq, ans;
    struct kb_att_json *att;
    struct json_text part;
    size_t nsim, natt, start = t->n;

    if (r->ext_id == NULL || r->content == NULL ||
        !svc_kb_similar_json(&rq->svc, r->similar, &sim, &nsim) ||
        !svc_kb_att_json(&rq->svc, r->attachments, &att, &natt))
        return false;
    /* The similar questions and the answers, written once, twice spliced. */
    json_text_init(&part, rq->http->arena, 256);
    LIT(&part, "{\"items\":[");
    for (size_t i = 0; i < nsim; i++) {
        if (i > 0)
            LIT(&part, ",");
        text_out(&part, &sim[i]);
    }
    LIT(&part, "]}");
    sq = (struct kb_json_str){ part.p, part.n };
    LIT(&part, "[{\"text\":{\"content\":");
    json_text_str(&part, r->content);
    LIT(&part, "},\"attachments\":[");
    for (size_t i = 0; i < natt; i++) {
        if (i > 0)
            LIT(&part, ",");
        att_out(&part, &att[i]);
    }
    LIT(&part, "]}]");
    /* part.p may have moved as it grew. */
    ans = (struct kb_json_str){ part.p + sq.len, part.n - sq.len };
    sq.p = part.p;
    LIT(t, "{\"group_id\":");
    json_text_str(t, r->category_ext ? r->category_ext : "");
    LIT(t, ",\"intent_id\":");
    json_text_str(t, r->ext_id);
    LIT(t, ",\"question\":{\"text\":{\"content\":");
    json_text_str(t, r->title ? r->title : "");
    /* In the question, then beside it. */
    for (int i = 0; i < 2; i++) {
        LIT(t, "},\"similar_questions\":");
        json_text_raw(t, sq.p, sq.len);
        LIT(t, ",\"answers\":");
        json_text_raw(t, ans.p, ans.len);
    }
    LIT(t, "}");
    if (part.bad) {
        t->n = start;
        return false;
    }
    return true;
}

/* The intents as one JSON array, each written from its stored text or, when
 * that cannot be, built and written as json_dump_arena writes it (an intent
 * it cannot build is left out; text that is not valid fails the answer's
 * dump, as it did when the whole list was built). */
static json_t *intents_out(struct req *rq, struct kb_item *items, size_t n)
{
    struct json_text t;
    size_t written = 0;

    json_raw_begin(&t, rq->http->arena, 512 * n + 16);
    LIT(&t, "[");
    for (size_t i = 0; i < n; i++) {
        size_t mark = t.n;
        json_t *one;
        const char *text;
        size_t len;

        if (written > 0)
            LIT(&t, ",");
        if (intent_text(rq, &t, &items[i])) {
            written++;
            continue;
        }
        svc_kb_item_decode(&rq->svc, &items[i]);
        one = intent_json(&items[i]);
        if (one == NULL) {
            t.n = mark;
            continue;
        }
        text = json_dump_arena(rq->http->arena, one, &len);
        json_decref(one);
        t.bad = t.bad || len == 0;
        json_text_raw(&t, text, len);
        written++;
    }
    LIT(&t, "]");
    return json_raw(&t);
}

enum err wc_intent_list(struct req *rq, json_t *body, json_t *out)
{
    const char *cursor = json_str(body, "cursor"), *group_id = json_str(body, "group_id");
    const char *intent_id = json_str(body, "intent_id");
    json_t *list;
    struct kb_item *items, one;
    int64_t limit = WC_LIMIT_DEFAULT, after = 0;
    bool has_more = false;
    size_t n = 0;
    enum err e;

    json_int(body, "limit", &limit);
    if (cursor != NULL &&
        !cursor_decode(cursor, WC_CURSOR_INTENTS, (uint64_t)rq->svc.tenant, &after))
        return err_set(&rq->err, ERR_BAD_REQUEST, WC_SUBJ_CURSOR, "invalid cursor");
    if (intent_id != NULL) {
        e = svc_kb_item_get(&rq->svc, &svc_kb_wecom_intent, intent_id, 0, &one);
        items = &one;
        /* Past the first page, or in another group: nothing more. */
        n = e == ERR_OK && after < one.row.id &&
                    (group_id == NULL || strcmp(group_id, one.row.category_ext) == 0)
                ? 1
                : 0;
        if (e == ERR_OK && group_id != NULL && n == 0) {
            struct kb_cat_row g;

            e = svc_kb_cat_get(&rq->svc, &svc_kb_wecom, group_id, &g);
        }
    } else {
        e = svc_kb_item_page(&rq->svc, &svc_kb_wecom_intent, group_id, 0, after, 0, limit,
                             &items, &n, &has_more, NULL);
    }
    if (e != ERR_OK)
        return e;
    list = intents_out(rq, items, n);
    /* Keyset cursor, as for groups: the last row's position. */
    json_out_str(out, "next_cursor",
                 has_more ? cursor_encode(rq->http->arena, WC_CURSOR_INTENTS,
                                          (uint64_t)rq->svc.tenant, items[n - 1].row.id)
                          : "");
    json_out_int(out, "has_more", has_more ? 1 : 0);
    json_object_set_new(out, "intent_list", list);
    return ERR_OK;
}
