/* SPDX-License-Identifier: MIT */
/*
 * dialect/udesk/ud_routes.c - the Udesk route table (/open_api_v1/).
 * Official pages: Udesk Open API v2 "General instructions" (log_in, the v2 signature) and
 * Udesk "Knowledge catalogs".
 *
 * Every signed route is a write: a verified request records its nonce,
 * the list included.
 */
#include "dialect/udesk/ud.h"

static const struct field_rule log_in_rules[] = {
    { "email", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { "password", JT_STRING, F_REQUIRED | F_EMPTY_ABSENT },
    { NULL },
};
/* The wrapper every catalog body has (create, modify, delete); ud_kb.c checks inside it. */
static const struct field_rule catalog_rules[] = {
    { "knowledge_catalog", JT_OBJECT, F_REQUIRED },
    { NULL },
};
/* The wrappers of item bodies; ud_item.c checks inside them. */
static const struct field_rule question_rules[] = {
    { "knowledge_question", JT_OBJECT, F_REQUIRED },
    { NULL },
};
static const struct field_rule expression_rules[] = {
    { "useful_expression", JT_OBJECT, F_REQUIRED },
    { NULL },
};
static const struct field_rule link_rules[] = {
    { "useful_link", JT_OBJECT, F_REQUIRED },
    { NULL },
};

static const struct route ud_routes[] = {
    /* method    path                                   flags              rules  handler */
    /* Udesk Open API v2 "General instructions": log_in */
    { HTTP_POST, "/open_api_v1/log_in", R_PUBLIC | R_JSON, log_in_rules, ud_log_in },
    /* Udesk "Knowledge catalogs": create, modify, delete, list */
    { HTTP_POST, "/open_api_v1/knowledge_catalogs", R_WRITE | R_JSON, catalog_rules,
      ud_kb_create },
    { HTTP_PUT, "/open_api_v1/knowledge_catalogs/:id", R_WRITE | R_JSON, catalog_rules,
      ud_kb_update },
    { HTTP_DELETE, "/open_api_v1/knowledge_catalogs/:id", R_WRITE | R_JSON, catalog_rules,
      ud_kb_delete },
    { HTTP_GET, "/open_api_v1/knowledge_catalogs", R_WRITE, NULL, ud_kb_list },
    /* Udesk "Knowledge questions", "Common phrases", "Common links" */
    /* The handlers serve every kind: ud_item.c reads it from the path. */
    { HTTP_POST, "/open_api_v1/knowledge_questions", R_WRITE | R_JSON, question_rules,
      ud_item_create },
    { HTTP_PUT, "/open_api_v1/knowledge_questions/:id", R_WRITE | R_JSON, question_rules,
      ud_item_update },
    { HTTP_DELETE, "/open_api_v1/knowledge_questions/:id", R_WRITE | R_JSON, question_rules,
      ud_item_delete },
    { HTTP_GET, "/open_api_v1/knowledge_questions/:id", R_WRITE, NULL, ud_item_show },
    { HTTP_GET, "/open_api_v1/knowledge_questions", R_WRITE, NULL, ud_item_list },
    { HTTP_POST, "/open_api_v1/useful_expressions", R_WRITE | R_JSON, expression_rules,
      ud_item_create },
    { HTTP_PUT, "/open_api_v1/useful_expressions/:id", R_WRITE | R_JSON, expression_rules,
      ud_item_update },
    { HTTP_DELETE, "/open_api_v1/useful_expressions/:id", R_WRITE | R_JSON, expression_rules,
      ud_item_delete },
    { HTTP_GET, "/open_api_v1/useful_expressions/:id", R_WRITE, NULL, ud_item_show },
    { HTTP_GET, "/open_api_v1/useful_expressions", R_WRITE, NULL, ud_item_list },
    { HTTP_POST, "/open_api_v1/useful_links", R_WRITE | R_JSON, link_rules, ud_item_create },
    { HTTP_PUT, "/open_api_v1/useful_links/:id", R_WRITE | R_JSON, link_rules, ud_item_update },
    { HTTP_DELETE, "/open_api_v1/useful_links/:id", R_WRITE | R_JSON, link_rules, ud_item_delete },
    { HTTP_GET, "/open_api_v1/useful_links/:id", R_WRITE, NULL, ud_item_show },
    { HTTP_GET, "/open_api_v1/useful_links", R_WRITE, NULL, ud_item_list },
};

const struct dialect ud_dialect = {
    .name = "udesk",
    .prefix = "/open_api_v1/",
    .routes = ud_routes,
    .nroutes = sizeof(ud_routes) / sizeof(ud_routes[0]),
    .rate_class = RATE_UDESK, /* Udesk Open API v2 "General instructions": per company, any API */
    .auth = ud_auth,
    .after_rollback = ud_keep_nonce,
    .render = ud_render,
};
