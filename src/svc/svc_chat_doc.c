/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_doc.c - the legacy "doc" document model behind chat
 * announcements (Feishu's "Document data structure" page of the legacy
 * docs API, which "Update group announcement information" takes requests
 * of): a title paragraph and body blocks in
 * zone "0", each line's location counted in characters (the title first,
 * then one index for every line break). Applies UpdateTitle, InsertBlocks,
 * InsertParagraphElements and DeleteContentRange requests, then recomputes
 * every location. Table zones and the other request types are refused.
 */
#include "svc/svc.h"

#include "core/str.h"

#include <string.h>

/* Character count of a paragraph: the text of its textRun elements. */
static long para_len(json_t *para)
{
    json_t *el;
    size_t i;
    long n = 0;

    json_array_foreach(json_object_get(para, "elements"), i, el) {
        const char *t = json_string_value(json_object_get(json_object_get(el, "textRun"), "text"));

        if (t != NULL)
            n += str_utf8_len(t, strlen(t));
    }
    return n;
}

static json_t *block_para(json_t *block)
{
    return json_object_get(block, "paragraph");
}

static void set_loc(json_t *obj, long start, long end)
{
    json_object_set_new(obj, "location", json_pack("{s:s,s:i,s:i}", "zoneId", "0", "startIndex",
                                                   (json_int_t)start, "endIndex", (json_int_t)end));
}

/* Recomputes the location of the title, every line and every text run. */
static void doc_relocate(json_t *doc)
{
    json_t *title = json_object_get(doc, "title"), *block;
    long pos = 0;
    size_t i;

    for (int pass = 0; pass < 2; pass++) {
        json_t *list = pass == 0 ? json_pack("[O]", title)
                                 : json_incref(json_object_get(json_object_get(doc, "body"), "blocks"));

        json_array_foreach(list, i, block) {
            json_t *para = pass == 0 ? block : block_para(block), *el;
            long start = pos;
            size_t k;

            if (para == NULL) {
                pos += 1; /* a non-paragraph block takes its line and its break */
                continue;
            }
            json_array_foreach(json_object_get(para, "elements"), k, el) {
                json_t *run = json_object_get(el, "textRun");
                const char *t = json_string_value(json_object_get(run, "text"));
                long n = t ? str_utf8_len(t, strlen(t)) : 0;

                if (run != NULL)
                    set_loc(run, pos, pos + n);
                pos += n;
            }
            set_loc(para, start, pos);
            pos += 1;
        }
        json_decref(list);
    }
}

json_t *svc_doc_new(void)
{
    json_t *doc = json_pack("{s:{s:[],s:{}},s:{s:[{s:s,s:{s:[],s:{}}}]}}", "title", "elements",
                            "style", "body", "blocks", "type", "paragraph", "paragraph",
                            "elements", "style");

    doc_relocate(doc);
    return doc;
}

/* Byte offset of the 'chars'-th character of 's'. */
static size_t byte_at(const char *s, long chars)
{
    size_t b = 0;

    while (s[b] != '\0' && chars > 0) {
        b++;
        while ((s[b] & 0xC0) == 0x80)
            b++;
        chars--;
    }
    return b;
}

/* Splits a paragraph's runs so that a run boundary falls at character
 * 'off'; returns the index of the first element at or after it. */
static size_t split_at(json_t *para, long off)
{
    json_t *els = json_object_get(para, "elements"), *el;
    long pos = 0;
    size_t i;

    json_array_foreach(els, i, el) {
        json_t *run = json_object_get(el, "textRun");
        const char *t = json_string_value(json_object_get(run, "text"));
        long n = t ? str_utf8_len(t, strlen(t)) : 0;

        if (off <= pos)
            return i;
        if (off < pos + n) {
            size_t b = byte_at(t, off - pos);
            json_t *tail = json_deep_copy(el);

            json_object_set_new(json_object_get(tail, "textRun"), "text", json_string(t + b));
            json_object_set_new(run, "text", json_stringn(t, b));
            json_array_insert_new(els, i + 1, tail);
            return i + 1;
        }
        pos += n;
    }
    return json_array_size(els);
}

/* The body line whose location covers 'index' (its line break included). */
static long line_at(json_t *blocks, long index, long *line_start)
{
    json_t *block;
    size_t i;

    json_array_foreach(blocks, i, block) {
        json_t *loc = json_object_get(block_para(block) ? block_para(block) : block, "location");
        long start = (long)json_integer_value(json_object_get(loc, "startIndex"));
        long end = (long)json_integer_value(json_object_get(loc, "endIndex"));

        if (block_para(block) == NULL) {
            /* Non-paragraph blocks are not relocated; derive from neighbours. */
            continue;
        }
        if (index >= start && index <= end) {
            *line_start = start;
            return (long)i;
        }
    }
    return -1;
}

/* The request's "payload": JSON carried in a string. */
static enum err payload(json_t *req, json_t **out)
{
    const char *text = json_str(req, "payload");

    *out = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    return *out ? ERR_OK : ERR_BAD_REQUEST;
}

static bool zone0(json_t *loc)
{
    const char *z = json_str(loc, "zoneId");

    return z == NULL || strcmp(z, "0") == 0;
}

static enum err update_title(json_t *doc, json_t *req)
{
    json_t *p;

    if (payload(req, &p) != ERR_OK || !json_is_array(json_object_get(p, "elements"))) {
        json_decref(p);
        return ERR_BAD_REQUEST;
    }
    json_object_set_new(doc, "title", p);
    return ERR_OK;
}

static enum err insert_blocks(json_t *doc, json_t *req)
{
    json_t *blocks = json_object_get(json_object_get(doc, "body"), "blocks");
    json_t *loc = json_object_get(req, "location"), *p, *add, *b;
    long at = -1, start = 0;
    size_t i;

    if (!json_is_object(loc) || !zone0(loc) || payload(req, &p) != ERR_OK)
        return ERR_BAD_REQUEST;
    add = json_object_get(p, "blocks");
    if (json_is_true(json_object_get(loc, "startOfZone")))
        at = 0;
    else if (json_is_true(json_object_get(loc, "endOfZone")))
        at = (long)json_array_size(blocks);
    else if (json_is_integer(json_object_get(loc, "index"))) {
        /* Blocks start a new line: the index is the start of a line. */
        long idx = (long)json_integer_value(json_object_get(loc, "index"));
        long line = line_at(blocks, idx, &start);

        if (line >= 0 && start == idx)
            at = line;
    }
    if (at < 0 || !json_is_array(add)) {
        json_decref(p);
        return ERR_BAD_REQUEST;
    }
    json_array_foreach(add, i, b) {
        if (!json_is_object(b) || !json_is_string(json_object_get(b, "type"))) {
            json_decref(p);
            return ERR_BAD_REQUEST;
        }
        json_array_insert(blocks, (size_t)at + i, b);
    }
    json_decref(p);
    return ERR_OK;
}

static enum err insert_elements(json_t *doc, json_t *req)
{
    json_t *blocks = json_object_get(json_object_get(doc, "body"), "blocks");
    json_t *loc = json_object_get(req, "location"), *p, *add, *el;
    long start = 0, line, idx;
    size_t at, i;

    if (!json_is_object(loc) || !zone0(loc) || !json_is_integer(json_object_get(loc, "index"))
        || payload(req, &p) != ERR_OK)
        return ERR_BAD_REQUEST;
    idx = (long)json_integer_value(json_object_get(loc, "index"));
    line = line_at(blocks, idx, &start);
    add = json_object_get(p, "elements");
    if (line < 0 || !json_is_array(add)) {
        json_decref(p);
        return ERR_BAD_REQUEST;
    }
    at = split_at(block_para(json_array_get(blocks, (size_t)line)), idx - start);
    json_array_foreach(add, i, el) {
        json_array_insert(json_object_get(block_para(json_array_get(blocks, (size_t)line)),
                                          "elements"),
                          at + i, el);
    }
    json_decref(p);
    return ERR_OK;
}

/* Removes the characters [from, to) of one paragraph. */
static void cut(json_t *para, long from, long to)
{
    size_t a = split_at(para, from), b = split_at(para, to);
    json_t *els = json_object_get(para, "elements");

    while (b > a) {
        json_array_remove(els, a);
        b--;
    }
}

/* [start, end) in body coordinates; deleting a line break joins the two
 * lines; lines wholly inside the range go. */
static enum err delete_range(json_t *doc, json_t *req)
{
    json_t *blocks = json_object_get(json_object_get(doc, "body"), "blocks");
    json_t *r = json_object_get(req, "deleteRange");
    long s, e, ls = 0, le = 0, first, last;

    if (!json_is_object(r) || !zone0(r) || !json_is_integer(json_object_get(r, "startIndex"))
        || !json_is_integer(json_object_get(r, "endIndex")))
        return ERR_BAD_REQUEST;
    s = (long)json_integer_value(json_object_get(r, "startIndex"));
    e = (long)json_integer_value(json_object_get(r, "endIndex"));
    first = line_at(blocks, s, &ls);
    last = line_at(blocks, e, &le);
    if (s >= e || first < 0 || last < 0)
        return ERR_BAD_REQUEST;
    if (first == last) {
        cut(block_para(json_array_get(blocks, (size_t)first)), s - ls, e - ls);
        return ERR_OK;
    }
    {
        json_t *pa = block_para(json_array_get(blocks, (size_t)first));
        json_t *pb = block_para(json_array_get(blocks, (size_t)last));
        json_t *el;
        size_t i;

        cut(pa, s - ls, para_len(pa));
        cut(pb, 0, e - le);
        json_array_foreach(json_object_get(pb, "elements"), i, el) {
            json_array_append(json_object_get(pa, "elements"), el);
        }
        for (long k = last; k > first; k--)
            json_array_remove(blocks, (size_t)k);
    }
    return ERR_OK;
}

enum err svc_doc_apply(json_t *doc, json_t *req)
{
    static const struct {
        const char *type, *key;
        enum err (*fn)(json_t *doc, json_t *req);
    } ops[] = {
        { "UpdateTitleRequestType", "updateTitleRequest", update_title },
        { "InsertBlocksRequestType", "insertBlocksRequest", insert_blocks },
        { "InsertParagraphElementsRequestType", "insertParagraphElementsRequest",
          insert_elements },
        { "DeleteContentRangeRequestType", "deleteContentRangeRequest", delete_range },
    };
    const char *type = json_str(req, "requestType");

    for (size_t i = 0; type != NULL && i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(type, ops[i].type) == 0) {
            json_t *body = json_object_get(req, ops[i].key);
            enum err e = json_is_object(body) ? ops[i].fn(doc, body) : ERR_BAD_REQUEST;

            doc_relocate(doc);
            return e;
        }
    }
    return ERR_BAD_REQUEST;
}
