// Durability (CONTRIBUTING.md: real, and the same on both stores): state survives a graceful restart, and every
// acknowledged write survives SIGKILL in the middle of a write load.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRestartableServer, sleep } from './lib/server.mjs';
import { ACME, GLOBEX, getToken, kf, addGroupOk, listAll, assertOk } from './lib/wecom.mjs';

async function stopGracefully(srv) {
    const ex = await srv.stop('SIGTERM');
    assert.deepEqual({ code: ex.code, signal: ex.signal }, { code: 0, signal: null }, 'exit after SIGTERM');
}

test('SIGTERM then restart on the same database keeps groups and tokens', { timeout: 120_000 }, async () => {
    await withRestartableServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        const token2 = await getToken(srv, ACME, ACME.secret2);
        const gtoken = await getToken(srv, GLOBEX);
        const a = await addGroupOk(srv, token, 'FAQ');
        const b = await addGroupOk(srv, token, '售后');
        assertOk(await kf(srv, 'mod_group', token, { group_id: b, name: '售后问题' }));
        const c = await addGroupOk(srv, token, 'gone');
        assertOk(await kf(srv, 'del_group', token, { group_id: c }));
        const before = (await listAll(srv, token)).groups;
        const gbefore = (await listAll(srv, gtoken)).groups;
        const firstPort = srv.port;

        await stopGracefully(srv);
        await srv.restart();

        // Same token while it is valid: it was stored, not kept in memory only.
        assert.equal(await getToken(srv, ACME), token, 'gettoken after restart returned another token');
        assert.equal(await getToken(srv, ACME, ACME.secret2), token2);
        const after = (await listAll(srv, token)).groups;
        assert.deepEqual(after, before);
        assert.deepEqual(after.map((g) => g.name), ['默认分组', 'FAQ', '售后问题']);
        assert.equal(after[1].group_id, a);
        assert.deepEqual((await listAll(srv, gtoken)).groups, gbefore);

        // Writes keep working and the rules still hold after the restart.
        const d = await addGroupOk(srv, token, 'post restart');
        const dup = await kf(srv, 'add_group', token, { name: 'FAQ' });
        assert.equal(dup.errcode, 40058);
        assert.deepEqual((await listAll(srv, token)).groups.map((g) => g.group_id), [...before.map((g) => g.group_id), d]);

        // The moved clock survives a restart too? Not part of the contract; but the
        // token's remaining lifetime must not grow.
        const again = await srv.request('GET', `/cgi-bin/gettoken?corpid=${ACME.corpid}&corpsecret=${ACME.secret}`);
        assert.ok(again.json.expires_in <= 7200 && again.json.expires_in > 0, `expires_in ${again.json.expires_in}`);

        // A second restart cycle.
        await stopGracefully(srv);
        await srv.restart();
        assert.equal(await getToken(srv, ACME), token);
        assert.equal((await listAll(srv, token)).groups.length, 4);
        await stopGracefully(srv);
        assert.ok(firstPort > 0);
    });
});

test('SIGKILL during a write load loses no acknowledged write', { timeout: 180_000 }, async () => {
    await withRestartableServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        const WORKERS = 4;
        const MAX_LIVE_PER_WORKER = 20; // 4 * 20 + default stays under the 100 cap
        const MAX_OPS_PER_WORKER = 400;
        const LOAD_DEADLINE = Date.now() + 30_000;

        const attempted = new Set(); // names sent to add_group
        const added = new Map(); // acknowledged add: name -> id
        const removed = new Set(); // acknowledged delete: names
        const deleting = new Set(); // delete sent: may or may not have committed
        const unexpected = [];
        let killed = false;

        async function worker(w) {
            const live = [];
            for (let i = 0; i < MAX_OPS_PER_WORKER && !killed && Date.now() < LOAD_DEADLINE; i++) {
                const name = `w${w}-${i}`;
                attempted.add(name);
                let j;
                try {
                    j = await kf(srv, 'add_group', token, { name }, { timeout: 10_000 });
                } catch (err) {
                    if (killed) return;
                    throw err;
                }
                if (j.errcode !== 0) {
                    unexpected.push(`add ${name}: ${JSON.stringify(j)}`);
                    return;
                }
                added.set(name, j.group_id);
                live.push(name);
                if (live.length > MAX_LIVE_PER_WORKER) {
                    const victim = live.shift();
                    deleting.add(victim);
                    try {
                        j = await kf(srv, 'del_group', token, { group_id: added.get(victim) }, { timeout: 10_000 });
                    } catch (err) {
                        if (killed) return;
                        throw err;
                    }
                    if (j.errcode !== 0) {
                        unexpected.push(`del ${victim}: ${JSON.stringify(j)}`);
                        return;
                    }
                    removed.add(victim);
                }
            }
        }

        const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
        // Let the load get going, then kill at a random moment.
        const started = Date.now();
        while (added.size < 10 && Date.now() - started < 20_000) await sleep(5);
        const delay = Math.floor(Math.random() * 300);
        await sleep(delay);
        const ackedAtKill = added.size;
        killed = true;
        const ex = await srv.kill9();
        assert.equal(ex.signal, 'SIGKILL', `server was not killed by SIGKILL: ${JSON.stringify(ex)}`);
        await Promise.all(workers);
        assert.deepEqual(unexpected, [], 'unexpected errors during the load');
        assert.ok(ackedAtKill >= 10, `load too slow: only ${ackedAtKill} adds acknowledged`);

        await srv.restart();
        const { groups } = await listAll(srv, token, 1000); // the token was acknowledged too
        const byName = new Map(groups.map((g) => [g.name, g.group_id]));
        const info = `(killed ${delay} ms after 10 acks; ${added.size} adds and ${removed.size} deletes acknowledged)`;
        assert.equal(groups[0].is_default, 1);
        for (const [name, id] of added) {
            if (removed.has(name)) {
                assert.ok(!byName.has(name), `acknowledged delete of ${name} was lost ${info}`);
            } else if (!deleting.has(name)) {
                assert.equal(byName.get(name), id, `acknowledged add of ${name} was lost ${info}`);
            }
        }
        for (const g of groups.slice(1)) assert.ok(attempted.has(g.name), `unknown group ${g.name} after restart`);
        assert.equal(new Set(groups.map((g) => g.name)).size, groups.length, 'duplicate names after restart');

        // The database is healthy: writes work and the cap still counts correctly.
        await addGroupOk(srv, token, 'after crash');
        assert.equal(await getToken(srv, ACME), token);
        await stopGracefully(srv);
    });
});
