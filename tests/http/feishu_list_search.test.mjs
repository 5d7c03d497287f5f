// Feishu chat list and search ("获取用户或机器人所在的群列表", "搜索对用户或机器人可见的群列表", "API call guide"): pagination across
// many pages with both sort types, stable keyset pages while chats are added, the
// principal's view (bot vs user), disbanded chats, search matching and paging, and the
// moderation allow-list pages ("群发言权限").
// Exact bytes of one page: tests/http/feishu/list_*.case, search_*.case.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    APP1, APP2, withFeishuServer, tenantToken, userToken, call, assertOk, assertErr, createChat,
    updateChat, disbandChat, CHATS, qs, range, pad, listAll, checkItem, checkPageShape, advanceClock, chatPath,
} from './lib/feishu.mjs';
import { adminSeed } from './lib/server.mjs';

const T = { timeout: 180_000 };
const SEARCH = `${CHATS}/search`;

describe('feishu chat list', () => {
    it('45 chats: default page size 20, any page size up to 100, creation order, each chat once', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const made = [];
            for (const i of range(45)) made.push((await createChat(srv, t, { name: `L${pad(i + 1)}`, description: `d${i + 1}` })).chat_id);

            const def = await listAll(srv, t, CHATS);
            assert.deepEqual(def.pages.map((p) => p.items.length), [20, 20, 5], 'default page_size is 20');
            assert.deepEqual(def.items.map((i) => i.chat_id), made, 'ByCreateTimeAsc is the default order');
            def.items.forEach((it, k) => {
                checkItem(it, `item ${k}`);
                assert.equal(it.name, `L${pad(k + 1)}`);
                assert.equal(it.description, `d${k + 1}`);
                assert.equal(it.chat_status, 'normal');
                assert.ok(!('owner_id' in it), 'bot-owned: no owner_id');
            });

            for (const size of [1, 7, 44, 45, 100]) {
                const r = await listAll(srv, t, CHATS, { page_size: size });
                assert.deepEqual(r.items.map((i) => i.chat_id), made, `page_size ${size}`);
                assert.equal(r.pages.length, Math.ceil(45 / size), `page count for ${size}`);
                assert.ok(r.pages.slice(0, -1).every((p) => p.items.length === size), `full pages for ${size}`);
            }
            const asc = await listAll(srv, t, CHATS, { page_size: 10, sort_type: 'ByCreateTimeAsc' });
            assert.deepEqual(asc.items.map((i) => i.chat_id), made);

            // Reusing a page token gives the same page; garbage is refused.
            const p1 = assertOk(await call(srv, 'GET', CHATS + qs({ page_size: 20 }), t), 'page 1');
            const again = assertOk(await call(srv, 'GET', CHATS + qs({ page_size: 20, page_token: p1.page_token }), t), 'page 2');
            const twice = assertOk(await call(srv, 'GET', CHATS + qs({ page_size: 20, page_token: p1.page_token }), t), 'page 2 again');
            assert.deepEqual(twice, again, 'the same token gives the same page');
            assertErr(await call(srv, 'GET', CHATS + qs({ page_token: 'garbage!' }), t), 232001, 'garbage token');
            for (const bad of ['0', '101', '-5', 'ten']) {
                assertErr(await call(srv, 'GET', CHATS + qs({ page_size: bad }), t), 232001, `page_size=${bad}`);
            }
        });
    });

    it('chats created while paging: no duplicates, no skips among the old ones (ByCreateTimeAsc)', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const made = [];
            for (const i of range(30)) made.push((await createChat(srv, t, { name: `P${pad(i)}` })).chat_id);
            const seen = [];
            let token;
            for (let n = 0; n < 20; n++) {
                const d = assertOk(await call(srv, 'GET', CHATS + qs({ page_size: 7, page_token: token }), t), `page ${n + 1}`);
                checkPageShape(d, `page ${n + 1}`);
                seen.push(...d.items.map((i) => i.chat_id));
                // Create one new chat per page.
                made.push((await createChat(srv, t, { name: `New${n}` })).chat_id);
                if (!d.has_more) break;
                token = d.page_token;
            }
            assert.equal(new Set(seen).size, seen.length, 'no chat twice');
            for (const id of made.slice(0, 30)) assert.ok(seen.includes(id), 'every old chat seen');
            // Order preserved: seen is a prefix-ordered subsequence of made.
            const idx = seen.map((id) => made.indexOf(id));
            assert.deepEqual([...idx].sort((a, b) => a - b), idx, 'creation order');
        });
    });

    it('ByActiveTimeDesc: newest first, paged; an update never changes the creation order', T, async () => {
        await withFeishuServer(async (srv) => {
            let t = await tenantToken(srv, APP1);
            const made = [];
            for (const i of range(25)) {
                made.push((await createChat(srv, t, { name: `A${pad(i)}` })).chat_id);
                await advanceClock(srv, 2);
            }
            const desc = await listAll(srv, t, CHATS, { sort_type: 'ByActiveTimeDesc', page_size: 6 });
            assert.deepEqual(desc.items.map((i) => i.chat_id), [...made].reverse(), 'newest first');
            assert.equal(desc.pages.length, 5);
            const asc = await listAll(srv, t, CHATS, { page_size: 6 });
            assert.deepEqual(asc.items.map((i) => i.chat_id), made, 'creation order unchanged');
            assertErr(await call(srv, 'GET', CHATS + qs({ sort_type: 'ByNothing' }), t), 232001, 'unknown sort_type');

            // Whether an update counts as activity is not specified; either way every chat is
            // listed once and the creation order stays.
            await advanceClock(srv, 10);
            t = await tenantToken(srv, APP1);
            assertOk(await updateChat(srv, t, made[0], { name: 'A00 renamed' }), 'rename');
            const after = await listAll(srv, t, CHATS, { sort_type: 'ByActiveTimeDesc', page_size: 100 });
            assert.equal(after.items.length, 25);
            assert.equal(new Set(after.items.map((i) => i.chat_id)).size, 25);
            const asc2 = await listAll(srv, t, CHATS, { page_size: 100 });
            assert.deepEqual(asc2.items.map((i) => i.chat_id), made);
        });
    });

    it('a principal lists only the chats it is in; disbanded chats disappear', T, async () => {
        await withFeishuServer(async (srv) => {
            const bot1 = await tenantToken(srv, APP1);
            const bot2 = await tenantToken(srv, APP2);
            const ww = await userToken(srv, APP1, 'wangwu');
            const zs = await userToken(srv, APP1, 'zhangsan');
            const a = await createChat(srv, bot1, { name: 'with wangwu', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
            const b = await createChat(srv, bot1, { name: 'bots only', bot_id_list: [APP2.app_id] });
            const c = await createChat(srv, zs, { name: 'users only', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
            const d = await createChat(srv, bot2, { name: 'app2 alone' });

            const names = async (tk) => (await listAll(srv, tk, CHATS, { user_id_type: 'user_id' })).items.map((i) => i.name);
            assert.deepEqual(await names(ww), ['with wangwu', 'users only']);
            assert.deepEqual(await names(zs), ['users only']);
            assert.deepEqual(await names(bot2), ['bots only', 'app2 alone']);
            const bot1Names = await names(bot1);
            assert.ok(bot1Names.includes('with wangwu') && bot1Names.includes('bots only') && !bot1Names.includes('app2 alone'), JSON.stringify(bot1Names));
            // Owners in the list: a user-owned chat carries owner_id.
            const zsItems = (await listAll(srv, zs, CHATS, { user_id_type: 'user_id' })).items;
            assert.equal(zsItems[0].owner_id, 'zhangsan');
            assert.equal(zsItems[0].owner_id_type, 'user_id');

            assertOk(await disbandChat(srv, bot1, a.chat_id), 'disband');
            assert.deepEqual(await names(ww), ['users only']);
            assert.ok(!(await names(bot1)).includes('with wangwu'));
            void b; void c; void d;
        });
    });
});

describe('feishu chat search', () => {
    it('matching: case-insensitive substring of name, i18n names and member names; public chats of the tenant', T, async () => {
        await withFeishuServer(async (srv) => {
            const bot1 = await tenantToken(srv, APP1);
            const bot2 = await tenantToken(srv, APP2);
            const zl = await userToken(srv, APP1, 'zhaoliu');
            const mk = (tk, body, q) => createChat(srv, tk, body, q).then((x) => x.chat_id);
            const alpha = await mk(bot1, { name: 'Alpha Project' });
            const alpha2 = await mk(bot1, { name: 'project ALPHA two' });
            const i18n = await mk(bot1, { name: 'Omega', i18n_names: { zh_cn: '研发中心', en_us: 'R&D Center', ja_jp: '研究開発' } });
            const withZhou = await mk(bot1, { name: 'Logistics', user_id_list: ['zhouba'] }, { user_id_type: 'user_id' });
            const pub = await mk(bot2, { name: 'Public Square', chat_type: 'public' });
            const priv = await mk(bot2, { name: 'Private Square' });

            const search = async (tk, query, extra = {}) =>
                (await listAll(srv, tk, SEARCH, { query, ...extra })).items.map((i) => i.chat_id).sort();
            const sorted = (...a) => [...a].sort();
            assert.deepEqual(await search(bot1, 'alpha'), sorted(alpha, alpha2));
            assert.deepEqual(await search(bot1, 'PROJECT'), sorted(alpha, alpha2));
            assert.deepEqual(await search(bot1, 'ha pro'), sorted(alpha));
            assert.deepEqual(await search(bot1, '研发'), sorted(i18n), 'zh_cn name');
            assert.deepEqual(await search(bot1, 'r&d'), sorted(i18n), 'en_us name');
            assert.deepEqual(await search(bot1, '開発'), sorted(i18n), 'ja_jp name');
            assert.deepEqual(await search(bot1, 'zhou'), sorted(withZhou), 'member name');
            assert.deepEqual(await search(bot1, 'square'), sorted(pub), 'a public chat of the tenant, not the private one');
            assert.deepEqual(await search(bot2, 'square'), sorted(pub, priv), 'app 2 is in both');
            // A user who is in no chat sees the public one only.
            assert.deepEqual(await search(zl, 'a'), sorted(pub));
            // Empty or over-long queries: code 0, nothing.
            for (const q of ['', 'x'.repeat(65)]) {
                const d = assertOk(await call(srv, 'GET', SEARCH + qs({ query: q }), bot1), `query of ${q.length}`);
                assert.deepEqual(d, { items: [], has_more: false });
            }
            const d = assertOk(await call(srv, 'GET', SEARCH, bot1), 'no query');
            assert.deepEqual(d, { items: [], has_more: false });
            // 64 characters are searched (no chat has such a name: code 0, empty).
            assertOk(await call(srv, 'GET', SEARCH + qs({ query: 'y'.repeat(64) }), bot1), '64-char query');
            // Items have the list shape.
            for (const it of (await listAll(srv, bot1, SEARCH, { query: 'a' })).items) checkItem(it, 'search item');
            // A disbanded chat is not found.
            assertOk(await disbandChat(srv, bot1, alpha2), 'disband');
            assert.deepEqual(await search(bot1, 'alpha'), sorted(alpha));
            void priv;
        });
    });

    it('search pages: 25 matches, page_size 10 → 3 pages, each once', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const made = [];
            for (const i of range(25)) made.push((await createChat(srv, t, { name: `Needle ${pad(i)}` })).chat_id);
            for (const i of range(5)) await createChat(srv, t, { name: `Hay ${i}` });
            const r = await listAll(srv, t, SEARCH, { query: 'needle', page_size: 10 });
            assert.deepEqual(r.pages.map((p) => p.items.length), [10, 10, 5]);
            assert.deepEqual(r.items.map((i) => i.chat_id).sort(), [...made].sort());
            const def = await listAll(srv, t, SEARCH, { query: 'needle' });
            assert.deepEqual(def.pages.map((p) => p.items.length), [20, 5], 'default page_size 20');
            assertErr(await call(srv, 'GET', SEARCH + qs({ query: 'needle', page_size: 101 }), t), 232001, 'page_size 101');
            assertErr(await call(srv, 'GET', SEARCH + qs({ query: 'needle', page_token: 'bogus' }), t), 232001, 'bad token');
        });
    });
});

describe('feishu moderation list pages', () => {
    it('12 speakers: default page size 10, page_size 5 → 3 pages, each once', T, async () => {
        await withFeishuServer(async (srv) => {
            const users = range(12).map((i) => ({ user_id: `spk${pad(i)}`, name: `Speaker ${pad(i)}` }));
            await adminSeed(srv, { tenants: [{ name: 'Acme', users }] });
            const t = await tenantToken(srv, APP1);
            const all = users.map((u) => u.user_id);
            const c = await createChat(srv, t, { name: 'Panel', user_id_list: all }, { user_id_type: 'user_id' });
            assertOk(await call(srv, 'PUT', chatPath(c.chat_id, '/moderation') + qs({ user_id_type: 'user_id' }), t,
                { moderation_setting: 'moderator_list', moderator_added_list: all }), 'moderation update');
            const path = chatPath(c.chat_id, '/moderation');
            const first = assertOk(await call(srv, 'GET', path + qs({ user_id_type: 'user_id' }), t), 'default page');
            assert.equal(first.items.length, 10, 'default page_size 10');
            assert.equal(first.has_more, true);
            assert.equal(typeof first.page_token, 'string');
            const seen = [];
            let token;
            for (let n = 0; n < 10; n++) {
                const d = assertOk(await call(srv, 'GET', path + qs({ user_id_type: 'user_id', page_size: 5, page_token: token }), t), `page ${n + 1}`);
                assert.equal(d.moderation_setting, 'moderator_list');
                for (const it of d.items) {
                    assert.deepEqual(Object.keys(it).sort(), ['tenant_key', 'user_id', 'user_id_type']);
                    assert.equal(it.user_id_type, 'user_id');
                }
                seen.push(...d.items.map((i) => i.user_id));
                if (!d.has_more) {
                    assert.ok(!('page_token' in d), 'no page_token on the last page');
                    break;
                }
                token = d.page_token;
            }
            assert.deepEqual([...seen].sort(), [...all].sort());
            assert.equal(seen.length, 12, 'each speaker once');
        });
    });
});
