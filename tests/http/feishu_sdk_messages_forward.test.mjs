// tests/http/feishu_sdk_messages_forward.test.mjs - the official Feishu Node SDK
// (@larksuiteoapi/node-sdk) against qunzu, changed only by its `domain`:
// client.im.message.forward / mergeForward (and get of the merged message's parts),
// readUsers, urgentApp / urgentSms / urgentPhone, their refusals as the SDK surfaces them,
// and an EventDispatcher receiving im.message.message_read_v1 when a person reads the
// bot's p2p message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, waitFor } from './lib/server.mjs';
import { APP1, withFeishuServer } from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';
import { startReceiver } from './lib/receiver.mjs';

const text = (t) => JSON.stringify({ text: t });
const ok = (res, what) => {
    assert.equal(res?.code, 0, `${what}: ${JSON.stringify(res)}`);
    return res.data;
};
const read = (srv, message_id, user_id) => srv.request('POST', '/admin/v1/feishu/read', { headers: ADMIN_HEADERS, body: { message_id, user_id } });

test('SDK: forward, mergeForward and the parts, readUsers, urgentApp/Sms/Phone, refusals', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const client = sdkClient(srv);
        const from = ok(await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'sdk from', user_id_list: ['wangwu', 'zhaoliu'] } }), 'chat').chat_id;
        const to = ok(await client.im.chat.create({ data: { name: 'sdk to' } }), 'chat').chat_id;
        const send = async (t) => ok(await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: from, msg_type: 'text', content: text(t) } }), 'create');
        const a = await send('one');
        const b = await send('two');

        const f = ok(await client.im.message.forward({ path: { message_id: a.message_id }, params: { receive_id_type: 'chat_id', uuid: 'sdk-f' }, data: { receive_id: to } }), 'forward');
        assert.equal(f.chat_id, to);
        assert.equal(f.body.content, a.body.content);
        const toPerson = ok(await client.im.message.forward({ path: { message_id: a.message_id }, params: { receive_id_type: 'user_id' }, data: { receive_id: 'sunqi' } }), 'forward to a person');
        assert.notEqual(toPerson.chat_id, to);

        const merged = ok(await client.im.message.mergeForward({ params: { receive_id_type: 'chat_id' }, data: { receive_id: to, message_id_list: [b.message_id, a.message_id, 'om_00000000000000000000000000000000'] } }), 'mergeForward');
        assert.equal(merged.message.msg_type, 'merge_forward');
        assert.deepEqual(merged.invalid_message_id_list, ['om_00000000000000000000000000000000']);
        const items = ok(await client.im.message.get({ path: { message_id: merged.message.message_id } }), 'get merged').items;
        assert.deepEqual(items.map((m) => m.upper_message_id ?? null), [null, merged.message.message_id, merged.message.message_id]);
        assert.deepEqual(items.slice(1).map((m) => JSON.parse(m.body.content).text), ['one', 'two']);

        await read(srv, a.message_id, 'zhaoliu');
        const readers = ok(await client.im.message.readUsers({ path: { message_id: a.message_id }, params: { user_id_type: 'user_id', page_size: 10 } }), 'readUsers');
        assert.deepEqual(readers.items.map((r) => r.user_id), ['zhaoliu']);
        assert.equal(readers.has_more, false);

        const app = ok(await client.im.message.urgentApp({ path: { message_id: a.message_id }, params: { user_id_type: 'user_id' }, data: { user_id_list: ['wangwu', 'zhaoliu'] } }), 'urgentApp');
        assert.deepEqual(app.invalid_user_id_list, ['zhaoliu']);
        ok(await client.im.message.urgentSms({ path: { message_id: a.message_id }, params: { user_id_type: 'user_id' }, data: { user_id_list: ['wangwu'] } }), 'urgentSms');
        ok(await client.im.message.urgentPhone({ path: { message_id: a.message_id }, params: { user_id_type: 'user_id' }, data: { user_id_list: ['wangwu'] } }), 'urgentPhone');
        const rec = await srv.request('GET', `/admin/v1/feishu/messages/${a.message_id}/buzzes`, { headers: ADMIN_HEADERS });
        assert.deepEqual(rec.json.items.map((x) => [x.user_id, x.kind]), [['wangwu', 'app'], ['wangwu', 'sms'], ['wangwu', 'phone']]);

        // Refusals come back as the platform's errors (axios rejects on HTTP 400).
        const code = (n) => (err) => err?.response?.data?.code === n;
        await assert.rejects(client.im.message.forward({ path: { message_id: 'om_00000000000000000000000000000000' }, params: { receive_id_type: 'chat_id' }, data: { receive_id: to } }), code(230064));
        await assert.rejects(client.im.message.mergeForward({ params: { receive_id_type: 'chat_id' }, data: { receive_id: to, message_id_list: [a.message_id, f.message_id] } }), code(230069));
        await assert.rejects(client.im.message.urgentApp({ path: { message_id: a.message_id }, params: { user_id_type: 'user_id' }, data: { user_id_list: ['zhaoliu'] } }), code(230001));
        const theirs = (await srv.request('POST', '/admin/v1/feishu/say', { headers: ADMIN_HEADERS, body: { chat_id: from, user_id: 'wangwu', msg_type: 'text', content: text('mine') } })).json;
        await assert.rejects(client.im.message.readUsers({ path: { message_id: theirs.message_id }, params: { user_id_type: 'open_id' } }), code(230012));
    });
});

test('SDK EventDispatcher receives im.message.message_read_v1 when a person reads the bot\'s p2p message', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'read key', verificationToken: 'vt-r' });
        try {
            const sub = await srv.request('POST', '/admin/v1/seed', {
                headers: ADMIN_HEADERS,
                body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: APP1.app_secret, name: APP1.name, event: {
                    callback_url: rx.url, encrypt_key: 'read key', verification_token: 'vt-r', types: ['im.message.message_read_v1'],
                } }] } }] },
            });
            assert.equal(sub.status, 200, sub.body);
            const client = sdkClient(srv);
            const dm = ok(await client.im.message.create({ params: { receive_id_type: 'user_id' }, data: { receive_id: 'wangwu', msg_type: 'text', content: text('please ack') } }), 'p2p');
            const r = await read(srv, dm.message_id, 'wangwu');
            assert.equal(r.status, 200, r.body);
            const got = await waitFor(() => (rx.accepted.length >= 1 ? rx.accepted : null), { timeoutMs: 15000, intervalMs: 50 });
            assert.ok(got, 'event delivered');
            assert.equal(got[0].handled_as, 'im.message.message_read_v1');
            assert.deepEqual(got[0].message_id_list, [dm.message_id]);
            assert.equal(got[0].reader.reader_id.user_id, 'wangwu');
            assert.equal(got[0].reader.read_time, r.json.read_time);
            assert.equal(got[0].reader.tenant_key, 'acme');
        } finally {
            await rx.close();
        }
    });
});
