// tests/http/feishu_sdk_messages.test.mjs - the official Feishu Node SDK
// (@larksuiteoapi/node-sdk) talking in chats against qunzu, changed only by its `domain`:
// client.im.message.create / get / list / listWithIterator / reply / update / patch /
// delete, as the bot and (lark.withUserAccessToken) as a person; an EventDispatcher
// receiving im.message.receive_v1 from a person's message; and the project's two
// tutorials end to end: the alert bot (group, text, card, pin, reaction, reply, card update,
// recall, history, unpin) and the welcome bot (greets newcomers by mention, answers a question it
// receives as an event).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { ADMIN_HEADERS, waitFor } from './lib/server.mjs';
import { APP1, userToken, withFeishuServer } from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';
import { startReceiver } from './lib/receiver.mjs';

const text = (t) => JSON.stringify({ text: t });
const ok = (res, what) => {
    assert.equal(res?.code, 0, `${what}: ${JSON.stringify(res)}`);
    return res.data;
};

test('SDK: create, get, reply, update, list and listWithIterator over pages, delete; a user token', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const client = sdkClient(srv);
        const chat = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'sdk talk', user_id_list: ['wangwu'] } }), 'chat').chat_id;
        const sent = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text('first') } }), 'create');
        assert.match(sent.message_id, /^om_/);
        const got = ok(await client.im.message.get({ path: { message_id: sent.message_id } }), 'get');
        assert.equal(got.items[0].message_id, sent.message_id);
        const reply = ok(await client.im.message.reply({ path: { message_id: sent.message_id }, data: { msg_type: 'text', content: text('second'), reply_in_thread: false } }), 'reply');
        assert.equal(reply.parent_id, sent.message_id);
        const edited = ok(await client.im.message.update({ path: { message_id: sent.message_id }, data: { msg_type: 'text', content: text('first!') } }), 'update');
        assert.equal(edited.updated, true);
        for (let i = 0; i < 23; i++) ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text(`m${i}`) } }), 'more');

        const page = ok(await client.im.message.list({ params: { container_id_type: 'chat', container_id: chat, page_size: 10 } }), 'list');
        assert.equal(page.items.length, 10);
        assert.equal(page.has_more, true);
        const seen = [];
        let pages = 0;
        for await (const p of await client.im.message.listWithIterator({ params: { container_id_type: 'chat', container_id: chat, page_size: 7, sort_type: 'ByCreateTimeDesc' } })) {
            assert.ok(p, 'a page, not an error');
            pages++;
            seen.push(...(p.items || []).map((m) => JSON.parse(m.body.content).text));
        }
        assert.equal(pages, 4);
        assert.equal(seen.length, 25);
        assert.equal(seen[0], 'm22');
        assert.equal(seen.at(-1), 'first!');

        ok(await client.im.message.delete({ path: { message_id: reply.message_id } }), 'delete');
        const after = ok(await client.im.message.get({ path: { message_id: reply.message_id } }), 'get recalled');
        assert.equal(after.items[0].deleted, true);

        // A person, through the same client with a user access token.
        const ut = await userToken(srv, APP1, 'wangwu');
        const mine = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text('from a person') } }, lark.withUserAccessToken(ut)), 'user create');
        assert.equal(mine.sender.sender_type, 'user');
        ok(await client.im.message.delete({ path: { message_id: mine.message_id } }, lark.withUserAccessToken(ut)), 'user recalls');
        // A refusal comes back as the platform's error (axios rejects on HTTP 400).
        await assert.rejects(client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: '{' } }),
            (err) => err?.response?.data?.code === 230001);
    });
});

test('SDK EventDispatcher receives im.message.receive_v1 from a person\'s message', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'msg key', verificationToken: 'vt-m' });
        try {
            const sub = await srv.request('POST', '/admin/v1/seed', {
                headers: ADMIN_HEADERS,
                body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: APP1.app_secret, name: APP1.name, event: {
                    callback_url: rx.url, encrypt_key: 'msg key', verification_token: 'vt-m', types: ['im.message.receive_v1', 'im.message.recalled_v1'],
                } }] } }] },
            });
            assert.equal(sub.status, 200, sub.body);
            const client = sdkClient(srv);
            const chat = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'listening', user_id_list: ['wangwu'] } }), 'chat').chat_id;
            const said = await srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body: { chat_id: chat, user_id: 'wangwu', msg_type: 'text', content: text('is prod down?') } });
            assert.equal(said.status, 200, said.body);
            await srv.request('POST', '/admin/v1/feishu/recall', { headers: ADMIN_HEADERS, body: { message_id: said.json.message_id, user_id: 'wangwu' } });
            const got = await waitFor(() => (rx.accepted.length >= 2 ? rx.accepted : null), { timeoutMs: 15000, intervalMs: 50 });
            assert.ok(got, 'events delivered');
            assert.deepEqual(got.map((e) => e.handled_as), ['im.message.receive_v1', 'im.message.recalled_v1']);
            assert.equal(got[0].message.message_id, said.json.message_id);
            assert.equal(got[0].message.chat_id, chat);
            assert.equal(got[0].sender.sender_id.user_id, 'wangwu');
            assert.deepEqual(JSON.parse(got[0].message.content), { text: 'is prod down?' });
            assert.equal(got[1].message_id, said.json.message_id);
            assert.equal(got[1].recall_type, 'message_owner');
        } finally {
            await rx.close();
        }
    });
});

// The alert-bot tutorial: a bot pulls people into an alert group, posts what is wrong as
// text and as a card, pins the card (and puts it in the top notice), sees the on-call's
// acknowledging reaction, answers in a thread, updates the card when it is resolved,
// recalls a line it got wrong, reads back the history and unpins the card.
test('tutorial: an alert bot, end to end with the SDK', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const client = sdkClient(srv);
        const card = (state) => JSON.stringify({
            config: { update_multi: true },
            header: { title: { tag: 'plain_text', content: `db-01 ${state}` }, template: state === 'DOWN' ? 'red' : 'green' },
            elements: [{ tag: 'div', text: { tag: 'lark_md', content: `**db-01** is ${state}` } }, { tag: 'hr' },
                { tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Ack' }, type: 'primary' }] }],
        });
        const chat = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'ALERT db-01', user_id_list: ['wangwu', 'zhaoliu'] } }), 'group').chat_id;
        const line = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text('db-01 is down since 03:12 (wrong time)') } }), 'text');
        const alert = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'interactive', content: card('DOWN') } }), 'card');
        assert.deepEqual(JSON.parse(alert.body.content).title, 'db-01 DOWN');
        const pinned = ok(await client.im.pin.create({ data: { message_id: alert.message_id } }), 'pin').pin;
        assert.equal(pinned.message_id, alert.message_id);
        ok(await client.im.chatTopNotice.putTopNotice({ path: { chat_id: chat }, data: { chat_top_notice: [{ action_type: '1', message_id: alert.message_id }] } }), 'top notice');
        // The on-call acknowledges with a reaction; the bot sees who did.
        const ack = await srv.request('POST', '/admin/v1/feishu/react', { headers: ADMIN_HEADERS, body: { message_id: alert.message_id, user_id: 'wangwu', emoji_type: 'OnIt' } });
        assert.equal(ack.status, 200, ack.body);
        const acks = ok(await client.im.messageReaction.list({ path: { message_id: alert.message_id }, params: { reaction_type: 'OnIt', user_id_type: 'user_id' } }), 'acks');
        assert.deepEqual(acks.items.map((r) => r.operator.operator_id), ['wangwu']);
        const thread = ok(await client.im.message.reply({ path: { message_id: alert.message_id }, data: { msg_type: 'text', content: text('failing over to db-02'), reply_in_thread: true } }), 'reply');
        assert.match(thread.thread_id, /^omt_/);
        ok(await client.im.message.patch({ path: { message_id: alert.message_id }, data: { content: card('RESOLVED') } }), 'patch');
        ok(await client.im.message.delete({ path: { message_id: line.message_id } }), 'recall');

        const history = [];
        for await (const p of await client.im.message.listWithIterator({ params: { container_id_type: 'chat', container_id: chat } })) history.push(...(p?.items || []));
        assert.deepEqual(history.map((m) => [m.msg_type, m.deleted]), [['text', true], ['interactive', false]]);
        assert.equal(history[0].body.content, 'This message was recalled');
        assert.equal(JSON.parse(history[1].body.content).title, 'db-01 RESOLVED');
        assert.equal(history[1].updated, true);
        assert.equal(history[1].thread_id, thread.thread_id);
        const inThread = ok(await client.im.message.list({ params: { container_id_type: 'thread', container_id: thread.thread_id } }), 'thread');
        assert.deepEqual(inThread.items.map((m) => m.message_id), [alert.message_id, thread.message_id]);
        // Resolved: the card comes off the pins.
        assert.deepEqual(ok(await client.im.pin.list({ params: { chat_id: chat } }), 'pins').items, [pinned]);
        ok(await client.im.pin.delete({ path: { message_id: alert.message_id } }), 'unpin');
        assert.deepEqual(ok(await client.im.pin.list({ params: { chat_id: chat } }), 'no pins').items, []);
    });
});

// The welcome-bot tutorial: a bot that greets each newcomer of its group by mention and
// answers a question a person asks it, driven only by the events it receives.
test('tutorial: a welcome bot, driven by its events', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ verificationToken: 'vt-w' });
        try {
            const seeded = await srv.request('POST', '/admin/v1/seed', {
                headers: ADMIN_HEADERS,
                body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: APP1.app_secret, name: APP1.name, event: {
                    callback_url: rx.url, verification_token: 'vt-w', types: ['im.chat.member.user.added_v1', 'im.message.receive_v1'],
                } }] } }] },
            });
            assert.equal(seeded.status, 200, seeded.body);
            const botOpenId = seeded.json.tenants[0].feishu.apps.find((a) => a.app_id === APP1.app_id).bot_open_id;
            const client = sdkClient(srv);
            const chat = ok(await client.im.chat.create({ data: { name: 'welcome' } }), 'group').chat_id;

            // The bot: handles each event once.
            let handled = 0;
            const step = async () => {
                while (handled < rx.accepted.length) {
                    const ev = rx.accepted[handled++];
                    if (ev.handled_as === 'im.chat.member.user.added_v1') {
                        for (const u of ev.users) {
                            ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: {
                                receive_id: ev.chat_id, msg_type: 'text', content: text(`<at user_id="${u.user_id.open_id}"></at> welcome to the group!`),
                            } }), 'greet');
                        }
                    } else if (ev.handled_as === 'im.message.receive_v1' && JSON.parse(ev.message.content).text.includes('wifi')) {
                        ok(await client.im.message.reply({ path: { message_id: ev.message.message_id }, data: { msg_type: 'text', content: text('The wifi is "qunzu-guest".') } }), 'answer');
                    }
                }
            };
            const until = async (what, cond) => {
                const done = await waitFor(async () => { await step(); return cond(); }, { timeoutMs: 15000, intervalMs: 50 });
                assert.ok(done, `timed out: ${what}`);
            };

            ok(await client.im.chatMembers.create({ path: { chat_id: chat }, params: { member_id_type: 'user_id' }, data: { id_list: ['wangwu', 'zhaoliu'] } }), 'add');
            await until('two greetings', () => rx.accepted.length >= 1 && handled >= 1);
            const asked = await srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body: {
                chat_id: chat, user_id: 'wangwu', msg_type: 'text', content: text(`<at user_id="${botOpenId}">bot</at> what is the wifi?`),
            } });
            assert.equal(asked.status, 200, asked.body);
            await until('the answer', () => rx.accepted.some((e) => e.handled_as === 'im.message.receive_v1') && handled === rx.accepted.length);

            const history = [];
            for await (const p of await client.im.message.listWithIterator({ params: { container_id_type: 'chat', container_id: chat } })) history.push(...(p?.items || []));
            const texts = history.map((m) => JSON.parse(m.body.content).text);
            assert.deepEqual(texts, ['@_user_1 welcome to the group!', '@_user_1 welcome to the group!', '@_user_1 what is the wifi?', 'The wifi is "qunzu-guest".']);
            const people = await (await import('./lib/feishu.mjs')).ids(srv);
            assert.deepEqual(history.slice(0, 2).map((m) => m.mentions[0].id).sort(), [people.acme.wangwu.open(APP1), people.acme.zhaoliu.open(APP1)].sort());
            assert.equal(history[2].mentions[0].id, botOpenId);
            assert.equal(history[3].parent_id, asked.json.message_id);
            assert.equal(history[3].sender.sender_type, 'app');
            // The bot's own messages never came back to it as events.
            assert.equal(rx.accepted.filter((e) => e.handled_as === 'im.message.receive_v1').length, 1);
        } finally {
            await rx.close();
        }
    });
});
