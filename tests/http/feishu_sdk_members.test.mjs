// tests/http/feishu_sdk_members.test.mjs - members and managers through the official SDK
// (client.im.chatMembers.*, client.im.chatManagers.*), changed only by `domain`,
// including member iteration across pages with getWithIterator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { APP1, feishuSeed, userToken, withFeishuServer } from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';

test('SDK: add, list across pages, is_in_chat, managers, me_join, remove', { timeout: 180_000 }, async () => {
    const seed = feishuSeed();
    const acme = seed.tenants.find((t) => t.name === 'Acme');
    for (let i = 0; i < 45; i++) acme.users.push({ user_id: `p${i}`, name: `Person ${i}` });
    await withFeishuServer(async (srv) => {
        const c = sdkClient(srv);
        const chat = await c.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'sdk members', owner_id: 'zhangsan', chat_type: 'public' } });
        assert.equal(chat.code, 0);
        const chat_id = chat.data.chat_id;
        for (let i = 0; i < 45; i += 15) {
            const r = await c.im.chatMembers.create({ path: { chat_id }, params: { member_id_type: 'user_id' }, data: { id_list: Array.from({ length: 15 }, (_, k) => `p${i + k}`) } });
            assert.equal(r.code, 0);
            assert.deepEqual(r.data.not_existed_id_list, []);
        }
        // Pages of 10 through the SDK's iterator: 46 users, no bots, in join order.
        const seen = [];
        for await (const page of await c.im.chatMembers.getWithIterator({ path: { chat_id }, params: { member_id_type: 'user_id', page_size: 10 } })) {
            assert.ok(page, 'a page failed');
            seen.push(...page.items.map((m) => m.member_id));
            assert.equal(page.member_total, 46);
        }
        assert.equal(seen.length, 46);
        assert.deepEqual(seen.slice(1, 4), ['p0', 'p1', 'p2']);
        assert.equal(new Set(seen).size, 46);

        const inChat = await c.im.chatMembers.isInChat({ path: { chat_id } });
        assert.equal(inChat.data.is_in_chat, true);
        const zs = await userToken(srv, APP1, 'zhangsan');
        const added = await c.im.chatManagers.addManagers({ path: { chat_id }, params: { member_id_type: 'user_id' }, data: { manager_ids: ['p0', 'p1'] } }, lark.withUserAccessToken(zs));
        assert.deepEqual(added.data.chat_managers, ['p0', 'p1']);
        const removed = await c.im.chatManagers.deleteManagers({ path: { chat_id }, params: { member_id_type: 'user_id' }, data: { manager_ids: ['p1'] } }, lark.withUserAccessToken(zs));
        assert.deepEqual(removed.data.chat_managers, ['p0']);

        // A user joins the public chat on their own, then members leave.
        const sq = await userToken(srv, APP1, 'sunqi');
        assert.equal((await c.im.chatMembers.meJoin({ path: { chat_id } }, lark.withUserAccessToken(sq))).code, 0);
        const del = await c.im.chatMembers.delete({ path: { chat_id }, params: { member_id_type: 'user_id' }, data: { id_list: ['p2', 'p3', 'nobody'] } });
        assert.equal(del.code, 0);
        assert.deepEqual(del.data.invalid_id_list, ['nobody']);
        const after = await c.im.chat.get({ path: { chat_id } });
        assert.equal(after.data.user_count, '45');
    }, { seed });
});
