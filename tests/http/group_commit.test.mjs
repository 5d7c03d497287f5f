// Group commit (SQLite): concurrent write requests share transactions (one fsync per
// batch), a request that fails in a batch fails alone, and every acknowledged write is
// there after SIGKILL. On PostgreSQL there is no group (the database groups commits
// itself): the stats say so and the same checks of the answers hold.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ADMIN_HEADERS, withRestartableServer } from './lib/server.mjs';
import { ACME, getToken, kf, listAll } from './lib/wecom.mjs';

const PG = !!process.env.QUNZU_TEST_PG;

async function stats(srv) {
    const res = await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, res.body);
    return res.json.group_commit;
}

// 'names' fired at once, each on its own connection.
async function burst(srv, token, names) {
    const agent = new http.Agent({ keepAlive: false, maxSockets: names.length });
    try {
        return await Promise.all(names.map((name) => kf(srv, 'add_group', token, { name }, { agent })));
    } finally {
        agent.destroy();
    }
}

test('concurrent writes share transactions; failures stay their own; acknowledged writes survive SIGKILL', { timeout: 120_000 }, async (t) => {
    await withRestartableServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        const first = await stats(srv);
        assert.equal(first.enabled, !PG, 'group commit on for SQLite only');
        // Token endpoints hand a valid token out again: they run inline, not in a batch.
        for (let i = 0; i < 5; i++) assert.equal(await getToken(srv, ACME), token);
        const before = await stats(srv);
        assert.deepEqual(before, first, 'gettoken went through the group');

        // 30 distinct names, each sent twice in the same burst, plus 10 names too long
        // for WeCom (a validation failure inside the handler's transaction).
        const names = [];
        for (let i = 0; i < 30; i++) names.push(`gc${i}`, `gc${i}`);
        for (let i = 0; i < 10; i++) names.push(`bad${i}-${'x'.repeat(40)}`);
        const answers = await burst(srv, token, names);

        const won = new Map();
        for (let i = 0; i < names.length; i++) {
            const j = answers[i];
            if (names[i].startsWith('bad')) {
                assert.notEqual(j.errcode, 0, `${names[i]} must fail: ${JSON.stringify(j)}`);
                assert.notEqual(j.errcode, -1, `${names[i]} failed as a store error: ${JSON.stringify(j)}`);
                continue;
            }
            if (j.errcode === 0) {
                assert.ok(!won.has(names[i]), `${names[i]} created twice`);
                won.set(names[i], j.group_id);
            } else {
                assert.notEqual(j.errcode, -1, `${names[i]}: store error ${JSON.stringify(j)}`);
            }
        }
        assert.equal(won.size, 30, 'each distinct name created exactly once');

        const after = await stats(srv);
        if (!PG) {
            const tx = after.transactions - before.transactions;
            const rq = after.requests - before.requests;
            t.diagnostic(`${rq} write requests in ${tx} transactions`);
            assert.equal(rq, names.length, 'every write request ran on the group');
            assert.ok(tx < rq, `${rq} write requests took ${tx} transactions: nothing was grouped`);
        }

        // Every acknowledged group is durable: SIGKILL, restart, all there, nothing else.
        const ex = await srv.stop('SIGKILL');
        assert.equal(ex.signal, 'SIGKILL');
        await srv.restart();
        const groups = (await listAll(srv, await getToken(srv, ACME))).groups;
        const found = new Map(groups.filter((g) => g.name.startsWith('gc') || g.name.startsWith('bad')).map((g) => [g.name, g.group_id]));
        assert.deepEqual(Object.fromEntries([...found].sort()), Object.fromEntries([...won].sort()));
        const ex2 = await srv.stop('SIGTERM');
        assert.equal(ex2.code, 0);
    });
});

test('with sqlite_group_commit off, writes commit one by one', { timeout: 60_000, skip: PG && 'SQLite only' }, async () => {
    await withRestartableServer({ args: ['--sqlite-group-commit', 'off'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        const answers = await burst(srv, token, Array.from({ length: 10 }, (_, i) => `solo${i}`));
        for (const j of answers) assert.equal(j.errcode, 0, JSON.stringify(j));
        assert.deepEqual(await stats(srv), { enabled: false, transactions: 0, requests: 0, waiting: 0, waiting_bytes: 0, refused: 0 });
        const ex = await srv.stop('SIGTERM');
        assert.equal(ex.code, 0);
    });
});
