/* SPDX-License-Identifier: MIT */
/* tests/unit/test_rate.c - core/rate.c: fixed windows, and the merge of other
 * nodes' counts that svc_rate.c drives (here with an in-memory shared table). */
#include "core/rate.h"

#include "unit.h"

#include <stdbool.h>

#define T0 1699999980000LL /* a wall-clock instant on a minute boundary */

static const struct rate_rule per_sec[RATE_MAX_RULES] = { { 1000, 3 }, { 0, 0 } };
static const struct rate_rule per_min[RATE_MAX_RULES] = { { 60000, 10 }, { 0, 0 } };

static bool allow(struct rate_limiter *rl, uint64_t key, const struct rate_rule *rules,
                  int64_t now)
{
    int64_t limit = -1, reset = -1;

    return rate_allow(rl, key, rules, now, &limit, &reset);
}

static void rate_window(void)
{
    struct rate_limiter *rl = rate_new();
    int64_t limit = 0, reset = 0;

    for (int i = 0; i < 3; i++)
        CHECK(allow(rl, 7, per_sec, T0 + 100 + i));
    CHECK(!rate_allow(rl, 7, per_sec, T0 + 400, &limit, &reset));
    CHECK(limit == 3 && reset == 1);
    CHECK(allow(rl, 8, per_sec, T0 + 400)); /* another key has its own budget */
    CHECK(allow(rl, 7, per_sec, T0 + 1000)); /* the next window, aligned on the clock */
    rate_free(rl);
}

static void rate_pending_then_pushed(void)
{
    struct rate_limiter *rl = rate_new();
    struct rate_share sh[4];
    size_t n;

    CHECK(rate_pending(rl, T0, sh, 4) == 0);
    for (int i = 0; i < 3; i++)
        CHECK(allow(rl, 7, per_min, T0 + 1500 + i));
    n = rate_pending(rl, T0 + 2000, sh, 4);
    CHECK(n == 1);
    CHECK(sh[0].key == 7 && sh[0].window_ms == 60000 && sh[0].start_ms == T0 && sh[0].n == 3);
    /* Not marked until pushed: a failed sync sends the same calls again. */
    CHECK(rate_pending(rl, T0 + 2000, sh, 4) == 1 && sh[0].n == 3);
    rate_pushed(rl, sh, 1);
    CHECK(rate_pending(rl, T0 + 2000, sh, 4) == 0);
    CHECK(allow(rl, 7, per_min, T0 + 2100));
    CHECK(rate_pending(rl, T0 + 2200, sh, 4) == 1 && sh[0].n == 1);
    /* An ended window is not pushed any more. */
    CHECK(rate_pending(rl, T0 + 60000, sh, 4) == 0);
    rate_free(rl);
}

static void rate_others_count(void)
{
    struct rate_limiter *rl = rate_new();
    struct rate_share sh[2], tot;
    int64_t limit = 0, reset = 0;
    int ok = 0;

    for (int i = 0; i < 3; i++)
        CHECK(allow(rl, 7, per_min, T0 + 10));
    CHECK(rate_pending(rl, T0 + 20, sh, 2) == 1);
    rate_pushed(rl, sh, 1);
    /* The shared total holds these 3 and 5 of other nodes: 2 are left of 10. */
    tot = (struct rate_share){ 7, 60000, T0, 8 };
    rate_totals(rl, &tot, 1);
    while (ok < 20 && allow(rl, 7, per_min, T0 + 30))
        ok++;
    CHECK(ok == 2);
    CHECK(!rate_allow(rl, 7, per_min, T0 + 30500, &limit, &reset));
    CHECK(limit == 10 && reset == 30);
    /* Totals of another window, or of a key this node does not hold, change nothing. */
    tot = (struct rate_share){ 7, 60000, T0 - 60000, 0 };
    rate_totals(rl, &tot, 1);
    tot = (struct rate_share){ 9, 60000, T0, 100 };
    rate_totals(rl, &tot, 1);
    CHECK(!allow(rl, 7, per_min, T0 + 40));
    CHECK(allow(rl, 9, per_min, T0 + 40));
    /* The next window starts from nothing on every side. */
    CHECK(allow(rl, 7, per_min, T0 + 60000));
    rate_free(rl);
}

/* A total read before this node's push of the same calls lands: what was
 * pushed since is not counted twice, and a total below what this node pushed
 * (a table that lost its rows) counts no other node. */
static void rate_totals_after_push(void)
{
    struct rate_limiter *rl = rate_new();
    struct rate_share sh[2], tot = { 7, 60000, T0, 2 };
    int ok = 0;

    for (int i = 0; i < 4; i++)
        CHECK(allow(rl, 7, per_min, T0));
    CHECK(rate_pending(rl, T0, sh, 2) == 1);
    rate_pushed(rl, sh, 1);
    rate_totals(rl, &tot, 1);
    while (ok < 20 && allow(rl, 7, per_min, T0))
        ok++;
    CHECK(ok == 6);
    rate_free(rl);
}

/* Two rules of one window length would push the same calls twice. */
static void rate_one_window_once(void)
{
    static const struct rate_rule twice[RATE_MAX_RULES] = { { 1000, 5 }, { 1000, 9 } };
    struct rate_limiter *rl = rate_new();
    struct rate_share sh[4];

    CHECK(allow(rl, 3, twice, T0));
    CHECK(rate_pending(rl, T0, sh, 4) == 1);
    rate_free(rl);
}

/* A shared table in memory, as store_rate.c keeps it. */
#define SIM_ROWS 8
struct sim_table {
    struct rate_share row[SIM_ROWS];
    size_t n;
};

static void sim_sync(struct sim_table *t, struct rate_limiter *rl, int64_t now)
{
    struct rate_share sh[SIM_ROWS];
    size_t n = rate_pending(rl, now, sh, SIM_ROWS);

    for (size_t i = 0; i < n; i++) {
        size_t j = 0;

        while (j < t->n && !(t->row[j].key == sh[i].key && t->row[j].window_ms == sh[i].window_ms
                             && t->row[j].start_ms == sh[i].start_ms))
            j++;
        if (j == t->n && t->n < SIM_ROWS)
            t->row[t->n++] = (struct rate_share){ sh[i].key, sh[i].window_ms, sh[i].start_ms, 0 };
        if (j < t->n)
            t->row[j].n += sh[i].n;
    }
    rate_pushed(rl, sh, n);
    rate_totals(rl, t->row, t->n);
}

/* Two nodes take calls in turn; each syncs after every 'every' calls it
 * sees (0: never). Returns how many of 'calls' were admitted. */
static int sim_two_nodes(int calls, int every)
{
    struct rate_limiter *node[2] = { rate_new(), rate_new() };
    struct sim_table t = { .n = 0 };
    int admitted = 0;

    for (int i = 0; i < calls; i++) {
        struct rate_limiter *rl = node[i % 2];

        admitted += allow(rl, 42, per_min, T0 + i);
        if (every > 0 && (i / 2 + 1) % every == 0)
            sim_sync(&t, rl, T0 + i);
    }
    rate_free(node[0]);
    rate_free(node[1]);
    return admitted;
}

static void rate_two_nodes_share(void)
{
    /* Alone, each node admits the whole limit of 10. */
    CHECK(sim_two_nodes(60, 0) == 20);
    /* Syncing after each call: the other node's last call is the only one
     * not yet seen, so at most one call over. */
    CHECK(sim_two_nodes(60, 1) >= 10 && sim_two_nodes(60, 1) <= 11);
    /* Every 3 calls of each node: at most 3 calls of the other unseen. */
    CHECK(sim_two_nodes(60, 3) >= 10 && sim_two_nodes(60, 3) <= 13);
}

const struct unit_case rate_cases[] = {
    { "core/rate_window", rate_window },
    { "core/rate_pending_then_pushed", rate_pending_then_pushed },
    { "core/rate_others_count", rate_others_count },
    { "core/rate_totals_after_push", rate_totals_after_push },
    { "core/rate_one_window_once", rate_one_window_once },
    { "core/rate_two_nodes_share", rate_two_nodes_share },
    { NULL, NULL },
};
