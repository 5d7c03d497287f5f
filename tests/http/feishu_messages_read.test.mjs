// tests/http/feishu_messages_read.test.mjs - read receipts and buzzes: people read
// messages (POST /admin/v1/feishu/read), im.message.message_read_v1 to the sending bot for
// its p2p messages, GET .../read_users (the bot's own messages, 7 days, pages, id types),
// PATCH .../urgent_app|urgent_sms|urgent_phone (members who have not read it; the others
// in invalid_user_id_list; 200 unread buzzes a person; the SMS and phone quota) and the
// buzz record (GET /admin/v1/feishu/messages/{id}/buzzes); restart and both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents, withRestartableServer } from './lib/server.mjs';
import {
    APP1, APP2, advanceClock, assertErr, assertOk, createChat, feishuSeed, fs, ids, qs, tenantToken, withFeishuServer,
} from './lib/feishu.mjs';

const MSGS = '/open-apis/im/v1/messages';
const mpath = (id, sub = '') => `${MSGS}/${encodeURIComponent(id)}${sub}`;
const text = (t) => JSON.stringify({ text: t });
const invalid = (ext) => ({ msg: `Your request contains an invalid request parameter, ext=${ext}` });
const send = (srv, tok, receive_id, content, type = 'chat_id') =>
    fs(srv, 'POST', MSGS + qs({ receive_id_type: type }), tok, { receive_id, msg_type: 'text', content });
const read = (srv, message_id, user_id) => srv.request('POST', '/admin/v1/feishu/read', { headers: ADMIN_HEADERS, body: { message_id, user_id } });
const readers = (srv, tok, id, q = {}) => fs(srv, 'GET', mpath(id, '/read_users') + qs({ user_id_type: 'user_id', ...q }), tok);
const buzz = (srv, tok, id, list, kind = 'app', type = 'user_id') =>
    fs(srv, 'PATCH', mpath(id, `/urgent_${kind}`) + qs({ user_id_type: type }), tok, { user_id_list: list });
const buzzes = async (srv, id) => {
    const r = await srv.request('GET', `/admin/v1/feishu/messages/${id}/buzzes`, { headers: ADMIN_HEADERS });
    assert.equal(r.status, 200, r.body);
    return r.json.items;
};

test('people read: the first reading counts, message_read_v1 for a bot\'s p2p message, read_users pages', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const before = (await adminEvents(srv)).items.length;

        // p2p: the sending bot hears of it, once
        const dm = assertOk(await send(srv, bot, 'wangwu', text('ping'), 'user_id'));
        const r1 = await read(srv, dm.message_id, 'wangwu');
        assert.equal(r1.status, 200, r1.body);
        assert.equal(r1.json.first, true);
        assert.match(r1.json.read_time, /^\d{13}$/);
        const r2 = (await read(srv, dm.message_id, 'wangwu')).json;
        assert.deepEqual([r2.first, r2.read_time], [false, r1.json.read_time], 'the first reading stays');
        const ev = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type === 'im.message.message_read_v1');
        assert.equal(ev.length, 1);
        assert.equal(ev[0].body.schema, '2.0');
        assert.equal(ev[0].body.header.app_id, APP1.app_id);
        assert.deepEqual(ev[0].body.event, {
            reader: { reader_id: { union_id: p.wangwu.union_id, user_id: 'wangwu', open_id: p.wangwu.open(APP1) }, read_time: r1.json.read_time, tenant_key: 'acme' },
            message_id_list: [dm.message_id],
        });

        // a group: readers in reading order, pages, id types; no read event
        const chat = await createChat(srv, bot, { name: 'readers', user_id_list: ['wangwu', 'zhaoliu', 'sunqi'] }, { user_id_type: 'user_id' });
        const m = assertOk(await send(srv, bot, chat.chat_id, text('news')));
        assert.deepEqual(assertOk(await readers(srv, bot, m.message_id)), { items: [], has_more: false });
        for (const u of ['zhaoliu', 'wangwu', 'sunqi']) assert.equal((await read(srv, m.message_id, u)).status, 200);
        const all = assertOk(await readers(srv, bot, m.message_id));
        assert.deepEqual(all.items.map((i) => [i.user_id_type, i.user_id, i.tenant_key]), [['user_id', 'zhaoliu', 'acme'], ['user_id', 'wangwu', 'acme'], ['user_id', 'sunqi', 'acme']]);
        assert.ok(all.items.every((i) => /^\d{13}$/.test(i.timestamp)));
        const page1 = assertOk(await readers(srv, bot, m.message_id, { page_size: 2 }));
        assert.equal(page1.has_more, true);
        const page2 = assertOk(await readers(srv, bot, m.message_id, { page_size: 2, page_token: page1.page_token }));
        assert.deepEqual([...page1.items, ...page2.items], all.items);
        assertErr(await readers(srv, bot, m.message_id, { page_size: 2, page_token: page1.page_token, user_id_type: 'open_id' }), 230001, 'a token of another id type', invalid('invalid page_token'));
        assert.equal(page2.has_more, false);
        assert.ok(!('page_token' in page2));
        const open = assertOk(await readers(srv, bot, m.message_id, { user_id_type: 'open_id' }));
        assert.deepEqual(open.items.map((i) => i.user_id), ['zhaoliu', 'wangwu', 'sunqi'].map((u) => p[u].open(APP1)));
        const ev2 = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type === 'im.message.message_read_v1');
        assert.equal(ev2.length, 1, 'group readings are not reported');

        // read_users: the codes
        const said = (await srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body: { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: text('mine') } })).json;
        assertErr(await readers(srv, bot, said.message_id), 230012, 'not the sender', { msg: 'Bot is NOT the sender of the message.' });
        const other = await tenantToken(srv, APP2);
        assertErr(await readers(srv, other, m.message_id), 230002, 'bot outside', { msg: 'The bot can not be outside the group.' });
        assertErr(await fs(srv, 'GET', mpath(m.message_id, '/read_users'), bot), 99992402, 'no user_id_type', { msg: 'field validation failed' });
        assertErr(await readers(srv, bot, m.message_id, { page_size: 101 }), 99992402, 'page_size', { msg: 'field validation failed' });
        assertErr(await readers(srv, bot, 'nope'), 99992354, 'malformed id', { msg: 'The request you send is not a valid {open_message_id} or not exists' });
        const gone = assertOk(await send(srv, bot, chat.chat_id, text('gone')));
        assertOk(await fs(srv, 'DELETE', mpath(gone.message_id), bot));
        assertErr(await readers(srv, bot, gone.message_id), 230110, 'recalled', { msg: 'Action unavailable as the message has been deleted.' });
        await advanceClock(srv, 8 * 86400);
        assertErr(await readers(srv, await tenantToken(srv, APP1), m.message_id), 230033, 'past 7 days', { msg: 'Get the reading status must be done within 7 days after the message is sent.' });

        // the simulated reading: its own answers
        assert.equal((await read(srv, m.message_id, 'zhouba')).status, 403, 'not in the chat');
        assert.equal((await read(srv, 'om_00000000000000000000000000000000', 'wangwu')).status, 404);
        assert.equal((await read(srv, said.message_id, 'wangwu')).status, 400, 'the sender');
        assert.equal((await read(srv, gone.message_id, 'wangwu')).status, 410, 'recalled');
    });
});

test('buzz: members who have not read it, invalid ids returned, the record, the limits', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'alert', user_id_list: ['wangwu', 'zhaoliu', 'sunqi'] }, { user_id_type: 'user_id' });
        const m = assertOk(await send(srv, bot, chat.chat_id, text('fire')));
        await read(srv, m.message_id, 'wangwu');

        const r = assertOk(await buzz(srv, bot, m.message_id, ['wangwu', 'zhaoliu', 'nobody', 'zhouba', 'zhaoliu', 'chenyi']));
        assert.deepEqual(r, { invalid_user_id_list: ['wangwu', 'nobody', 'zhouba', 'chenyi'] });
        let rec = await buzzes(srv, m.message_id);
        assert.deepEqual(rec.map((b) => [b.user_id, b.kind, b.app_id, b.read]), [['zhaoliu', 'app', APP1.app_id, false]]);
        assert.deepEqual(assertOk(await buzz(srv, bot, m.message_id, [p.sunqi.open(APP1)], 'sms', 'open_id')), { invalid_user_id_list: [] });
        assertOk(await buzz(srv, bot, m.message_id, [p.sunqi.union_id], 'phone', 'union_id'));
        await read(srv, m.message_id, 'zhaoliu');
        rec = await buzzes(srv, m.message_id);
        assert.deepEqual(rec.map((b) => [b.user_id, b.kind, b.read]), [['zhaoliu', 'app', true], ['sunqi', 'sms', false], ['sunqi', 'phone', false]]);
        assert.ok(rec.every((b) => Number.isInteger(b.created_ms)));

        // the codes
        assertErr(await buzz(srv, bot, m.message_id, ['wangwu', 'zhaoliu']), 230001, 'all read', invalid('all ids in the user_id_list are invalid'));
        assertErr(await buzz(srv, bot, m.message_id, []), 99992402, 'empty', { msg: 'field validation failed' });
        assertErr(await buzz(srv, bot, m.message_id, Array.from({ length: 201 }, (_, i) => `u${i}`)), 99992402, '201 ids', { msg: 'field validation failed' });
        assertErr(await fs(srv, 'PATCH', mpath(m.message_id, '/urgent_app'), bot, { user_id_list: ['sunqi'] }), 99992402, 'no user_id_type', { msg: 'field validation failed' });
        const said = (await srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body: { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: text('mine') } })).json;
        assertErr(await buzz(srv, bot, said.message_id, ['sunqi']), 230012, 'not the sender', { msg: 'Bot is NOT the sender of the message.' });
        const gone = assertOk(await send(srv, bot, chat.chat_id, text('gone')));
        assertOk(await fs(srv, 'DELETE', mpath(gone.message_id), bot));
        assertErr(await buzz(srv, bot, gone.message_id, ['sunqi']), 230110, 'recalled', { msg: 'Action unavailable as the message has been deleted.' });
        // urgent_setting only_owner: a bot that is no owner or manager may not
        const other = await tenantToken(srv, APP2);
        const shared = await createChat(srv, bot, { name: 'shared', user_id_list: ['sunqi'], bot_id_list: [APP2.app_id], urgent_setting: 'only_owner' }, { user_id_type: 'user_id' });
        const om = assertOk(await send(srv, other, shared.chat_id, text('from the helper')));
        assertErr(await buzz(srv, other, om.message_id, ['sunqi']), 230052, 'only owners', { msg: 'Can not urgent this message.' });
        const bm = assertOk(await send(srv, bot, shared.chat_id, text('from the creator')));
        assertOk(await buzz(srv, bot, bm.message_id, ['sunqi']), 'the creator bot may');
        assertErr(await buzz(srv, other, m.message_id, ['sunqi']), 230002, 'bot outside', { msg: 'The bot can not be outside the group.' });

        // 200 unread buzzes a person; reading them makes room
        const dm = assertOk(await send(srv, bot, 'zhouba', text('wake up'), 'user_id'));
        for (let i = 0; i < 200; i++) assertOk(await buzz(srv, bot, dm.message_id, ['zhouba']), `buzz ${i}`);
        assertErr(await buzz(srv, bot, dm.message_id, ['zhouba']), 230023, '201st unread', { msg: 'The user has too many unread urgent messages.' });
        await read(srv, dm.message_id, 'zhouba');
        const dm2 = assertOk(await send(srv, bot, 'zhouba', text('again'), 'user_id'));
        assertOk(await buzz(srv, bot, dm2.message_id, ['zhouba']), 'after reading');
    });
});

test('the SMS and phone quota (feishu_urgent_quota); reads and buzzes survive a restart', { timeout: 120_000 }, async () => {
    await withRestartableServer({ seed: feishuSeed(), args: ['--feishu-urgent-quota', '2'] }, async (srv) => {
        let bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'quota', user_id_list: ['wangwu', 'zhaoliu', 'sunqi'] }, { user_id_type: 'user_id' });
        const m = assertOk(await send(srv, bot, chat.chat_id, text('x')));
        assertOk(await buzz(srv, bot, m.message_id, ['wangwu', 'zhaoliu'], 'sms'));
        assertErr(await buzz(srv, bot, m.message_id, ['sunqi'], 'phone'), 230024, 'quota', { msg: 'Reach the upper limit of urgent message.' });
        assertOk(await buzz(srv, bot, m.message_id, ['sunqi'], 'app'), 'in-app buzzes are free');
        await read(srv, m.message_id, 'wangwu');
        const before = [assertOk(await readers(srv, bot, m.message_id)), await buzzes(srv, m.message_id)];
        await srv.stop('SIGTERM');
        await srv.restart();
        bot = await tenantToken(srv, APP1);
        assert.deepEqual([assertOk(await readers(srv, bot, m.message_id)), await buzzes(srv, m.message_id)], before);
        assertErr(await buzz(srv, bot, m.message_id, ['sunqi'], 'sms'), 230024, 'quota after a restart', { msg: 'Reach the upper limit of urgent message.' });
        assert.equal((await read(srv, m.message_id, 'wangwu')).json.first, false);
        await srv.stop('SIGTERM');
    });
});

// An app whose scopes let it send but not read messages: no message_read_v1 ("Message
// read": im:message or im:message:readonly), and the gateway refuses read_users and the
// buzzes it holds no scope for.
const SENDER = { app_id: 'cli_sendonly01', app_secret: 'send-only-secret', name: 'Send Only' };

test('message_read_v1 and the routes follow the app\'s scopes', { timeout: 60_000 }, async () => {
    const seed = feishuSeed();
    seed.tenants.find((t) => t.name === 'Acme').feishu.apps.push({ ...SENDER, scopes: ['im:message:send_as_bot', 'im:message.urgent'] });
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, SENDER);
        const before = (await adminEvents(srv)).items.length;
        const dm = assertOk(await send(srv, bot, 'wangwu', text('no receipts'), 'user_id'));
        assert.equal((await read(srv, dm.message_id, 'wangwu')).json.first, true);
        const ev = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type === 'im.message.message_read_v1');
        assert.deepEqual(ev, [], 'no scope, no event');
        assertErr(await readers(srv, bot, dm.message_id), 99991672, 'read_users', { msg: /^Access denied\. One of the following scopes is required: \[im:message, im:message:readonly, im:message:basic\]/ });
        assertErr(await buzz(srv, bot, dm.message_id, ['wangwu'], 'sms'), 99991672, 'urgent_sms', { msg: /\[im:message\.urgent:sms, im:message\.urgent:sms_send\]/ });
        const p = (await ids(srv)).acme;
        const dm2 = assertOk(await send(srv, bot, 'wangwu', text('unread'), 'user_id'));
        assertOk(await buzz(srv, bot, dm2.message_id, [p.wangwu.open(SENDER)], 'app', 'open_id'), 'urgent_app with im:message.urgent');
    }, { seed });
});
