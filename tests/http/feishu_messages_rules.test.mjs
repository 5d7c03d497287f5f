// tests/http/feishu_messages_rules.test.mjs - the message rules the other message tests leave
// out ("Send a message", "Message content", "Edit a message", "Update an app card
// message"): the read side of a post (no locale wrapper, at nodes as their keys, styles,
// md as text), text style tags, cards 2.0 and templates as sent and as read, the event
// carrying the read side; no messages to bots nor to people who resigned; the edit window;
// the per-card update limit; a p2p chat is one bot's conversation with one person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents, adminTenant } from './lib/server.mjs';
import {
    APP1, APP2, advanceClock, assertErr, assertOk, createChat, feishuSeed, fs, ids, qs, tenantToken, userToken, withFeishuServer,
} from './lib/feishu.mjs';

const MSGS = '/open-apis/im/v1/messages';
const mpath = (id) => `${MSGS}/${encodeURIComponent(id)}`;
const send = (srv, tok, receive_id, msg_type, content, type = 'chat_id') =>
    fs(srv, 'POST', MSGS + qs({ receive_id_type: type }), tok, { receive_id, msg_type, content: typeof content === 'string' ? content : JSON.stringify(content) });
const read = (m) => JSON.parse(m.body.content);

test('the read side: a post without its locale wrapper and at nodes as keys; text style tags; cards 2.0 and templates; the event carries the same', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'read side', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });

        // A post: zh_cn reads back (en_us is checked too), no locale wrapper; style keeps the
        // four known values; at nodes carry the key (the name is in mentions[]); md is text.
        const post = {
            en_us: { title: 'EN', content: [[{ tag: 'text', text: 'en' }]] },
            zh_cn: { title: '标题', content: [
                [{ tag: 'text', text: 'hi ', style: ['bold', 'blink', 'italic'] }, { tag: 'a', text: 'doc', href: 'https://x.test' },
                    { tag: 'at', user_id: p.wangwu.open(APP1) }, { tag: 'emotion', emoji_type: 'SMILE' }],
                [{ tag: 'hr' }],
                [{ tag: 'code_block', language: 'GO', text: 'x := 1' }],
                [{ tag: 'md', text: '**bold** and > quote' }],
            ] },
        };
        const m = assertOk(await send(srv, bot, chat.chat_id, 'post', post), 'post');
        assert.deepEqual(read(m), { title: '标题', content: [
            [{ tag: 'text', text: 'hi ', style: ['bold', 'italic'] }, { tag: 'a', href: 'https://x.test', text: 'doc', style: [] },
                { tag: 'at', user_id: '@_user_1', user_name: '', style: [] }, { tag: 'emotion', emoji_type: 'SMILE' }],
            [{ tag: 'hr' }],
            [{ tag: 'code_block', language: 'GO', text: 'x := 1' }],
            [{ tag: 'text', text: '**bold** and > quote', style: [] }],
        ] });
        assert.deepEqual(m.mentions.map((x) => [x.key, x.id, x.name]), [['@_user_1', p.wangwu.open(APP1), 'Wang Wu']]);
        const got = assertOk(await fs(srv, 'GET', mpath(m.message_id), bot)).items[0];
        assert.equal(got.body.content, m.body.content);
        // Another locale alone reads back as it is; a bad node in any locale is refused.
        assert.deepEqual(read(assertOk(await send(srv, bot, chat.chat_id, 'post', { ja_jp: { title: 'J', content: [[{ tag: 'text', text: 'ja' }]] } }))),
            { title: 'J', content: [[{ tag: 'text', text: 'ja', style: [] }]] });
        assertErr(await send(srv, bot, chat.chat_id, 'post', { zh_cn: { content: [[{ tag: 'text', text: 'ok' }]] }, en_us: { content: [[{ tag: 'a', text: 'x' }]] } }),
            230001, 'a bad node in the second locale', { msg: "Your request contains an invalid request parameter, ext=message_content_a_tag's href field can't be nil" });

        // Text: balanced style tags dropped, an unbalanced one sent as it is.
        const t = assertOk(await send(srv, bot, chat.chat_id, 'text', { text: '<b>open <i>nested</i></b> <u>unbalanced' }));
        assert.deepEqual(read(t), { text: 'open nested <u>unbalanced' });

        // Cards: a 2.0 card is simplified; a template reads back empty, and as sent with
        // card_msg_content_type=user_card_content.
        const v2 = { schema: '2.0', header: { title: { tag: 'plain_text', content: 'V2' } }, body: { elements: [{ tag: 'markdown', content: 'hello' }] } };
        const c2 = assertOk(await send(srv, bot, chat.chat_id, 'interactive', v2));
        assert.deepEqual(read(c2), { title: 'V2', elements: [[{ tag: 'text', text: 'hello' }]] });
        const tpl = { type: 'template', data: { template_id: 'AAq1', template_variable: { n: 1 } } };
        const ct = assertOk(await send(srv, bot, chat.chat_id, 'interactive', tpl));
        assert.deepEqual(read(ct), { title: '', elements: [] });
        const orig = assertOk(await fs(srv, 'GET', mpath(ct.message_id) + qs({ card_msg_content_type: 'user_card_content' }), bot)).items[0];
        assert.deepEqual(read(orig), tpl);
        const orig2 = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat.chat_id, card_msg_content_type: 'user_card_content', page_size: 50 }), bot))
            .items.find((x) => x.message_id === c2.message_id);
        assert.deepEqual(read(orig2), v2);

        // A person's post reaches the bot as im.message.receive_v1 with the same read side.
        const before = (await adminEvents(srv)).items.length;
        const said = await srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body: { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'post', content: JSON.stringify({ zh_cn: { title: 'Q', content: [[{ tag: 'text', text: 'status?', style: ['underline'] }]] } }) } });
        assert.equal(said.status, 200, said.body);
        const ev = (await adminEvents(srv)).items.slice(before).find((e) => e.event_type === 'im.message.receive_v1');
        assert.equal(ev.body.event.message.message_type, 'post');
        assert.deepEqual(JSON.parse(ev.body.event.message.content), { title: 'Q', content: [[{ tag: 'text', text: 'status?', style: ['underline'] }]] });
        assert.equal(ev.body.event.message.content, said.json.body.content);
    });
});

test('bots are not messaged: a bot\'s open_id as receive_id is refused', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, APP1);
        const other = (await adminTenant(srv, 'Acme')).feishu.apps.find((a) => a.app_id === APP2.app_id).bot_open_id;
        assertErr(await send(srv, bot, other, 'text', { text: 'hi bot' }, 'open_id'), 230001, 'to a bot',
            { msg: 'Your request contains an invalid request parameter, ext=this operation to bots is currently not supported' });
        assertErr(await send(srv, bot, 'ou_00000000000000000000000000000000', 'text', { text: 'x' }, 'open_id'), 230001, 'nobody',
            { msg: 'Your request contains an invalid request parameter, ext=invalid receive_id' });
    });
});

test('a person who resigned is not messaged (230029); the others are', { timeout: 60_000 }, async () => {
    const seed = feishuSeed();
    seed.tenants.find((t) => t.name === 'Acme').users.find((u) => u.user_id === 'zhaoliu').status = { is_resigned: true };
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, APP1);
        assertErr(await send(srv, bot, 'zhaoliu', 'text', { text: 'still there?' }, 'user_id'), 230029, 'resigned', { msg: 'User has resigned.' });
        assertErr(await send(srv, bot, 'zl@acme.test', 'text', { text: 'x' }, 'email'), 230029, 'resigned, by e-mail');
        assertOk(await send(srv, bot, 'wangwu', 'text', { text: 'hi' }, 'user_id'), 'an active person');
    }, { seed });
});

test('the edit window (24 h) and the per-card update limit (5 a second, each card its own)', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        let bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'limits' });
        const card = (title) => ({ config: { update_multi: true }, header: { title: { tag: 'plain_text', content: title } }, elements: [{ tag: 'hr' }] });
        const a = assertOk(await send(srv, bot, chat.chat_id, 'interactive', card('a')));
        const b = assertOk(await send(srv, bot, chat.chat_id, 'interactive', card('b')));
        let refused = 0;
        for (let i = 0; i < 12; i++) {
            const r = await fs(srv, 'PATCH', mpath(a.message_id), bot, { content: JSON.stringify(card(`a${i}`)) });
            if (r.json.code === 230020) {
                refused++;
                assert.equal(r.status, 400);
                assert.equal(r.json.msg, 'This operation triggers the frequency limit, ext=Update the single messages too frequently');
            } else {
                assert.equal(r.json.code, 0, r.body);
            }
        }
        assert.ok(refused > 0, 'a card updated more than 5 times a second is refused');
        // Another card of the same chat is not held back by the first one's count.
        assert.equal((await fs(srv, 'PATCH', mpath(b.message_id), bot, { content: JSON.stringify(card('b1')) })).json.code, 0);

        const m = assertOk(await send(srv, bot, chat.chat_id, 'text', { text: 'v0' }));
        assertOk(await fs(srv, 'PUT', mpath(m.message_id), bot, { msg_type: 'text', content: JSON.stringify({ text: 'v1' }) }));
        await advanceClock(srv, 86400 + 60);
        bot = await tenantToken(srv, APP1);
        assertErr(await fs(srv, 'PUT', mpath(m.message_id), bot, { msg_type: 'text', content: JSON.stringify({ text: 'v2' }) }), 230075, 'after 24 h',
            { msg: 'The message has exceeded the time that can be edited.' });
        assert.deepEqual(read(assertOk(await fs(srv, 'GET', mpath(m.message_id), bot)).items[0]), { text: 'v1' });
    }, { rateLimit: true });
});

test('a p2p chat is one bot\'s conversation with one person', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot1 = await tenantToken(srv, APP1);
        const bot2 = await tenantToken(srv, APP2);
        const m = assertOk(await send(srv, bot1, 'wangwu', 'text', { text: 'just us' }, 'user_id'));
        // Another bot reads neither the message nor the chat's history, and reaches the
        // same person in a p2p chat of its own.
        assertErr(await fs(srv, 'GET', mpath(m.message_id), bot2), 230002, 'another bot reads');
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: m.chat_id }), bot2), 230002, 'another bot lists');
        assertErr(await send(srv, bot2, m.chat_id, 'text', { text: 'me too' }), 230002, 'another bot writes into it');
        const m2 = assertOk(await send(srv, bot2, 'wangwu', 'text', { text: 'hello from 2' }, 'user_id'));
        assert.notEqual(m2.chat_id, m.chat_id);
        // The person reads it; anyone else does not.
        assertOk(await fs(srv, 'GET', mpath(m.message_id), await userToken(srv, APP1, 'wangwu')), 'the person reads');
        assertErr(await fs(srv, 'GET', mpath(m.message_id), await userToken(srv, APP1, 'zhaoliu')), 230002, 'another person reads');
        // The chat's history is the two of them.
        const hist = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: m.chat_id }), bot1));
        assert.deepEqual(hist.items.map((x) => read(x).text), ['just us']);
    });
});
