// tests/http/feishu_messages.test.mjs - the message endpoints (/open-apis/im/v1/messages): send
// to a chat and to people (the p2p chat opens), uuid keys, replies and threads, get, list
// (pages, order, time range, containers), recall, edit, card updates; the rules and codes
// each documents; receive_v1 / recalled_v1 in the outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminEvents } from './lib/server.mjs';
import {
    APP1, APP2, advanceClock, assertErr, assertOk, createChat, fs, ids, qs, tenantToken, userToken, withFeishuServer,
} from './lib/feishu.mjs';

const MSGS = '/open-apis/im/v1/messages';
const mpath = (id, sub = '') => `${MSGS}/${encodeURIComponent(id)}${sub}`;
const text = (t) => JSON.stringify({ text: t });
const send = (srv, tok, receive_id, content, { type = 'chat_id', msg_type = 'text', uuid } = {}) =>
    fs(srv, 'POST', MSGS + qs({ receive_id_type: type }), tok, { receive_id, msg_type, content, ...(uuid ? { uuid } : {}) });
const errMsg = (code, ext) => ({ msg: `Your request contains an invalid request parameter, ext=${ext}` });
const card = (title, extra = {}) => JSON.stringify({
    config: { update_multi: true }, header: { title: { tag: 'plain_text', content: title } },
    elements: [{ tag: 'div', text: { tag: 'lark_md', content: `**${title}**` } }], ...extra,
});

test('send, get, list: the message object, mentions, p2p by person', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'talk', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const before = (await adminEvents(srv)).items.length;

        const content = text(`<at user_id="${p.wangwu.open(APP1)}">Wang</at> <b>down</b> [runbook](https://x.test)`);
        const m = assertOk(await send(srv, bot, chat.chat_id, content), 'send');
        assert.match(m.message_id, /^om_[0-9a-f]{32}$/);
        assert.equal(m.chat_id, chat.chat_id);
        assert.equal(m.msg_type, 'text');
        assert.equal(m.deleted, false);
        assert.equal(m.updated, false);
        assert.equal(m.create_time, m.update_time);
        assert.match(m.create_time, /^\d{13}$/);
        assert.deepEqual(m.sender, { id: APP1.app_id, id_type: 'app_id', sender_type: 'app', tenant_key: 'acme' });
        assert.deepEqual(JSON.parse(m.body.content), { text: '@_user_1 down [runbook](https://x.test)' });
        assert.deepEqual(m.mentions, [{ key: '@_user_1', id: p.wangwu.open(APP1), id_type: 'open_id', name: 'Wang Wu', tenant_key: 'acme' }]);
        assert.ok(!('root_id' in m) && !('parent_id' in m) && !('thread_id' in m));

        // get, with user_id_type
        const got = assertOk(await fs(srv, 'GET', mpath(m.message_id) + qs({ user_id_type: 'user_id' }), bot), 'get');
        assert.equal(got.items.length, 1);
        assert.equal(got.items[0].mentions[0].id, 'wangwu');
        assert.equal(got.items[0].body.content, m.body.content);

        // a person reads it with a user token
        const ww = await userToken(srv, APP1, 'wangwu');
        assertOk(await fs(srv, 'GET', mpath(m.message_id), ww), 'member reads');
        const zl = await userToken(srv, APP1, 'zhaoliu');
        assertErr(await fs(srv, 'GET', mpath(m.message_id), zl), 230002, 'non-member', { msg: 'The bot can not be outside the group.' });
        // a person speaks with a user token
        const um = assertOk(await send(srv, ww, chat.chat_id, text('hello bot')), 'user send');
        assert.equal(um.sender.sender_type, 'user');
        assert.equal(um.sender.id, p.wangwu.open(APP1));

        // the bot gets the person's message, not its own
        const ev = (await adminEvents(srv)).items.slice(before);
        const recv = ev.filter((e) => e.event_type === 'im.message.receive_v1');
        assert.equal(recv.length, 1, JSON.stringify(ev.map((e) => e.event_type)));
        assert.equal(recv[0].body.event.message.message_id, um.message_id);
        assert.equal(recv[0].body.event.message.chat_type, 'group');
        assert.equal(recv[0].body.event.sender.sender_id.user_id, 'wangwu');
        assert.deepEqual(JSON.parse(recv[0].body.event.message.content), { text: 'hello bot' });

        // to a person: the p2p chat opens once, by every id type
        const a = assertOk(await send(srv, bot, p.zhaoliu.open(APP1), text('hi'), { type: 'open_id' }));
        const b = assertOk(await send(srv, bot, 'zhaoliu', text('again'), { type: 'user_id' }));
        const c = assertOk(await send(srv, bot, p.zhaoliu.union_id, text('and'), { type: 'union_id' }));
        const d = assertOk(await send(srv, bot, 'zl@acme.test', text('mail'), { type: 'email' }));
        assert.notEqual(a.chat_id, chat.chat_id);
        assert.deepEqual([b.chat_id, c.chat_id, d.chat_id], [a.chat_id, a.chat_id, a.chat_id]);
        const p2p = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: a.chat_id }), bot));
        assert.deepEqual(p2p.items.map((i) => JSON.parse(i.body.content).text), ['hi', 'again', 'and', 'mail']);

        // failures
        assertErr(await send(srv, bot, 'nobody', text('x'), { type: 'user_id' }), 230001, 'unknown person', errMsg(230001, 'invalid receive_id'));
        assertErr(await send(srv, bot, 'x', text('x'), { type: 'phone' }), 230001, 'bad type', errMsg(230001, 'invalid receive_id_type'));
        assertErr(await fs(srv, 'POST', MSGS, bot, { receive_id: chat.chat_id, msg_type: 'text', content: text('x') }), 99992402, 'no receive_id_type', { msg: 'field validation failed' });
        assertErr(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), bot, { receive_id: chat.chat_id, msg_type: 'text' }), 99992402, 'no content', { msg: 'field validation failed' });
        assertErr(await send(srv, bot, chat.chat_id, text('x'), { msg_type: 'txt' }), 230001, 'msg_type', errMsg(230001, 'invalid msg_type'));
        assertErr(await send(srv, bot, chat.chat_id, '{"text":'), 230001, 'content json', errMsg(230001, 'content is not a string in json format'));
        assertErr(await send(srv, bot, chat.chat_id, JSON.stringify({ text: 'x'.repeat(160 * 1024) })), 230025, 'too long', { msg: 'The length of the message content reaches its limit.' });
        assertErr(await send(srv, bot, chat.chat_id, JSON.stringify({ zh_cn: { content: [[{ tag: 'at' }]] } }), { msg_type: 'post' }), 230001, 'post at', errMsg(230001, "message_content_at_tag's user_id field can't be nil"));
        assertErr(await send(srv, bot, chat.chat_id, JSON.stringify({ header: {} }), { msg_type: 'interactive' }), 230099, 'card', { msg: /^Failed to create card content, ext=ErrCode: 200621/ });
        assertErr(await fs(srv, 'GET', mpath('nope'), bot), 99992354, 'malformed id', { msg: 'The request you send is not a valid {open_message_id} or not exists' });
        assertErr(await fs(srv, 'GET', mpath('om_00000000000000000000000000000000'), bot), 230001, 'unknown id', errMsg(230001, 'invalid message_id'));
        // system: p2p only, bots only
        const divider = JSON.stringify({ type: 'divider', params: { divider_text: { text: 'New' } } });
        assertErr(await send(srv, bot, chat.chat_id, divider, { msg_type: 'system' }), 230001, 'system in group', errMsg(230001, 'sending system messages in group chats is not supported'));
        assertOk(await send(srv, bot, a.chat_id, divider, { msg_type: 'system' }), 'system in p2p');
        // a bot outside the chat
        const other = await tenantToken(srv, APP2);
        assertErr(await send(srv, other, chat.chat_id, text('x')), 230002, 'bot outside');
    });
});

test('uuid, replies, threads, pages and order', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'threads' });
        const first = assertOk(await send(srv, bot, chat.chat_id, text('one'), { uuid: 'u-1' }));
        const again = assertOk(await send(srv, bot, chat.chat_id, text('one'), { uuid: 'u-1' }));
        assert.equal(again.message_id, first.message_id, 'the same uuid answers the first message');

        const r1 = assertOk(await fs(srv, 'POST', mpath(first.message_id, '/reply'), bot, { msg_type: 'text', content: text('r1') }));
        assert.equal(r1.parent_id, first.message_id);
        assert.equal(r1.root_id, first.message_id);
        const r2 = assertOk(await fs(srv, 'POST', mpath(r1.message_id, '/reply'), bot, { msg_type: 'text', content: text('r2') }));
        assert.equal(r2.parent_id, r1.message_id);
        assert.equal(r2.root_id, first.message_id);
        const t1 = assertOk(await fs(srv, 'POST', mpath(first.message_id, '/reply'), bot, { msg_type: 'text', content: text('t1'), reply_in_thread: true }));
        assert.match(t1.thread_id, /^omt_/);
        assert.equal(t1.root_id, first.message_id);
        const t2 = assertOk(await fs(srv, 'POST', mpath(t1.message_id, '/reply'), bot, { msg_type: 'text', content: text('t2') }));
        assert.equal(t2.thread_id, t1.thread_id, 'a reply to a thread message stays in it');
        assert.equal(t2.parent_id, first.message_id);

        const list = async (q) => assertOk(await fs(srv, 'GET', MSGS + qs(q), bot));
        const inChat = await list({ container_id_type: 'chat', container_id: chat.chat_id });
        assert.deepEqual(inChat.items.map((i) => JSON.parse(i.body.content).text), ['one', 'r1', 'r2']);
        assert.equal(inChat.items[0].thread_id, t1.thread_id, 'the root now heads a thread');
        const inThread = await list({ container_id_type: 'thread', container_id: t1.thread_id });
        assert.deepEqual(inThread.items.map((i) => JSON.parse(i.body.content).text), ['one', 't1', 't2']);

        // pages, both orders
        for (let i = 0; i < 7; i++) assertOk(await send(srv, bot, chat.chat_id, text(`n${i}`)));
        const walk = async (sort) => {
            const seen = [];
            let token;
            for (let guard = 0; guard < 10; guard++) {
                const d = await list({ container_id_type: 'chat', container_id: chat.chat_id, page_size: 3, sort_type: sort, ...(token ? { page_token: token } : {}) });
                seen.push(...d.items.map((i) => JSON.parse(i.body.content).text));
                if (!d.has_more) { assert.ok(!('page_token' in d)); return seen; }
                token = d.page_token;
            }
            throw new Error('no end');
        };
        const asc = await walk('ByCreateTimeAsc');
        assert.deepEqual(asc, ['one', 'r1', 'r2', 'n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
        assert.deepEqual(await walk('ByCreateTimeDesc'), [...asc].reverse());
        const p1 = await list({ container_id_type: 'chat', container_id: chat.chat_id, page_size: 3 });
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat.chat_id, page_size: 3, sort_type: 'ByCreateTimeDesc', page_token: p1.page_token }), bot),
            230001, 'changed params', errMsg(230001, 'the request parameters have changed, page_token is invalid'));
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat.chat_id, page_size: 51 }), bot), 230001, 'page size', errMsg(230001, 'The page_size exceeds the limit'));
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat.chat_id, start_time: 20, end_time: 10 }), bot), 230001, 'range', errMsg(230001, 'The end_time is earlier than the start_time'));
        // time range in seconds, inclusive
        const sec = Math.floor(Number(first.create_time) / 1000);
        const none = await list({ container_id_type: 'chat', container_id: chat.chat_id, end_time: sec - 1 });
        assert.deepEqual(none.items, []);
        const all = await list({ container_id_type: 'chat', container_id: chat.chat_id, start_time: sec, page_size: 50 });
        assert.equal(all.items.length, 10);
    });
});

test('recall, edit, card update: who may, until when', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        let bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'changes', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const ww = await userToken(srv, APP1, 'wangwu');
        const m = assertOk(await send(srv, bot, chat.chat_id, text('draft')));
        const theirs = assertOk(await send(srv, ww, chat.chat_id, text('mine')));
        const before = (await adminEvents(srv)).items.length;

        // edit
        const e1 = assertOk(await fs(srv, 'PUT', mpath(m.message_id), bot, { msg_type: 'text', content: text('final') }), 'edit');
        assert.equal(e1.updated, true);
        assert.deepEqual(JSON.parse(e1.body.content), { text: 'final' });
        assert.ok(Number(e1.update_time) > Number(e1.create_time));
        assertErr(await fs(srv, 'PUT', mpath(theirs.message_id), bot, { msg_type: 'text', content: text('x') }), 230071, 'not sender', { msg: 'The operator is not the sender of the message.' });
        assertErr(await fs(srv, 'PUT', mpath(m.message_id), bot, { msg_type: 'interactive', content: card('x') }), 230001, 'card by PUT', errMsg(230001, 'invalid msg_type'));
        assertErr(await fs(srv, 'PUT', mpath(m.message_id), ww, { msg_type: 'text', content: text('x') }), 99991668, 'user token');
        for (let i = 1; i < 20; i++) assertOk(await fs(srv, 'PUT', mpath(m.message_id), bot, { msg_type: 'text', content: text(`v${i}`) }));
        assertErr(await fs(srv, 'PUT', mpath(m.message_id), bot, { msg_type: 'text', content: text('x') }), 230072, '21st edit', { msg: 'The message has reached the number of times it can be edited.' });

        // card patch
        const c = assertOk(await send(srv, bot, chat.chat_id, card('Alert'), { msg_type: 'interactive' }));
        assert.deepEqual(JSON.parse(c.body.content), { title: 'Alert', elements: [[{ tag: 'text', text: '**Alert**' }]] });
        const pr = await fs(srv, 'PATCH', mpath(c.message_id), bot, { content: card('Resolved') });
        assert.equal(pr.status, 200, pr.body);
        assert.deepEqual(pr.json, { code: 0, msg: 'ok', data: {} });
        const got = assertOk(await fs(srv, 'GET', mpath(c.message_id) + qs({ card_msg_content_type: 'user_card_content' }), bot)).items[0];
        assert.equal(got.updated, true);
        assert.equal(JSON.parse(got.body.content).header.title.content, 'Resolved');
        assertErr(await fs(srv, 'PATCH', mpath(m.message_id), bot, { content: card('x') }), 230001, 'not a card', errMsg(230001, 'This message is NOT a card'));

        // recall: own, others' (the creator bot may), twice, after the window
        assertOk(await fs(srv, 'DELETE', mpath(theirs.message_id), bot), 'creator bot recalls a member\'s message');
        assertErr(await fs(srv, 'DELETE', mpath(theirs.message_id), bot), 230011, 'twice', { msg: 'The message is recalled.' });
        const mine2 = assertOk(await send(srv, ww, chat.chat_id, text('x')));
        const other = assertOk(await send(srv, bot, chat.chat_id, text('bot line')));
        assertErr(await fs(srv, 'DELETE', mpath(other.message_id), ww), 230026, 'member recalls the bot', { msg: 'No permission to recall this message.' });
        assertOk(await fs(srv, 'DELETE', mpath(mine2.message_id), ww), 'own');
        const list = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat.chat_id }), bot));
        const rec = list.items.find((i) => i.message_id === theirs.message_id);
        assert.equal(rec.deleted, true);
        assert.equal(rec.body.content, 'This message was recalled');
        const g = assertOk(await fs(srv, 'GET', mpath(theirs.message_id), bot)).items[0];
        assert.deepEqual(g.body, {});
        assertErr(await fs(srv, 'PUT', mpath(theirs.message_id), bot, { msg_type: 'text', content: text('x') }), 230011, 'edit recalled');
        const ev = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type === 'im.message.recalled_v1');
        assert.deepEqual(ev.map((e) => [e.body.event.message_id, e.body.event.recall_type]),
            [[theirs.message_id, 'group_owner'], [mine2.message_id, 'message_owner']]);

        await advanceClock(srv, 86400 + 60);
        bot = await tenantToken(srv, APP1);
        assertErr(await fs(srv, 'DELETE', mpath(other.message_id), bot), 230009, 'window', { msg: 'Message has expired when recall message.' });
        const fresh = assertOk(await send(srv, bot, chat.chat_id, text('new')));
        assertOk(await fs(srv, 'PUT', mpath(fresh.message_id), bot, { msg_type: 'text', content: text('ok') }));
        await advanceClock(srv, 14 * 86400);
        bot = await tenantToken(srv, APP1);
        assertErr(await fs(srv, 'PATCH', mpath(c.message_id), bot, { content: card('late') }), 230031, 'card window', { msg: 'Message can only be modified within 14 days after sending.' });
    });
});

test('moderation, disbanded chats, the per-chat send limit', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'quiet', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const ww = await userToken(srv, APP1, 'wangwu');
        assertOk(await fs(srv, 'PUT', `/open-apis/im/v1/chats/${chat.chat_id}/moderation`, bot, { moderation_setting: 'only_owner' }));
        assertErr(await send(srv, ww, chat.chat_id, text('x')), 230018, 'muted', { msg: 'These operations are NOT allowed at current group settings.' });
        assertOk(await send(srv, bot, chat.chat_id, text('the creator bot speaks')));
        // five per second into one chat, then 230020 (the window may roll over: at least one refusal in 12)
        let refused = 0;
        for (let i = 0; i < 12; i++) {
            const r = await send(srv, bot, chat.chat_id, text(`burst ${i}`));
            if (r.json.code === 230020) refused++;
            else assertOk(r);
        }
        assert.ok(refused > 0, 'the per-chat limit refuses');
        const m = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat.chat_id, page_size: 50 }), bot));
        assert.equal(m.items.length, 13 - refused, 'a refused send leaves no message');
        assertOk(await fs(srv, 'DELETE', `/open-apis/im/v1/chats/${chat.chat_id}`, bot));
        assertErr(await send(srv, bot, chat.chat_id, text('x')), 232009, 'disbanded');
    }, { rateLimit: true });
});

test('a person talks through the admin API: say, reply, @bot, recall; the bot open_id', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const { ADMIN_HEADERS, adminTenant } = await import('./lib/server.mjs');
        const act = (what, body) => srv.request('POST', `/admin/v1/feishu/${what}`, { headers: ADMIN_HEADERS, body });
        const apps = (await adminTenant(srv, 'Acme')).feishu.apps;
        const bot2 = apps.find((a) => a.app_id === APP2.app_id).bot_open_id;
        assert.match(bot2, /^ou_[0-9a-f]{32}$/);
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'people', user_id_list: ['wangwu'], bot_id_list: [APP2.app_id] }, { user_id_type: 'user_id' });
        const before = (await adminEvents(srv)).items.length;

        let r = await act('say', { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: text(`<at user_id="${bot2}">helper</at> status?`) });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.json.sender.id, 'wangwu');
        assert.deepEqual(JSON.parse(r.json.body.content), { text: '@_user_1 status?' });
        const said = r.json.message_id;
        // both bots take every person's message in a group; the mention names APP2's bot
        const ev = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type === 'im.message.receive_v1');
        assert.deepEqual(ev.map((e) => e.body.header.app_id).sort(), [APP1.app_id, APP2.app_id].sort());
        const m2 = ev.find((e) => e.body.header.app_id === APP2.app_id).body.event.message;
        assert.deepEqual(m2.mentions.map((m) => [m.key, m.mentioned_type, m.id.open_id, m.name]), [['@_user_1', 'bot', bot2, APP2.name]]);

        // the bot answers in a thread; the person replies to it
        const ans = assertOk(await fs(srv, 'POST', mpath(said, '/reply'), bot, { msg_type: 'text', content: text('all green'), reply_in_thread: true }));
        r = await act('say', { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: text('thanks'), reply_to: ans.message_id });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.json.thread_id, ans.thread_id);
        r = await act('recall', { message_id: said, user_id: 'wangwu' });
        assert.deepEqual(r.json, { recalled: true });
        const g = assertOk(await fs(srv, 'GET', mpath(said), bot)).items[0];
        assert.equal(g.deleted, true);
        // an outsider cannot speak; unknown people and chats are named
        r = await act('say', { chat_id: chat.chat_id, user_id: 'zhaoliu', msg_type: 'text', content: text('x') });
        assert.equal(r.status, 403, r.body);
        r = await act('say', { chat_id: chat.chat_id, user_id: 'nobody', msg_type: 'text', content: text('x') });
        assert.equal(r.status, 404);
        assert.equal(r.json.error.field, 'user_id');
        r = await act('recall', { message_id: 'om_nope', user_id: 'wangwu' });
        assert.equal(r.status, 404);

        // the p2p chat a send opened is the one the person enters; the event names its last message
        const hi = assertOk(await send(srv, bot, 'sunqi', text('hello'), { type: 'user_id' }));
        r = await act('p2p_enter', { app_id: APP1.app_id, user_id: 'sunqi' });
        assert.deepEqual(r.json, { chat_id: hi.chat_id, created: false });
        const entered = (await adminEvents(srv)).items.filter((e) => e.event_type === 'im.chat.access_event.bot_p2p_chat_entered_v1').at(-1);
        assert.equal(entered.body.event.last_message_id, hi.message_id);
        assert.equal(entered.body.event.last_message_create_time, hi.create_time);
        // and the person's answer there reaches the bot as a p2p message
        r = await act('say', { chat_id: hi.chat_id, user_id: 'sunqi', msg_type: 'text', content: text('hi bot') });
        assert.equal(r.status, 200, r.body);
        const p2p = (await adminEvents(srv)).items.filter((e) => e.event_type === 'im.message.receive_v1').at(-1);
        assert.equal(p2p.body.event.message.chat_type, 'p2p');
        assert.equal(p2p.body.header.app_id, APP1.app_id);
    });
});

test('shares, system messages, topic chats and the remaining refusals', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'shares', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const other = await createChat(srv, bot, { name: 'other group' });
        const dm = assertOk(await send(srv, bot, 'wangwu', text('hi'), { type: 'user_id' }));

        // share_chat: a group the bot is in; a p2p chat cannot be shared (230015).
        const sc = assertOk(await send(srv, bot, chat.chat_id, JSON.stringify({ chat_id: other.chat_id }), { msg_type: 'share_chat' }));
        assert.deepEqual(JSON.parse(sc.body.content), { chat_id: other.chat_id });
        assertErr(await send(srv, bot, chat.chat_id, JSON.stringify({ chat_id: dm.chat_id }), { msg_type: 'share_chat' }), 230015, 'p2p share', { msg: 'P2P chat can NOT be shared.' });
        assertErr(await send(srv, bot, chat.chat_id, JSON.stringify({ chat_id: 'oc_00000000000000000000000000000000' }), { msg_type: 'share_chat' }), 230001, 'unknown chat', errMsg(230001, 'invalid chat_id'));
        // share_user: by open_id only.
        assertOk(await send(srv, bot, chat.chat_id, JSON.stringify({ user_id: p.zhaoliu.open(APP1) }), { msg_type: 'share_user' }));
        assertErr(await send(srv, bot, chat.chat_id, JSON.stringify({ user_id: 'zhaoliu' }), { msg_type: 'share_user' }), 230001, 'share by user_id', errMsg(230001, 'invalid user_id'));

        // A system divider in p2p reads back as its template; it cannot be recalled (230054);
        // a person cannot send one (230001).
        const sys = assertOk(await send(srv, bot, dm.chat_id, JSON.stringify({ type: 'divider', params: { divider_text: { text: 'New', i18n_text: { en_US: 'New' } } } }), { msg_type: 'system' }));
        assert.deepEqual(JSON.parse(sys.body.content), { template: '{divider_text}', from_user: [], to_chatters: [], divider_text: { text: 'New', i18n_text: { en_us: 'New' } } });
        assertErr(await fs(srv, 'DELETE', mpath(sys.message_id), bot), 230054, 'recall system', { msg: 'This operation is not supported for this message type.' });
        const ww = await userToken(srv, APP1, 'wangwu');
        assertErr(await send(srv, ww, dm.chat_id, JSON.stringify({ type: 'divider', params: { divider_text: { text: 'x' } } }), { msg_type: 'system' }), 230001, 'system as a user',
            errMsg(230001, 'sending system messages as a user is not supported'));
        // A user token names chats, not people.
        assertErr(await send(srv, ww, 'zhaoliu', text('x'), { type: 'user_id' }), 230027, 'user token to a person', { msg: 'Lack of necessary permissions.' });

        // Threads: not in p2p (230071); replies to a recalled message (230011).
        assertErr(await fs(srv, 'POST', mpath(dm.message_id, '/reply'), bot, { msg_type: 'text', content: text('x'), reply_in_thread: true }), 230071, 'p2p thread',
            { msg: 'The group to which the message belongs does not support reply in thread.' });
        const gone = assertOk(await send(srv, bot, chat.chat_id, text('soon gone')));
        assertOk(await fs(srv, 'DELETE', mpath(gone.message_id), bot));
        assertErr(await fs(srv, 'POST', mpath(gone.message_id, '/reply'), bot, { msg_type: 'text', content: text('x') }), 230011, 'reply to recalled');

        // @all: anyone by default; with at_all_permission only_owner, owners, managers and
        // the creator bot only (230018, unconfirmed).
        const all = text('<at user_id="all"></at> heads up');
        const allMsg = assertOk(await send(srv, ww, chat.chat_id, all), 'member @all');
        assert.deepEqual(JSON.parse(allMsg.body.content), { text: '@_all heads up' });
        assert.ok(!('mentions' in allMsg), '@all has no mentions[] entry');
        assertOk(await fs(srv, 'PUT', `/open-apis/im/v1/chats/${chat.chat_id}`, bot, { at_all_permission: 'only_owner' }));
        assertErr(await send(srv, ww, chat.chat_id, all), 230018, 'member @all when only owners may');
        assertOk(await send(srv, bot, chat.chat_id, all), 'the creator bot @all');

        // A topic chat: every message starts a thread; its replies are listed by thread.
        const topic = await createChat(srv, bot, { name: 'topics', chat_mode: 'topic' });
        const t1 = assertOk(await send(srv, bot, topic.chat_id, text('topic one')));
        assert.match(t1.thread_id, /^omt_/);
        const r1 = assertOk(await fs(srv, 'POST', mpath(t1.message_id, '/reply'), bot, { msg_type: 'text', content: text('answer') }));
        assert.equal(r1.thread_id, t1.thread_id);
        const roots = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: topic.chat_id }), bot));
        assert.deepEqual(roots.items.map((m) => m.message_id), [t1.message_id]);
        const thread = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'thread', container_id: t1.thread_id }), bot));
        assert.deepEqual(thread.items.map((m) => m.message_id), [t1.message_id, r1.message_id]);
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'thread', container_id: t1.thread_id, start_time: 1 }), bot), 230001, 'time range on a thread',
            errMsg(230001, 'start_time and end_time are not supported for threads'));
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'thread', container_id: 'omt_0000000000000000' }), bot), 230001, 'unknown thread', errMsg(230001, 'invalid container_id'));
        assertErr(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'topic', container_id: t1.thread_id }), bot), 99992402, 'container type');
    });
});
