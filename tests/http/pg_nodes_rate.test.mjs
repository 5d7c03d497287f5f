// tests/http/pg_nodes_rate.test.mjs - rate limits shared by two nodes on one PostgreSQL
// database (docs/scale-out.md, "Rate limits"). One app's calls alternate between the
// nodes against a small limit; the admitted total stays within the limit plus the
// documented slack (the calls the nodes admit in about two sync intervals), well below
// the 2 x limit that two nodes counting alone admit (rate_sync_ms 0, checked too).
// Runs only when QUNZU_TEST_PG names a PostgreSQL server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awayFromMinuteEdge, dbOf, sleep, withServer } from './lib/server.mjs';
import { ACME, getToken, kf } from './lib/wecom.mjs';
import { APP1, chatPath, createChat, feishuSeed, fs, tenantToken } from './lib/feishu.mjs';

const pgOnly = process.env.QUNZU_TEST_PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';

const LIMIT = 20;
const SYNC_MS = 100;
const PACE_MS = 25; // between two calls, whichever node they go to
const CALLS = 3 * LIMIT;
// What the nodes admit in two sync intervals at this pace: the most a limit can be
// exceeded by (docs/scale-out.md, "The bound").
const SLACK = 2 * Math.ceil(SYNC_MS / PACE_MS);

// Two nodes on one fresh database with the same options; fn(a, b).
async function withTwoNodes(opts, fn) {
    await withServer(opts, async (a) => {
        await withServer({ ...opts, db: dbOf(a) }, async (b) => fn(a, b));
    });
}

// Sends CALLS calls alternately to the two nodes, paced; call(node) resolves to true
// when the call was admitted and false when it was rate-limited. Returns the
// admitted count per node.
async function alternate(nodes, call) {
    const admitted = [0, 0];
    const last = [];
    await awayFromMinuteEdge(20000);
    for (let i = 0; i < CALLS; i++) {
        const ok = await call(nodes[i % 2]);
        admitted[i % 2] += ok ? 1 : 0;
        last[i % 2] = ok;
        await sleep(PACE_MS);
    }
    return { admitted, last };
}

function assertShared({ admitted, last }, what) {
    const total = admitted[0] + admitted[1];
    assert.ok(total >= LIMIT, `${what}: only ${total} admitted (${admitted}) of a limit of ${LIMIT}`);
    assert.ok(total <= LIMIT + SLACK, `${what}: ${total} admitted (${admitted}), limit ${LIMIT} + slack ${SLACK}`);
    assert.ok(admitted[0] > 0 && admitted[1] > 0, `${what}: both nodes serve (${admitted})`);
    assert.deepEqual(last, [false, false], `${what}: both nodes refuse at the end`);
}

function wecomCall(token) {
    return async (srv) => {
        const j = await kf(srv, 'list_group', token, {});
        assert.ok(j.errcode === 0 || j.errcode === 45009, JSON.stringify(j));
        return j.errcode === 0;
    };
}

const WECOM_ARGS = ['--rate-wecom-per-minute', String(LIMIT)];

test('WeCom: two nodes share one corp and API budget', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withTwoNodes({ rateLimit: true, args: [...WECOM_ARGS, '--rate-sync-ms', String(SYNC_MS)] }, async (a, b) => {
        const token = await getToken(a, ACME);
        assertShared(await alternate([a, b], wecomCall(token)), 'wecom list_group');
    });
});

test('with rate_sync_ms 0 each node counts alone: twice the limit', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withTwoNodes({ rateLimit: true, args: [...WECOM_ARGS, '--rate-sync-ms', '0'] }, async (a, b) => {
        const token = await getToken(a, ACME);
        const { admitted } = await alternate([a, b], wecomCall(token));
        assert.deepEqual(admitted, [LIMIT, LIMIT]);
    });
});

// The endpoint is part of Feishu's key: the nodes must name it the same way.
test('Feishu: two nodes share one app and endpoint budget, 429 on both', { skip: pgOnly, timeout: 120_000 }, async () => {
    const opts = { rateLimit: true, seed: feishuSeed(), args: ['--rate-feishu-per-minute', String(LIMIT), '--rate-sync-ms', String(SYNC_MS)] };
    await withTwoNodes(opts, async (a, b) => {
        const token = await tenantToken(a, APP1);
        const chat = await createChat(a, token, { name: 'shared budget' });
        const seen = [];
        const res = await alternate([a, b], async (srv) => {
            const r = await fs(srv, 'GET', chatPath(chat.chat_id), token);
            assert.ok(r.status === 200 || (r.status === 429 && r.json.code === 99991400), `${r.status} ${r.body}`);
            if (r.status === 429) seen.push(r.headers['x-ogw-ratelimit-limit']);
            return r.status === 200;
        });
        assertShared(res, 'feishu get chat');
        assert.ok(seen.every((l) => l === String(LIMIT)), `x-ogw-ratelimit-limit ${seen}`);
    });
});
