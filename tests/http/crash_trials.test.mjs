// Crash trials, the short version (scripts/crash-trials.sh runs 100): write load on
// all three dialects, SIGKILL at a random moment, restart; no acknowledged write is
// lost and nothing unacknowledged is half there. See lib/crash.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashTrial, trials } from './lib/crash.mjs';

const TRIALS = Number(process.env.QUNZU_CRASH_TRIALS || 3);

test(`${TRIALS} crash trials over every dialect lose no acknowledged write`, { timeout: 60_000 + TRIALS * 30_000 }, async (t) => {
    const total = await trials(TRIALS, () => crashTrial(), (i, r) =>
        t.diagnostic(`trial ${i}: killed ${r.delayMs} ms in, ${r.acked} of ${r.attempted} writes acknowledged, ${r.events} update events, ${r.messages} messages, lost ${r.lost.length}, half ${r.half.length}`));
    t.diagnostic(`total: ${total.trials} trials, ${total.acked} acknowledged writes of ${total.attempted} sent, lost ${total.lost.length}, half ${total.half.length}`);
    assert.deepEqual(total.unexpected, [], 'unexpected answers');
    assert.deepEqual(total.lost, [], 'acknowledged writes lost');
    assert.deepEqual(total.half, [], 'half-written or invented objects');
    assert.ok(total.acked >= TRIALS * 6, `load too thin: ${total.acked} acknowledged writes in ${TRIALS} trials`);
});
