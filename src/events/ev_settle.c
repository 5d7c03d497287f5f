/* SPDX-License-Identifier: MIT */
/*
 * events/ev_settle.c - the outcome of one delivery attempt, whatever
 * carried it (a webhook POST, a long connection): the record becomes
 * delivered, or pending on the retry schedule of Feishu's "Event
 * subscription overview" (15 s, 5 min, 1 h, 6 h), or failed after the last
 * attempt; the attempt joins its log. One transaction.
 */
#include "events/ev.h"

#include "core/log.h"
#include "core/metrics.h"
#include "store/store.h"

enum err ev_settle(struct store *st, const struct outbox_row *row, struct outbox_attempt_row *at,
                   bool ok, struct outbox_row *out)
{
    struct outbox_row o = *row;
    enum err e;

    metrics_delivery(at->latency_us);
    at->outbox = o.id;
    at->attempt = o.attempts + 1;
    o.attempts = at->attempt;
    o.delivered_at = 0;
    if (ok) {
        o.state = "delivered";
        o.delivered_at = at->at;
    } else if (o.attempts >= EV_MAX_ATTEMPTS) {
        o.state = "failed";
    } else {
        o.state = "pending";
        o.next_at = at->at + ev_retry_delay[o.attempts - 1];
    }
    e = store_begin(st, true);
    if (e == ERR_OK)
        e = store_outbox_settle(st, &o, at);
    if (e == ERR_OK)
        e = store_commit(st);
    if (e != ERR_OK) {
        store_rollback(st);
        log_warn("event delivery: cannot record attempt of event '%s'", o.event_id);
    }
    *out = o;
    return e;
}
