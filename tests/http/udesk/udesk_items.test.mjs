// Udesk knowledge items inside catalogs (Udesk "Knowledge questions", "Common phrases",
// "Common links"): the question
// library, useful expressions and useful links - create, update, delete, show and the
// paged list of each, in catalogs of their own type; owners (agent_id, 0 = admin) as for
// catalogs; catalog_id 0 = all, -1 = uncategorized; page/per_page and meta; validity
// windows of questions; a deleted catalog leaves its items uncategorized; companies
// apart; a restart keeps everything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRestartableServer, withServer } from '../lib/server.mjs';
import { GLOBEX, SEED, udesk, assertUdErr } from '../lib/udesk.mjs';

const opts = { seed: SEED };
const KINDS = {
    question: { plural: 'knowledge_questions', one: 'knowledge_question', type: 'question', fields: (n) => ({ title: `Q ${n}`, content: `A ${n}` }) },
    expression: { plural: 'useful_expressions', one: 'useful_expression', type: 'useful_expression', fields: (n) => ({ content: `hello ${n}` }) },
    link: { plural: 'useful_links', one: 'useful_link', type: 'useful_link', fields: (n) => ({ name: `L ${n}`, url: `https://l.test/${n}` }) },
};
const KEYS = {
    question: ['catalog_id', 'content', 'content_type', 'id', 'last_max', 'last_min', 'lasts', 'title', 'updated_at'],
    expression: ['catalog_id', 'content', 'id'],
    link: ['catalog_id', 'id', 'name', 'url'],
};
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/;

function items(c, kind) {
    const k = KINDS[kind];
    const base = `/open_api_v1/${k.plural}`;
    return {
        create: (f) => c.json('POST', base, { body: { [k.one]: f } }),
        async createOk(f) {
            const j = await this.create(f);
            assert.equal(j.code, 1000, `create ${kind} ${JSON.stringify(f)}: ${JSON.stringify(j)}`);
            assert.deepEqual(Object.keys(j).sort(), ['code', ...KEYS[kind]].sort());
            assert.ok(Number.isInteger(j.id) && j.id > 0);
            return j;
        },
        update: (id, f) => c.json('PUT', `${base}/${id}`, { body: { [k.one]: f } }),
        remove: (id, agent_id) => c.json('DELETE', `${base}/${id}`, { body: { [k.one]: { agent_id } } }),
        show: (id, agent_id) => c.json('GET', `${base}/${id}`, { query: agent_id === undefined ? {} : { agent_id } }),
        list: (query) => c.json('GET', base, { query }),
        async listOk(query) {
            const j = await this.list(query);
            assert.equal(j.code, 1000, `list ${kind} ${JSON.stringify(query)}: ${JSON.stringify(j)}`);
            assert.deepEqual(Object.keys(j), ['code', k.plural, 'meta']);
            assert.deepEqual(Object.keys(j.meta), ['current_page', 'total_pages', 'total_count']);
            for (const it of j[k.plural]) assert.deepEqual(Object.keys(it).sort(), KEYS[kind], JSON.stringify(it));
            return j;
        },
    };
}

test('each kind: create, show, update, list and delete in its own catalogs', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        for (const kind of Object.keys(KINDS)) {
            const k = KINDS[kind];
            const it = items(c, kind);
            const cat = await c.createOk({ name: `${kind} catalog`, knowledge_type_name: k.type, agent_id: 0 });
            const a = await it.createOk({ ...k.fields(1), catalog_id: cat, agent_id: 0 });
            assert.equal(a.catalog_id, cat);
            for (const [key, v] of Object.entries(k.fields(1))) assert.equal(a[key], v, `${kind}.${key}`);
            // Ids and catalog ids as numeric strings; no catalog: uncategorized (-1).
            const b = await it.createOk({ ...k.fields(2), catalog_id: String(cat), agent_id: '0' });
            const u = await it.createOk({ ...k.fields(3), agent_id: 0 });
            assert.equal(u.catalog_id, -1);
            const u2 = await it.createOk({ ...k.fields(4), catalog_id: -1, agent_id: 0 });
            assert.equal(u2.catalog_id, -1);
            // show
            const s = await it.show(a.id, 0);
            assert.deepEqual(Object.keys(s), ['code', k.one]);
            const { code, ...fields } = a;
            assert.equal(code, 1000);
            assert.deepEqual(s[k.one], fields);
            // list: 0 = all of the owner, -1 = uncategorized, an id = that catalog.
            const ids = (j) => j[k.plural].map((x) => x.id);
            assert.deepEqual(ids(await it.listOk({ catalog_id: 0, agent_id: 0 })), [a.id, b.id, u.id, u2.id]);
            assert.deepEqual(ids(await it.listOk({ catalog_id: -1, agent_id: 0 })), [u.id, u2.id]);
            assert.deepEqual(ids(await it.listOk({ catalog_id: cat, agent_id: 0 })), [a.id, b.id]);
            assert.deepEqual(ids(await it.listOk({ catalog_id: cat })), [a.id, b.id], 'agent_id defaults to the administrator');
            // update: the fields given change, the others stay; catalog_id moves it.
            const upd = await it.update(u.id, { ...k.fields(5), catalog_id: cat, agent_id: 0 });
            assert.equal(upd.code, 1000, JSON.stringify(upd));
            assert.equal(upd.id, u.id);
            assert.equal(upd.catalog_id, cat);
            for (const [key, v] of Object.entries(k.fields(5))) assert.equal(upd[key], v);
            const moved = await it.update(u.id, { catalog_id: -1, agent_id: 0 });
            assert.equal(moved.catalog_id, -1);
            for (const [key, v] of Object.entries(k.fields(5))) assert.equal(moved[key], v, 'unchanged');
            // delete: the catalog delete's shape (id as a string).
            assert.deepEqual(await it.remove(b.id, 0), { code: 1000, message: 'Delete Success', id: String(b.id) });
            assertUdErr(await it.remove(b.id, 0), 2005, '知识不存在');
            assertUdErr(await it.show(b.id, 0), 2005, '知识不存在');
            assertUdErr(await it.update(b.id, { ...k.fields(6), agent_id: 0 }), 2005, '知识不存在');
            assert.deepEqual(ids(await it.listOk({ catalog_id: 0, agent_id: 0 })), [a.id, u.id, u2.id]);
            // Another kind's item is not found under this kind's path.
            const otherKind = Object.keys(KINDS).find((x) => x !== kind);
            assertUdErr(await items(c, otherKind).show(a.id, 0), 2005, '知识不存在');
        }
    });
});

test('catalogs: the type must match, the owner must match, deleting a catalog leaves its items uncategorized', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const q = items(c, 'question');
        const qcat = await c.createOk({ name: 'Q', knowledge_type_name: 'question', agent_id: 0 });
        const sub = await c.createOk({ name: 'Q sub', knowledge_type_name: 'question', agent_id: 0, parent_id: qcat });
        const lcat = await c.createOk({ name: 'L', knowledge_type_name: 'useful_link', agent_id: 0 });
        const mine = await c.createOk({ name: 'agent 101', knowledge_type_name: 'question', agent_id: 101 });
        // Another type's catalog holds no questions; unknown catalogs are not found.
        assertUdErr(await q.create({ title: 't', content: 'c', catalog_id: lcat, agent_id: 0 }), 2005, '分类不存在');
        assertUdErr(await q.create({ title: 't', content: 'c', catalog_id: 999999, agent_id: 0 }), 2005, '分类不存在');
        assertUdErr(await q.list({ catalog_id: lcat, agent_id: 0 }), 2005, '分类不存在');
        assertUdErr(await q.list({ catalog_id: 999999, agent_id: 0 }), 2005, '分类不存在');
        // Owners: agent 101's catalog is refused to the admin and to 102, and the other way round.
        assertUdErr(await q.create({ title: 't', content: 'c', catalog_id: mine, agent_id: 0 }), 2015, '无权限操作该分类');
        assertUdErr(await q.create({ title: 't', content: 'c', catalog_id: qcat, agent_id: 101 }), 2015, '无权限操作该分类');
        assertUdErr(await q.list({ catalog_id: mine, agent_id: 102 }), 2015, '无权限操作该分类');
        assertUdErr(await q.create({ title: 't', content: 'c', agent_id: 999 }), 2005, '客服不存在');
        const agentItem = await q.createOk({ title: 'agent q', content: 'c', catalog_id: mine, agent_id: 101 });
        const adminItem = await q.createOk({ title: 'admin q', content: 'c', catalog_id: sub, agent_id: 0 });
        const loose = await q.createOk({ title: 'agent loose', content: 'c', agent_id: 101 });
        // Lists are per owner.
        assert.deepEqual((await q.listOk({ catalog_id: 0, agent_id: 101 })).knowledge_questions.map((x) => x.id), [agentItem.id, loose.id]);
        assert.deepEqual((await q.listOk({ catalog_id: 0, agent_id: 0 })).knowledge_questions.map((x) => x.id), [adminItem.id]);
        assert.deepEqual((await q.listOk({ catalog_id: -1, agent_id: 0 })).knowledge_questions, []);
        // Only the owner may see, change or delete an item.
        for (const agent of [0, 102]) {
            assertUdErr(await q.show(agentItem.id, agent), 2015, '无权限操作该知识');
            assertUdErr(await q.update(agentItem.id, { title: 'x', agent_id: agent }), 2015, '无权限操作该知识');
            assertUdErr(await q.remove(agentItem.id, agent), 2015, '无权限操作该知识');
        }
        assertUdErr(await q.update(adminItem.id, { catalog_id: mine, agent_id: 0 }), 2015, '无权限操作该分类');
        assertUdErr(await q.update(adminItem.id, { catalog_id: lcat, agent_id: 0 }), 2005, '分类不存在');
        assert.equal((await q.show(agentItem.id, 101)).knowledge_question.title, 'agent q');
        // Deleting a catalog (and its subtree) leaves the items, uncategorized.
        assert.equal((await c.remove(qcat, 0)).code, 1000);
        const left = await q.listOk({ catalog_id: -1, agent_id: 0 });
        assert.deepEqual(left.knowledge_questions.map((x) => [x.id, x.catalog_id]), [[adminItem.id, -1]]);
        assert.equal((await q.show(adminItem.id, 0)).knowledge_question.catalog_id, -1);
        assertUdErr(await q.list({ catalog_id: sub, agent_id: 0 }), 2005, '分类不存在');
    });
});

test('field and parameter errors', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const q = items(c, 'question');
        const e = items(c, 'expression');
        const l = items(c, 'link');
        const P = '/open_api_v1/knowledge_questions';
        // The wrapper and agent_id.
        assertUdErr(await c.json('POST', P, { body: { title: 't', content: 'c', agent_id: 0 } }), 2000, '参数缺失');
        assertUdErr(await c.json('POST', P, { body: { knowledge_question: 'x' } }), 2005, '参数错误');
        assertUdErr(await c.json('POST', P, { body: { useful_expression: { content: 'c', agent_id: 0 } } }), 2000, '参数缺失');
        assertUdErr(await q.create({ title: 't', content: 'c' }), 2000, '参数缺失');
        assertUdErr(await q.create({ title: 't', content: 'c', agent_id: 'x' }), 2005, '参数错误');
        // Required fields per kind.
        assertUdErr(await q.create({ content: 'c', agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await q.create({ title: 't', agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await q.create({ title: '', content: 'c', agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await e.create({ agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await l.create({ url: 'https://x.test/', agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await l.create({ name: 'n', agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await l.create({ name: 'n', url: 'ftp://x.test/', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await q.create({ title: 5, content: 'c', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await q.create({ title: 't', content: 'c', catalog_id: 'abc', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await q.create({ title: 't', content: 'c', catalog_id: -2, agent_id: 0 }), 2005, '参数错误');
        // Lengths in characters: names 255 like catalogs, bodies 20000, URLs 2048.
        await q.createOk({ title: '题'.repeat(255), content: '答'.repeat(20000), agent_id: 0 });
        assertUdErr(await q.create({ title: '题'.repeat(256), content: 'c', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await e.create({ content: '语'.repeat(20001), agent_id: 0 }), 2005, '参数错误');
        await l.createOk({ name: 'n', url: `https://x.test/${'a'.repeat(2048 - 15)}`, agent_id: 0 });
        assertUdErr(await l.create({ name: 'n', url: `https://x.test/${'a'.repeat(2048 - 14)}`, agent_id: 0 }), 2005, '参数错误');
        // Path ids.
        for (const bad of ['0', 'abc', '-1', '99999999999999999999']) assertUdErr(await q.show(bad, 0), 2005, '参数错误');
        // List parameters.
        assertUdErr(await q.list({ agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await q.list({ catalog_id: 'x', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await q.list({ catalog_id: 0, agent_id: 0, per_page: 101 }), 2005, '参数错误');
        assertUdErr(await q.list({ catalog_id: 0, agent_id: 0, per_page: 0 }), 2005, '参数错误');
        assertUdErr(await q.list({ catalog_id: 0, agent_id: 0, page: 0 }), 2005, '参数错误');
        assertUdErr(await q.list({ catalog_id: 0, agent_id: 999 }), 2005, '客服不存在');
        // Nothing refused was stored.
        assert.equal((await q.listOk({ catalog_id: 0, agent_id: 0 })).meta.total_count, 1);
        assert.equal((await e.listOk({ catalog_id: 0, agent_id: 0 })).meta.total_count, 0);
        assert.equal((await l.listOk({ catalog_id: 0, agent_id: 0 })).meta.total_count, 1);
    });
});

test('questions: validity windows, content_type, updated_at', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const q = items(c, 'question');
        const a = await q.createOk({ title: 'forever', content: 'c', content_type: 'html', agent_id: 0 });
        assert.equal(a.lasts, true);
        assert.equal(a.last_min, null);
        assert.equal(a.last_max, null);
        assert.equal(a.content_type, 'html');
        assert.match(a.updated_at, ISO);
        // Offsets, Z and a zone-less time (China time) all read.
        const w = await q.createOk({ title: 'window', content: 'c', lasts: false, last_min: '2026-01-01T00:00:00.000+08:00', last_max: '2026-06-30T16:00:00Z', agent_id: 0 });
        assert.equal(w.lasts, false);
        assert.equal(w.last_min, '2026-01-01T00:00:00.000+08:00');
        assert.equal(w.last_max, '2026-07-01T00:00:00.000+08:00');
        const z = await q.createOk({ title: 'zoneless', content: 'c', lasts: false, last_min: '2026-01-01 08:30:00', last_max: '2026-01-02T00:00:00.000-05:00', agent_id: 0 });
        assert.equal(z.last_min, '2026-01-01T08:30:00.000+08:00');
        assert.equal(z.last_max, '2026-01-02T13:00:00.000+08:00');
        assertUdErr(await q.create({ title: 't', content: 'c', lasts: false, agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await q.create({ title: 't', content: 'c', lasts: false, last_min: 'yesterday', last_max: '2026-01-01T00:00:00Z', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await q.create({ title: 't', content: 'c', lasts: false, last_min: '2026-02-01T00:00:00Z', last_max: '2026-01-01T00:00:00Z', agent_id: 0 }), 2005, '参数错误');
        assertUdErr(await q.create({ title: 't', content: 'c', lasts: 'no', agent_id: 0 }), 2005, '参数错误');
        // Back to permanent: the window goes.
        const p = await q.update(w.id, { lasts: true, agent_id: 0 });
        assert.equal(p.lasts, true);
        assert.equal(p.last_min, null);
        assert.equal(p.title, 'window');
    });
});

test('paging: page/per_page, meta, pages past the end', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const e = items(c, 'expression');
        const cat = await c.createOk({ name: 'E', knowledge_type_name: 'useful_expression', agent_id: 0 });
        const made = [];
        for (let i = 0; i < 45; i++) made.push((await e.createOk({ content: `p${i}`, catalog_id: cat, agent_id: 0 })).id);
        const first = await e.listOk({ catalog_id: cat, agent_id: 0 });
        assert.equal(first.useful_expressions.length, 20, 'per_page defaults to 20');
        assert.deepEqual(first.meta, { current_page: 1, total_pages: 3, total_count: 45 });
        const seen = [];
        for (let page = 1; page <= 5; page++) {
            const j = await e.listOk({ catalog_id: cat, agent_id: 0, page, per_page: 10 });
            assert.deepEqual(j.meta, { current_page: page, total_pages: 5, total_count: 45 });
            seen.push(...j.useful_expressions.map((x) => x.id));
        }
        assert.deepEqual(seen, made);
        const all = await e.listOk({ catalog_id: cat, agent_id: 0, per_page: 100 });
        assert.equal(all.useful_expressions.length, 45);
        const past = await e.listOk({ catalog_id: cat, agent_id: 0, page: 9 });
        assert.deepEqual(past.useful_expressions, []);
        assert.deepEqual(past.meta, { current_page: 9, total_pages: 3, total_count: 45 });
        const none = await items(c, 'link').listOk({ catalog_id: 0, agent_id: 0 });
        assert.deepEqual(none.meta, { current_page: 1, total_pages: 0, total_count: 0 });
    });
});

test('companies apart; items survive a restart', { timeout: 60_000 }, async () => {
    await withRestartableServer(opts, async (srv) => {
        const c = udesk(srv);
        const g = udesk(srv, GLOBEX, { host: 'globex.udesk.cn' });
        const q = items(c, 'question');
        const cat = await c.createOk({ name: 'Q', knowledge_type_name: 'question', agent_id: 0 });
        const a = await q.createOk({ title: 't', content: 'c', catalog_id: cat, agent_id: 0 });
        const b = await q.createOk({ title: 'agent', content: 'c', agent_id: 101 });
        // Globex's agent 101 is another person: Acme's items are not found for Globex.
        assertUdErr(await items(g, 'question').show(a.id, 0), 2005, '知识不存在');
        assertUdErr(await items(g, 'question').show(b.id, 101), 2005, '知识不存在');
        assert.equal((await items(g, 'question').listOk({ catalog_id: 0, agent_id: 101 })).meta.total_count, 0);
        const before = [await q.show(a.id, 0), await q.show(b.id, 101)];
        assert.equal((await srv.stop('SIGTERM')).code, 0);
        await srv.restart();
        await c.syncClock();
        assert.deepEqual([await q.show(a.id, 0), await q.show(b.id, 101)], before);
        const next = await q.createOk({ title: 'after', content: 'c', agent_id: 0 });
        assert.ok(next.id > b.id, 'ids keep growing');
        assert.equal((await srv.stop('SIGTERM')).code, 0);
    });
});
