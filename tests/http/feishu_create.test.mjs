// Feishu chat create ("创建群"): defaults and absent keys, the limits that need
// many people or apps (user_id_list ≤ 50, bot_id_list ≤ 5), uuid idempotency with 20
// parallel requests, wrong JSON types. Exact bytes: tests/http/feishu/create_*.case.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    APP1, APP2, ACME_KEY, withFeishuServer, ids, tenantToken, userToken, call, assertOk, assertErr,
    createChat, getChat, CHATS, CHAT_ID_RE, qs, range, pad, listAll,
} from './lib/feishu.mjs';
import { adminSeed } from './lib/server.mjs';

const T = { timeout: 180_000 };

// The keys of the create response example of "创建群"
const CREATE_KEYS = [
    'chat_id', 'avatar', 'name', 'description', 'i18n_names', 'owner_id', 'owner_id_type',
    'urgent_setting', 'video_conference_setting', 'add_member_permission', 'share_card_permission',
    'at_all_permission', 'edit_permission', 'group_message_type', 'chat_mode', 'chat_type', 'chat_tag',
    'external', 'tenant_key', 'join_message_visibility', 'leave_message_visibility', 'membership_approval',
    'moderation_permission', 'restricted_mode_setting', 'hide_member_count_setting',
    // SDK-only ("创建群": "newest SDK adds"); allowed, not required.
    'pin_manage_setting', 'labels', 'toolkit_ids',
];
const DEFAULTS = {
    urgent_setting: 'all_members',
    video_conference_setting: 'all_members',
    add_member_permission: 'all_members',
    share_card_permission: 'allowed',
    at_all_permission: 'all_members',
    edit_permission: 'all_members',
    group_message_type: 'chat',
    chat_mode: 'group',
    chat_type: 'private',
    chat_tag: 'inner',
    external: false,
    tenant_key: ACME_KEY,
    join_message_visibility: 'all_members',
    leave_message_visibility: 'all_members',
    membership_approval: 'no_approval_required',
    moderation_permission: 'all_members',
    restricted_mode_setting: {
        status: false,
        screenshot_has_permission_setting: 'all_members',
        download_has_permission_setting: 'all_members',
        message_has_permission_setting: 'all_members',
    },
    hide_member_count_setting: 'all_members',
};

describe('feishu chat create', () => {
    it('create {} as a bot: "创建群" defaults, no name, no owner, no get-only fields', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const d = await createChat(srv, t, {});
            assert.match(d.chat_id, CHAT_ID_RE);
            assert.equal(typeof d.avatar, 'string');
            assert.match(d.avatar, /^https?:\/\//, 'avatar is a URL');
            for (const [k, v] of Object.entries(DEFAULTS)) assert.deepEqual(d[k], v, `default ${k}`);
            assert.ok(!('name' in d), `name must be omitted when empty, got ${JSON.stringify(d.name)}`);
            assert.ok(!('owner_id' in d) && !('owner_id_type' in d), 'owner_id/owner_id_type omitted for a bot owner');
            for (const k of Object.keys(d)) assert.ok(CREATE_KEYS.includes(k), `unexpected create key ${k}`);
            if ('description' in d) assert.equal(d.description, '');
            for (const k of ['user_count', 'bot_count', 'chat_status', 'user_manager_id_list', 'bot_manager_id_list']) {
                assert.ok(!(k in d), `${k} is not part of the create response`);
            }

            const g = assertOk(await getChat(srv, t, d.chat_id), 'get');
            assert.ok(!('chat_id' in g), 'get data carries no chat_id');
            assert.ok(!('name' in g), 'get: name omitted when empty');
            assert.ok(!('owner_id' in g) && !('owner_id_type' in g), 'get: no owner for a bot-owned chat');
            assert.equal(g.user_count, '0');
            assert.equal(g.bot_count, '1');
            assert.equal(g.chat_status, 'normal');
            for (const [k, v] of Object.entries(DEFAULTS)) assert.deepEqual(g[k], v, `get default ${k}`);
            for (const k of ['user_manager_id_list', 'bot_manager_id_list']) {
                if (k in g) assert.ok(Array.isArray(g[k]), `${k} must be an array`);
            }
            // Ids are unique.
            const more = await Promise.all(range(5).map(() => createChat(srv, t, {})));
            assert.equal(new Set([d.chat_id, ...more.map((x) => x.chat_id)]).size, 6);
        });
    });

    it('create as a user: the user owns the chat, in every id type', T, async () => {
        await withFeishuServer(async (srv) => {
            const who = await ids(srv);
            const zs = who.acme.zhangsan;
            const u = await userToken(srv, APP1, 'zhangsan');
            const d = await createChat(srv, u, { name: 'mine', user_id_list: [who.acme.wangwu.open(APP1)] });
            assert.equal(d.owner_id, zs.open(APP1));
            assert.equal(d.owner_id_type, 'open_id');
            for (const type of ['open_id', 'union_id', 'user_id']) {
                const g = assertOk(await getChat(srv, u, d.chat_id, { user_id_type: type }), `get ${type}`);
                assert.equal(g.owner_id, zs.id(type, APP1), `owner_id as ${type}`);
                assert.equal(g.owner_id_type, type);
                assert.equal(g.user_count, '2');
            }
            // App 2 sees the same person under its own open_id.
            const t2 = await tenantToken(srv, APP2);
            const d2 = await createChat(srv, t2, { owner_id: zs.open(APP2) });
            assert.equal(d2.owner_id, zs.open(APP2));
            assert.notEqual(zs.open(APP1), zs.open(APP2), 'open_ids differ per app');
            const d3 = await createChat(srv, t2, { owner_id: zs.union_id }, { user_id_type: 'union_id' });
            assert.equal(d3.owner_id, zs.union_id);
            assert.equal(d3.owner_id_type, 'union_id');
        });
    });

    it('owner listed in user_id_list and repeated ids are counted once', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const d = await createChat(srv, t, { owner_id: 'zhangsan', user_id_list: ['zhangsan', 'wangwu', 'wangwu'] }, { user_id_type: 'user_id' });
            const g = assertOk(await getChat(srv, t, d.chat_id), 'get');
            assert.equal(g.user_count, '2');
        });
    });

    it('set_bot_manager makes the creating bot a manager of a user-owned chat', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const a = await createChat(srv, t, { owner_id: 'zhangsan' }, { user_id_type: 'user_id', set_bot_manager: 'true' });
            const ga = assertOk(await getChat(srv, t, a.chat_id), 'get with manager');
            assert.deepEqual(ga.bot_manager_id_list, [APP1.app_id]);
            const b = await createChat(srv, t, { owner_id: 'zhangsan' }, { user_id_type: 'user_id' });
            const gb = assertOk(await getChat(srv, t, b.chat_id), 'get without manager');
            assert.ok(!gb.bot_manager_id_list || gb.bot_manager_id_list.length === 0, `no bot manager: ${JSON.stringify(gb.bot_manager_id_list)}`);
        });
    });

    it('user_id_list holds at most 50 users per call', T, async () => {
        await withFeishuServer(async (srv) => {
            const users = range(51).map((i) => ({ user_id: `bulk${pad(i + 1)}`, name: `Bulk ${pad(i + 1)}` }));
            await adminSeed(srv, { tenants: [{ name: 'Acme', users }] });
            const t = await tenantToken(srv, APP1);
            const all = users.map((u) => u.user_id);
            assertErr(await call(srv, 'POST', CHATS + qs({ user_id_type: 'user_id' }), t, { user_id_list: all }), 232001, '51 users');
            const d = await createChat(srv, t, { user_id_list: all.slice(0, 50) }, { user_id_type: 'user_id' });
            const g = assertOk(await getChat(srv, t, d.chat_id), 'get');
            assert.equal(g.user_count, '50');
            assert.equal(g.bot_count, '1');
            // Open ids work the same way.
            const who = await ids(srv);
            const open = all.slice(0, 50).map((u) => who.acme[u].open(APP1));
            const d2 = await createChat(srv, t, { user_id_list: open });
            assert.equal(assertOk(await getChat(srv, t, d2.chat_id), 'get').user_count, '50');
        });
    });

    it('bot_id_list holds at most 5 bots and never the caller', T, async () => {
        await withFeishuServer(async (srv) => {
            const apps = range(6).map((i) => ({ app_id: `cli_acmebot${i + 1}`, app_secret: `bot-secret-${i + 1}`, name: `Bot ${i + 1}` }));
            const keep = [APP1, APP2].map(({ app_id, app_secret, name }) => ({ app_id, app_secret, name }));
            await adminSeed(srv, { tenants: [{ name: 'Acme', feishu: { tenant_key: ACME_KEY, apps: [...keep, ...apps] } }] });
            const t = await tenantToken(srv, APP1);
            const six = apps.map((a) => a.app_id);
            assertErr(await call(srv, 'POST', CHATS, t, { bot_id_list: six }), 232001, '6 bots');
            assertErr(await call(srv, 'POST', CHATS, t, { bot_id_list: [APP1.app_id] }), 232001, 'calling bot listed');
            assertErr(await call(srv, 'POST', CHATS, t, { bot_id_list: [...six.slice(0, 4), APP1.app_id] }), 232001, 'calling bot among others');
            assertErr(await call(srv, 'POST', CHATS, t, { bot_id_list: ['cli_nobody'] }), 232021, 'unknown bot');
            const d = await createChat(srv, t, { bot_id_list: six.slice(0, 5) });
            const g = assertOk(await getChat(srv, t, d.chat_id), 'get');
            assert.equal(g.bot_count, '6', 'creator + 5');
            // Each invited bot is a member and lists the chat.
            for (const a of apps.slice(0, 5)) {
                const ta = await tenantToken(srv, a);
                const l = assertOk(await call(srv, 'GET', CHATS, ta), `list as ${a.app_id}`);
                assert.deepEqual(l.items.map((i) => i.chat_id), [d.chat_id]);
            }
            // The sixth is not: partial data only.
            const t6 = await tenantToken(srv, apps[5]);
            const p = assertOk(await getChat(srv, t6, d.chat_id), 'get by non-member bot');
            assert.deepEqual(Object.keys(p).sort(), ['avatar', 'bot_count', 'chat_status', 'user_count'].concat('name' in p ? ['name'] : []).sort());
        });
    });

    it('uuid: a repeat returns the first chat (even with another body); 20 parallel requests make one chat', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const first = await createChat(srv, t, { name: 'First body' }, { uuid: 'dup-1' });
            const again = await createChat(srv, t, { name: 'Second body' }, { uuid: 'dup-1' });
            assert.equal(again.chat_id, first.chat_id);
            assert.deepEqual(again, first, 'a repeat returns the first chat data');

            const N = 20;
            const body = { name: 'Parallel' };
            const results = await Promise.all(range(N).map(() => call(srv, 'POST', CHATS + qs({ uuid: 'par-uuid-1' }), t, body)));
            const ok = results.filter((r) => r.status === 200);
            for (const r of results) {
                if (r.status !== 200) assertErr(r, 232068, 'parallel duplicate in flight');
            }
            assert.ok(ok.length >= 1, 'at least one parallel create succeeded');
            const chatIds = new Set(ok.map((r) => assertOk(r, 'parallel create').chat_id));
            assert.equal(chatIds.size, 1, `one chat for one uuid, got ${[...chatIds].join(', ')}`);
            const { items } = await listAll(srv, t, CHATS, { page_size: 100 });
            assert.equal(items.filter((i) => i.name === 'Parallel').length, 1, 'exactly one "Parallel" chat exists');
            // After the dust settles a repeat is a plain success.
            const later = await createChat(srv, t, body, { uuid: 'par-uuid-1' });
            assert.equal(later.chat_id, [...chatIds][0]);

            // Distinct uuids in parallel: distinct chats.
            const distinct = await Promise.all(range(N).map((i) => createChat(srv, t, { name: `D${i}` }, { uuid: `distinct-${i}` })));
            assert.equal(new Set(distinct.map((d) => d.chat_id)).size, N);
            // Without uuid every call creates.
            const plain = await Promise.all(range(5).map(() => createChat(srv, t, { name: 'no uuid' })));
            assert.equal(new Set(plain.map((d) => d.chat_id)).size, 5);
        });
    });

    it('wrong JSON types and malformed bodies are refused with HTTP 400', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const bodies = [
                { name: 123 },
                { name: ['a'] },
                { user_id_list: 'ou_x' },
                { bot_id_list: [1] },
                { i18n_names: 'x' },
                { chat_type: true },
                { restricted_mode_setting: { status: 'yes' } },
                '{"name": ',
                '[]',
            ];
            for (const b of bodies) {
                const res = await call(srv, 'POST', CHATS, t, b);
                const what = `create ${typeof b === 'string' ? b : JSON.stringify(b)}`;
                assert.equal(res.status, 400, `${what}: ${res.status} ${res.body}`);
                assert.ok([232001, 99992402].includes(res.json?.code), `${what}: code ${res.body}`);
            }
            const { items } = await listAll(srv, t, CHATS);
            assert.equal(items.length, 0, 'nothing was created');
        });
    });
});
