// Store fault injection (reliability issue, item 2): with store_fault_every=N every
// Nth begin, tenant lock, statement or commit fails. Under a write load on every
// dialect each answer is a success or the dialect's own store error (WeCom -1,
// Feishu 500/55001, Udesk's server error); after a restart without faults the
// database is consistent: acknowledged writes there, no half-created chat, no
// description without its outbox event or event without its change. See lib/crash.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultTrial, trials } from './lib/crash.mjs';

const EVERY = (process.env.QUNZU_FAULT_EVERY || '13,23,41,97').split(',').map(Number);

test(`store faults every ${EVERY.join(', ')} calls leave clean errors and a consistent database`, { timeout: 60_000 + EVERY.length * 30_000 }, async (t) => {
    const total = await trials(EVERY.length, (i) => faultTrial(EVERY[i - 1]), (i, r) =>
        t.diagnostic(`every ${EVERY[i - 1]}: ${r.acked} of ${r.attempted} writes acknowledged, ${r.errors} store errors, ${r.events} update events, lost ${r.lost.length}, half ${r.half.length}`));
    t.diagnostic(`total: ${total.attempted} writes, ${total.errors} store errors, inconsistencies ${total.lost.length + total.half.length}`);
    assert.deepEqual(total.unexpected, [], 'answers that are not a success or the store error');
    assert.deepEqual(total.lost, [], 'acknowledged writes lost');
    assert.deepEqual(total.half, [], 'half-written objects');
    assert.ok(total.errors > 0, 'no fault was injected');
    assert.ok(total.acked > 0, 'nothing succeeded');
});

// Below SQLite: every Nth file write fails with SQLITE_FULL, every Nth sync with an
// I/O error (sqlite_fault_every). A commit writes two WAL records per page it
// changed, so N below 10 or so fails nearly every commit.
const DISK = (process.env.QUNZU_SQLITE_FAULT_EVERY || '17,37,101').split(',').map(Number);

test(`SQLite disk-full and I/O errors every ${DISK.join(', ')} writes leave clean errors and a consistent database`, {
    timeout: 60_000 + DISK.length * 30_000,
    skip: process.env.QUNZU_TEST_PG ? 'SQLite only' : false,
}, async (t) => {
    const total = await trials(DISK.length, (i) => faultTrial(DISK[i - 1], { flag: '--sqlite-fault-every' }), (i, r) =>
        t.diagnostic(`every ${DISK[i - 1]}: ${r.acked} of ${r.attempted} writes acknowledged, ${r.errors} store errors, ${r.events} update events, lost ${r.lost.length}, half ${r.half.length}`));
    t.diagnostic(`total: ${total.attempted} writes, ${total.errors} store errors, inconsistencies ${total.lost.length + total.half.length}`);
    assert.deepEqual(total.unexpected, [], 'answers that are not a success or the store error');
    assert.deepEqual(total.lost, [], 'acknowledged writes lost');
    assert.deepEqual(total.half, [], 'half-written objects');
    assert.ok(total.errors > 0, 'no fault was injected');
    assert.ok(total.acked > 0, 'nothing succeeded');
});
