/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_svc_msg.c - message content per msg_type ("Message content
 * description"):
 * what is refused on the way in, and what readers get back.
 */
#include "unit.h"

#include "core/arena.h"
#include "svc/svc.h"

#include <jansson.h>
#include <stdlib.h>

/* Two people and a bot: ou_tom, ou_ann (people), ou_bot (a bot). */
static enum err fake_mention(void *arg, const char *id, struct msg_mention *out)
{
    (void)arg;
    if (strcmp(id, "ou_tom") == 0)
        *out = (struct msg_mention){ MENTION_USER, 1, "Tom", NULL };
    else if (strcmp(id, "ou_ann") == 0)
        *out = (struct msg_mention){ MENTION_USER, 2, "Ann", NULL };
    else if (strcmp(id, "ou_bot") == 0)
        *out = (struct msg_mention){ MENTION_BOT, 7, "Bot", NULL };
    else
        return ERR_NOT_FOUND;
    return ERR_OK;
}

static enum err fake_chat(void *arg, const char *id)
{
    (void)arg;
    return strcmp(id, "oc_ok") == 0 ? ERR_OK : ERR_NOT_FOUND;
}

/* Uploads: img_v2_1 and img_1 (images for messages), file_v2_1 (a pdf), f (opus, 1.5 s). */
static enum err fake_resource(void *arg, const char *kind, const char *key, struct fs_res_row *out)
{
    (void)arg;
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    if (strcmp(kind, "image") == 0 && (strcmp(key, "img_v2_1") == 0 || strcmp(key, "img_1") == 0))
        out->sub_type = "message";
    else if (strcmp(kind, "file") == 0 && strcmp(key, "file_v2_1") == 0)
        out->sub_type = "pdf", out->file_name = "a.pdf";
    else if (strcmp(kind, "file") == 0 && strcmp(key, "f") == 0)
        out->sub_type = "opus", out->file_name = "v.opus", out->duration = 1500;
    else
        return ERR_NOT_FOUND;
    return ERR_OK;
}

static const struct msg_lookup LK = { fake_mention, fake_chat, fake_chat, fake_resource, NULL };

struct got {
    enum err e;
    struct err_info ei;
    struct msg_content mc;
};

static struct got run(struct arena *a, const char *type, const char *content)
{
    struct got g;

    err_info_clear(&g.ei);
    g.e = svc_msg_content(a, &g.ei, type, content, &LK, &g.mc);
    return g;
}

static void msg_text(void)
{
    struct arena a;
    struct got g;

    arena_init(&a, 4096);
    g = run(&a, "text",
            "{\"text\":\"<at user_id=\\\"ou_tom\\\">Tom</at> <b>hi</b> <i>x <at user_id=\\\"ou_bot\\\"></at> "
            "<at user_id=\\\"all\\\"></at> <at user_id=\\\"ou_nobody\\\">Zed</at> [a](https://x.test) <u>open\"}");
    CHECK(g.e == ERR_OK);
    CHECK_STR(g.mc.body, "{\"text\":\"@_user_1 hi <i>x @_user_2 @_all @Zed [a](https://x.test) <u>open\"}");
    CHECK(g.mc.nmentions == 3);
    CHECK(g.mc.mentions[0].kind == MENTION_USER && g.mc.mentions[0].ref == 1);
    CHECK_STR(g.mc.mentions[1].key, "@_user_2");
    CHECK(g.mc.mentions[1].kind == MENTION_BOT);
    CHECK_STR(g.mc.mentions[2].key, "@_all");
    /* Nested and balanced. */
    g = run(&a, "text", "{\"text\":\"<b><i>bold</i></b>\"}");
    CHECK_STR(g.mc.body, "{\"text\":\"bold\"}");
    g = run(&a, "text", "{\"txt\":\"x\"}");
    CHECK(g.e == ERR_BAD_REQUEST && g.ei.subj == SUBJ_CONTENT);
    CHECK_STR(g.ei.msg, "content format of the text type is incorrect");
    g = run(&a, "text", "not json");
    CHECK(g.e == ERR_BAD_REQUEST);
    CHECK_STR(g.ei.msg, "content is not a string in json format");
    g = run(&a, "txt", "{\"text\":\"x\"}");
    CHECK_STR(g.ei.msg, "invalid msg_type");
    arena_release(&a);
}

static void msg_size_limits(void)
{
    struct arena a;
    size_t n = 150 * 1024 + 20;
    char *big = malloc(n + 1);
    struct got g;

    arena_init(&a, 4096);
    memcpy(big, "{\"text\":\"", 9);
    memset(big + 9, 'x', n - 11);
    memcpy(big + n - 2, "\"}", 3);
    g = run(&a, "text", big);
    CHECK(g.e == ERR_LIMIT && g.ei.subj == SUBJ_CONTENT);
    big[150 * 1024 - 2] = '"';
    big[150 * 1024 - 1] = '}';
    big[150 * 1024] = '\0';
    g = run(&a, "text", big);
    CHECK(g.e == ERR_OK);
    /* Post and cards: 30 KB. */
    big[30 * 1024 + 8] = '\0';
    g = run(&a, "interactive", big);
    CHECK(g.e == ERR_LIMIT);
    free(big);
    arena_release(&a);
}

static void msg_post(void)
{
    struct arena a;
    struct got g;

    arena_init(&a, 4096);
    g = run(&a, "post",
            "{\"en_us\":{\"title\":\"E\",\"content\":[[{\"tag\":\"text\",\"text\":\"en\"}]]},"
            "\"zh_cn\":{\"title\":\"T\",\"content\":[[{\"tag\":\"text\",\"text\":\"hi \",\"style\":[\"bold\",\"red\"]},"
            "{\"tag\":\"at\",\"user_id\":\"ou_ann\"},{\"tag\":\"a\",\"text\":\"l\",\"href\":\"https://x.test\"}],"
            "[{\"tag\":\"img\",\"image_key\":\"img_1\"}],[{\"tag\":\"md\",\"text\":\"**m**\"}],[{\"tag\":\"hr\"}]]}}");
    CHECK(g.e == ERR_OK);
    CHECK_STR(g.mc.body,
              "{\"title\":\"T\",\"content\":[[{\"tag\":\"text\",\"text\":\"hi \",\"style\":[\"bold\"]},"
              "{\"tag\":\"at\",\"user_id\":\"@_user_1\",\"user_name\":\"\",\"style\":[]},"
              "{\"tag\":\"a\",\"href\":\"https://x.test\",\"text\":\"l\",\"style\":[]}],"
              "[{\"tag\":\"img\",\"image_key\":\"img_1\"}],[{\"tag\":\"text\",\"text\":\"**m**\",\"style\":[]}],"
              "[{\"tag\":\"hr\"}]]}");
    CHECK(g.mc.nmentions == 1);
    CHECK_STR(g.mc.mentions[0].name, "Ann"); /* the name is in mentions[], not the node */
    g = run(&a, "post", "{\"post\":{\"en_us\":{\"content\":[[{\"tag\":\"text\",\"text\":\"x\"}]]}}}");
    CHECK_STR(g.mc.body, "{\"title\":\"\",\"content\":[[{\"tag\":\"text\",\"text\":\"x\",\"style\":[]}]]}");
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[[{\"tag\":\"at\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content_at_tag's user_id field can't be nil");
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[[{\"tag\":\"a\",\"text\":\"x\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content_a_tag's href field can't be nil");
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[[{\"tag\":\"img\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content_img_tag's image_key field can't be nil");
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[[{\"tag\":\"text\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content_text_tag's text field can't be nil");
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[[{\"tag\":\"emotion\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content_emotion_tag's emoji_type is invalid");
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[[{\"tag\":\"blink\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content has wrong tag");
    /* Every locale is checked, not only the one read back. */
    g = run(&a, "post", "{\"zh_cn\":{\"content\":[]},\"en_us\":{\"content\":[[{\"tag\":\"blink\"}]]}}");
    CHECK_STR(g.ei.msg, "message_content has wrong tag");
    g = run(&a, "post", "{}");
    CHECK_STR(g.ei.msg, "content format of the post type is incorrect");
    /* A locale without content (a leak the fuzzer found: nothing may stay allocated). */
    g = run(&a, "post", "{\"zh_cn\":{\"title\":\"no content\"}}");
    CHECK_STR(g.ei.msg, "content format of the post type is incorrect");
    arena_release(&a);
}

static void msg_card(void)
{
    struct arena a;
    struct got g;

    arena_init(&a, 4096);
    g = run(&a, "interactive",
            "{\"config\":{\"update_multi\":true},\"header\":{\"title\":{\"tag\":\"plain_text\",\"content\":\"Alert\"}},"
            "\"elements\":[{\"tag\":\"div\",\"text\":{\"tag\":\"lark_md\",\"content\":\"**down**\"}},{\"tag\":\"hr\"},"
            "{\"tag\":\"action\",\"actions\":[{\"tag\":\"button\",\"text\":{\"tag\":\"plain_text\",\"content\":\"Ack\"}}]}]}");
    CHECK(g.e == ERR_OK);
    CHECK_STR(g.mc.body, "{\"title\":\"Alert\",\"elements\":[[{\"tag\":\"text\",\"text\":\"**down**\"}],"
                         "[{\"tag\":\"hr\"}],[{\"tag\":\"button\",\"text\":\"Ack\"}]]}");
    g = run(&a, "interactive", "{\"schema\":\"2.0\",\"body\":{\"elements\":[{\"tag\":\"markdown\",\"content\":\"m\"}]}}");
    CHECK_STR(g.mc.body, "{\"title\":\"\",\"elements\":[[{\"tag\":\"text\",\"text\":\"m\"}]]}");
    g = run(&a, "interactive", "{\"type\":\"template\",\"data\":{\"template_id\":\"AAq\"}}");
    CHECK(g.e == ERR_OK);
    g = run(&a, "interactive", "{\"type\":\"template\",\"data\":{}}");
    CHECK(g.e == ERR_BAD_REQUEST && g.ei.subj == SUBJ_CARD);
    g = run(&a, "interactive", "{\"header\":{}}");
    CHECK(g.e == ERR_BAD_REQUEST && g.ei.subj == SUBJ_CARD);
    arena_release(&a);
}

static void msg_other_types(void)
{
    struct arena a;
    struct got g;

    arena_init(&a, 4096);
    g = run(&a, "image", "{\"image_key\":\"img_v2_1\"}");
    CHECK_STR(g.mc.body, "{\"image_key\":\"img_v2_1\"}");
    g = run(&a, "image", "{}");
    CHECK_STR(g.ei.msg, "content format of the image type is incorrect");
    g = run(&a, "image", "{\"image_key\":\"img_other\"}");
    CHECK_STR(g.ei.msg, "invalid image_key");
    g = run(&a, "file", "{\"file_key\":\"file_v2_1\"}");
    CHECK_STR(g.mc.body, "{\"file_key\":\"file_v2_1\",\"file_name\":\"a.pdf\"}");
    g = run(&a, "audio", "{\"file_key\":\"f\"}");
    CHECK_STR(g.mc.body, "{\"file_key\":\"f\",\"duration\":1500}");
    /* An upload of another type: 230055's case. */
    g = run(&a, "audio", "{\"file_key\":\"file_v2_1\"}");
    CHECK(g.e == ERR_CONFLICT && g.ei.subj == SUBJ_RESOURCE);
    g = run(&a, "media", "{\"file_key\":\"f\"}");
    CHECK(g.e == ERR_CONFLICT);
    g = run(&a, "share_chat", "{\"chat_id\":\"oc_ok\"}");
    CHECK_STR(g.mc.body, "{\"chat_id\":\"oc_ok\"}");
    g = run(&a, "share_chat", "{\"chat_id\":\"oc_no\"}");
    CHECK_STR(g.ei.msg, "invalid chat_id");
    g = run(&a, "system", "{\"type\":\"divider\",\"params\":{\"divider_text\":{\"text\":\"新会话\","
                          "\"i18n_text\":{\"zh_CN\":\"新会话\",\"en_US\":\"New\"}}}}");
    CHECK_STR(g.mc.body, "{\"template\":\"{divider_text}\",\"from_user\":[],\"to_chatters\":[],"
                         "\"divider_text\":{\"text\":\"新会话\",\"i18n_text\":{\"zh_cn\":\"新会话\",\"en_us\":\"New\"}}}");
    g = run(&a, "system", "{\"type\":\"divider\",\"params\":{\"divider_text\":{\"text\":\"一二三四五六七八九十一\"}}}");
    CHECK(g.e == ERR_BAD_REQUEST);
    g = run(&a, "system", "{\"type\":\"divider\",\"params\":{\"divider_text\":{\"i18n_text\":{\"zh_cn\":\"x\"}}}}");
    CHECK(g.e == ERR_BAD_REQUEST);
    arena_release(&a);
}

/* "Emoji types": the names as the page spells them, case and all. */
static void msg_reaction_types(void)
{
    static const char *const known[] = { "OK", "THUMBSUP", "OnIt", "LGTM", "Fire", "2022",
                                         "Status_PrivateMessage", "Reliable" };
    static const char *const unknown[] = { "ok", "Thumbsup", "ONIT", "", "SMILE ", "thumbs_up" };

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        CHECK(svc_reaction_type_known(known[i]));
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        CHECK(!svc_reaction_type_known(unknown[i]));
    CHECK(!svc_reaction_type_known(NULL));
}

const struct unit_case svc_msg_cases[] = {
    { "svc/msg_text", msg_text },
    { "svc/msg_size_limits", msg_size_limits },
    { "svc/msg_post", msg_post },
    { "svc/msg_card", msg_card },
    { "svc/msg_other_types", msg_other_types },
    { "svc/msg_reaction_types", msg_reaction_types },
    { NULL, NULL },
};
