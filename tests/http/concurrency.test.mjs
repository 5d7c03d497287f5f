// Concurrent writes to WeCom knowledge groups: the 100-group cap and name uniqueness
// must hold when many requests race (svc counts inside the transaction), and every
// response must still be a valid WeCom envelope.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { withServer } from './lib/server.mjs';
import { ACME, GLOBEX, getToken, kf, addGroupOk, listAll, assertOk, assertErr } from './lib/wecom.mjs';

const N = 50;

// Fire all calls at once, each on its own connection, so they really overlap.
async function burst(srv, calls) {
    const agent = new http.Agent({ keepAlive: false, maxSockets: calls.length });
    try {
        return await Promise.all(calls.map(([op, token, body]) => kf(srv, op, token, body, { agent })));
    } finally {
        agent.destroy();
    }
}

async function fill(srv, token, count, prefix) {
    const ids = [];
    for (let i = 0; i < count; i++) ids.push(await addGroupOk(srv, token, `${prefix}${i}`));
    return ids;
}

function assertUnique(groups, what) {
    const names = groups.map((g) => g.name);
    const ids = groups.map((g) => g.group_id);
    assert.equal(new Set(names).size, names.length, `${what}: duplicate names ${JSON.stringify(names)}`);
    assert.equal(new Set(ids).size, ids.length, `${what}: duplicate ids`);
}

test('50 concurrent adds with distinct names into a corp holding 60 groups', { timeout: 180_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        await fill(srv, token, 59, 'pre'); // + default = 60
        const names = Array.from({ length: N }, (_, i) => `race${i}`);
        const results = await burst(srv, names.map((name) => ['add_group', token, { name }]));

        const acked = new Map();
        results.forEach((j, i) => {
            if (j.errcode === 0) {
                assertOk(j);
                assert.deepEqual(Object.keys(j).sort(), ['errcode', 'errmsg', 'group_id']);
                acked.set(names[i], j.group_id);
            } else {
                assertErr(j, 40058, 'group count exceeds limit', `add ${names[i]}`);
            }
        });
        // Every failure is the cap, so the corp is exactly full.
        assert.equal(acked.size, 40, `expected exactly 40 successful adds (100 - 60), got ${acked.size}`);

        const { groups } = await listAll(srv, token, 1000);
        assert.equal(groups.length, 100, 'group count after the race');
        assertUnique(groups, 'after the race');
        const byName = new Map(groups.map((g) => [g.name, g.group_id]));
        for (const [name, id] of acked) assert.equal(byName.get(name), id, `acknowledged group ${name} missing or changed`);
        for (const name of names) if (!acked.has(name)) assert.ok(!byName.has(name), `rejected group ${name} was stored`);
    });
});

test('50 concurrent adds of the same name: exactly one succeeds', { timeout: 180_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv, GLOBEX);
        await fill(srv, token, 59, 'pre');
        const results = await burst(srv, Array.from({ length: N }, () => ['add_group', token, { name: 'same' }]));
        const ok = results.filter((j) => j.errcode === 0);
        for (const j of results) if (j.errcode !== 0) assertErr(j, 40058, 'group name already exists');
        assert.equal(ok.length, 1, `expected exactly one success, got ${ok.length}`);

        const { groups } = await listAll(srv, token, 1000);
        assert.equal(groups.length, 61);
        assertUnique(groups, 'after the same-name race');
        assert.deepEqual(groups.filter((g) => g.name === 'same').map((g) => g.group_id), [ok[0].group_id]);
    });
});

test('concurrent renames to one name and concurrent deletes of one group', { timeout: 180_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        const ids = await fill(srv, token, 20, 'm');

        const renames = await burst(srv, ids.map((id) => ['mod_group', token, { group_id: id, name: 'winner' }]));
        const renamedOk = renames.filter((j) => j.errcode === 0);
        for (const j of renames) if (j.errcode !== 0) assertErr(j, 40058, 'group name already exists');
        assert.equal(renamedOk.length, 1, `expected exactly one rename to succeed, got ${renamedOk.length}`);

        const winnerId = ids[renames.findIndex((j) => j.errcode === 0)];
        const victim = ids.find((id) => id !== winnerId);
        const dels = await burst(srv, Array.from({ length: 20 }, () => ['del_group', token, { group_id: victim }]));
        const delOk = dels.filter((j) => j.errcode === 0);
        for (const j of dels) if (j.errcode !== 0) assertErr(j, 40058, 'group not found');
        assert.equal(delOk.length, 1, `expected exactly one delete to succeed, got ${delOk.length}`);

        const { groups } = await listAll(srv, token, 1000);
        assertUnique(groups, 'after renames and deletes');
        assert.equal(groups.length, 20); // default + 20 - 1
        assert.ok(!groups.some((g) => g.group_id === victim));
        assert.deepEqual(groups.filter((g) => g.name === 'winner').map((g) => g.group_id), [winnerId]);
    });
});

test('mixed concurrent load on two corps keeps each consistent', { timeout: 180_000 }, async () => {
    await withServer({}, async (srv) => {
        const acme = await getToken(srv, ACME);
        const globex = await getToken(srv, GLOBEX);
        const calls = [];
        for (let i = 0; i < 25; i++) {
            calls.push(['add_group', acme, { name: `x${i}` }]);
            calls.push(['add_group', globex, { name: `x${i}` }]);
            calls.push(['list_group', i % 2 ? acme : globex, { limit: 5 }]);
        }
        const results = await burst(srv, calls);
        results.forEach((j, i) => assertOk(j, `${calls[i][0]} #${i}`));
        for (const t of [acme, globex]) {
            const { groups } = await listAll(srv, t, 1000);
            assert.equal(groups.length, 26);
            assertUnique(groups, 'mixed load');
        }
    });
});
