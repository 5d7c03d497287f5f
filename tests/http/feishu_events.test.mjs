// tests/http/feishu_events.test.mjs - chat changes write their schema 2.0 events into
// the outbox in the same transaction (the chat event pages), read back through
// GET /admin/v1/tenants/{name}/events. Delivery itself is the delivery issue's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents } from './lib/server.mjs';
import {
    APP1, APP2, ACME_KEY, assertErr, assertOk, chatPath, createChat, fs, ids, tenantToken, userToken,
    withFeishuServer,
} from './lib/feishu.mjs';

test('update and disband write one event per bot in the chat, in that app\'s ids', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const people = (await ids(srv)).acme;
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, {
            name: 'before',
            owner_id: people.zhangsan.open(APP1),
            user_id_list: [people.wangwu.open(APP1)],
            bot_id_list: [APP2.app_id],
        });
        assert.deepEqual((await adminEvents(srv)).items, [], 'create writes no event');

        // A refused change writes nothing (the transaction rolled back).
        const ww = await userToken(srv, APP1, 'wangwu');
        assertErr(await fs(srv, 'PUT', chatPath(chat.chat_id), ww, { edit_permission: 'only_owner' }), 232016);
        assert.deepEqual((await adminEvents(srv)).items, []);

        // The owner (a user) renames the chat: one event per bot app (APP1, APP2).
        const zs = await userToken(srv, APP1, 'zhangsan');
        assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), zs, { name: 'after' }));
        let ev = (await adminEvents(srv)).items;
        assert.deepEqual(ev.map((e) => e.app_id).sort(), [APP1.app_id, APP2.app_id]);
        for (const e of ev) {
            const app = e.app_id === APP1.app_id ? APP1 : APP2;
            assert.equal(e.event_type, 'im.chat.updated_v1');
            assert.equal(e.body.schema, '2.0');
            assert.deepEqual(Object.keys(e.body.header).sort(), ['app_id', 'create_time', 'event_id', 'event_type', 'tenant_key', 'token']);
            assert.equal(e.body.header.event_id, e.event_id);
            assert.equal(e.body.header.app_id, app.app_id);
            assert.equal(e.body.header.tenant_key, ACME_KEY);
            assert.match(e.body.header.create_time, /^\d{13}$/);
            const ev2 = e.body.event;
            assert.equal(ev2.chat_id, chat.chat_id);
            assert.equal(ev2.external, false);
            assert.equal(ev2.operator_tenant_key, ACME_KEY);
            // The operator's ids as the receiving app sees them: open_id differs per app.
            assert.deepEqual(ev2.operator_id, {
                union_id: people.zhangsan.union_id,
                user_id: 'zhangsan',
                open_id: people.zhangsan.open(app),
            });
            assert.equal(ev2.before_change.name, 'before');
            assert.equal(ev2.after_change.name, 'after');
            assert.equal(ev2.after_change.owner_id.open_id, people.zhangsan.open(app));
            assert.deepEqual(ev2.moderator_list, { added_member_list: [], removed_member_list: [] });
        }
        assert.notEqual(ev[0].event_id, ev[1].event_id);

        // Moderation changes report the speaker diff.
        const seen = ev.at(-1).seq;
        assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id, '/moderation'), zs, {
            moderation_setting: 'moderator_list',
            moderator_added_list: [people.wangwu.open(APP1)],
        }));
        ev = (await adminEvents(srv, { after: seen })).items;
        assert.equal(ev.length, 2);
        const forApp2 = ev.find((e) => e.app_id === APP2.app_id).body.event;
        assert.equal(forApp2.after_change.moderation_permission, 'moderator_list');
        assert.equal(forApp2.before_change.moderation_permission, 'all_members');
        assert.deepEqual(forApp2.moderator_list.added_member_list, [
            { tenant_key: ACME_KEY, user_id: { union_id: people.wangwu.union_id, user_id: 'wangwu', open_id: people.wangwu.open(APP2) } },
        ]);

        // Disband: the bots in the chat at that moment get im.chat.disbanded_v1.
        const before = ev.at(-1).seq;
        assertOk(await fs(srv, 'DELETE', chatPath(chat.chat_id), zs));
        ev = (await adminEvents(srv, { after: before })).items;
        assert.deepEqual(ev.map((e) => e.event_type), ['im.chat.disbanded_v1', 'im.chat.disbanded_v1']);
        for (const e of ev) {
            assert.equal(e.body.event.name, 'after');
            assert.equal(e.body.event.chat_id, chat.chat_id);
            assert.deepEqual(e.body.event.i18n_names, {});
        }
        // Nothing more once it is gone.
        assertErr(await fs(srv, 'PUT', chatPath(chat.chat_id), zs, { name: 'x1' }), 232009);
        assert.equal((await adminEvents(srv, { after: ev.at(-1).seq })).items.length, 0);
    });
});

test('events survive a restart and page with after/limit', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'n0' });
        for (let i = 1; i <= 5; i++) assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: `n${i}` }));
        await srv.stop('SIGTERM');
        await srv.restart();
        const res = await srv.request('GET', '/admin/v1/tenants/Acme/events?limit=3', { headers: ADMIN_HEADERS });
        assert.equal(res.json.items.length, 3);
        const rest = (await adminEvents(srv, { after: res.json.next })).items;
        assert.equal(rest.length, 2);
        assert.deepEqual([...res.json.items, ...rest].map((e) => e.body.event.after_change.name), ['n1', 'n2', 'n3', 'n4', 'n5']);
    });
});
