// Udesk catalogs at size and under concurrency: a 1000-catalog tree built through the
// API and listed back exactly; concurrent creates under one parent; creates racing
// the delete of their parent (no orphans), on one node and across two nodes of one
// PostgreSQL; nonces single-use across nodes; tenant isolation, WeCom beside Udesk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { withServer, request } from '../lib/server.mjs';
import { ACME, GLOBEX, SEED, udesk, udJson, assertUdErr, flatten, signV2, newNonce } from '../lib/udesk.mjs';
import { getToken, kf, assertOk } from '../lib/wecom.mjs';

const opts = { seed: SEED };
const pgOnly = process.env.QUNZU_TEST_PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';
const q = (name, extra = {}) => ({ name, knowledge_type_name: 'useful_expression', agent_id: 101, ...extra });

// Runs fn over items with at most 'width' calls in flight.
async function pool(items, width, fn) {
    const out = new Array(items.length);
    let next = 0;
    async function lane() {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i], i);
        }
    }
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
    return out;
}

// Fire all calls at once, each on its own connection.
async function burst(n, fn) {
    const agent = new http.Agent({ keepAlive: false, maxSockets: n });
    try {
        return await Promise.all(Array.from({ length: n }, (_, i) => fn(agent, i)));
    } finally {
        agent.destroy();
    }
}

test('a tree of 1000 catalogs, five levels deep, is listed exactly', { timeout: 300_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        // Node i: 10 top-level nodes, then each node gets 4 children in order,
        // level by level (depths 1..5).
        const N = 1000;
        const parentIdx = (i) => (i < 10 ? -1 : Math.floor((i - 10) / 4));
        const ids = new Array(N);
        const levels = [];
        for (let i = 0; i < N; i++) {
            const d = parentIdx(i) < 0 ? 0 : levels[parentIdx(i)] + 1;
            levels.push(d);
        }
        for (let d = 0; d <= Math.max(...levels); d++) {
            const idx = levels.map((l, i) => (l === d ? i : -1)).filter((i) => i >= 0);
            await pool(idx, 8, async (i) => {
                ids[i] = await c.createOk(q(`node ${i}`, { parent_id: parentIdx(i) < 0 ? 0 : ids[parentIdx(i)] }));
            });
        }
        assert.equal(new Set(ids).size, N, 'distinct ids');

        const tree = await c.listOk('useful_expression', 101);
        const flat = flatten(tree);
        assert.equal(flat.length, N);
        const want = new Map(ids.map((id, i) => [id, { id, parent_id: parentIdx(i) < 0 ? 0 : ids[parentIdx(i)], name: `node ${i}`, depth: levels[i] + 1 }]));
        for (const n of flat) assert.deepEqual(n, want.get(n.id));
        assert.equal(Math.max(...flat.map((n) => n.depth)), 5);
        assert.equal(tree.length, 10);
        // Children of every node in id order, which here is creation order.
        const kids = new Map();
        for (const n of flat) kids.set(n.parent_id, [...(kids.get(n.parent_id) || []), n.id]);
        for (const list of kids.values()) assert.deepEqual(list, [...list].sort((a, b) => a - b));
        // The other owners' and types' trees stay empty.
        assert.deepEqual(await c.listOk('useful_expression', 0), []);
        assert.deepEqual(await c.listOk('useful_expression', 102), []);
        assert.deepEqual(await c.listOk('question', 101), []);
    });
});

test('concurrent creates under one parent all land under it', { timeout: 120_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const parent = await c.createOk(q('parent'));
        const results = await burst(40, (agent, i) => c.create(q(`child ${i}`, { parent_id: parent }), { agent }));
        for (const j of results) assert.equal(j.code, 1000, JSON.stringify(j));
        const ids = results.map((j) => j.id);
        assert.equal(new Set(ids).size, 40);
        const tree = await c.listOk('useful_expression', 101);
        assert.equal(tree.length, 1);
        assert.deepEqual(tree[0].children.map((n) => n.id), [...ids].sort((a, b) => a - b));
        assert.deepEqual(new Set(tree[0].children.map((n) => n.name)), new Set(results.map((j) => j.name)));
    });
});

test('creates racing the delete of their parent leave no orphan', { timeout: 120_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const keep = await c.createOk(q('keep'));
        for (let round = 0; round < 3; round++) {
            const parent = await c.createOk(q(`parent ${round}`));
            const mid = await c.createOk(q(`mid ${round}`, { parent_id: parent }));
            const results = await burst(31, (agent, i) =>
                i === 15 ? c.remove(parent, 101, { agent }) : c.create(q(`racer ${i}`, { parent_id: i % 2 ? mid : parent }), { agent }),
            );
            assert.equal(results[15].code, 1000, 'the delete succeeds');
            for (const [i, j] of results.entries()) {
                if (i !== 15 && j.code !== 1000) assertUdErr(j, 2005, '分类不存在', `racer ${i}`);
            }
            // Every acknowledged child went with its parent: the tree holds only 'keep'.
            const flat = flatten(await c.listOk('useful_expression', 101));
            assert.deepEqual(flat.map((n) => n.id), [keep], `round ${round}`);
            for (const j of results) if (j.code === 1000 && j.name) assertUdErr(await c.remove(j.id, 101), 2005, '分类不存在');
        }
    });
});

test('companies are isolated; WeCom groups and Udesk catalogs share the model, not rows', { timeout: 120_000 }, async () => {
    await withServer(opts, async (srv) => {
        const acme = udesk(srv, ACME);
        const globex = udesk(srv, GLOBEX, { host: 'globex.udesk.cn' });
        const a = await acme.createOk(q('same name'));
        const g = await globex.createOk(q('same name'));
        const ga = await globex.createOk(q('child', { parent_id: g }));
        assert.deepEqual(await acme.listOk('useful_expression', 101), [{ id: a, parent_id: 0, name: 'same name' }]);
        assert.deepEqual(await globex.listOk('useful_expression', 101), [{ id: g, parent_id: 0, name: 'same name', children: [{ id: ga, parent_id: g, name: 'child' }] }]);
        for (const [client, foreign] of [[globex, a], [acme, g], [acme, ga]]) {
            assertUdErr(await client.update(foreign, { name: 'stolen', agent_id: 101 }), 2005, '分类不存在');
            assertUdErr(await client.update(foreign, { name: 'stolen', agent_id: 0 }), 2005, '分类不存在');
            assertUdErr(await client.remove(foreign, 101), 2005, '分类不存在');
            assertUdErr(await client.create(q('x', { parent_id: foreign })), 2005, '分类不存在');
        }
        assertUdErr(await globex.list('useful_expression', 102), 2005, '客服不存在');
        // Acme's WeCom corp still has exactly its default group; its groups do not
        // show up as catalogs either.
        const token = await getToken(srv, { corpid: 'wwacme', secret: 'acme-kf-secret' });
        const add = await kf(srv, 'add_group', token, { name: 'same name' });
        assertOk(add);
        const groups = await kf(srv, 'list_group', token, {});
        assertOk(groups);
        assert.deepEqual(groups.group_list.map((x) => x.name), ['默认分组', 'same name']);
        assert.equal((await acme.listOk('useful_expression', 101)).length, 1);
        for (const t of ['question', 'useful_link', 'attachment']) assert.deepEqual(await acme.listOk(t, 0), []);
        // A WeCom group is not a catalog id, nor a catalog id a group.
        assertUdErr(await acme.remove(add.group_id, 0), 2005);
        const del = await kf(srv, 'del_group', token, { group_id: String(a) });
        assert.equal(del.errcode, 40058);
    });
});

test('two nodes on one PostgreSQL: nonces single-use and no orphan across nodes', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withServer(opts, async (a) => {
        await withServer({ seed: SEED, db: a.args[a.args.indexOf('--db') + 1] }, async (b) => {
            const ca = udesk(a);
            const cb = udesk(b);
            // One signed request sent to both nodes at once: one answer, one replay.
            for (let round = 0; round < 10; round++) {
                const ts = String(ca.now());
                const nonce = newNonce();
                const p = `/open_api_v1/knowledge_catalogs?email=${encodeURIComponent(ACME.email)}&timestamp=${ts}&nonce=${nonce}` +
                    `&sign=${signV2(ACME.email, ACME.token, ts, nonce)}&sign_version=v2&knowledge_type_name=question`;
                const codes = (await Promise.all([request(a, 'GET', p), request(b, 'GET', p)])).map((r) => udJson(r).code);
                assert.deepEqual(codes.sort(), [1000, 20623], `round ${round}`);
            }
            // Creates on A race the delete of their parent on B.
            for (let round = 0; round < 3; round++) {
                const parent = await ca.createOk(q(`parent ${round}`));
                const results = await burst(21, (agent, i) =>
                    i === 10 ? cb.remove(parent, 101, { agent }) : ca.create(q(`racer ${i}`, { parent_id: parent }), { agent }),
                );
                assert.equal(results[10].code, 1000);
                for (const [i, j] of results.entries()) if (i !== 10 && j.code !== 1000) assertUdErr(j, 2005, '分类不存在');
                assert.deepEqual(await cb.listOk('useful_expression', 101), [], `round ${round}`);
            }
        });
    });
});
