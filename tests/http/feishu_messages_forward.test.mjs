// tests/http/feishu_messages_forward.test.mjs - forward and merge-forward ("Forward a
// message", "Merge and forward messages"): copies into a chat, a person's p2p chat or a
// thread, uuid keys per target, merged messages read back with their parts
// (upper_message_id), nested merges, and every rule's code; restart and both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents, withRestartableServer } from './lib/server.mjs';
import {
    APP1, APP2, assertErr, assertOk, createChat, feishuSeed, fs, ids, qs, tenantToken, userToken, withFeishuServer,
} from './lib/feishu.mjs';

const MSGS = '/open-apis/im/v1/messages';
const mpath = (id, sub = '') => `${MSGS}/${encodeURIComponent(id)}${sub}`;
const text = (t) => JSON.stringify({ text: t });
const MERGED = JSON.stringify({ content: 'Merged and Forwarded Message' });
const invalid = (ext) => ({ msg: `Your request contains an invalid request parameter, ext=${ext}` });
const send = (srv, tok, chat, content, msg_type = 'text') =>
    fs(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat, msg_type, content });
const forward = (srv, tok, id, receive_id, type = 'chat_id', uuid) =>
    fs(srv, 'POST', mpath(id, '/forward') + qs({ receive_id_type: type, uuid }), tok, { receive_id });
const merge = (srv, tok, list, receive_id, type = 'chat_id', uuid) =>
    fs(srv, 'POST', `${MSGS}/merge_forward` + qs({ receive_id_type: type, uuid }), tok, { receive_id, message_id_list: list });
const say = (srv, body) => srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body });
const history = async (srv, tok, chat) =>
    assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat, page_size: 50 }), tok), 'history').items;

test('forward: to a chat, a person, a thread; uuid per target; the codes', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const from = await createChat(srv, bot, { name: 'from', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const to = await createChat(srv, bot, { name: 'to' });
        const src = assertOk(await send(srv, bot, from.chat_id, text(`<at user_id="${p.wangwu.open(APP1)}">W</at> look`)), 'send');
        const before = (await adminEvents(srv)).items.length;

        const f = assertOk(await forward(srv, bot, src.message_id, to.chat_id), 'forward to a chat');
        assert.match(f.message_id, /^om_[0-9a-f]{32}$/);
        assert.notEqual(f.message_id, src.message_id);
        assert.equal(f.chat_id, to.chat_id);
        assert.equal(f.msg_type, 'text');
        assert.equal(f.body.content, src.body.content);
        assert.deepEqual(f.mentions, src.mentions);
        assert.deepEqual(f.sender, { id: APP1.app_id, id_type: 'app_id', sender_type: 'app', tenant_key: 'acme' });
        assert.ok(!('upper_message_id' in f) && !('root_id' in f) && !('parent_id' in f));
        assert.deepEqual((await history(srv, bot, to.chat_id)).map((m) => m.message_id), [f.message_id]);

        // a person: their p2p chat with the bot, the one a send uses
        const toPerson = assertOk(await forward(srv, bot, src.message_id, p.sunqi.open(APP1), 'open_id'), 'forward to a person');
        const direct = assertOk(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'user_id' }), bot, { receive_id: 'sunqi', msg_type: 'text', content: text('hi') }));
        assert.equal(toPerson.chat_id, direct.chat_id);
        assert.notEqual(toPerson.chat_id, to.chat_id);
        assert.equal(assertOk(await forward(srv, bot, src.message_id, 'sq@acme.test', 'email')).chat_id, direct.chat_id);

        // a thread: the copy is a reply in it
        const root = assertOk(await send(srv, bot, to.chat_id, text('root')));
        const t1 = assertOk(await fs(srv, 'POST', mpath(root.message_id, '/reply'), bot, { msg_type: 'text', content: text('t1'), reply_in_thread: true }));
        const inThread = assertOk(await forward(srv, bot, src.message_id, t1.thread_id, 'thread_id'), 'forward to a thread');
        assert.equal(inThread.thread_id, t1.thread_id);
        assert.equal(inThread.root_id, root.message_id);
        assert.equal(inThread.chat_id, to.chat_id);
        const thread = assertOk(await fs(srv, 'GET', MSGS + qs({ container_id_type: 'thread', container_id: t1.thread_id }), bot)).items;
        assert.deepEqual(thread.map((m) => m.message_id), [root.message_id, t1.message_id, inThread.message_id]);

        // uuid: once per target within the hour
        const u1 = assertOk(await forward(srv, bot, src.message_id, to.chat_id, 'chat_id', 'fw-1'));
        const u2 = assertOk(await forward(srv, bot, src.message_id, to.chat_id, 'chat_id', 'fw-1'));
        assert.equal(u2.message_id, u1.message_id);
        const u3 = assertOk(await forward(srv, bot, src.message_id, from.chat_id, 'chat_id', 'fw-1'));
        assert.notEqual(u3.message_id, u1.message_id);

        // a person's message is forwarded too; receive_v1 is the copy's, the bot's own never reaches it
        const said = (await say(srv, { chat_id: from.chat_id, user_id: 'wangwu', msg_type: 'text', content: text('from a person') })).json;
        const copy = assertOk(await forward(srv, bot, said.message_id, to.chat_id));
        assert.equal(copy.body.content, said.body.content);
        assert.equal(copy.sender.sender_type, 'app');
        const ev = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type === 'im.message.receive_v1');
        assert.ok(!ev.some((e) => e.body.event.message.message_id === copy.message_id), 'no receive_v1 of its own copy');

        // the codes
        assertErr(await forward(srv, bot, 'nope', to.chat_id), 99992354, 'malformed id', { msg: 'The request you send is not a valid {open_message_id} or not exists' });
        assertErr(await forward(srv, bot, 'om_00000000000000000000000000000000', to.chat_id), 230064, 'unknown', { msg: 'The message to be forwarded is invalid.' });
        const gone = assertOk(await send(srv, bot, from.chat_id, text('gone')));
        assertOk(await fs(srv, 'DELETE', mpath(gone.message_id), bot));
        assertErr(await forward(srv, bot, gone.message_id, to.chat_id), 230065, 'recalled', { msg: 'The message to be forwarded has been recalled.' });
        const p2p = direct.chat_id;
        const divider = assertOk(await send(srv, bot, p2p, JSON.stringify({ type: 'divider', params: { divider_text: { text: 'New' } } }), 'system'));
        assertErr(await forward(srv, bot, divider.message_id, to.chat_id), 230061, 'system', { msg: 'The message type does not support forwarding.' });
        assertErr(await forward(srv, bot, src.message_id, 'oc_00000000000000000000000000000000'), 230063, 'unknown chat', { msg: 'The chat_id of group to forward is invalid.' });
        assertErr(await forward(srv, bot, src.message_id, 'nobody', 'user_id'), 230034, 'unknown person', { msg: 'The receive_id is invalid.' });
        assertErr(await forward(srv, bot, src.message_id, 'omt_0000000000000000', 'thread_id'), 230019, 'unknown thread', { msg: 'The thread does NOT exist.' });
        assertErr(await forward(srv, bot, src.message_id, to.chat_id, 'phone'), 230001, 'bad type', invalid('invalid receive_id_type'));
        assertErr(await fs(srv, 'POST', mpath(src.message_id, '/forward'), bot, { receive_id: to.chat_id }), 99992402, 'no receive_id_type', { msg: 'field validation failed' });
        assertErr(await fs(srv, 'POST', mpath(src.message_id, '/forward') + qs({ receive_id_type: 'chat_id' }), bot, {}), 99992402, 'no receive_id', { msg: 'field validation failed' });
        assertErr(await forward(srv, bot, src.message_id, to.chat_id, 'chat_id', 'u'.repeat(51)), 99992402, 'uuid too long', { msg: 'field validation failed' });
        // another bot: the source is invisible to it, the target chat has no place for it
        const other = await tenantToken(srv, APP2);
        const own = await createChat(srv, other, { name: 'other' });
        assertErr(await forward(srv, other, src.message_id, own.chat_id), 230064, 'invisible', { msg: 'The message to be forwarded is invalid.' });
        const theirs = assertOk(await send(srv, other, own.chat_id, text('mine')));
        assertErr(await forward(srv, other, theirs.message_id, to.chat_id), 230002, 'bot outside the target', { msg: 'The bot can not be outside the group.' });
        // a restricted chat's messages stay in it; a chat where only moderators speak
        const locked = await createChat(srv, bot, { name: 'locked', restricted_mode_setting: { status: true, message_has_permission_setting: 'not_anyone' } });
        const secret = assertOk(await send(srv, bot, locked.chat_id, text('secret')));
        assertErr(await forward(srv, bot, secret.message_id, to.chat_id), 230070, 'restricted', { msg: 'Forwarding of messages in restricted mode is not allowed.' });
        const quiet = await createChat(srv, other, { name: 'quiet', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        assertOk(await fs(srv, 'PUT', `/open-apis/im/v1/chats/${quiet.chat_id}/moderation`, other, { moderation_setting: 'only_owner' }));
        const helper = await createChat(srv, bot, { name: 'helper', bot_id_list: [APP2.app_id] });
        const hm = assertOk(await send(srv, bot, helper.chat_id, text('x')));
        assertOk(await fs(srv, 'POST', `/open-apis/im/v1/chats/${quiet.chat_id}/members` + qs({ member_id_type: 'app_id' }), other, { id_list: [APP1.app_id] }));
        assertErr(await forward(srv, bot, hm.message_id, quiet.chat_id), 230018, 'may not speak', { msg: 'These operations are NOT allowed at current group settings.' });
        // tenant tokens only
        const ww = await userToken(srv, APP1, 'wangwu');
        assert.notEqual((await forward(srv, ww, src.message_id, to.chat_id)).json.code, 0, 'a user token');
    });
});

test('merge-forward: parts read back with upper_message_id, nested merges, the codes', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const from = await createChat(srv, bot, { name: 'from', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const to = await createChat(srv, bot, { name: 'to' });
        const a = assertOk(await send(srv, bot, from.chat_id, text('a')));
        const b = (await say(srv, { chat_id: from.chat_id, user_id: 'wangwu', msg_type: 'text', content: text('b') })).json;
        const c = assertOk(await fs(srv, 'POST', mpath(a.message_id, '/reply'), bot, { msg_type: 'post', content: JSON.stringify({ zh_cn: { title: 'T', content: [[{ tag: 'text', text: 'c' }]] } }) }));
        const gone = assertOk(await send(srv, bot, from.chat_id, text('gone')));
        assertOk(await fs(srv, 'DELETE', mpath(gone.message_id), bot));

        const unknown = 'om_00000000000000000000000000000000';
        const r = assertOk(await merge(srv, bot, [c.message_id, unknown, a.message_id, gone.message_id, b.message_id, a.message_id], to.chat_id), 'merge');
        assert.deepEqual(Object.keys(r).sort(), ['invalid_message_id_list', 'message']);
        assert.deepEqual(r.invalid_message_id_list, [unknown, gone.message_id]);
        const m = r.message;
        assert.equal(m.msg_type, 'merge_forward');
        assert.equal(m.body.content, MERGED);
        assert.equal(m.chat_id, to.chat_id);
        assert.equal(m.sender.id, APP1.app_id);
        assert.ok(!('upper_message_id' in m) && !('mentions' in m));

        // get: the merged message, then its parts in time order, each naming it
        const got = assertOk(await fs(srv, 'GET', mpath(m.message_id) + qs({ user_id_type: 'user_id' }), bot)).items;
        assert.equal(got.length, 4);
        assert.equal(got[0].message_id, m.message_id);
        const parts = got.slice(1);
        assert.deepEqual(parts.map((x) => x.upper_message_id), [m.message_id, m.message_id, m.message_id]);
        assert.deepEqual(parts.map((x) => x.body.content), [a.body.content, b.body.content, c.body.content]);
        assert.deepEqual(parts.map((x) => x.create_time), [a.create_time, b.create_time, c.create_time]);
        assert.deepEqual(parts.map((x) => x.msg_type), ['text', 'text', 'post']);
        assert.deepEqual(parts[1].sender, { id: 'wangwu', id_type: 'user_id', sender_type: 'user', tenant_key: 'acme' });
        assert.ok(parts.every((x) => x.message_id !== a.message_id && x.message_id !== b.message_id && !('root_id' in x) && !('thread_id' in x)));
        // a part by its own id; the list shows the merged message alone
        const one = assertOk(await fs(srv, 'GET', mpath(parts[0].message_id), bot)).items;
        assert.equal(one.length, 1);
        assert.equal(one[0].upper_message_id, m.message_id);
        assert.deepEqual((await history(srv, bot, to.chat_id)).map((x) => [x.message_id, x.body.content]), [[m.message_id, MERGED]]);
        // a person in the chat reads it all with a user token
        assertOk(await fs(srv, 'POST', `/open-apis/im/v1/chats/${to.chat_id}/members` + qs({ member_id_type: 'user_id' }), bot, { id_list: ['zhaoliu'] }));
        const zl = await userToken(srv, APP1, 'zhaoliu');
        const seen = assertOk(await fs(srv, 'GET', mpath(m.message_id), zl)).items;
        assert.equal(seen.length, 4);
        assert.equal(seen[2].sender.id, p.wangwu.open(APP1));

        // parts are not forwarded again: alone 230064, in a merge invalid
        assertErr(await forward(srv, bot, parts[0].message_id, from.chat_id), 230064, 'a part', { msg: 'The message to be forwarded is invalid.' });
        // nested: a merge holding the merged message and another one
        const d = assertOk(await send(srv, bot, to.chat_id, text('d')));
        const n = assertOk(await merge(srv, bot, [m.message_id, d.message_id, parts[1].message_id], from.chat_id));
        assert.deepEqual(n.invalid_message_id_list, [parts[1].message_id]);
        const tree = assertOk(await fs(srv, 'GET', mpath(n.message.message_id), bot)).items;
        assert.equal(tree.length, 1 + 2 + 3);
        const inner = tree[1];
        assert.equal(inner.msg_type, 'merge_forward');
        assert.equal(inner.upper_message_id, n.message.message_id);
        assert.equal(tree[2].upper_message_id, n.message.message_id);
        assert.deepEqual(tree.slice(3).map((x) => [x.upper_message_id, x.body.content]), parts.map((x) => [inner.message_id, x.body.content]));
        // forwarding a merged message carries its parts
        const fw = assertOk(await forward(srv, bot, m.message_id, from.chat_id));
        assert.equal(fw.msg_type, 'merge_forward');
        const fwParts = assertOk(await fs(srv, 'GET', mpath(fw.message_id), bot)).items.slice(1);
        assert.deepEqual(fwParts.map((x) => [x.upper_message_id, x.body.content]), parts.map((x) => [fw.message_id, x.body.content]));
        // uuid per target
        const u1 = assertOk(await merge(srv, bot, [a.message_id], to.chat_id, 'chat_id', 'mf-1'));
        const u2 = assertOk(await merge(srv, bot, [a.message_id, b.message_id], to.chat_id, 'chat_id', 'mf-1'));
        assert.equal(u2.message.message_id, u1.message.message_id);
        // to a person
        const pm = assertOk(await merge(srv, bot, [a.message_id], 'zhaoliu', 'user_id'));
        assert.notEqual(pm.message.chat_id, to.chat_id);

        // the codes
        assertErr(await merge(srv, bot, [unknown, 'bad'], to.chat_id), 230001, 'none known', invalid('no valid message to forward'));
        assertErr(await merge(srv, bot, [gone.message_id], to.chat_id), 230065, 'all recalled', { msg: 'All messages to be forwarded have been recalled.' });
        assertErr(await merge(srv, bot, [gone.message_id, parts[0].message_id], to.chat_id), 230064, 'all invalid', { msg: 'All messages to be forwarded are invalid.' });
        assertErr(await merge(srv, bot, [a.message_id, d.message_id], to.chat_id), 230069, 'two chats', { msg: 'Does not support forwarding messages from different groups.' });
        const t = assertOk(await fs(srv, 'POST', mpath(a.message_id, '/reply'), bot, { msg_type: 'text', content: text('t'), reply_in_thread: true }));
        assertErr(await merge(srv, bot, [t.message_id, b.message_id], to.chat_id), 230067, 'thread and chat', { msg: 'The source of the messages to be merged and forwarded are not in compliance.' });
        assertErr(await merge(srv, bot, [], to.chat_id), 99992402, 'empty list', { msg: 'field validation failed' });
        assertErr(await merge(srv, bot, Array.from({ length: 101 }, () => a.message_id), to.chat_id), 99992402, '101 ids', { msg: 'field validation failed' });
        assertErr(await fs(srv, 'POST', `${MSGS}/merge_forward` + qs({ receive_id_type: 'chat_id' }), bot, { receive_id: to.chat_id }), 99992402, 'no list', { msg: 'field validation failed' });
        assertErr(await merge(srv, bot, [a.message_id], 'oc_00000000000000000000000000000000'), 230063, 'unknown chat', { msg: 'The chat_id of group to forward is invalid.' });
        assertErr(await merge(srv, bot, [a.message_id], 'nobody', 'user_id'), 230034, 'unknown person', { msg: 'The receive_id is invalid.' });
    });
});

test('forwarded and merged messages survive a restart', { timeout: 120_000 }, async () => {
    await withRestartableServer({ seed: feishuSeed() }, async (srv) => {
        let bot = await tenantToken(srv, APP1);
        const chat = await createChat(srv, bot, { name: 'kept' });
        const a = assertOk(await send(srv, bot, chat.chat_id, text('a')));
        const b = assertOk(await send(srv, bot, chat.chat_id, text('b')));
        const m = assertOk(await merge(srv, bot, [a.message_id, b.message_id], chat.chat_id, 'chat_id', 'k1')).message;
        const f = assertOk(await forward(srv, bot, m.message_id, chat.chat_id, 'chat_id', 'k2'));
        const before = [assertOk(await fs(srv, 'GET', mpath(m.message_id), bot)).items, assertOk(await fs(srv, 'GET', mpath(f.message_id), bot)).items];
        await srv.stop('SIGTERM');
        await srv.restart();
        bot = await tenantToken(srv, APP1);
        const after = [assertOk(await fs(srv, 'GET', mpath(m.message_id), bot)).items, assertOk(await fs(srv, 'GET', mpath(f.message_id), bot)).items];
        assert.deepEqual(after, before);
        assert.equal(assertOk(await merge(srv, bot, [a.message_id], chat.chat_id, 'chat_id', 'k1')).message.message_id, m.message_id, 'the uuid key kept');
        assert.equal(assertOk(await forward(srv, bot, m.message_id, chat.chat_id, 'chat_id', 'k2')).message_id, f.message_id);
        await srv.stop('SIGTERM');
    });
});

test('forwards share the target chat\'s send limit; disbanded chats', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, APP1);
        const from = await createChat(srv, bot, { name: 'from' });
        const to = await createChat(srv, bot, { name: 'to' });
        const src = assertOk(await send(srv, bot, from.chat_id, text('burst')));
        // five per second into one chat, then 230020 (the window may roll over: at least one refusal in 12)
        let refused = 0;
        for (let i = 0; i < 12; i++) {
            const r = i % 2 ? await forward(srv, bot, src.message_id, to.chat_id) : await merge(srv, bot, [src.message_id], to.chat_id);
            if (r.json.code === 230020) {
                assertErr(r, 230020, 'over the limit', { msg: 'This operation triggers the frequency limit.' });
                refused++;
            } else {
                assertOk(r);
            }
        }
        assert.ok(refused > 0, 'the per-chat limit refuses');
        assert.equal((await history(srv, bot, to.chat_id)).length, 12 - refused, 'a refused forward leaves no message');
        assertOk(await fs(srv, 'DELETE', `/open-apis/im/v1/chats/${to.chat_id}`, bot));
        assertErr(await forward(srv, bot, src.message_id, to.chat_id), 232009, 'disbanded target');
        assertOk(await fs(srv, 'DELETE', `/open-apis/im/v1/chats/${from.chat_id}`, bot));
        const other = await createChat(srv, bot, { name: 'other' });
        assertErr(await forward(srv, bot, src.message_id, other.chat_id), 232009, 'disbanded source');
        assertErr(await merge(srv, bot, [src.message_id], other.chat_id), 230064, 'a disbanded chat\'s message is not merged', { msg: 'All messages to be forwarded are invalid.' });
    }, { rateLimit: true });
});
