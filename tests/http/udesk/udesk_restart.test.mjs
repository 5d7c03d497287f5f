// Udesk state is durable (DESIGN "No data lost"): catalogs, their tree and owners, and
// the used nonces survive a graceful restart and SIGKILL, so a restart never reopens a
// replay window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRestartableServer } from '../lib/server.mjs';
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
