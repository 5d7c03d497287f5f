/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_int.h - shared by the svc_msg*.c files only.
 */
#ifndef QZ_SVC_MSG_INT_H
#define QZ_SVC_MSG_INT_H

#include "svc/svc.h"

/* The server clock in unix milliseconds (messages' create and update times). */
int64_t svc_msg_now_ms(const struct svc_ctx *c);
/* The mentions of a checked content as the mentions column stores them. */
const char *svc_msg_mentions_json(struct arena *a, const struct msg_content *mc);
/* svc_msg_content with the lookups of the acting app and tenant. */
enum err svc_msg_check_content(struct svc_ctx *c, const struct msg_op *o, const char *msg_type,
                               const char *content, struct msg_content *out);
/* ERR_FORBIDDEN (SUBJ_SPEAK) when the chat's moderation keeps the operator quiet. */
enum err svc_msg_may_speak(struct svc_ctx *c, const struct chat_view *v);
/* ERR_FORBIDDEN (SUBJ_SPEAK) when the content @-mentions all and the chat
 * lets only its owner and managers do that. */
enum err svc_msg_may_mention_all(struct svc_ctx *c, const struct chat_view *v,
                                 const struct msg_content *mc);
/* A message of c->tenant by id: ERR_BAD_REQUEST (SUBJ_MESSAGE) for a
 * malformed id, ERR_NOT_FOUND (SUBJ_MESSAGE) for an unknown one. */
enum err svc_msg_load(struct svc_ctx *c, const char *message_id, struct fs_msg_row *out);

#endif
