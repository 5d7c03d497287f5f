// Store fault injection (reliability issue, item 2): with store_fault_every=N every
// Nth begin, tenant lock, statement or commit fails. Under a write load on every
// dialect each answer is a success or the dialect's own store error (WeCom -1,
// Feishu 500/55001, Udesk's server error); after a restart without faults the
// database is consistent: acknowledged writes there, no half-created chat, no
// description without its outbox event or event without its change, no message
// without its im.message.receive_v1 or event without its message. See lib/crash.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultTrial, trials } from './lib/crash.mjs';

// One test: a fault trial per rate in 'rates', with 'flag' carrying the rate.
function faultTest(title, rates, flag, skip = false) {
    test(`${title} every ${rates.join(', ')} leave clean errors and a consistent database`, {
        timeout: 60_000 + rates.length * 30_000,
        skip,
    }, async (t) => {
        const total = await trials(rates.length, (i) => faultTrial(rates[i - 1], { flag }), (i, r) =>
            t.diagnostic(`every ${rates[i - 1]}: ${r.acked} of ${r.attempted} writes acknowledged, ${r.errors} store errors, ${r.events} update events, ${r.messages} messages, lost ${r.lost.length}, half ${r.half.length}`));
        t.diagnostic(`total: ${total.attempted} writes, ${total.errors} store errors, inconsistencies ${total.lost.length + total.half.length}`);
        assert.deepEqual(total.unexpected, [], 'answers that are not a success or the store error');
        assert.deepEqual(total.lost, [], 'acknowledged writes lost');
        assert.deepEqual(total.half, [], 'half-written objects');
        assert.ok(total.errors > 0, 'no fault was injected');
        assert.ok(total.acked > 0, 'nothing succeeded');
    });
}

const rates = (env, dflt) => (process.env[env] || dflt).split(',').map(Number);

faultTest('store faults (calls)', rates('QUNZU_FAULT_EVERY', '13,23,41,97'), '--store-fault-every');

// Below SQLite: every Nth file write fails with SQLITE_FULL, every Nth sync with an
// I/O error (sqlite_fault_every). A commit writes two WAL records per page it
// changed, so N below 10 or so fails nearly every commit.
faultTest('SQLite disk-full and I/O errors (writes, syncs)', rates('QUNZU_SQLITE_FAULT_EVERY', '17,37,101'),
    '--sqlite-fault-every', process.env.QUNZU_TEST_PG ? 'SQLite only' : false);
