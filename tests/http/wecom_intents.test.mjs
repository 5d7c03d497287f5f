// WeCom knowledge Q&A items, "intents" (WeCom "知识库问答管理", its attachment appendix and
// "上传临时素材"): the four
// endpoints and their shapes, field limits in characters, the per-group quota, questions
// unique across groups, mod_intent's overwrite of each part given, attachments of the
// four kinds with media from POST /cgi-bin/media/upload (read back by name only), cursor
// paging, deleting a group with intents, tenants apart, and a restart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advanceClock, withRestartableServer, withServer } from './lib/server.mjs';
import { ACME, GLOBEX, getToken, kf, addGroupOk, assertOk, assertErr, listAll, uploadMedia, uploadRaw } from './lib/wecom.mjs';

const text = (content) => ({ text: { content } });
const intent = (group_id, q, extra = {}) => ({ group_id, question: text(q), answers: [text(`answer to ${q}`)], ...extra });

async function addOk(srv, token, body) {
    const j = await kf(srv, 'add_intent', token, body);
    assertOk(j, `add_intent ${JSON.stringify(body).slice(0, 200)}`);
    assert.deepEqual(Object.keys(j).sort(), ['errcode', 'errmsg', 'intent_id']);
    assert.equal(typeof j.intent_id, 'string');
    return j.intent_id;
}

// Every intent, paging with 'limit'; checks the list shape on every page.
async function listIntents(srv, token, body = {}, limit = 1000) {
    const out = [];
    let cursor = '';
    for (let pages = 1; pages <= 500; pages++) {
        const j = await kf(srv, 'list_intent', token, { ...body, limit, ...(cursor ? { cursor } : {}) });
        assertOk(j, 'list_intent');
        assert.deepEqual(Object.keys(j).sort(), ['errcode', 'errmsg', 'has_more', 'intent_list', 'next_cursor']);
        assert.ok(j.has_more === 0 || j.has_more === 1);
        assert.ok(j.intent_list.length <= limit);
        out.push(...j.intent_list);
        if (j.has_more === 0) {
            assert.equal(j.next_cursor, '');
            return { intents: out, pages };
        }
        assert.notEqual(j.next_cursor, '');
        cursor = j.next_cursor;
    }
    throw new Error('list_intent did not finish');
}

async function getIntent(srv, token, intent_id) {
    const j = await kf(srv, 'list_intent', token, { intent_id });
    assertOk(j, 'list_intent by id');
    assert.equal(j.intent_list.length, 1);
    return j.intent_list[0];
}

test('add, list, modify and delete intents in the documented shapes, with all four attachment kinds', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const group = await addGroupOk(srv, token, 'FAQ');
        const image = await uploadMedia(srv, token, 'image', '图片.jpg');
        const video = await uploadMedia(srv, token, 'video', 'clip.mp4');
        const longTitle = '小程序标题'.repeat(5); // 25 characters, 75 bytes: cut to 64 bytes (21 characters)
        const id = await addOk(srv, token, {
            group_id: group,
            question: text('主问题'),
            similar_questions: { items: [text('相似问题1'), text('相似问题2')] },
            answers: [{
                text: text('问题的回复').text,
                attachments: [
                    { msgtype: 'image', image: { media_id: image } },
                    { msgtype: 'video', video: { media_id: video } },
                    { msgtype: 'link', link: { title: 'Docs', url: 'https://example.test/', desc: 'd', picurl: 'https://example.test/p.png' } },
                    { msgtype: 'miniprogram', miniprogram: { title: longTitle, thumb_media_id: image, appid: 'wx0123456789abcdef', pagepath: 'pages/index' } },
                ],
            }],
        });
        const it = await getIntent(srv, token, id);
        const answers = [{
            text: { content: '问题的回复' },
            attachments: [
                { msgtype: 'image', image: { name: '图片.jpg' } },
                { msgtype: 'video', video: { name: 'clip.mp4' } },
                { msgtype: 'link', link: { title: 'Docs', url: 'https://example.test/', desc: 'd', pic_url: 'https://example.test/p.png' } },
                { msgtype: 'miniprogram', miniprogram: { title: '小程序标题'.repeat(4) + '小', appid: 'wx0123456789abcdef', pagepath: 'pages/index' } },
            ],
        }];
        const similar = { items: [text('相似问题1'), text('相似问题2')] };
        // The field table's shape, and the example's (both keys inside question) too.
        assert.deepEqual(it, {
            group_id: group, intent_id: id,
            question: { text: { content: '主问题' }, similar_questions: similar, answers },
            similar_questions: similar, answers,
        });
        assert.ok(!JSON.stringify(it).includes(image), 'media ids are never read back');
        // Integers as strings, SDK-style: every field sent, the unused ones empty.
        const id2 = await addOk(srv, token, {
            group_id: group, question: text('第二个'), similar_questions: { items: null },
            answers: [{ text: { content: 'a' }, attachments: null }],
        });
        const it2 = await getIntent(srv, token, id2);
        assert.deepEqual(it2.similar_questions, { items: [] });
        assert.deepEqual(it2.answers, [{ text: { content: 'a' }, attachments: [] }]);
        // silenceper serialises all four payloads whatever the msgtype: only msgtype's counts.
        const id3 = await addOk(srv, token, intent(group, '第三个', {
            answers: [{ text: text('x').text, attachments: [{ msgtype: 'link', image: { media_id: '' }, video: { media_id: '' }, link: { title: 't', url: 'https://l.test/' }, miniprogram: { title: '', thumb_media_id: '', appid: '', pagepath: '' } }] }],
        }));
        assert.deepEqual((await getIntent(srv, token, id3)).answers[0].attachments, [{ msgtype: 'link', link: { title: 't', url: 'https://l.test/' } }]);

        // mod_intent: each part given replaces the stored one; the others stay.
        assertOk(await kf(srv, 'mod_intent', token, { intent_id: id, question: text('新问题') }), 'mod question');
        let m = await getIntent(srv, token, id);
        assert.equal(m.question.text.content, '新问题');
        assert.deepEqual(m.similar_questions, similar);
        assert.deepEqual(m.answers, answers);
        assertOk(await kf(srv, 'mod_intent', token, { intent_id: id, similar_questions: { items: [text('只有一个')] } }), 'mod similar');
        m = await getIntent(srv, token, id);
        assert.deepEqual(m.similar_questions, { items: [text('只有一个')] });
        assert.deepEqual(m.answers, answers);
        assertOk(await kf(srv, 'mod_intent', token, { intent_id: id, answers: [text('新回复')] }), 'mod answers');
        m = await getIntent(srv, token, id);
        assert.deepEqual(m.answers, [{ text: { content: '新回复' }, attachments: [] }], 'the whole answer, attachments included, is replaced');
        assert.equal(m.question.text.content, '新问题');
        // "items": [] clears the list; the Go SDK's empty parts leave the rest alone.
        assertOk(await kf(srv, 'mod_intent', token, { intent_id: id, question: text(''), similar_questions: { items: [] }, answers: null }), 'SDK-style');
        m = await getIntent(srv, token, id);
        assert.deepEqual(m.similar_questions, { items: [] });
        assert.equal(m.question.text.content, '新问题');
        assert.equal(m.answers[0].text.content, '新回复');
        assert.equal(m.group_id, group, 'an intent stays in its group');

        // del_intent, then it is gone.
        assertOk(await kf(srv, 'del_intent', token, { intent_id: id }), 'del_intent');
        assertErr(await kf(srv, 'del_intent', token, { intent_id: id }), 40058, 'intent not found');
        assertErr(await kf(srv, 'mod_intent', token, { intent_id: id, question: text('x') }), 40058, 'intent not found');
        assertErr(await kf(srv, 'list_intent', token, { intent_id: id }), 40058, 'intent not found');
        const { intents } = await listIntents(srv, token);
        assert.deepEqual(intents.map((i) => i.intent_id), [id2, id3]);
    });
});

test('field rules: required parts, lengths in characters, counts, attachments and media', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        let token = await getToken(srv);
        const group = await addGroupOk(srv, token, 'Rules');
        const image = await uploadMedia(srv, token, 'image', 'a.png');
        const video = await uploadMedia(srv, token, 'video', 'v.mp4');
        const bad = async (body, code, head, what) => assertErr(await kf(srv, 'add_intent', token, body), code, head, what);
        const att = (...a) => [{ text: { content: 'x' }, attachments: a }];

        await bad({ question: text('q'), answers: [text('a')] }, 40058, 'invalid parameter: group_id', 'no group_id');
        await bad({ group_id: '', question: text('q'), answers: [text('a')] }, 40058, 'invalid parameter: group_id', 'empty group_id');
        await bad(intent('nope', 'q'), 40058, 'group not found', 'unknown group');
        await bad({ group_id: group, answers: [text('a')] }, 40058, undefined, 'no question');
        await bad({ group_id: group, question: text(''), answers: [text('a')] }, 40058, undefined, 'empty question');
        await bad({ group_id: group, question: {}, answers: [text('a')] }, 40058, undefined, 'question without text');
        await bad({ group_id: group, question: text('q') }, 40058, undefined, 'no answers');
        await bad({ group_id: group, question: text('q'), answers: [] }, 40058, undefined, 'empty answers');
        await bad({ group_id: group, question: text('q'), answers: [text('a'), text('b')] }, 40058, 'invalid parameter: too many items', 'two answers');
        await bad({ group_id: group, question: text('q'), answers: [text('')] }, 40058, undefined, 'empty answer text');
        await bad({ group_id: group, question: { text: { content: 5 } }, answers: [text('a')] }, 40058, undefined, 'content not a string');
        await bad({ group_id: group, question: text('q'), answers: 'a' }, 40058, undefined, 'answers not an array');

        // Lengths count characters: 200 Chinese characters pass, 201 do not.
        await addOk(srv, token, intent(group, '问'.repeat(200)));
        await bad(intent(group, '问'.repeat(201)), 40058, 'invalid parameter: content too long', 'question 201');
        await addOk(srv, token, intent(group, 'a500', { answers: [text('答'.repeat(500))] }));
        await bad(intent(group, 'a501', { answers: [text('答'.repeat(501))] }), 40058, 'invalid parameter: content too long', 'answer 501');
        const sims = (n, len = 5) => ({ items: Array.from({ length: n }, (_, i) => text(`${i}`.padEnd(len, '似'))) });
        await addOk(srv, token, intent(group, 's100', { similar_questions: sims(100, 200) }));
        await bad(intent(group, 's101', { similar_questions: sims(101) }), 40058, 'invalid parameter: too many items', '101 similar');
        await bad(intent(group, 's201', { similar_questions: { items: [text('似'.repeat(201))] } }), 40058, 'invalid parameter: content too long', 'similar 201');
        await bad(intent(group, 'sempty', { similar_questions: { items: [text('')] } }), 40058, undefined, 'empty similar');
        await bad(intent(group, 'sbad', { similar_questions: { items: 'x' } }), 40058, undefined, 'items not an array');

        // Attachments: at most 4; msgtype one of four; media of this corp, of the kind, live.
        const link = { msgtype: 'link', link: { title: 't', url: 'https://l.test/' } };
        await addOk(srv, token, intent(group, 'four', { answers: att(link, link, link, link) }));
        await bad(intent(group, 'five', { answers: att(link, link, link, link, link) }), 40058, 'invalid parameter: too many items', 'five attachments');
        await bad(intent(group, 'mt', { answers: att({ msgtype: 'text', text: { content: 'x' } }) }), 40008, 'invalid msgtype', 'msgtype text');
        await bad(intent(group, 'mt2', { answers: att({ image: { media_id: image } }) }), 40008, 'invalid msgtype', 'no msgtype');
        await bad(intent(group, 'm1', { answers: att({ msgtype: 'image', image: { media_id: 'nope' } }) }), 40007, 'invalid media_id', 'unknown media');
        await bad(intent(group, 'm2', { answers: att({ msgtype: 'image', image: { media_id: video } }) }), 40007, 'invalid media_id', 'a video as an image');
        await bad(intent(group, 'm3', { answers: att({ msgtype: 'video', video: {} }) }), 40058, 'invalid parameter: media_id', 'no media_id');
        await bad(intent(group, 'l1', { answers: att({ msgtype: 'link', link: { title: 't' } }) }), 40058, 'invalid parameter: url', 'link without url');
        await bad(intent(group, 'l2', { answers: att({ msgtype: 'link', link: { url: 'https://l.test/' } }) }), 40058, 'invalid parameter: title', 'link without title');
        const mp = (o) => ({ msgtype: 'miniprogram', miniprogram: { title: 'm', thumb_media_id: image, appid: 'wx0123456789abcdef', pagepath: 'p', ...o } });
        await addOk(srv, token, intent(group, 'mp', { answers: att(mp({})) }));
        await bad(intent(group, 'mp1', { answers: att(mp({ appid: 'not-an-appid' })) }), 40058, 'invalid parameter: invalid appid', 'bad appid');
        await bad(intent(group, 'mp2', { answers: att(mp({ pagepath: '' })) }), 40058, 'invalid parameter: pagepath', 'no pagepath');
        await bad(intent(group, 'mp3', { answers: att(mp({ thumb_media_id: video })) }), 40007, 'invalid media_id', 'a video as the cover');
        // Another corp's media is unknown here.
        const gtoken = await getToken(srv, GLOBEX);
        const gimage = await uploadMedia(srv, gtoken, 'image', 'g.png');
        await bad(intent(group, 'g', { answers: att({ msgtype: 'image', image: { media_id: gimage } }) }), 40007, 'invalid media_id', 'other corp media');
        // Temporary media live three days.
        await advanceClock(srv, 3 * 24 * 3600 + 1);
        token = await getToken(srv);
        assertErr(await kf(srv, 'add_intent', token, intent(group, 'late', { answers: att({ msgtype: 'image', image: { media_id: image } }) })), 40007, 'invalid media_id', 'expired media');

        // Nothing of the refused requests was stored.
        const { intents } = await listIntents(srv, token);
        assert.deepEqual(intents.map((i) => i.question.text.content), ['问'.repeat(200), 'a500', 's100', 'four', 'mp']);

        // mod_intent applies the same rules.
        const id = intents[1].intent_id;
        const mod = async (body, code, head, what) => assertErr(await kf(srv, 'mod_intent', token, { intent_id: id, ...body }), code, head, what);
        await mod({ question: text('问'.repeat(201)) }, 40058, 'invalid parameter: content too long', 'mod question 201');
        await mod({ answers: [text('a'), text('b')] }, 40058, 'invalid parameter: too many items', 'mod two answers');
        await mod({ similar_questions: sims(101) }, 40058, 'invalid parameter: too many items', 'mod 101 similar');
        await mod({ answers: att({ msgtype: 'file' }) }, 40008, 'invalid msgtype', 'mod msgtype');
        assertErr(await kf(srv, 'mod_intent', token, { question: text('x') }), 40058, 'invalid parameter: intent_id', 'mod without id');
        assertErr(await kf(srv, 'del_intent', token, {}), 40058, 'invalid parameter: intent_id', 'del without id');
        assert.deepEqual(await getIntent(srv, token, id), intents[1], 'refused changes change nothing');
    });
});

test('questions are unique across groups; 200 intents per group; a deleted group takes its intents', { timeout: 120_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const { groups } = await listAll(srv, token);
        const def = groups[0].group_id;
        const g1 = await addGroupOk(srv, token, 'G1');
        const g2 = await addGroupOk(srv, token, 'G2');
        const a = await addOk(srv, token, intent(def, '怎么退款')); // the default group holds intents too
        assertErr(await kf(srv, 'add_intent', token, intent(g1, '怎么退款')), 40058, 'question already exists', 'same question in another group');
        assertErr(await kf(srv, 'add_intent', token, intent(def, '怎么退款')), 40058, 'question already exists', 'same group');
        // Similar questions do not take part (unconfirmed; docs/compat.md).
        await addOk(srv, token, intent(g1, '退款流程', { similar_questions: { items: [text('怎么退款')] } }));
        const b = await addOk(srv, token, intent(g2, '发票'));
        assertErr(await kf(srv, 'mod_intent', token, { intent_id: b, question: text('怎么退款') }), 40058, 'question already exists', 'mod to a taken question');
        assertOk(await kf(srv, 'mod_intent', token, { intent_id: a, question: text('怎么退款') }), 'mod to its own question');
        assertOk(await kf(srv, 'mod_intent', token, { intent_id: a, question: text('如何退款') }), 'rename');
        await addOk(srv, token, intent(g1, '怎么退款')); // freed by the rename

        // 200 per group: g2 holds 1, so 199 more fit.
        for (let i = 1; i < 200; i++) await addOk(srv, token, intent(g2, `g2 #${i}`));
        assertErr(await kf(srv, 'add_intent', token, intent(g2, 'one too many')), 40058, 'intent count exceeds limit', '201st');
        await addOk(srv, token, intent(g1, 'one too many')); // other groups are not full
        assertOk(await kf(srv, 'del_intent', token, { intent_id: b }), 'free a slot');
        await addOk(srv, token, intent(g2, 'fits again'));

        // Deleting a group deletes its intents (unconfirmed; docs/compat.md); the questions are free again.
        assert.equal((await listIntents(srv, token, { group_id: g2 })).intents.length, 200);
        assertOk(await kf(srv, 'del_group', token, { group_id: g2 }), 'del_group');
        assertErr(await kf(srv, 'list_intent', token, { group_id: g2 }), 40058, 'group not found', 'list a deleted group');
        const { intents } = await listIntents(srv, token);
        assert.deepEqual(intents.map((i) => i.question.text.content).sort(), ['如何退款', '怎么退款', '退款流程', 'one too many'].sort());
        await addOk(srv, token, intent(g1, 'fits again'));
    });
});

test('list_intent: cursor paging, limits, filters, tolerated empty fields, bad cursors', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const g1 = await addGroupOk(srv, token, 'P1');
        const g2 = await addGroupOk(srv, token, 'P2');
        const ids = [];
        for (let i = 0; i < 7; i++) ids.push(await addOk(srv, token, intent(i % 2 ? g2 : g1, `page ${i}`)));
        for (const limit of [1, 2, 3, 7, 500]) {
            const { intents, pages } = await listIntents(srv, token, {}, limit);
            assert.deepEqual(intents.map((i) => i.intent_id), ids, `limit ${limit}: creation order`);
            assert.equal(pages, Math.ceil(7 / limit), `limit ${limit}: pages`);
        }
        assert.deepEqual((await listIntents(srv, token, { group_id: g1 }, 2)).intents.map((i) => i.intent_id), ids.filter((_, i) => i % 2 === 0));
        assert.deepEqual((await listIntents(srv, token, { group_id: g2 }, 2)).intents.map((i) => i.group_id), [g2, g2, g2]);
        // An intent deleted between pages does not shift the next page (keyset cursor).
        let j = await kf(srv, 'list_intent', token, { limit: 3 });
        assertOk(j);
        assertOk(await kf(srv, 'del_intent', token, { intent_id: ids[3] }));
        j = await kf(srv, 'list_intent', token, { limit: 3, cursor: j.next_cursor });
        assert.deepEqual(j.intent_list.map((i) => i.intent_id), [ids[4], ids[5], ids[6]]);
        // intent_id with its group, and with another group.
        assert.equal((await kf(srv, 'list_intent', token, { intent_id: ids[0], group_id: g1 })).intent_list.length, 1);
        const other = await kf(srv, 'list_intent', token, { intent_id: ids[0], group_id: g2 });
        assertOk(other);
        assert.deepEqual(other.intent_list, []);
        // Every field sent empty (the Go SDK): the first page, default limit 500.
        j = await kf(srv, 'list_intent', token, { cursor: '', limit: 0, group_id: '', intent_id: '' });
        assertOk(j);
        assert.equal(j.intent_list.length, 6);
        assert.equal(j.has_more, 0);
        // Limits and cursors.
        assertErr(await kf(srv, 'list_intent', token, { limit: 1001 }), 40058, undefined, 'limit 1001');
        assertErr(await kf(srv, 'list_intent', token, { limit: -1 }), 40058, undefined, 'limit -1');
        assertErr(await kf(srv, 'list_intent', token, { limit: '5' }), 40058, undefined, 'limit as a string');
        assertErr(await kf(srv, 'list_intent', token, { cursor: 'garbage' }), 50100, 'invalid cursor', 'garbage cursor');
        const gcursor = (await kf(srv, 'list_group', token, { limit: 1 })).next_cursor;
        assertErr(await kf(srv, 'list_intent', token, { cursor: gcursor }), 50100, 'invalid cursor', 'a list_group cursor');
        const cur = (await kf(srv, 'list_intent', token, { limit: 1 })).next_cursor;
        const gtoken = await getToken(srv, GLOBEX);
        assertErr(await kf(srv, 'list_intent', gtoken, { cursor: cur }), 50100, 'invalid cursor', "another corp's cursor");
        assertErr(await kf(srv, 'list_intent', token, { group_id: 'nope' }), 40058, 'group not found', 'unknown group');
        // Another corp sees none of them.
        const g = await kf(srv, 'list_intent', gtoken, {});
        assertOk(g);
        assert.deepEqual(g.intent_list, []);
    });
});

test('media/upload: types, the form, errors', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        for (const type of ['image', 'voice', 'video', 'file']) {
            const res = await uploadRaw(srv, token, type, `f.${type}`, Buffer.from('bytes'));
            assert.equal(res.status, 200);
            assert.deepEqual(Object.keys(res.json).sort(), ['created_at', 'errcode', 'errmsg', 'media_id', 'type']);
            assert.equal(res.json.type, type);
            assert.match(res.json.created_at, /^\d{10}$/);
        }
        const err = async (res, code, head, what) => { assert.equal(res.status, 200); assertErr(res.json, code, head, what); };
        await err(await uploadRaw(srv, token, undefined, 'a.png', Buffer.from('x')), 40058, 'invalid parameter: invalid media type', 'no type');
        await err(await uploadRaw(srv, token, 'gif', 'a.png', Buffer.from('x')), 40058, 'invalid parameter: invalid media type', 'bad type');
        await err(await uploadRaw(srv, token, 'image', 'a.png', Buffer.from('x'), 'file'), 40058, 'invalid parameter: media', 'no media part');
        await err(await uploadRaw(srv, token, 'image', 'a.png', Buffer.alloc(0)), 40058, 'invalid parameter: media file is empty', 'empty file');
        await err(await srv.request('POST', `/cgi-bin/media/upload?access_token=${token}&type=image`, { body: 'not a form' }), 40058, 'invalid parameter: media', 'not a form');
        await err(await srv.request('POST', `/cgi-bin/media/upload?access_token=${token}&type=image`, { body: '' }), 44002, 'empty post data', 'empty body');
        await err(await srv.request('POST', '/cgi-bin/media/upload?access_token=bad&type=image', { body: 'x' }), 40014, 'invalid access_token', 'bad token');
    });
});

test('intents and their media names survive a restart', { timeout: 60_000 }, async () => {
    await withRestartableServer({}, async (srv) => {
        let token = await getToken(srv, ACME);
        const group = await addGroupOk(srv, token, 'Durable');
        const image = await uploadMedia(srv, token, 'image', 'keep.jpg');
        const id = await addOk(srv, token, intent(group, 'durable', { answers: [{ text: { content: 'a' }, attachments: [{ msgtype: 'image', image: { media_id: image } }] }] }));
        const before = await getIntent(srv, token, id);
        const ex = await srv.stop('SIGTERM');
        assert.equal(ex.code, 0);
        await srv.restart();
        token = await getToken(srv, ACME);
        assert.deepEqual(await getIntent(srv, token, id), before);
        // The media is still usable within its three days.
        await addOk(srv, token, intent(group, 'after restart', { answers: [{ text: { content: 'a' }, attachments: [{ msgtype: 'image', image: { media_id: image } }] }] }));
        assert.equal((await srv.stop('SIGTERM')).code, 0);
    });
});
