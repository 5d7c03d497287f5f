/* SPDX-License-Identifier: MIT */
/*
 * core/err.h - the one error enum every module returns, plus request detail.
 *
 * Codes name what went wrong in the domain; each dialect maps (code, subject)
 * to its own envelope in one table (the dialect errors files).
 */
#ifndef QZ_CORE_ERR_H
#define QZ_CORE_ERR_H

#include <stdarg.h>

enum err {
    ERR_OK = 0,
    ERR_BAD_REQUEST,     /* field missing, wrong type or out of range */
    ERR_MISSING,         /* a required parameter is absent or empty */
    ERR_MALFORMED,       /* the body is not the JSON object the endpoint takes */
    ERR_EMPTY_BODY,      /* a body was required and none was sent */
    ERR_TOO_LARGE,       /* the body is over the configured limit */
    ERR_UNAUTHENTICATED, /* credential absent, unknown or wrong */
    ERR_EXPIRED,         /* credential was valid once and has expired */
    ERR_FORBIDDEN,       /* caller is known but may not do this */
    ERR_NOT_FOUND,
    ERR_GONE,            /* it existed and was removed (a disbanded chat) */
    ERR_METHOD,          /* the path exists with another method */
    ERR_CONFLICT,        /* e.g. duplicate group name */
    ERR_LIMIT,           /* a documented quota or size limit was hit */
    ERR_RATE_LIMITED,    /* too many requests in a window: try again later */
    ERR_BUSY,            /* the server is at a bound (its write queue): try again later */
    ERR_FAULT,           /* a fault rule answers this call (rq->fault says how) */
    ERR_STORE,           /* the database failed through no fault of the caller */
    ERR_INTERNAL,
    ERR__COUNT           /* keep last: sizes the mapping tables */
};

/*
 * What an error is about, when a dialect must tell cases apart that share a
 * code (WeCom tells a missing corpid from a missing secret). These are the
 * shared ones: svc sets them, or more than one dialect's table reads them. A
 * subject only one dialect's handlers set and read is that dialect's own: its
 * header defines it from SUBJ_DIALECT up (UD_SUBJ_SIGNATURE in ud.h, say).
 */
enum subj {
    SUBJ_NONE = 0,
    SUBJ_TOKEN,      /* an access token */
    SUBJ_TENANT,     /* a tenant identity: corpid, tenant_key, email */
    SUBJ_SECRET,     /* an app secret or a password */
    SUBJ_SECRET_OTHER, /* a secret that belongs to another tenant */
    SUBJ_ROUTE,      /* the path itself */
    SUBJ_GROUP,      /* a knowledge-base category */
    SUBJ_DEFAULT_GROUP,
    SUBJ_FIELD,      /* a named request field; the name is in err_info */
    SUBJ_USER_TOKEN, /* a token that acts as a user */
    SUBJ_CODE,       /* an OAuth authorization code */
    SUBJ_REFRESH,    /* an OAuth refresh token */
    SUBJ_CHAT,       /* a chat */
    SUBJ_MEMBERSHIP, /* the operator's membership of a chat */
    SUBJ_OWNER,      /* a chat's (new) owner */
    SUBJ_EDIT,       /* editing a chat's basic information */
    SUBJ_SETTINGS,   /* changing a chat's settings */
    SUBJ_OWNER_ONLY, /* an action only the owner (or creator bot) may take */
    SUBJ_SHARE,      /* sharing a chat */
    SUBJ_PIN,        /* pinning in a chat */
    SUBJ_CHAT_MODE,  /* an operation the chat's mode does not support */
    SUBJ_P2P,        /* an operation p2p chats do not support */
    SUBJ_NAME,       /* a chat name rule */
    SUBJ_BOT,        /* a bot (app) named in a request */
    SUBJ_USER,       /* a person named in a request */
    SUBJ_AVATAR,     /* an image key */
    SUBJ_MANAGER,    /* a chat's managers */
    SUBJ_APPROVAL,   /* a join that needs approval */
    SUBJ_OPEN_ID,    /* a person named by a per-app id */
    SUBJ_UNION_ID,   /* a person named by a per-developer id */
    SUBJ_USER_ID,    /* a person named by a tenant id */
    SUBJ_ANNOUNCEMENT, /* a chat's announcement document */
    SUBJ_ID_TYPE,    /* an id type a request names */
    SUBJ_TAB,        /* a chat tab */
    SUBJ_TAB_NAME,   /* a chat tab's name */
    SUBJ_TAB_CHAT,   /* a chat that cannot have tabs */
    SUBJ_MENU,       /* a chat menu (top level) */
    SUBJ_MENU_CHILD, /* a second-level chat menu */
    SUBJ_PARENT,     /* the parent a category is put under */
    SUBJ_AGENT,      /* a person acting as an agent (a category owner) */
    SUBJ_SUBDOMAIN,  /* a tenant named by the request's Host */
    SUBJ_NONCE,      /* the single-use nonce of a signed request (svc's replay guard) */
    SUBJ_MESSAGE,    /* a message named by id (malformed, unknown, recalled) */
    SUBJ_CONTENT,    /* a message's content (msg_type, format, size) */
    SUBJ_CARD,       /* a card message: its JSON, who may update it, its window */
    SUBJ_SPEAK,      /* who may speak in a chat (moderation) */
    SUBJ_RECALL,     /* who may recall a message, and until when */
    SUBJ_MSG_EDIT,   /* editing a message: its sender, edit count, window */
    SUBJ_MSG_TYPE,   /* an operation the message's type does not support */
    SUBJ_THREAD,     /* replying in a thread */
    SUBJ_REACTION,   /* a message reaction: its emoji type, its operator, its message */
    SUBJ_RESOURCE,   /* an uploaded image or file key */
    SUBJ_SCOPE,      /* a scope an app or a grant lacks (field: "user_id" for the id type) */
    SUBJ_KB_ITEM,    /* a knowledge item (a WeCom intent, a Udesk question...) */
    SUBJ_QUESTION,   /* a knowledge item's question text */
    SUBJ_MEDIA,      /* a temporary media id an attachment names */
    SUBJ_MSGTYPE,    /* an attachment's kind */
    SUBJ_FORWARD,    /* a message to forward: unknown, recalled, its type, its chat */
    SUBJ_TARGET,     /* where a forward goes: a chat or a person */
    SUBJ_SENDER,     /* an operation only a message's sender may take */
    SUBJ_READ,       /* a message's read receipts (their window) */
    SUBJ_URGENT,     /* buzzing people about a message: who may, how often */
    SUBJ__COUNT,
    /* Dialect-defined subjects: SUBJ_DIALECT + n, named in the dialect's header. */
    SUBJ_DIALECT = 64
};

/* Detail kept next to the code for one request; the renderer reads it. */
struct err_info {
    enum err code;
    enum subj subj;
    char field[48]; /* offending field, when there is one */
    char msg[200];  /* human-readable detail, lower-case, no full stop */
};

void err_info_clear(struct err_info *ei);

/* Record an error and return 'code', so callers write 'return err_set(...)'. */
enum err err_set(struct err_info *ei, enum err code, enum subj subj, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
enum err err_field(struct err_info *ei, enum err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *err_name(enum err code);

#endif
