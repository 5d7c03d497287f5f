/* SPDX-License-Identifier: MIT */
/*
 * dialect/admin/ad.h - qunzu's own admin API (/admin/v1/): seeding tenants,
 * reading their resolved identities, moving the server clock.
 * Documented in docs/admin-api.md.
 */
#ifndef QZ_DIALECT_AD_H
#define QZ_DIALECT_AD_H

#include "dialect/dialect.h"

extern const struct dialect ad_dialect;

/* The control room (ad_control.c): fault rules, the request inspector,
 * tenants as a whole, snapshots. */
enum err ad_fault_add(struct req *rq, json_t *body, json_t *out);
enum err ad_fault_list(struct req *rq, json_t *body, json_t *out);
enum err ad_fault_delete(struct req *rq, json_t *body, json_t *out);
enum err ad_requests(struct req *rq, json_t *body, json_t *out);
/* Tenants as a whole and snapshots of the whole state. */
enum err ad_tenant_list(struct req *rq, json_t *body, json_t *out);
enum err ad_tenant_delete(struct req *rq, json_t *body, json_t *out);
enum err ad_tenant_reset(struct req *rq, json_t *body, json_t *out);
enum err ad_snapshot_list(struct req *rq, json_t *body, json_t *out);
enum err ad_snapshot_save(struct req *rq, json_t *body, json_t *out);
enum err ad_snapshot_restore(struct req *rq, json_t *body, json_t *out);
enum err ad_snapshot_delete(struct req *rq, json_t *body, json_t *out);

/* The web console's reads (ad_console.c). */
enum err ad_console_chats(struct req *rq, json_t *body, json_t *out);
enum err ad_console_people(struct req *rq, json_t *body, json_t *out);
enum err ad_console_depts(struct req *rq, json_t *body, json_t *out);
enum err ad_console_chat(struct req *rq, json_t *body, json_t *out);
enum err ad_console_app(struct req *rq, json_t *body, json_t *out);
enum err ad_console_members(struct req *rq, json_t *body, json_t *out);
enum err ad_console_messages(struct req *rq, json_t *body, json_t *out);

/* Long connections (ad_ws.c). */
enum err ad_ws_conns(struct req *rq, json_t *body, json_t *out);
enum err ad_ws_kick_all(struct req *rq, json_t *body, json_t *out);
enum err ad_ws_kick(struct req *rq, json_t *body, json_t *out);
enum err ad_ws_silence(struct req *rq, json_t *body, json_t *out);
enum err ad_ws_resume(struct req *rq, json_t *body, json_t *out);
enum err ad_ws_delivery(struct req *rq, json_t *body, json_t *out);
enum err ad_ws_delivery_get(struct req *rq, json_t *body, json_t *out);
extern const struct field_rule ad_ws_delivery_rules[];

#endif
