/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_react.c - reactions on Feishu messages ("Add a reaction for a
 * message", "Get the list of reactions for a message", "Delete a reaction
 * for a message", "Emoji types"): the emoji types there are, who may react
 * (members of the message's chat, on live messages that are not system
 * messages), one reaction per operator and emoji type, only one's own
 * reactions deleted; im.message.reaction.created_v1 / deleted_v1 to the bots
 * of the chat that hold a reaction-reading scope.
 */
#include "svc/svc_msg_int.h"

#include "core/arena.h"
#include "core/ids.h"

#include <string.h>

#define REACTION_ID_BYTES 42 /* 56 characters of base64url */

/* "Emoji types" (表情文案说明): every emoji_type a reaction may carry; the
 * names are case-sensitive. */
static const char *const EMOJI_TYPES[] = {
    "OK", "THUMBSUP", "THANKS", "MUSCLE", "FINGERHEART", "APPLAUSE", "FISTBUMP", "JIAYI", "DONE",
    "SMILE", "BLUSH", "LAUGH", "SMIRK", "LOL", "FACEPALM", "LOVE", "WINK", "PROUD", "WITTY",
    "SMART", "SCOWL", "THINKING", "SOB", "CRY", "ERROR", "NOSEPICK", "HAUGHTY", "SLAP",
    "SPITBLOOD", "TOASTED", "BLACKFACE", "GLANCE", "DULL", "INNOCENTSMILE", "JOYFUL", "WOW",
    "TRICK", "YEAH", "ENOUGH", "TEARS", "EMBARRASSED", "KISS", "SMOOCH", "DROOL", "OBSESSED",
    "MONEY", "TEASE", "SHOWOFF", "COMFORT", "CLAP", "PRAISE", "STRIVE", "XBLUSH", "SILENT",
    "WAVE", "WHAT", "FROWN", "SHY", "DIZZY", "LOOKDOWN", "CHUCKLE", "WAIL", "CRAZY", "WHIMPER",
    "HUG", "BLUBBER", "WRONGED", "HUSKY", "SHHH", "SMUG", "ANGRY", "HAMMER", "SHOCKED", "TERROR",
    "PETRIFIED", "SKULL", "SWEAT", "SPEECHLESS", "SLEEP", "DROWSY", "YAWN", "SICK", "PUKE",
    "BIGKISS", "BETRAYED", "HEADSET", "DONNOTGO", "EatingFood", "MeMeMe", "Sigh", "Typing",
    "Lemon", "Get", "LGTM", "OnIt", "OneSecond", "VRHeadset", "YouAreTheBest", "SALUTE", "SHAKE",
    "HIGHFIVE", "UPPERLEFT", "ThumbsDown", "SLIGHT", "TONGUE", "EYESCLOSED", "RoarForYou",
    "CALF", "BEAR", "BULL", "RAINBOWPUKE", "ROSE", "HEART", "PARTY", "LIPS", "BEER", "CAKE",
    "GIFT", "CUCUMBER", "Drumstick", "Pepper", "CANDIEDHAWS", "BubbleTea", "Coffee", "Yes",
    "No", "OKR", "CheckMark", "CrossMark", "MinusOne", "Hundred", "AWESOMEN", "Pin", "Alarm",
    "Loudspeaker", "Trophy", "Fire", "BOMB", "Music", "XmasTree", "Snowman", "XmasHat",
    "FIREWORKS", "2022", "REDPACKET", "FORTUNE", "LUCK", "FIRECRACKER", "StickyRiceBalls",
    "HEARTBROKEN", "POOP", "StatusFlashOfInspiration", "18X", "CLEAVER", "Soccer", "Basketball",
    "GeneralDoNotDisturb", "Status_PrivateMessage", "GeneralInMeetingBusy", "StatusReading",
    "StatusInFlight", "GeneralBusinessTrip", "GeneralWorkFromHome", "StatusEnjoyLife",
    "GeneralTravellingCar", "StatusBus", "GeneralSun", "GeneralMoonRest", "MoonRabbit",
    "Mooncake", "JubilantRabbit", "TV", "Movie", "Pumpkin", "BeamingFace", "Delighted",
    "ColdSweat", "FullMoonFace", "Partying", "GoGoGo", "ThanksFace", "SaluteFace", "Shrug",
    "ClownFace", "HappyDragon", "PursueUltimate", "Patient", "Ambitious", "CustomerSuccess",
    "Responsible", "Reliable",
};

bool svc_reaction_type_known(const char *emoji_type)
{
    for (size_t i = 0; emoji_type != NULL && i < sizeof(EMOJI_TYPES) / sizeof(EMOJI_TYPES[0]);
         i++)
        if (strcmp(EMOJI_TYPES[i], emoji_type) == 0)
            return true;
    return false;
}

static enum err check_type(struct svc_ctx *c, const char *emoji_type)
{
    return svc_reaction_type_known(emoji_type)
               ? ERR_OK
               : err_set(c->ei, ERR_BAD_REQUEST, SUBJ_REACTION, "reaction type is invalid");
}

/* The message and its chat for a reacting operator: a member of the live
 * chat; the message neither recalled nor a system message. */
static enum err open_message(struct svc_ctx *c, const struct actor *op, const char *message_id,
                             struct fs_msg_row *m, struct chat_view *v)
{
    enum err e = svc_msg_load(c, message_id, m);

    if (e == ERR_OK)
        e = svc_chat_open(c, m->chat_id, op, true, v);
    if (e == ERR_OK && m->deleted)
        e = err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (e == ERR_OK && strcmp(m->msg_type, "system") == 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MSG_TYPE, "system messages take no reactions");
    return e;
}

/* --- events --- */

static const char *const READ_SCOPES[] = { "im:message.reactions:read", "im:message:readonly",
                                           NULL };

struct react_arg {
    const struct reaction_op *o;
    const struct fs_reaction_row *r;
    const char *message_id;
    bool created;
    int64_t action_ms;
};

static json_t *react_body(void *arg, int64_t app, const char *event_id)
{
    struct react_arg *ra = arg;

    return ra->o->event(ra->o->arg, app, event_id, ra->r, ra->message_id, ra->created,
                        ra->action_ms);
}

/* The reaction event to every bot of the chat (the reacting one included,
 * unconfirmed) whose app holds a scope that reads reactions. */
static enum err emit(struct svc_ctx *c, const struct reaction_op *o, int64_t chat,
                     const struct fs_reaction_row *r, const char *message_id, bool created)
{
    struct react_arg ra = { o, r, message_id, created,
                            created ? r->created_ms : svc_msg_now_ms(c) };
    struct fs_member_row *bots;
    size_t n;
    enum err e;

    if (o->event == NULL)
        return ERR_OK;
    e = store_fs_member_list_kind(c->st, c->a, chat, ACTOR_BOT, &bots, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        struct scope_set held;

        e = svc_app_scopes(c, bots[i].who.ref, &held);
        if (e == ERR_OK && svc_scope_any(&held, READ_SCOPES))
            e = svc_event_to_app(c, bots[i].who.ref,
                                 created ? "im.message.reaction.created_v1"
                                         : "im.message.reaction.deleted_v1",
                                 react_body, &ra);
    }
    return e;
}

/* --- operations --- */

enum err svc_reaction_add(struct svc_ctx *c, const struct reaction_op *o, const char *message_id,
                          const char *emoji_type, struct fs_reaction_row *out)
{
    struct fs_msg_row m;
    struct chat_view v;
    enum err e = check_type(c, emoji_type);

    if (e == ERR_OK)
        e = store_lock_tenant(c->st, c->tenant);
    if (e == ERR_OK)
        e = open_message(c, &o->op, message_id, &m, &v);
    if (e != ERR_OK)
        return e;
    /* The same emoji again answers the reaction there is (unconfirmed). */
    e = store_fs_reaction_find(c->st, c->a, m.id, &o->op, emoji_type, out);
    if (e != ERR_NOT_FOUND)
        return e;
    *out = (struct fs_reaction_row){ .tenant_id = c->tenant,
                                     .reaction_id = ids_token(c->a, "", REACTION_ID_BYTES),
                                     .message = m.id,
                                     .emoji_type = emoji_type,
                                     .op = o->op,
                                     .created_ms = svc_msg_now_ms(c) };
    e = store_fs_reaction_insert(c->st, out);
    if (e == ERR_OK)
        e = emit(c, o, m.chat, out, m.message_id, true);
    return e;
}

enum err svc_reaction_list(struct svc_ctx *c, const struct reaction_op *o,
                           const struct reaction_list *q, struct fs_reaction_row **rows,
                           size_t *n, bool *has_more)
{
    struct fs_msg_row m;
    struct chat_view v;
    enum err e = ERR_OK;

    *n = 0;
    *has_more = false;
    if (q->emoji_type != NULL)
        e = check_type(c, q->emoji_type);
    if (e == ERR_OK)
        e = open_message(c, &o->op, q->message_id, &m, &v);
    if (e == ERR_OK)
        e = store_fs_reaction_page(c->st, c->a, m.id, q->emoji_type, q->after, q->limit + 1, rows,
                                   n);
    if (e == ERR_OK && *n > (size_t)q->limit) {
        *n = (size_t)q->limit;
        *has_more = true;
    }
    return e;
}

enum err svc_reaction_delete(struct svc_ctx *c, const struct reaction_op *o,
                             const char *message_id, const char *reaction_id,
                             const char *emoji_type, struct fs_reaction_row *out)
{
    struct fs_msg_row m;
    struct chat_view v;
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = open_message(c, &o->op, message_id, &m, &v);
    if (e != ERR_OK)
        return e;
    if (reaction_id != NULL) {
        e = store_fs_reaction_get(c->st, c->a, reaction_id, out);
        /* Another tenant's reaction is as unknown as none. */
        if (e == ERR_NOT_FOUND || (e == ERR_OK && out->tenant_id != c->tenant))
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_REACTION, "invalid reaction_id");
        if (e == ERR_OK && out->message != m.id)
            return err_set(c->ei, ERR_CONFLICT, SUBJ_REACTION,
                           "the reaction does not belong to the message");
    } else {
        e = check_type(c, emoji_type);
        if (e == ERR_OK)
            e = store_fs_reaction_find(c->st, c->a, m.id, &o->op, emoji_type, out);
        if (e == ERR_NOT_FOUND)
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_REACTION, "no such reaction");
    }
    if (e != ERR_OK)
        return e;
    if (out->op.kind != o->op.kind || out->op.ref != o->op.ref)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_REACTION, "not the operator's reaction");
    e = store_fs_reaction_delete(c->st, out->id);
    if (e == ERR_OK)
        e = emit(c, o, m.chat, out, m.message_id, false);
    return e;
}
