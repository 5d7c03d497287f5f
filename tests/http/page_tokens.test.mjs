// Page tokens and cursors are bound to what they page: a members token to its chat, a
// chat-list token to the caller, a WeCom cursor to its corp. One used elsewhere is
// refused like a malformed one, instead of silently paging something else from the
// position it carries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP2, assertOk, CHATS, chatPath, createChat, fs, tenantToken, withFeishuServer } from './lib/feishu.mjs';
import { ACME, GLOBEX, getToken, kf } from './lib/wecom.mjs';

// The same call with a garbage token: the refusal a foreign token must match.
async function refusal(srv, path, tok) {
    const res = await fs(srv, 'GET', `${path}${path.includes('?') ? '&' : '?'}page_token=garbage`, tok);
    assert.notEqual(res.json.code, 0, `garbage page_token accepted on ${path}`);
    return { status: res.status, code: res.json.code };
}

test('a Feishu page token works only where it was issued', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const tok = await tenantToken(srv);
        const ids = ['wangwu', 'zhaoliu', 'sunqi', 'zhouba'];
        const a = (await createChat(srv, tok, { name: 'A', user_id_list: ids }, { user_id_type: 'user_id' })).chat_id;
        const b = (await createChat(srv, tok, { name: 'B', user_id_list: ids }, { user_id_type: 'user_id' })).chat_id;

        // Members: A's token pages A, and is refused on B.
        const page = assertOk(await fs(srv, 'GET', `${chatPath(a, '/members')}?page_size=2`, tok));
        assert.equal(page.has_more, true);
        assertOk(await fs(srv, 'GET', `${chatPath(a, '/members')}?page_size=2&page_token=${encodeURIComponent(page.page_token)}`, tok));
        const onB = await fs(srv, 'GET', `${chatPath(b, '/members')}?page_size=2&page_token=${encodeURIComponent(page.page_token)}`, tok);
        assert.deepEqual({ status: onB.status, code: onB.json.code }, await refusal(srv, chatPath(b, '/members'), tok));

        // Chat lists: the bot's token is refused for another app's bot.
        const other = await tenantToken(srv, APP2);
        for (const n of ['A2', 'A3']) await createChat(srv, other, { name: n });
        await createChat(srv, tok, { name: 'C' });
        const list = assertOk(await fs(srv, 'GET', `${CHATS}?page_size=1`, tok));
        assert.equal(list.has_more, true);
        assertOk(await fs(srv, 'GET', `${CHATS}?page_size=1&page_token=${encodeURIComponent(list.page_token)}`, tok));
        const foreign = await fs(srv, 'GET', `${CHATS}?page_size=1&page_token=${encodeURIComponent(list.page_token)}`, other);
        assert.deepEqual({ status: foreign.status, code: foreign.json.code }, await refusal(srv, CHATS, other));
    });
});

test('a WeCom cursor works only for its corp', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const acme = await getToken(srv, ACME);
        const globex = await getToken(srv, GLOBEX);
        for (const name of ['g1', 'g2']) {
            assert.equal((await kf(srv, 'add_group', acme, { name })).errcode, 0);
            assert.equal((await kf(srv, 'add_group', globex, { name })).errcode, 0);
        }
        const page = await kf(srv, 'list_group', acme, { limit: 1 });
        assert.equal(page.has_more, 1);
        assert.equal((await kf(srv, 'list_group', acme, { limit: 1, cursor: page.next_cursor })).errcode, 0);
        const garbage = await kf(srv, 'list_group', globex, { limit: 1, cursor: 'garbage' });
        assert.notEqual(garbage.errcode, 0);
        const foreign = await kf(srv, 'list_group', globex, { limit: 1, cursor: page.next_cursor });
        assert.equal(foreign.errcode, garbage.errcode, `Acme's cursor used by Globex: ${JSON.stringify(foreign)}`);
    });
});
