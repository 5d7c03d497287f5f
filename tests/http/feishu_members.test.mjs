// tests/http/feishu_members.test.mjs - chat members and managers (the chat member and manager pages): add with
// every succeed_type, remove, me_join, list with keyset paging and member_total,
// is_in_chat, managers, the caps, the permission rules, the member events and
// consistency under concurrent adds and removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminEvents } from './lib/server.mjs';
import {
    APP1, APP2, ACME_KEY, assertErr, assertOk, chatPath, createChat, feishuSeed, fs, ids, qs, tenantToken,
    userToken, withFeishuServer,
} from './lib/feishu.mjs';

const members = (id, q = {}) => chatPath(id, '/members') + qs(q);

test('add members: succeed_type 0/1/2, id types, re-adds, list and counts agree', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'm' });
        const path = (q) => members(chat.chat_id, q);

        // succeed_type 0 (default): a non-existent id fails the call, per id type.
        assertErr(await fs(srv, 'POST', path(), t1, { id_list: [p.wangwu.open(APP1), 'ou_nope'] }), 99992351, 'open_id', {
            msg: /^these open ids not existed: \[ou_nope\]$/,
        });
        assertErr(await fs(srv, 'POST', path({ member_id_type: 'user_id' }), t1, { id_list: ['nope'] }), 99992360);
        assertErr(await fs(srv, 'POST', path({ member_id_type: 'union_id' }), t1, { id_list: ['on_nope'] }), 99992364);
        // An open_id of another app names nobody for this app.
        assertErr(await fs(srv, 'POST', path(), t1, { id_list: [p.wangwu.open(APP2)] }), 99992351);
        // succeed_type 2: nobody is added.
        assertErr(await fs(srv, 'POST', path({ succeed_type: 2, member_id_type: 'user_id' }), t1, { id_list: ['wangwu', 'nope'] }), 232043);
        // succeed_type 1: the usable ids are added, the rest reported.
        let d = assertOk(await fs(srv, 'POST', path({ succeed_type: 1, member_id_type: 'user_id' }), t1, { id_list: ['wangwu', 'nope'] }));
        assert.deepEqual(d, { invalid_id_list: [], not_existed_id_list: ['nope'], pending_approval_id_list: [] });
        // Adding the same person twice (in one call and again) is a no-op.
        d = assertOk(await fs(srv, 'POST', path({ member_id_type: 'union_id' }), t1, { id_list: [p.wangwu.union_id, p.zhaoliu.union_id, p.zhaoliu.union_id] }));
        assert.deepEqual(d.not_existed_id_list, []);
        // Bots by app_id.
        assertOk(await fs(srv, 'POST', path({ member_id_type: 'app_id' }), t1, { id_list: [APP2.app_id] }));
        assertErr(await fs(srv, 'POST', path(), t1, { id_list: [] }), 232027);
        assertErr(await fs(srv, 'POST', path(), t1, {}), 232027);
        assertErr(await fs(srv, 'POST', path({ member_id_type: 'email' }), t1, { id_list: ['x'] }), 232001);
        assertErr(await fs(srv, 'POST', path(), t1, { id_list: Array.from({ length: 51 }, (_, i) => `ou_${i}`) }), 232001);
        assertErr(await fs(srv, 'POST', path({ member_id_type: 'app_id' }), t1, { id_list: ['a', 'b', 'c', 'd', 'e', 'f'] }), 232001);

        // Counts agree everywhere: get, list (no bots), member_total, is_in_chat.
        const got = assertOk(await fs(srv, 'GET', chatPath(chat.chat_id), t1));
        assert.equal(got.user_count, '2');
        assert.equal(got.bot_count, '2');
        const list = await listAllWith(srv, t1, chat.chat_id, { member_id_type: 'user_id', page_size: 1 });
        assert.deepEqual(list.items.map((m) => m.member_id).sort(), ['wangwu', 'zhaoliu']);
        assert.equal(list.total, 2);
        for (const m of list.items) {
            assert.deepEqual(Object.keys(m).sort(), ['member_id', 'member_id_type', 'name', 'tenant_key']);
            assert.equal(m.member_id_type, 'user_id');
            assert.equal(m.tenant_key, ACME_KEY);
        }
        const ww = await userToken(srv, APP1, 'wangwu');
        assert.deepEqual(assertOk(await fs(srv, 'GET', chatPath(chat.chat_id, '/members/is_in_chat'), ww)), { is_in_chat: true });
        const sq = await userToken(srv, APP1, 'sunqi');
        assert.deepEqual(assertOk(await fs(srv, 'GET', chatPath(chat.chat_id, '/members/is_in_chat'), sq)), { is_in_chat: false });
        assertErr(await fs(srv, 'GET', members(chat.chat_id), sq), 232011);
        assertErr(await fs(srv, 'GET', members(chat.chat_id, { member_id_type: 'app_id' }), t1), 232001);
        assertErr(await fs(srv, 'GET', members(chat.chat_id, { page_token: 'garbage' }), t1), 232001);
    });
});

async function listAllWith(srv, token, chatId, q) {
    const out = [];
    let page_token;
    let total;
    for (let i = 0; i < 200; i++) {
        const d = assertOk(await fs(srv, 'GET', members(chatId, { ...q, page_token }), token));
        out.push(...d.items);
        total = d.member_total;
        if (!d.has_more) {
            assert.equal(d.page_token, undefined, 'page_token only with has_more');
            return { items: out, total };
        }
        page_token = d.page_token;
    }
    throw new Error('paging did not end');
}

test('permissions: add_member_permission, removing others, the owner, leaving, managers', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const t1 = await tenantToken(srv, APP1);
        const zs = await userToken(srv, APP1, 'zhangsan');
        const ww = await userToken(srv, APP1, 'wangwu');
        const chat = await createChat(srv, zs, {
            name: 'perm',
            user_id_list: [p.wangwu.open(APP1), p.zhaoliu.open(APP1)],
        });
        const id = chat.chat_id;
        const add = (tok, who) => fs(srv, 'POST', members(id, { member_id_type: 'user_id' }), tok, { id_list: who });
        const del = (tok, who) => fs(srv, 'DELETE', members(id, { member_id_type: 'user_id' }), tok, { id_list: who });

        // all_members: any member adds; a non-member cannot.
        assertOk(await add(ww, ['sunqi']));
        const zb = await userToken(srv, APP1, 'zhouba');
        assertErr(await add(zb, ['wujiu']), 232011);
        // only_owner: members get 232017; the owner and managers may.
        assertOk(await fs(srv, 'PUT', chatPath(id), zs, { add_member_permission: 'only_owner', share_card_permission: 'not_allowed' }));
        assertErr(await add(ww, ['zhouba']), 232017);
        // Managers: owner only (232038), list after the change, cap 10.
        assertErr(await fs(srv, 'POST', chatPath(id, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), ww, { manager_ids: ['wangwu'] }), 232038);
        let d = assertOk(await fs(srv, 'POST', chatPath(id, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), zs, { manager_ids: ['wangwu'] }));
        assert.deepEqual(d, { chat_managers: ['wangwu'], chat_bot_managers: [] });
        assertOk(await add(ww, ['zhouba']));
        // A non-member cannot be made a manager.
        assertErr(await fs(srv, 'POST', chatPath(id, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), zs, { manager_ids: ['wujiu'] }), 232001);
        // With member_id_type=app_id, chat_managers come back as open_ids.
        assertOk(await fs(srv, 'POST', members(id, { member_id_type: 'app_id' }), zs, { id_list: [APP1.app_id] }));
        d = assertOk(await fs(srv, 'POST', chatPath(id, '/managers/add_managers') + qs({ member_id_type: 'app_id' }), zs, { manager_ids: [APP1.app_id] }));
        assert.deepEqual(d, { chat_managers: [p.wangwu.open(APP1)], chat_bot_managers: [APP1.app_id] });
        d = assertOk(await fs(srv, 'POST', chatPath(id, '/managers/delete_managers') + qs({ member_id_type: 'user_id' }), zs, { manager_ids: ['wangwu'] }));
        assert.deepEqual(d, { chat_managers: [], chat_bot_managers: [APP1.app_id] });
        // Get shows the managers too.
        const got = assertOk(await fs(srv, 'GET', chatPath(id) + qs({ user_id_type: 'user_id' }), zs));
        assert.deepEqual(got.user_manager_id_list, []);
        assert.deepEqual(got.bot_manager_id_list, [APP1.app_id]);

        // Removing others: members cannot (232014); the owner never goes (232076).
        assertErr(await del(ww, ['zhaoliu']), 232014);
        assertErr(await del(zs, ['zhangsan']), 232076);
        assertErr(await del(t1, ['zhangsan']), 232076);
        // Anyone may leave; unknown or non-members come back as invalid.
        d = assertOk(await del(ww, ['wangwu']));
        assert.deepEqual(d, { invalid_id_list: [] });
        d = assertOk(await del(zs, ['zhaoliu', 'wujiu', 'nope']));
        assert.deepEqual(d.invalid_id_list.sort(), ['nope', 'wujiu']);
        const after = assertOk(await fs(srv, 'GET', chatPath(id), zs));
        assert.equal(after.user_count, '3'); // zhangsan, sunqi, zhouba
        // Someone just removed can be added again.
        assertOk(await add(zs, ['zhaoliu']));
        assert.equal(assertOk(await fs(srv, 'GET', chatPath(id), zs)).user_count, '4');
    });
});

test('me_join: public chats only, approval, re-join is a no-op', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const t2 = await tenantToken(srv, APP2);
        const pub = await createChat(srv, t1, { name: 'public one', chat_type: 'public' });
        const priv = await createChat(srv, t1, { name: 'private' });
        const gated = await createChat(srv, t1, { name: 'gated one', chat_type: 'public', membership_approval: 'approval_required' });
        const ww = await userToken(srv, APP1, 'wangwu');
        const join = (tok, c) => fs(srv, 'PATCH', chatPath(c.chat_id, '/members/me_join'), tok);
        assertOk(await join(ww, pub));
        assertOk(await join(ww, pub));
        assertOk(await join(t2, pub));
        assertErr(await join(ww, priv), 232008);
        assertErr(await join(ww, gated), 232075);
        const got = assertOk(await fs(srv, 'GET', chatPath(pub.chat_id), t1));
        assert.equal(got.user_count, '1');
        assert.equal(got.bot_count, '2');
    });
});

test('member events: users added/deleted to every bot, bot events to that bot only', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'ev' });
        assertOk(await fs(srv, 'POST', members(chat.chat_id, { member_id_type: 'app_id' }), t1, { id_list: [APP2.app_id] }));
        let ev = (await adminEvents(srv)).items;
        assert.deepEqual(ev.map((e) => [e.event_type, e.app_id]), [['im.chat.member.bot.added_v1', APP2.app_id]]);
        assert.equal(ev[0].body.event.name, 'ev');
        assert.equal(ev[0].body.event.users, undefined);
        const seen = ev.at(-1).seq;

        assertOk(await fs(srv, 'POST', members(chat.chat_id, { member_id_type: 'user_id' }), t1, { id_list: ['wangwu', 'zhaoliu'] }));
        ev = (await adminEvents(srv, { after: seen })).items;
        assert.deepEqual(ev.map((e) => e.app_id).sort(), [APP1.app_id, APP2.app_id]);
        for (const e of ev) {
            const app = e.app_id === APP1.app_id ? APP1 : APP2;
            assert.equal(e.event_type, 'im.chat.member.user.added_v1');
            assert.deepEqual(e.body.event.users, ['wangwu', 'zhaoliu'].map((u) => ({
                name: p[u].name,
                tenant_key: ACME_KEY,
                user_id: { union_id: p[u].union_id, user_id: u, open_id: p[u].open(app) },
            })));
            assert.deepEqual(e.body.event.operator_id, {}); // a bot operated
        }
        const seen2 = ev.at(-1).seq;
        assertOk(await fs(srv, 'DELETE', members(chat.chat_id, { member_id_type: 'app_id' }), t1, { id_list: [APP2.app_id] }));
        assertOk(await fs(srv, 'DELETE', members(chat.chat_id, { member_id_type: 'user_id' }), t1, { id_list: ['wangwu'] }));
        ev = (await adminEvents(srv, { after: seen2 })).items;
        assert.deepEqual(ev.map((e) => [e.event_type, e.app_id]), [
            ['im.chat.member.bot.deleted_v1', APP2.app_id],
            ['im.chat.member.user.deleted_v1', APP1.app_id],
        ]);
    });
});

test('caps: a tenant member limit (232044); concurrent adds and removes stay consistent', { timeout: 180_000 }, async () => {
    const seed = feishuSeed();
    seed.tenants.find((t) => t.name === 'Acme').feishu.member_limit = 4;
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'cap' });
        const add = (who) => fs(srv, 'POST', members(chat.chat_id, { member_id_type: 'user_id' }), t1, { id_list: who });
        assertOk(await add(['zhangsan', 'wangwu', 'zhaoliu']));
        assertErr(await add(['sunqi', 'zhouba']), 232044);
        assertOk(await add(['sunqi']));
        assertErr(await add(['zhouba']), 232044);
        // Concurrent removes and adds of the same people: never a duplicate row,
        // counts always agree with the list.
        const ops = [];
        for (let i = 0; i < 30; i++) {
            const who = ['zhouba', 'wujiu', 'sunqi'][i % 3];
            ops.push(i % 2 ? add([who]) : fs(srv, 'DELETE', members(chat.chat_id, { member_id_type: 'user_id' }), t1, { id_list: [who] }));
        }
        for (const r of await Promise.all(ops)) assert.ok(r.json.code === 0 || r.json.code === 232044, JSON.stringify(r.json));
        const got = assertOk(await fs(srv, 'GET', chatPath(chat.chat_id), t1));
        const list = await listAllWith(srv, t1, chat.chat_id, { member_id_type: 'user_id' });
        assert.equal(String(list.items.length), got.user_count);
        assert.equal(list.total, list.items.length);
        assert.equal(new Set(list.items.map((m) => m.member_id)).size, list.items.length);
        assert.ok(list.items.length <= 4);
    }, { seed });
});

test('caps: 10 managers (20 in a super-large chat), 15 bots per chat', { timeout: 180_000 }, async () => {
    const seed = feishuSeed();
    const acme = seed.tenants.find((t) => t.name === 'Acme');
    for (let i = 0; i < 20; i++) acme.users.push({ user_id: `mgr${i}`, name: `Manager ${i}` });
    for (let i = 0; i < 16; i++) acme.feishu.apps.push({ app_id: `cli_bot${String(i).padStart(2, '0')}`, app_secret: `s${i}`, name: `Bot ${i}` });
    await withFeishuServer(async (srv) => {
        const zs = await userToken(srv, APP1, 'zhangsan');
        const chat = await createChat(srv, zs, { name: 'caps' });
        const id = chat.chat_id;
        const mgrs = Array.from({ length: 11 }, (_, i) => `mgr${i}`);
        assertOk(await fs(srv, 'POST', members(id, { member_id_type: 'user_id' }), zs, { id_list: mgrs }));
        const add = (list) => fs(srv, 'POST', chatPath(id, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), zs, { manager_ids: list });
        assertOk(await add(mgrs.slice(0, 10)));
        assertErr(await add(['mgr10']), 232040, 'eleventh manager', { msg: 'The chat managers has reached the limit of maximum number.' });
        const got = assertOk(await fs(srv, 'GET', chatPath(id) + qs({ user_id_type: 'user_id' }), zs));
        assert.equal(got.user_manager_id_list.length, 10, 'the refused call changed nothing');

        // Bots: the creator's chat holds 15 at most.
        const bots = Array.from({ length: 16 }, (_, i) => `cli_bot${String(i).padStart(2, '0')}`);
        for (let i = 0; i < 15; i += 5) assertOk(await fs(srv, 'POST', members(id, { member_id_type: 'app_id' }), zs, { id_list: bots.slice(i, i + 5) }));
        assertErr(await fs(srv, 'POST', members(id, { member_id_type: 'app_id' }), zs, { id_list: [bots[15]] }), 232001);
        assert.equal(assertOk(await fs(srv, 'GET', chatPath(id), zs)).bot_count, '15');
    }, { seed });

    // A tenant whose chats may exceed 5,000 members is "super large": 20 managers.
    const big = feishuSeed();
    const bacme = big.tenants.find((t) => t.name === 'Acme');
    bacme.feishu.member_limit = 6000;
    for (let i = 0; i < 21; i++) bacme.users.push({ user_id: `mgr${i}`, name: `Manager ${i}` });
    await withFeishuServer(async (srv) => {
        const zs = await userToken(srv, APP1, 'zhangsan');
        const chat = await createChat(srv, zs, { name: 'large caps' });
        const mgrs = Array.from({ length: 21 }, (_, i) => `mgr${i}`);
        assertOk(await fs(srv, 'POST', members(chat.chat_id, { member_id_type: 'user_id' }), zs, { id_list: mgrs }));
        const add = (list) => fs(srv, 'POST', chatPath(chat.chat_id, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), zs, { manager_ids: list });
        assertOk(await add(mgrs.slice(0, 20)));
        assertErr(await add(['mgr20']), 232040);
    }, { seed: big });
});
