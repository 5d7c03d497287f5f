/* SPDX-License-Identifier: MIT */
/* core/err.c - error detail helpers; see err.h. */
#include "core/err.h"

#include "core/str.h"

#include <stdio.h>
#include <string.h>

static const char *const err_names[ERR__COUNT] = {
    [ERR_OK] = "ok",
    [ERR_BAD_REQUEST] = "bad_request",
    [ERR_MISSING] = "missing",
    [ERR_MALFORMED] = "malformed",
    [ERR_EMPTY_BODY] = "empty_body",
    [ERR_TOO_LARGE] = "too_large",
    [ERR_UNAUTHENTICATED] = "unauthenticated",
    [ERR_EXPIRED] = "expired",
    [ERR_FORBIDDEN] = "forbidden",
    [ERR_NOT_FOUND] = "not_found",
    [ERR_GONE] = "gone",
    [ERR_METHOD] = "method_not_allowed",
    [ERR_CONFLICT] = "conflict",
    [ERR_LIMIT] = "limit",
    [ERR_RATE_LIMITED] = "rate_limited",
    [ERR_BUSY] = "busy",
    [ERR_FAULT] = "fault",
    [ERR_STORE] = "store",
    [ERR_INTERNAL] = "internal",
};

void err_info_clear(struct err_info *ei)
{
    memset(ei, 0, sizeof(*ei));
}

static void err_vset(struct err_info *ei, enum err code, enum subj subj, const char *fmt,
                     va_list ap)
{
    ei->code = code;
    ei->subj = subj;
    if (fmt != NULL)
        vsnprintf(ei->msg, sizeof(ei->msg), fmt, ap);
    else
        ei->msg[0] = '\0';
    /* Messages quote request input and may be cut short: they go into JSON,
     * which must stay valid UTF-8. */
    str_utf8_sanitize(ei->msg);
}

enum err err_set(struct err_info *ei, enum err code, enum subj subj, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(ei, code, subj, fmt, ap);
    va_end(ap);
    ei->field[0] = '\0';
    return code;
}

enum err err_field(struct err_info *ei, enum err code, const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(ei, code, SUBJ_FIELD, fmt, ap);
    va_end(ap);
    snprintf(ei->field, sizeof(ei->field), "%s", field);
    str_utf8_sanitize(ei->field);
    return code;
}

const char *err_name(enum err code)
{
    if ((unsigned)code >= ERR__COUNT || err_names[code] == NULL)
        return "unknown";
    return err_names[code];
}
