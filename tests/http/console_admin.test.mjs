// tests/http/console_admin.test.mjs - the admin reads the web console needs (docs/admin-api.md,
// "The web console's reads"): a tenant's chats and people, a chat whole with its members, and
// its timeline (every message whoever reads, newest first, threads apart, with reactions), a
// page at a time; an app's delivery rehearsals;
// and a snapshot taken after a restart (the console's snapshot page on a server started twice).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, makeTempDir, withRestartableServer } from './lib/server.mjs';
import { APP1, APP2, GAPP, createChat, feishuSeed, fs, tenantToken, withFeishuServer } from './lib/feishu.mjs';

const get = async (srv, p) => srv.request('GET', p, { headers: ADMIN_HEADERS });
const ok = async (srv, p) => {
    const r = await get(srv, p);
    assert.equal(r.status, 200, `GET ${p}: ${r.status} ${r.body}`);
    return r.json;
};
const say = async (srv, chat_id, user_id, text, extra = {}) => {
    const r = await srv.request('POST', '/admin/v1/feishu/say', {
        headers: ADMIN_HEADERS, body: { chat_id, user_id, msg_type: 'text', content: JSON.stringify({ text }), ...extra },
    });
    assert.equal(r.status, 200, r.body);
    return r.json;
};
// Every page of a paged admin list, 'limit' at a time.
async function all(srv, p, limit) {
    const items = [];
    let after;
    for (let n = 0; n < 100; n++) {
        const page = await ok(srv, `${p}${p.includes('?') ? '&' : '?'}limit=${limit}${after !== undefined ? `&after=${after}` : ''}`);
        items.push(...page.items);
        if (page.next === undefined) return items;
        assert.ok(page.items.length === limit, 'a page before the last is full');
        after = page.next;
    }
    throw new Error('too many pages');
}

test('console reads: chats and people of a tenant, a chat with its members, a page at a time', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const made = [];
        for (let i = 0; i < 5; i++) {
            made.push(await createChat(srv, t1, { name: `room ${i}`, user_id_list: ['zhangsan', 'wangwu'], owner_id: 'zhangsan' }, { user_id_type: 'user_id' }));
        }
        const g = await tenantToken(srv, GAPP);
        await createChat(srv, g, { name: 'globex room' });

        // Every chat of Acme, in creation order, none of Globex's.
        const chats = await all(srv, '/admin/v1/tenants/Acme/feishu/chats', 2);
        assert.deepEqual(chats.map((c) => c.chat_id), made.map((c) => c.chat_id));
        assert.deepEqual(Object.keys(chats[0]).sort(), ['active_at', 'bot_count', 'chat_id', 'chat_mode', 'chat_type', 'created_at', 'name', 'status', 'user_count']);
        assert.equal(chats[0].name, 'room 0');
        assert.equal(chats[0].user_count, 2);
        assert.equal(chats[0].bot_count, 1);
        assert.deepEqual((await all(srv, '/admin/v1/tenants/Globex/feishu/chats', 50)).map((c) => c.name), ['globex room']);

        const people = await all(srv, '/admin/v1/tenants/Acme/people', 2);
        assert.deepEqual(people.map((p) => p.user_id), ['zhangsan', 'wangwu', 'zhaoliu', 'sunqi', 'zhouba', 'wujiu']);
        assert.equal(people[0].name, 'Zhang San');
        assert.match(people[0].union_id, /^on_/);

        // One chat whole; its members with their roles, bots too.
        const id = made[0].chat_id;
        const chat = await ok(srv, `/admin/v1/feishu/chats/${id}`);
        assert.equal(chat.name, 'room 0');
        assert.deepEqual(chat.owner, { type: 'user', id: 'zhangsan', name: 'Zhang San' });
        assert.equal(chat.settings.membership_approval, 'no_approval_required');
        assert.deepEqual([chat.tabs, chat.menus], [[], []]);
        const members = await all(srv, `/admin/v1/feishu/chats/${id}/members`, 1);
        assert.deepEqual(members.map((m) => [m.type, m.id, m.name, m.role]).sort(), [
            ['bot', APP1.app_id, APP1.name, 'member'], ['user', 'wangwu', 'Wang Wu', 'member'], ['user', 'zhangsan', 'Zhang San', 'owner']]);

        // What an app holds, as seeded.
        assert.deepEqual(await ok(srv, `/admin/v1/feishu/apps/${APP1.app_id}`),
            { app_id: APP1.app_id, name: APP1.name, scopes: ['*', 'im:chat:operate_as_owner'], contact_range: 'all' });
        assert.equal((await get(srv, '/admin/v1/feishu/apps/cli_nope')).status, 404);
        // Its delivery rehearsals: none set, then as set, and an unknown app's none.
        const delivery = `/admin/v1/feishu/apps/${APP1.app_id}/delivery`;
        assert.deepEqual(await ok(srv, delivery), { app_id: APP1.app_id, duplicate: false, delay_ms: 0 });
        const put = await srv.request('PUT', delivery, { headers: ADMIN_HEADERS, body: { duplicate: true, delay_ms: 250 } });
        assert.equal(put.status, 200, put.body);
        assert.deepEqual(await ok(srv, delivery), { app_id: APP1.app_id, duplicate: true, delay_ms: 250 });
        assert.equal((await get(srv, '/admin/v1/feishu/apps/cli_nope/delivery')).status, 404);
        assert.equal((await srv.request('GET', delivery)).status, 401);
        const seeded = await srv.request('POST', '/admin/v1/seed', { headers: ADMIN_HEADERS, body: { tenants: [{
            name: 'Acme', feishu: { tenant_key: 'acme', departments: [{ department_id: 'ENG', name: 'Engineering' }, { department_id: 'FE', name: 'Frontend', parent_department_id: 'ENG' }],
                apps: [{ app_id: APP2.app_id, name: APP2.name, scopes: ['im:message'], contact_range: { departments: ['ENG'], users: ['wangwu'] } }] } }] } });
        assert.equal(seeded.status, 200, seeded.body);
        assert.deepEqual(await ok(srv, `/admin/v1/feishu/apps/${APP2.app_id}`),
            { app_id: APP2.app_id, name: APP2.name, scopes: ['im:message'], contact_range: { departments: ['ENG'], users: ['wangwu'] } });
        // The departments, a page at a time, with their parents.
        const depts = await all(srv, '/admin/v1/tenants/Acme/feishu/departments', 1);
        assert.deepEqual(depts.map((d) => [d.department_id, d.name, d.parent_department_id]), [['ENG', 'Engineering', '0'], ['FE', 'Frontend', 'ENG']]);
        assert.match(depts[0].open_department_id, /^od-/);
        assert.deepEqual(await all(srv, '/admin/v1/tenants/Globex/feishu/departments', 50), []);

        // Unknown names and bad pages.
        assert.equal((await get(srv, '/admin/v1/tenants/Nobody/feishu/chats')).status, 404);
        assert.equal((await get(srv, '/admin/v1/tenants/Nobody/people')).status, 404);
        assert.equal((await get(srv, '/admin/v1/feishu/chats/oc_nope')).status, 404);
        assert.equal((await get(srv, '/admin/v1/feishu/chats/oc_nope/members')).status, 404);
        for (const q of ['limit=0', 'limit=201', 'after=-1', 'after=x']) {
            const r = await get(srv, `/admin/v1/tenants/Acme/feishu/chats?${q}`);
            assert.equal(r.status, 400, q);
            assert.equal(r.json.error.code, 'bad_request');
        }
        // The admin token is needed.
        assert.equal((await srv.request('GET', '/admin/v1/tenants/Acme/people')).status, 401);
    });
});

test('console reads: a chat\'s timeline, newest first, recalled and threaded messages, whoever reads', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'talk', user_id_list: ['zhangsan', 'wangwu'] }, { user_id_type: 'user_id' });
        const id = chat.chat_id;
        const sent = [];
        for (let i = 0; i < 5; i++) sent.push(await say(srv, id, i % 2 ? 'wangwu' : 'zhangsan', `m${i} <at user_id="wangwu"></at>`));
        const bot = (await fs(srv, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', t1,
            { receive_id: id, msg_type: 'text', content: JSON.stringify({ text: 'bot here' }) })).json.data;
        const reply = await say(srv, id, 'wangwu', 'in the thread', { reply_to: sent[1].message_id, reply_in_thread: true });
        const r = await srv.request('POST', '/admin/v1/feishu/recall', { headers: ADMIN_HEADERS, body: { message_id: sent[0].message_id, user_id: 'zhangsan' } });
        assert.equal(r.status, 200, r.body);
        // Reactions: two people's thumbs up and the bot's OK on m1, one on the thread reply.
        const react = async (message_id, user_id, emoji_type) => {
            const res = await srv.request('POST', '/admin/v1/feishu/react', { headers: ADMIN_HEADERS, body: { message_id, user_id, emoji_type } });
            assert.equal(res.status, 200, res.body);
            return res.json;
        };
        const r1 = await react(sent[1].message_id, 'wangwu', 'THUMBSUP');
        const byBot = await fs(srv, 'POST', `/open-apis/im/v1/messages/${sent[1].message_id}/reactions`, t1, { reaction_type: { emoji_type: 'OK' } });
        assert.equal(byBot.json.code, 0, byBot.body);
        await react(sent[1].message_id, 'zhangsan', 'THUMBSUP');
        await react(reply.message_id, 'zhangsan', 'HEART');
        // Taken back, it is gone from the timeline.
        await react(sent[3].message_id, 'wangwu', 'SMILE');
        const un = await srv.request('POST', '/admin/v1/feishu/unreact', { headers: ADMIN_HEADERS, body: { message_id: sent[3].message_id, user_id: 'wangwu', emoji_type: 'SMILE' } });
        assert.equal(un.status, 200, un.body);

        // Pages of 2, newest first; the thread reply is not in the chat's timeline.
        const items = [];
        let before;
        for (let n = 0; n < 10; n++) {
            const page = await ok(srv, `/admin/v1/feishu/chats/${id}/messages?limit=2${before ? `&before=${before}` : ''}`);
            items.push(...page.items);
            if (!page.next) break;
            assert.match(page.next, /^\d+_\d+$/);
            before = page.next;
        }
        assert.deepEqual(items.map((m) => m.message_id), [bot.message_id, ...sent.map((m) => m.message_id).reverse()]);
        const newest = items[0];
        assert.equal(newest.sender.sender_type, 'app');
        assert.equal(newest.sender_name, APP1.name);
        const m1 = items.find((m) => m.message_id === sent[1].message_id);
        assert.equal(m1.sender.id, 'wangwu', 'people by user_id');
        assert.equal(m1.sender_name, 'Wang Wu');
        assert.equal(m1.thread_id, reply.thread_id);
        assert.deepEqual(m1.mentions.map((x) => [x.id, x.name]), [['wangwu', 'Wang Wu']]);
        assert.deepEqual(m1.reactions.map((x) => [x.emoji_type, x.operator.type, x.operator.id, x.operator.name]), [
            ['THUMBSUP', 'user', 'wangwu', 'Wang Wu'], ['OK', 'bot', APP1.app_id, APP1.name], ['THUMBSUP', 'user', 'zhangsan', 'Zhang San']]);
        assert.deepEqual(Object.keys(m1.reactions[0]).sort(), ['action_time', 'emoji_type', 'operator', 'reaction_id']);
        assert.equal(m1.reactions[0].reaction_id, r1.reaction_id);
        assert.match(m1.reactions[0].action_time, /^\d{13}$/);
        for (const m of items.filter((x) => x.message_id !== sent[1].message_id)) assert.deepEqual(m.reactions, [], m.message_id);
        const m0 = items.at(-1);
        assert.equal(m0.deleted, true);
        assert.equal(m0.body.content, 'This message was recalled');

        // The thread: its root and its reply, newest first.
        const thread = await ok(srv, `/admin/v1/feishu/chats/${id}/messages?thread_id=${reply.thread_id}`);
        assert.deepEqual(thread.items.map((m) => m.message_id), [reply.message_id, sent[1].message_id]);
        assert.equal(thread.items[0].parent_id, sent[1].message_id);
        assert.deepEqual(thread.items[0].reactions.map((x) => [x.emoji_type, x.operator.id]), [['HEART', 'zhangsan']]);
        assert.equal(thread.items[1].reactions.length, 3, 'the root\'s reactions in the thread too');

        // A chat the bot is not in: the admin still reads it all.
        const zs = await say(srv, id, 'zhangsan', 'x');
        assert.ok(zs.message_id);
        const other = await createChat(srv, t1, { name: 'no bot', user_id_list: ['zhangsan', 'wangwu'], owner_id: 'zhangsan' }, { user_id_type: 'user_id' });
        const left = await fs(srv, 'DELETE', `/open-apis/im/v1/chats/${other.chat_id}/members?member_id_type=app_id`, t1, { id_list: [APP1.app_id] });
        assert.equal(left.json.code, 0, left.body);
        await say(srv, other.chat_id, 'wangwu', 'without the bot');
        const page = await ok(srv, `/admin/v1/feishu/chats/${other.chat_id}/messages`);
        assert.deepEqual(page.items.map((m) => JSON.parse(m.body.content).text), ['without the bot']);

        // A thread of another chat is not this chat's; bad cursors and limits.
        assert.deepEqual((await ok(srv, `/admin/v1/feishu/chats/${other.chat_id}/messages?thread_id=${reply.thread_id}`)).items, []);
        for (const q of ['before=1', 'before=x_1', 'before=1_0', 'limit=0', 'limit=51']) {
            const res = await get(srv, `/admin/v1/feishu/chats/${id}/messages?${q}`);
            assert.equal(res.status, 400, q);
        }
        assert.equal((await get(srv, '/admin/v1/feishu/chats/oc_nope/messages')).status, 404);
    });
});

// With the default server key (<db>.key beside a SQLite database), whose presence at a
// start tells a database that existed from a new one.
test('a snapshot is taken on a SQLite server that was started before', { timeout: 120_000 }, async () => {
    const dir = makeTempDir('qunzu-snap-');
    const key = process.env.QUNZU_TEST_PG ? {} : { secretKeyFile: null };
    await withRestartableServer({ seed: feishuSeed(), args: ['--snapshot_dir', dir], ...key }, async (srv) => {
        const take = (name) => srv.request('POST', '/admin/v1/snapshots', { headers: ADMIN_HEADERS, body: { name }, timeout: 60_000 });
        assert.equal((await take('first')).status, 200);
        const ex = await srv.stop('SIGTERM');
        assert.equal(ex.code, 0);
        await srv.restart();
        const r = await take('after-restart');
        assert.equal(r.status, 200, r.body);
        const list = await ok(srv, '/admin/v1/snapshots');
        assert.deepEqual(list.items.map((s) => s.name), ['after-restart', 'first']);
        const res = await srv.request('POST', '/admin/v1/snapshots/first/restore', { headers: ADMIN_HEADERS, timeout: 60_000 });
        assert.equal(res.status, 200, res.body);
    });
});
