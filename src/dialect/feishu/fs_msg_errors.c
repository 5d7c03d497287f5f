/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_msg_errors.c - the message family's error codes
 * (the error code tables of "Send a message" and its sibling pages): its
 * routes (FS_IM) look here first and fall back to the chat family's table;
 * and its own rate limits (5 QPS per chat, per card, per pinned message;
 * the pin list's per app).
 */
#include "dialect/feishu/fs.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/rate.h"

#include <string.h>

#define INVALID "Your request contains an invalid request parameter."
#define FREQ "This operation triggers the frequency limit."

static const struct dialect_error im_errors[] = {
    { ERR_MISSING, SUBJ_NONE, 400, 99992402, "field validation failed" },
    { ERR_BAD_REQUEST, SUBJ_FIELD, 400, 99992402, "field validation failed" },
    { ERR_MALFORMED, SUBJ_NONE, 400, 230001, INVALID },
    { ERR_EMPTY_BODY, SUBJ_NONE, 400, 230001, INVALID },
    { ERR_BAD_REQUEST, SUBJ_MESSAGE, 400, 99992354,
      "The request you send is not a valid {open_message_id} or not exists" },
    { ERR_NOT_FOUND, SUBJ_MESSAGE, 400, 230001, INVALID },
    { ERR_GONE, SUBJ_MESSAGE, 400, 230011, "The message is recalled." },
    { ERR_FORBIDDEN, SUBJ_MEMBERSHIP, 400, 230002, "The bot can not be outside the group." },
    { ERR_FORBIDDEN, SUBJ_SPEAK, 400, 230018,
      "These operations are NOT allowed at current group settings." },
    { ERR_LIMIT, SUBJ_CONTENT, 400, 230025,
      "The length of the message content reaches its limit." },
    { ERR_BAD_REQUEST, SUBJ_CARD, 400, 230099, "Failed to create card content." },
    { ERR_FORBIDDEN, SUBJ_CARD, 400, 230027, "Lack of necessary permissions." },
    { ERR_EXPIRED, SUBJ_CARD, 400, 230031,
      "Message can only be modified within 14 days after sending." },
    { ERR_RATE_LIMITED, SUBJ_CARD, 400, 230020, FREQ },
    { ERR_RATE_LIMITED, SUBJ_CHAT, 400, 230020, FREQ },
    { ERR_EXPIRED, SUBJ_RECALL, 400, 230009, "Message has expired when recall message." },
    { ERR_FORBIDDEN, SUBJ_RECALL, 400, 230026, "No permission to recall this message." },
    { ERR_FORBIDDEN, SUBJ_MSG_EDIT, 400, 230071, "The operator is not the sender of the message." },
    { ERR_LIMIT, SUBJ_MSG_EDIT, 400, 230072,
      "The message has reached the number of times it can be edited." },
    { ERR_EXPIRED, SUBJ_MSG_EDIT, 400, 230075,
      "The message has exceeded the time that can be edited." },
    { ERR_BAD_REQUEST, SUBJ_MSG_TYPE, 400, 230054,
      "This operation is not supported for this message type." },
    { ERR_BAD_REQUEST, SUBJ_THREAD, 400, 230071,
      "The group to which the message belongs does not support reply in thread." },
    { ERR_BAD_REQUEST, SUBJ_P2P, 400, 230015, "P2P chat can NOT be shared." },
    { ERR_GONE, SUBJ_USER, 400, 230029, "User has resigned." },
    { ERR_FORBIDDEN, SUBJ_RESOURCE, 400, 230017, "Bot is NOT the owner of the resource." },
    { ERR_CONFLICT, SUBJ_RESOURCE, 400, 230055,
      "The type of file upload does not match the type of message being sent." },
    /* "Forward a message", "Merge and forward messages" */
    { ERR_NOT_FOUND, SUBJ_FORWARD, 400, 230064, "The message to be forwarded is invalid." },
    { ERR_GONE, SUBJ_FORWARD, 400, 230065, "The message to be forwarded has been recalled." },
    { ERR_BAD_REQUEST, SUBJ_FORWARD, 400, 230061, "The message type does not support forwarding." },
    { ERR_FORBIDDEN, SUBJ_FORWARD, 400, 230070,
      "Forwarding of messages in restricted mode is not allowed." },
    { ERR_CONFLICT, SUBJ_FORWARD, 400, 230069,
      "Does not support forwarding messages from different groups." },
    { ERR_CONFLICT, SUBJ_THREAD, 400, 230067,
      "The source of the messages to be merged and forwarded are not in compliance." },
    { ERR_NOT_FOUND, FS_SUBJ_MERGED, 400, 230064, "All messages to be forwarded are invalid." },
    { ERR_GONE, FS_SUBJ_MERGED, 400, 230065, "All messages to be forwarded have been recalled." },
    { ERR_NOT_FOUND, SUBJ_TARGET, 400, 230063, "The chat_id of group to forward is invalid." },
    { ERR_BAD_REQUEST, SUBJ_TARGET, 400, 230034, "The receive_id is invalid." },
    { ERR_NOT_FOUND, SUBJ_THREAD, 400, 230019, "The thread does NOT exist." },
    /* "Query the read status of a message", the buzz pages */
    { ERR_FORBIDDEN, SUBJ_SENDER, 400, 230012, "Bot is NOT the sender of the message." },
    { ERR_EXPIRED, SUBJ_READ, 400, 230033,
      "Get the reading status must be done within 7 days after the message is sent." },
    { ERR_GONE, FS_SUBJ_DELETED, 400, 230110,
      "Action unavailable as the message has been deleted." },
    { ERR_FORBIDDEN, SUBJ_URGENT, 400, 230052, "Can not urgent this message." },
    { ERR_LIMIT, SUBJ_USER, 400, 230023, "The user has too many unread urgent messages." },
    { ERR_LIMIT, SUBJ_URGENT, 400, 230024, "Reach the upper limit of urgent message." },
    { ERR_FORBIDDEN, SUBJ_NONE, 400, 230027, "Lack of necessary permissions." },
    { ERR_BAD_REQUEST, SUBJ_NONE, 400, 230001, INVALID },
    { ERR_BAD_REQUEST, SUBJ_CONTENT, 400, 230001, INVALID },
};

const struct dialect_error *fs_im_error_lookup(enum err e, enum subj s)
{
    size_t n = sizeof(im_errors) / sizeof(im_errors[0]);

    for (size_t i = 0; i < n; i++)
        if (im_errors[i].err == e && im_errors[i].subj == s)
            return &im_errors[i];
    /* Generic rows apply to subjects without an exact row, except those the
     * chat family names (232010 another tenant's chat, 232009 disbanded). */
    if (s == SUBJ_TENANT || s == SUBJ_CHAT || s == SUBJ_USER_TOKEN || s == SUBJ_TOKEN)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (im_errors[i].err == e && im_errors[i].subj == SUBJ_NONE)
            return &im_errors[i];
    return NULL;
}

const char *fs_im_msg(struct req *rq, const struct dialect_error *row)
{
    const char *detail = rq->err.msg;
    size_t n = strlen(row->msg);

    if (row->code == 230020 && rq->err.subj == SUBJ_CARD)
        detail = "Update the single messages too frequently";
    else if ((row->code != 230001 && row->code != 230099) || detail[0] == '\0')
        return row->msg;
    return arena_printf(rq->http->arena, "%.*s, ext=%s", (int)(n - 1), row->msg, detail);
}

enum err fs_msg_rate(struct req *rq, enum fs_rate_kind kind, uint64_t key)
{
    const struct config *cfg = rq->app->cfg;
    /* Per kind: the budget a second and what it is about. */
    const struct {
        int64_t max;
        enum subj subj;
    } kinds[] = {
        [FS_RATE_CHAT] = { cfg->rate_feishu_chat_per_second, SUBJ_CHAT },
        [FS_RATE_CARD] = { cfg->rate_feishu_card_per_second, SUBJ_CARD },
        [FS_RATE_PIN] = { cfg->rate_feishu_pin_per_second, SUBJ_PIN },
        [FS_RATE_PIN_LIST] = { cfg->rate_feishu_pin_list_per_second, FS_SUBJ_PIN_LIST },
    };
    struct rate_rule rules[RATE_MAX_RULES] = {
        { 1000, kinds[kind].max },
        { 0, 0 },
    };
    bool on = true;
    enum err e;

    if (rq->app->limiter == NULL || rules[0].max == 0)
        return ERR_OK;
    key = key * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(RATE__COUNT + kind) * 0xc2b2ae3d27d4eb4fULL;
    if (rate_allow(rq->app->limiter, key, rules, clock_wall_us() / 1000, &rq->rate_limit,
                   &rq->rate_reset))
        return ERR_OK;
    e = svc_tenant_rate_limit(&rq->svc, &on);
    if (e != ERR_OK || !on)
        return e;
    return err_set(&rq->err, ERR_RATE_LIMITED, kinds[kind].subj, "too many requests");
}
