// Knowledge content in the seed document (docs/seed.md): wecom.knowledge (groups and
// their intents) and udesk.knowledge (top-level catalogs and their questions, useful
// expressions, useful links), read back through the dialects' own APIs; seeding again
// updates what matches and adds nothing twice; the API's rules apply; a refused seed
// leaves nothing behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminSeed, withServer } from './lib/server.mjs';
import { getToken, kf, assertOk } from './lib/wecom.mjs';
import { SEED, udesk } from './lib/udesk.mjs';

function seedWith(wecomKnowledge, udeskKnowledge) {
    const s = structuredClone(SEED);
    const acme = s.tenants.find((t) => t.name === 'Acme');
    if (wecomKnowledge) acme.wecom.knowledge = wecomKnowledge;
    if (udeskKnowledge) acme.udesk.knowledge = udeskKnowledge;
    return s;
}

const WECOM = [
    { group: '默认分组', intents: [{ question: '营业时间', answer: '9:00-18:00' }] },
    { group: 'FAQ', intents: [
        { question: '怎么退款', similar: ['如何退款', '退款流程'], answer: '在订单页申请' },
        { question: '发票', answer: '联系客服' },
    ] },
];
const UDESK = [
    { type: 'question', catalog: '常见问题', items: [{ title: 'Q1', content: 'A1' }, { title: 'Q2', content: 'A2' }] },
    { type: 'useful_expression', catalog: '问候', agent_id: 101, items: [{ content: '您好' }] },
    { type: 'useful_link', catalog: '链接', items: [{ name: 'Docs', url: 'https://docs.test/' }] },
];

async function readBack(srv) {
    const token = await getToken(srv);
    const groups = (await kf(srv, 'list_group', token, {})).group_list;
    const j = await kf(srv, 'list_intent', token, {});
    assertOk(j);
    const byGroup = {};
    for (const i of j.intent_list) {
        const g = groups.find((x) => x.group_id === i.group_id).name;
        (byGroup[g] ||= []).push([i.question.text.content, i.similar_questions.items.map((s) => s.text.content), i.answers[0].text.content]);
    }
    const c = udesk(srv);
    const cat = async (type, agent) => (await c.listOk(type, agent)).map((x) => x.name);
    const list = async (plural, agent) => {
        const r = await c.json('GET', `/open_api_v1/${plural}`, { query: { catalog_id: 0, agent_id: agent, per_page: 100 } });
        assert.equal(r.code, 1000, JSON.stringify(r));
        return r[plural].map(({ id, catalog_id, updated_at, ...rest }) => rest); // eslint-disable-line no-unused-vars
    };
    return {
        groups: groups.map((g) => g.name),
        intents: byGroup,
        catalogs: { question: await cat('question', 0), expression: await cat('useful_expression', 101), link: await cat('useful_link', 0) },
        questions: await list('knowledge_questions', 0),
        expressions: await list('useful_expressions', 101),
        links: await list('useful_links', 0),
    };
}

test('seeded knowledge reads back through both dialects; seeding again updates, never duplicates', { timeout: 60_000 }, async () => {
    await withServer({ seed: seedWith(WECOM, UDESK) }, async (srv) => {
        const first = await readBack(srv);
        assert.deepEqual(first.groups, ['默认分组', 'FAQ']);
        assert.deepEqual(first.intents, {
            默认分组: [['营业时间', [], '9:00-18:00']],
            FAQ: [['怎么退款', ['如何退款', '退款流程'], '在订单页申请'], ['发票', [], '联系客服']],
        });
        assert.deepEqual(first.catalogs, { question: ['常见问题'], expression: ['问候'], link: ['链接'] });
        assert.deepEqual(first.questions.map((q) => [q.title, q.content, q.lasts]), [['Q1', 'A1', true], ['Q2', 'A2', true]]);
        assert.deepEqual(first.expressions, [{ content: '您好' }]);
        assert.deepEqual(first.links, [{ name: 'Docs', url: 'https://docs.test/' }]);
        // The same document again: nothing changes.
        await adminSeed(srv, seedWith(WECOM, UDESK));
        assert.deepEqual(await readBack(srv), first);
        // Changed answers and a new item: updated in place, added once.
        const w2 = structuredClone(WECOM);
        w2[1].intents[0].answer = '新的回复';
        w2[1].intents[0].similar = [];
        const u2 = structuredClone(UDESK);
        u2[0].items[1].content = 'A2 v2';
        u2[2].items.push({ name: 'More', url: 'https://more.test/' });
        await adminSeed(srv, seedWith(w2, u2));
        const second = await readBack(srv);
        assert.deepEqual(second.intents.FAQ[0], ['怎么退款', [], '新的回复']);
        assert.deepEqual(second.questions.map((q) => [q.title, q.content]), [['Q1', 'A1'], ['Q2', 'A2 v2']]);
        assert.deepEqual(second.links.map((l) => l.name), ['Docs', 'More']);
        assert.deepEqual(second.catalogs, first.catalogs);
    });
});

test('seeded knowledge follows the API rules; a refused seed changes nothing', { timeout: 60_000 }, async () => {
    await withServer({ seed: seedWith(WECOM, UDESK) }, async (srv) => {
        const before = await readBack(srv);
        const refuse = async (doc, status, re, what) => {
            const res = await srv.request('POST', '/admin/v1/seed', { body: doc, headers: ADMIN_HEADERS });
            assert.equal(res.status, status, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
            assert.match(res.body, re, what);
        };
        await refuse(seedWith([{ group: 'Other', intents: [{ question: '发票', answer: 'x' }] }]), 409, /another group/, 'question in another group');
        await refuse(seedWith([{ group: 'FAQ', intents: [{ question: '问'.repeat(201), answer: 'x' }] }]), 400, /too long/, 'question too long');
        await refuse(seedWith([{ group: 'FAQ', intents: [{ question: 'q' }] }]), 400, /answer/, 'no answer');
        await refuse(seedWith([{ group: '1234567890123', intents: [] }]), 400, /name/, 'group name too long');
        await refuse(seedWith([{ intents: [] }]), 400, /group/, 'no group name');
        await refuse(seedWith(null, [{ type: 'attachment', catalog: 'x', items: [] }]), 400, /type/, 'attachment items');
        await refuse(seedWith(null, [{ type: 'question', catalog: 'x', agent_id: 999, items: [] }]), 404, /agent not found/, 'unknown agent');
        await refuse(seedWith(null, [{ type: 'useful_link', catalog: 'x', items: [{ name: 'n', url: 'ftp://x' }] }]), 400, /url/, 'bad url');
        await refuse(seedWith(null, [{ type: 'question', catalog: 'x', items: 'x' }]), 400, /items/, 'items not an array');
        assert.deepEqual(await readBack(srv), before);
    });
});
