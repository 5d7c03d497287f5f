/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/unit.h - the unit-test runner's contract: each test_<module>.c
 * exports a table of named cases; unit_main.c runs those whose name starts
 * with the prefix given on the command line (all if none).
 */
#ifndef QZ_UNIT_H
#define QZ_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_case {
    const char *name; /* "json/rejects_trailing_garbage" */
    void (*fn)(void);
};

extern int unit_failures;
/* A case that cannot run here (no PostgreSQL server, say) calls
 * unit_skip(why) and returns; it is reported as skipped, with the reason.
 * A run whose every case skipped exits 77, which ctest shows as skipped. */
void unit_skip(const char *why);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            unit_failures++;                                                           \
        }                                                                              \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *a_ = (a), *b_ = (b);                                                    \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                              \
            fprintf(stderr, "  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__, a_ ? a_ : "(null)", \
                    b_ ? b_ : "(null)");                                                    \
            unit_failures++;                                                                \
        }                                                                                   \
    } while (0)

extern const struct unit_case core_cases[], config_cases[], http_cases[], json_cases[],
    wecom_cases[], udesk_cases[], feishu_cases[], events_cases[], store_cases[], group_cases[],
    svc_cases[], rate_cases[], seal_cases[], secrets_cases[], tcache_cases[], schema_cases[];
extern const struct unit_case svc_chat_cases[], svc_members_cases[], svc_msg_cases[],
    multipart_cases[], store_ret_cases[];

#endif
