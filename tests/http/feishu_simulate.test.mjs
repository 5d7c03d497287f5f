// tests/http/feishu_simulate.test.mjs - simulated user actions under /admin/v1/feishu/:
// joining by share link, leaving, being invited (and the invitation withdrawn). Each
// changes membership as the real action would and writes the same events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents } from './lib/server.mjs';
import { APP1, advanceClock, assertOk, chatPath, createChat, fs, ids, qs, tenantToken, userToken, withFeishuServer } from './lib/feishu.mjs';

const act = (srv, what, body) => srv.request('POST', `/admin/v1/feishu/${what}`, { headers: ADMIN_HEADERS, body });
const names = (ev) => ev.body.event.users.map((u) => u.user_id.user_id);

test('join by share link, leave; links expire by the server clock', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'linked' });
        const week = assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/link'), t1, { validity_period: 'week' }));
        const forever = assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/link'), t1, { validity_period: 'permanently' }));
        const tok = (l) => new URL(l.share_link).searchParams.get('link_token');

        let r = await act(srv, 'join_by_link', { link_token: tok(week), user_id: 'wangwu' });
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(r.json, { chat_id: chat.chat_id, result: 'joined' });
        r = await act(srv, 'join_by_link', { link_token: tok(week), user_id: 'wangwu' });
        assert.equal(r.json.result, 'already_member');
        let ev = (await adminEvents(srv)).items;
        assert.deepEqual(ev.map((e) => e.event_type), ['im.chat.member.user.added_v1']);
        assert.deepEqual(names(ev[0]), ['wangwu']);
        assert.equal(ev[0].body.event.operator_id.user_id, 'wangwu', 'the person joined by themselves');
        const ww = await userToken(srv, APP1, 'wangwu');
        assert.deepEqual(assertOk(await fs(srv, 'GET', chatPath(chat.chat_id, '/members/is_in_chat'), ww)), { is_in_chat: true });

        // Leaving: the member is gone, user.deleted_v1 with the person as operator.
        r = await act(srv, 'leave', { chat_id: chat.chat_id, user_id: 'wangwu' });
        assert.deepEqual(r.json, { result: 'left' });
        ev = (await adminEvents(srv, { after: ev.at(-1).seq })).items;
        assert.deepEqual(ev.map((e) => [e.event_type, names(e)[0], e.body.event.operator_id.user_id]), [['im.chat.member.user.deleted_v1', 'wangwu', 'wangwu']]);
        assert.equal((await act(srv, 'leave', { chat_id: chat.chat_id, user_id: 'wangwu' })).status, 404);
        // The owner hands the chat over before leaving.
        const own = await createChat(srv, t1, { name: 'owned', owner_id: p.zhaoliu.open(APP1) });
        assert.equal((await act(srv, 'leave', { chat_id: own.chat_id, user_id: 'zhaoliu' })).status, 403);

        // A week link dies after seven days of server clock; a permanent one does not.
        await advanceClock(srv, 8 * 86400);
        assert.equal((await act(srv, 'join_by_link', { link_token: tok(week), user_id: 'sunqi' })).status, 404);
        assert.equal((await act(srv, 'join_by_link', { link_token: tok(forever), user_id: 'sunqi' })).json.result, 'joined');
        assert.equal((await act(srv, 'join_by_link', { link_token: 'nope', user_id: 'sunqi' })).status, 404);
    });
});

test('invitations into a chat that needs approval are pending and can be withdrawn', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const zs = await userToken(srv, APP1, 'zhangsan');
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, zs, {
            name: 'gated', membership_approval: 'approval_required',
            user_id_list: [p.wangwu.open(APP1)], bot_id_list: [APP1.app_id],
        });
        const seen = (await adminEvents(srv)).items.length;
        // A plain member invites: pending, not a member.
        let r = await act(srv, 'invite', { chat_id: chat.chat_id, inviter_user_id: 'wangwu', user_id: 'sunqi' });
        assert.deepEqual(r.json, { chat_id: chat.chat_id, result: 'pending_approval' });
        const sq = await userToken(srv, APP1, 'sunqi');
        assert.deepEqual(assertOk(await fs(srv, 'GET', chatPath(chat.chat_id, '/members/is_in_chat'), sq)), { is_in_chat: false });
        // The invitation is withdrawn: im.chat.member.user.withdrawn_v1, the inviter as operator.
        r = await act(srv, 'withdraw', { chat_id: chat.chat_id, user_id: 'sunqi' });
        assert.deepEqual(r.json, { result: 'withdrawn' });
        let ev = (await adminEvents(srv)).items.slice(seen);
        assert.deepEqual(ev.map((e) => e.event_type), ['im.chat.member.user.withdrawn_v1']);
        assert.deepEqual(names(ev[0]), ['sunqi']);
        assert.equal(ev[0].body.event.operator_id.user_id, 'wangwu');
        assert.equal((await act(srv, 'withdraw', { chat_id: chat.chat_id, user_id: 'sunqi' })).status, 404);
        // Pending adds through the API can be withdrawn too.
        const add = assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/members') + qs({ member_id_type: 'user_id' }), await userToken(srv, APP1, 'wangwu'), { id_list: ['zhouba'] }));
        assert.deepEqual(add.pending_approval_id_list, ['zhouba']);
        assert.equal((await act(srv, 'withdraw', { chat_id: chat.chat_id, user_id: 'zhouba' })).json.result, 'withdrawn');
        // The owner invites: straight in.
        r = await act(srv, 'invite', { chat_id: chat.chat_id, inviter_user_id: 'zhangsan', user_id: 'sunqi' });
        assert.equal(r.json.result, 'joined');
        ev = (await adminEvents(srv)).items.slice(seen);
        assert.equal(ev.at(-1).event_type, 'im.chat.member.user.added_v1');
        assert.equal(ev.at(-1).body.event.operator_id.user_id, 'zhangsan');
        // Only members invite.
        assert.equal((await act(srv, 'invite', { chat_id: chat.chat_id, inviter_user_id: 'wujiu', user_id: 'zhaoliu' })).status, 403);
        assert.equal(assertOk(await fs(srv, 'GET', chatPath(chat.chat_id), t1)).user_count, '3');
    });
});
