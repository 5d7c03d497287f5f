// Udesk state is durable (CONTRIBUTING.md: real, and the same on both stores): catalogs, their tree and owners, and
// the used nonces survive a graceful restart and SIGKILL, so a restart never reopens a
// replay window; --copy-to carries them to the other backend.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withRestartableServer, withServer, binPath, freshPgDatabase, keyArgs, makeTempDir } from '../lib/server.mjs';
import { ACME, SEED, udesk, udJson, assertUdErr } from '../lib/udesk.mjs';

const LIST = '/open_api_v1/knowledge_catalogs';

test('catalogs and used nonces survive SIGTERM and SIGKILL restarts', { timeout: 120_000 }, async () => {
    await withRestartableServer({ seed: SEED }, async (srv) => {
        const c = udesk(srv, ACME);
        const root = await c.createOk({ name: 'root', knowledge_type_name: 'question', agent_id: 101 });
        const child = await c.createOk({ name: 'child', knowledge_type_name: 'question', agent_id: 101, parent_id: root });
        await c.createOk({ name: 'admin', knowledge_type_name: 'attachment', agent_id: 0 });
        assert.equal((await c.update(child, { name: 'child renamed', agent_id: 101 })).code, 1000);
        const gone = await c.createOk({ name: 'gone', knowledge_type_name: 'question', agent_id: 101, parent_id: child });
        assert.equal((await c.remove(gone, 101)).code, 1000);
        const listed = await c.call('GET', LIST, { query: { knowledge_type_name: 'question', agent_id: 101 } });
        const before = udJson(listed).catalogs;
        const failed = await c.call('GET', LIST, { query: { knowledge_type_name: 'bogus' } });
        assertUdErr(udJson(failed), 2005);

        const ex = await srv.stop('SIGTERM');
        assert.deepEqual({ code: ex.code, signal: ex.signal }, { code: 0, signal: null });
        await srv.restart();

        assert.deepEqual(await c.listOk('question', 101), before);
        assert.equal((await c.listOk('attachment', 0)).length, 1);
        // The requests made before the restart cannot be replayed after it.
        assertUdErr(udJson(await c.replay(listed, 'GET')), 20623, undefined, 'replay after restart');
        assertUdErr(udJson(await c.replay(failed, 'GET')), 20623, undefined, 'replay of a failed request');
        // Owners still hold after the restart.
        assertUdErr(await c.update(root, { name: 'x', agent_id: 0 }), 2015);
        const later = await c.createOk({ name: 'later', knowledge_type_name: 'question', agent_id: 101, parent_id: root });
        assert.ok(later > gone, 'ids keep growing');

        // An acknowledged create and its nonce survive SIGKILL.
        const body = { knowledge_catalog: { name: 'before kill', knowledge_type_name: 'question', agent_id: 101 } };
        const acked = await c.call('POST', LIST, { body });
        const ackedId = udJson(acked).id;
        await srv.kill9();
        await srv.restart();
        const ids = (await c.listOk('question', 101)).map((n) => n.id);
        assert.deepEqual(ids, [root, ackedId]);
        assertUdErr(udJson(await c.replay(acked, 'POST', body)), 20623, undefined, 'replay after SIGKILL');
        assert.equal((await c.listOk('question', 101)).length, 2, 'the replay created nothing');
        const ex2 = await srv.stop('SIGTERM');
        assert.equal(ex2.code, 0);
    });
});

test('--copy-to keeps trees (a child older than its parent included) and used nonces', { timeout: 120_000 }, async () => {
    const dir = makeTempDir();
    try {
        let src, before, listed, top, newer;
        await withServer({ dir, seed: SEED }, async (srv) => {
            src = srv.args[srv.args.indexOf('--db') + 1];
            const c = udesk(srv, ACME);
            top = await c.createOk({ name: 'old', knowledge_type_name: 'question', agent_id: 102 });
            newer = await c.createOk({ name: 'new', knowledge_type_name: 'question', agent_id: 102 });
            // Move the older catalog under the newer one: the child's id is the smaller.
            assert.equal((await c.update(top, { name: 'old', agent_id: 102, parent_id: newer })).code, 1000);
            listed = await c.call('GET', LIST, { query: { knowledge_type_name: 'question', agent_id: 102 } });
            before = udJson(listed).catalogs;
            assert.deepEqual(before, [{ id: newer, parent_id: 0, name: 'new', children: [{ id: top, parent_id: newer, name: 'old' }] }]);
        });
        const other = process.env.QUNZU_TEST_PG ? freshPgDatabase(process.env.QUNZU_TEST_PG) : `sqlite:${path.join(dir, 'other.db')}`;
        const back = `sqlite:${path.join(dir, 'back.db')}`;
        for (const [from, to] of [[src, other], [other, back]]) {
            const r = spawnSync(binPath(), ['--db', from, '--copy-to', to, ...keyArgs()], { encoding: 'utf8' });
            assert.equal(r.status, 0, `copy ${from} -> ${to} failed: ${r.stderr}`);
            assert.match(r.stdout, /copied 4 rows of nonce\n/);
        }
        for (const db of [other, back]) {
            await withServer({ db, dir: makeTempDir(), seed: SEED }, async (srv) => {
                const c = udesk(srv, ACME);
                assert.deepEqual(await c.listOk('question', 102), before);
                assertUdErr(udJson(await c.replay(listed, 'GET')), 20623, undefined, `replay on ${db}`);
                const id = await c.createOk({ name: 'after copy', knowledge_type_name: 'question', agent_id: 102, parent_id: top });
                assert.ok(id > newer, 'new ids follow the copied ones');
            });
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
