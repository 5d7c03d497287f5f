// --copy-to carries knowledge items to the other backend and back: WeCom intents with
// their similar questions and attachments (media names), the media still usable, Udesk
// questions, expressions and links with their catalogs, owners and validity windows;
// new ids follow the copied ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { binPath, freshPgDatabase, keyArgs, makeTempDir, withServer } from './lib/server.mjs';
import { getToken, kf, addGroupOk, assertOk, uploadMedia } from './lib/wecom.mjs';
import { SEED, udesk } from './lib/udesk.mjs';

async function state(srv) {
    const token = await getToken(srv);
    const intents = await kf(srv, 'list_intent', token, {});
    assertOk(intents);
    const c = udesk(srv);
    const items = {};
    for (const [plural, agent] of [['knowledge_questions', 0], ['useful_expressions', 101], ['useful_links', 0]]) {
        const j = await c.json('GET', `/open_api_v1/${plural}`, { query: { catalog_id: 0, agent_id: agent, per_page: 100 } });
        assert.equal(j.code, 1000, JSON.stringify(j));
        items[plural] = j;
    }
    return { intents: intents.intent_list, items };
}

test('--copy-to keeps intents, media and Udesk items', { timeout: 120_000 }, async () => {
    const dir = makeTempDir();
    try {
        let src, before, media, group;
        await withServer({ dir, seed: SEED }, async (srv) => {
            src = srv.args[srv.args.indexOf('--db') + 1];
            const token = await getToken(srv);
            group = await addGroupOk(srv, token, 'Copied');
            media = await uploadMedia(srv, token, 'image', 'copied.png');
            assertOk(await kf(srv, 'add_intent', token, {
                group_id: group, question: { text: { content: '复制' } },
                similar_questions: { items: [{ text: { content: '拷贝' } }] },
                answers: [{ text: { content: '答' }, attachments: [{ msgtype: 'image', image: { media_id: media } }] }],
            }));
            const c = udesk(srv);
            const cat = await c.createOk({ name: 'Q', knowledge_type_name: 'question', agent_id: 0 });
            for (const [plural, body] of [
                ['knowledge_questions', { knowledge_question: { title: 't', content: 'c', catalog_id: cat, agent_id: 0, lasts: false, last_min: '2026-01-01T00:00:00Z', last_max: '2026-12-31T00:00:00Z' } }],
                ['useful_expressions', { useful_expression: { content: 'hello', agent_id: 101 } }],
                ['useful_links', { useful_link: { name: 'n', url: 'https://n.test/', agent_id: 0 } }],
            ]) assert.equal((await c.json('POST', `/open_api_v1/${plural}`, { body })).code, 1000);
            before = await state(srv);
        });
        const other = process.env.QUNZU_TEST_PG ? freshPgDatabase(process.env.QUNZU_TEST_PG) : `sqlite:${path.join(dir, 'other.db')}`;
        const back = `sqlite:${path.join(dir, 'back.db')}`;
        for (const [from, to] of [[src, other], [other, back]]) {
            const r = spawnSync(binPath(), ['--db', from, '--copy-to', to, ...keyArgs()], { encoding: 'utf8' });
            assert.equal(r.status, 0, `copy ${from} -> ${to} failed: ${r.stderr}`);
            assert.match(r.stdout, /copied 4 rows of kb_item\n/);
            assert.match(r.stdout, /copied 1 rows of wc_media\n/);
        }
        for (const db of [other, back]) {
            await withServer({ db, dir: makeTempDir(), seed: SEED }, async (srv) => {
                assert.deepEqual(await state(srv), before, `state on ${db}`);
                const token = await getToken(srv);
                assertOk(await kf(srv, 'add_intent', token, {
                    group_id: group, question: { text: { content: `after ${db.slice(0, 6)}` } },
                    answers: [{ text: { content: 'a' }, attachments: [{ msgtype: 'image', image: { media_id: media } }] }],
                }), 'the copied media is usable');
                const j = await udesk(srv).json('POST', '/open_api_v1/useful_links', { body: { useful_link: { name: 'after', url: 'https://a.test/', agent_id: 0 } } });
                assert.equal(j.code, 1000, JSON.stringify(j));
                assert.ok(j.id > before.items.useful_links.useful_links[0].id, 'new ids follow the copied ones');
            });
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
