// tests/http/feishu_sdk_reactions_pins.test.mjs - the official Feishu Node SDK
// (@larksuiteoapi/node-sdk) reacting and pinning against qunzu, changed only by its
// `domain`: client.im.messageReaction.create / list / listWithIterator / delete as the bot
// and (lark.withUserAccessToken) as a person, client.im.pin.create / list /
// listWithIterator / delete; refusals come back as the platform's codes; an
// EventDispatcher receives im.message.reaction.created_v1 / deleted_v1.
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
const refused = (code) => (err) => err?.response?.data?.code === code;

test('SDK: messageReaction create, list, listWithIterator, delete; a user token; the codes', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const client = sdkClient(srv);
        const chat = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'sdk reacts', user_id_list: ['wangwu'] } }), 'chat').chat_id;
        const m = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text('ship it?') } }), 'message');
        const types = ['LGTM', 'THUMBSUP', 'Fire', 'OK', 'DONE'];
        const made = [];
        for (const t of types) made.push(ok(await client.im.messageReaction.create({ path: { message_id: m.message_id }, data: { reaction_type: { emoji_type: t } } }), t));
        assert.deepEqual(made.map((r) => r.reaction_type.emoji_type), types);
        assert.deepEqual(made[0].operator, { operator_id: APP1.app_id, operator_type: 'app' });
        const ut = await userToken(srv, APP1, 'wangwu');
        const theirs = ok(await client.im.messageReaction.create({ path: { message_id: m.message_id }, data: { reaction_type: { emoji_type: 'THUMBSUP' } } }, lark.withUserAccessToken(ut)), 'user reacts');
        assert.equal(theirs.operator.operator_type, 'user');

        const page = ok(await client.im.messageReaction.list({ path: { message_id: m.message_id }, params: { page_size: 4 } }), 'list');
        assert.equal(page.items.length, 4);
        assert.equal(page.has_more, true);
        const all = [];
        for await (const p of await client.im.messageReaction.listWithIterator({ path: { message_id: m.message_id }, params: { page_size: 2, user_id_type: 'user_id' } })) all.push(...(p?.items || []));
        assert.deepEqual(all.map((r) => r.reaction_id), [...made, theirs].map((r) => r.reaction_id));
        assert.equal(all[5].operator.operator_id, 'wangwu');
        const thumbs = ok(await client.im.messageReaction.list({ path: { message_id: m.message_id }, params: { reaction_type: 'THUMBSUP' } }), 'by type');
        assert.deepEqual(thumbs.items.map((r) => r.operator.operator_type), ['app', 'user']);

        await assert.rejects(client.im.messageReaction.delete({ path: { message_id: m.message_id, reaction_id: theirs.reaction_id } }), refused(231007));
        assert.deepEqual(ok(await client.im.messageReaction.delete({ path: { message_id: m.message_id, reaction_id: theirs.reaction_id } }, lark.withUserAccessToken(ut)), 'user deletes'), theirs);
        ok(await client.im.messageReaction.delete({ path: { message_id: m.message_id, reaction_id: made[0].reaction_id } }), 'bot deletes');
        await assert.rejects(client.im.messageReaction.create({ path: { message_id: m.message_id }, data: { reaction_type: { emoji_type: 'lgtm' } } }), refused(231001));
        await assert.rejects(client.im.messageReaction.delete({ path: { message_id: m.message_id, reaction_id: made[0].reaction_id } }), refused(231011));
        const left = ok(await client.im.messageReaction.list({ path: { message_id: m.message_id } }), 'left');
        assert.deepEqual(left.items.map((r) => r.reaction_type.emoji_type), types.slice(1));
    });
});

test('SDK: pin create, list, listWithIterator, delete; pin_manage_setting; the codes', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const client = sdkClient(srv);
        const chat = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'sdk pins', user_id_list: ['wangwu'] } }), 'chat').chat_id;
        const ids = [];
        for (let i = 0; i < 5; i++) {
            const m = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text(`note ${i}`) } }), 'message');
            const p = ok(await client.im.pin.create({ data: { message_id: m.message_id } }), 'pin').pin;
            assert.equal(p.message_id, m.message_id);
            assert.equal(p.operator_id_type, 'app_id');
            ids.push(m.message_id);
        }
        const page = ok(await client.im.pin.list({ params: { chat_id: chat, page_size: 3 } }), 'list');
        assert.deepEqual(page.items.map((p) => p.message_id), [...ids].reverse().slice(0, 3));
        assert.equal(page.has_more, true);
        const all = [];
        for await (const p of await client.im.pin.listWithIterator({ params: { chat_id: chat, page_size: 2, start_time: '0', end_time: String(Date.now() + 86400000) } })) all.push(...(p?.items || []));
        assert.deepEqual(all.map((p) => p.message_id), [...ids].reverse());
        ok(await client.im.pin.delete({ path: { message_id: ids[0] } }), 'unpin');
        const after = ok(await client.im.pin.list({ params: { chat_id: chat } }), 'after');
        assert.deepEqual(after.items.map((p) => p.message_id), ids.slice(1).reverse());

        // Only the owner and managers pin once the chat says so; a person's user token.
        const ut = await userToken(srv, APP1, 'wangwu');
        ok(await client.im.pin.create({ data: { message_id: ids[0] } }, lark.withUserAccessToken(ut)), 'a member pins');
        ok(await client.im.chat.update({ path: { chat_id: chat }, data: { pin_manage_setting: 'only_owner' } }), 'only_owner');
        await assert.rejects(client.im.pin.delete({ path: { message_id: ids[0] } }, lark.withUserAccessToken(ut)), refused(230046));
        await assert.rejects(client.im.pin.create({ data: { message_id: 'om_00000000000000000000000000000000' } }), refused(230001));
        await assert.rejects(client.im.pin.list({ params: { chat_id: 'oc_00000000000000000000000000000000' } }), refused(230045));
    });
});

test('SDK: an EventDispatcher receives the reaction events of a person', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ verificationToken: 'vt-r' });
        try {
            const seeded = await srv.request('POST', '/admin/v1/seed', {
                headers: ADMIN_HEADERS,
                body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: APP1.app_secret, name: APP1.name, event: {
                    callback_url: rx.url, verification_token: 'vt-r', types: ['im.message.reaction.created_v1', 'im.message.reaction.deleted_v1'],
                } }] } }] },
            });
            assert.equal(seeded.status, 200, seeded.body);
            const client = sdkClient(srv);
            const chat = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'sdk react events', user_id_list: ['wangwu'] } }), 'chat').chat_id;
            const m = ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: text('react to me') } }), 'message');
            const act = (what) => srv.request('POST', `/admin/v1/feishu/${what}`, { headers: ADMIN_HEADERS, body: { message_id: m.message_id, user_id: 'wangwu', emoji_type: 'HEART' } });
            assert.equal((await act('react')).status, 200);
            assert.equal((await act('unreact')).status, 200);
            assert.ok(await waitFor(() => rx.accepted.length >= 2, { timeoutMs: 15000, intervalMs: 50 }), `events: ${JSON.stringify(rx.accepted)}`);
            assert.deepEqual(rx.accepted.map((e) => e.handled_as), ['im.message.reaction.created_v1', 'im.message.reaction.deleted_v1']);
            const created = rx.accepted[0];
            assert.equal(created.message_id, m.message_id);
            assert.deepEqual(created.reaction_type, { emoji_type: 'HEART' });
            assert.equal(created.operator_type, 'user');
            assert.match(created.user_id.open_id, /^ou_/);
            assert.match(created.action_time, /^\d{13}$/);
        } finally {
            await rx.close();
        }
    });
});
