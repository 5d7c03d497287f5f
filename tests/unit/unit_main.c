/* SPDX-License-Identifier: MIT */
/* tests/unit/unit_main.c - runs the named cases; `unit_tests json/` runs one prefix. */
#include "unit.h"

int unit_failures;
static const char *skipped;

void unit_skip(const char *why)
{
    skipped = why;
}

static const struct unit_case *const tables[] = {
    core_cases, rate_cases, config_cases, http_cases, json_cases, wecom_cases, udesk_cases,
    feishu_cases, events_cases, store_cases, group_cases,
    svc_cases, svc_members_cases, tcache_cases, svc_msg_cases, multipart_cases,
    seal_cases,
    secrets_cases,
    schema_cases,
    svc_chat_cases,
    store_ret_cases,
};

int main(int argc, char **argv)
{
    const char *prefix = argc > 1 ? argv[1] : "";
    int run = 0, failed = 0, skips = 0;

    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const struct unit_case *c = tables[t]; c->name != NULL; c++) {
            int before = unit_failures;

            if (strncmp(c->name, prefix, strlen(prefix)) != 0)
                continue;
            skipped = NULL;
            c->fn();
            run++;
            if (skipped != NULL && unit_failures == before) {
                skips++;
                printf("skip %s: %s\n", c->name, skipped);
            } else if (unit_failures != before) {
                failed++;
                printf("FAIL %s\n", c->name);
            } else {
                printf("ok   %s\n", c->name);
            }
        }
    }
    printf("%d passed, %d skipped, %d failed\n", run - failed - skips, skips, failed);
    if (failed > 0 || run == 0)
        return 1;
    return skips == run ? 77 : 0;
}
