/* SPDX-License-Identifier: MIT */
/*
 * dialect/wecom/wc_routes.c - the WeCom route table and field rules.
 * Official pages: WeCom "获取access_token", WeCom "知识库分组管理" (knowledge-base groups).
 */
#include "dialect/wecom/wc.h"

/* SDKs send every field, empty ones too (list_group): "" and 0 read as absent. */
static const struct field_rule add_group_rules[] = {
    { "name", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { NULL },
};
static const struct field_rule del_group_rules[] = {
    { "group_id", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { NULL },
};
static const struct field_rule mod_group_rules[] = {
    { "group_id", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { "name", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { NULL },
};
static const struct field_rule list_group_rules[] = {
    { "cursor", JT_STRING, F_EMPTY_ABSENT },
    { "limit", JT_INT, F_EMPTY_ABSENT | F_RANGE, 0, 1, 1000 }, /* default 500, max 1000 */
    { "group_id", JT_STRING, F_EMPTY_ABSENT },
    { NULL },
};
/* WeCom "知识库问答管理": the parts' insides are checked by wc_intent.c. */
static const struct field_rule add_intent_rules[] = {
    { "group_id", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { "question", JT_OBJECT, F_REQUIRED | F_EMPTY_ABSENT },
    { "similar_questions", JT_OBJECT, F_EMPTY_ABSENT },
    { "answers", JT_ARRAY, F_REQUIRED | F_EMPTY_ABSENT },
    { NULL },
};
static const struct field_rule del_intent_rules[] = {
    { "intent_id", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { NULL },
};
/* Each part given replaces the stored one; absent parts stay. */
static const struct field_rule mod_intent_rules[] = {
    { "intent_id", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { "question", JT_OBJECT, F_EMPTY_ABSENT },
    { "similar_questions", JT_OBJECT, F_EMPTY_ABSENT },
    { "answers", JT_ARRAY, F_EMPTY_ABSENT },
    { NULL },
};
static const struct field_rule list_intent_rules[] = {
    { "cursor", JT_STRING, F_EMPTY_ABSENT },
    { "limit", JT_INT, F_EMPTY_ABSENT | F_RANGE, 0, 1, 1000 }, /* default 500, max 1000 */
    { "group_id", JT_STRING, F_EMPTY_ABSENT },
    { "intent_id", JT_STRING, F_EMPTY_ABSENT },
    { NULL },
};

static const struct route wc_routes[] = {
    /* method    path                                flags                    rules  handler */
    /* WeCom "获取access_token" */
    { HTTP_GET, "/cgi-bin/gettoken", R_PUBLIC | R_WRITE | R_INLINE | R_READ_FIRST, NULL,
      wc_gettoken },
    /* WeCom "知识库分组管理" (knowledge-base groups): add, del, mod, list */
    { HTTP_POST, "/cgi-bin/kf/knowledge/add_group", R_WRITE | R_JSON, add_group_rules,
      wc_kb_add_group },
    { HTTP_POST, "/cgi-bin/kf/knowledge/del_group", R_WRITE | R_JSON, del_group_rules,
      wc_kb_del_group },
    { HTTP_POST, "/cgi-bin/kf/knowledge/mod_group", R_WRITE | R_JSON, mod_group_rules,
      wc_kb_mod_group },
    { HTTP_POST, "/cgi-bin/kf/knowledge/list_group", R_JSON | R_CACHE, list_group_rules,
      wc_kb_list_group },
    /* WeCom "知识库问答管理" */
    { HTTP_POST, "/cgi-bin/kf/knowledge/add_intent", R_WRITE | R_JSON, add_intent_rules,
      wc_intent_add },
    { HTTP_POST, "/cgi-bin/kf/knowledge/del_intent", R_WRITE | R_JSON, del_intent_rules,
      wc_intent_del },
    { HTTP_POST, "/cgi-bin/kf/knowledge/mod_intent", R_WRITE | R_JSON, mod_intent_rules,
      wc_intent_mod },
    { HTTP_POST, "/cgi-bin/kf/knowledge/list_intent", R_JSON | R_CACHE, list_intent_rules,
      wc_intent_list },
    /* WeCom "上传临时素材": the media_id of image, video and mini-program attachments */
    { HTTP_POST, "/cgi-bin/media/upload", R_WRITE, NULL, wc_media_upload },
};

const struct dialect wc_dialect = {
    .name = "wecom",
    .prefix = "/cgi-bin/",
    .routes = wc_routes,
    .nroutes = sizeof(wc_routes) / sizeof(wc_routes[0]),
    .rate_class = RATE_WECOM, /* WeCom "频率限制": per corp, per API */
    .rate_per_route = true,
    .auth = wc_auth,
    .render = wc_render,
};
