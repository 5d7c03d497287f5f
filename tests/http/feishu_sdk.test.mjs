// The official Feishu Node SDK (@larksuiteoapi/node-sdk, pinned in package-lock.json)
// against a fresh qunzu, changed only by its `domain` option. It drives the chat
// lifecycle — create, get, update, list with the SDK's page iterator, search,
// moderation, share link, top notice, disband — as the app's bot and, with
// lark.withUserAccessToken(), as a user whose token comes from the OAuth flow.
//
// How the SDK authenticates (lib/index.js, TokenManager.getCustomTenantAccessToken):
// before each call it looks for a cached tenant token under "<appId>/tenant-access-token"
// in its cache (a process-wide DefaultCache unless `cache` is given); on a miss it POSTs
// {app_id, app_secret} to <domain>/open-apis/auth/v3/tenant_access_token/internal,
// requires a truthy `tenant_access_token` in the flat body, and caches it until
// now + expire - 3 min. It does not retry on 99991663. Calls reject (axios) on any
// non-2xx status; the *WithIterator helpers swallow errors and yield null instead.
// Generated methods send a JSON body ({}) even on GET and DELETE.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { APP1, withFeishuServer, ids, userToken, tenantTokenRes, range, pad, CHAT_ID_RE } from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';

const T = { timeout: 180_000 };

// An httpInstance that delegates to the SDK's own and records every request.
function recordingHttp(log) {
    const inner = lark.defaultHttpInstance;
    return new Proxy(inner, {
        get(target, prop) {
            const v = target[prop];
            if (['request', 'get', 'post', 'put', 'delete', 'patch'].includes(prop)) {
                return (...args) => {
                    const cfg = prop === 'request' ? args[0] : { method: prop, url: args[0] };
                    log.push(`${String(cfg.method || 'get').toUpperCase()} ${new URL(cfg.url).pathname}`);
                    return v.apply(target, args);
                };
            }
            return typeof v === 'function' ? v.bind(target) : v;
        },
    });
}

// The body of a rejected SDK call (axios error), or fail.
async function rejection(promise, what) {
    try {
        const r = await promise;
        assert.fail(`${what}: expected a rejection, got ${JSON.stringify(r).slice(0, 300)}`);
    } catch (e) {
        if (e.code === 'ERR_ASSERTION') throw e;
        assert.ok(e.response, `${what}: not an HTTP error: ${e.message}`);
        return { status: e.response.status, data: e.response.data, headers: e.response.headers };
    }
}

// Collect an iterator's pages; a null page means the SDK swallowed an error.
async function pagesOf(iterable, what, max = 50) {
    const pages = [];
    for await (const page of iterable) {
        assert.ok(page, `${what}: the SDK iterator yielded null (a request failed) after ${pages.length} page(s)`);
        pages.push(page);
        if (pages.length > max) assert.fail(`${what}: more than ${max} pages`);
    }
    return pages;
}

describe('feishu through @larksuiteoapi/node-sdk', () => {
    it('bot and user drive the chat lifecycle', T, async () => {
        await withFeishuServer(async (srv) => {
            const who = await ids(srv);
            const zs = who.acme.zhangsan;
            const ww = who.acme.wangwu;
            const client = sdkClient(srv, { cache: undefined }); // the SDK's process-wide default cache

            // create (as the bot)
            const created = await client.im.chat.create({
                params: { user_id_type: 'open_id', uuid: 'sdk-lifecycle-1' },
                data: {
                    name: 'SDK chat',
                    description: 'made by the node SDK',
                    owner_id: zs.open(APP1),
                    user_id_list: [ww.open(APP1)],
                    chat_mode: 'group',
                    chat_type: 'private',
                    i18n_names: { zh_cn: 'SDK 群', en_us: 'SDK chat' },
                },
            });
            assert.equal(created.code, 0, JSON.stringify(created));
            assert.equal(created.msg, 'success');
            const chatId = created.data.chat_id;
            assert.match(chatId, CHAT_ID_RE);
            assert.equal(created.data.owner_id, zs.open(APP1));
            assert.equal(created.data.owner_id_type, 'open_id');

            // The token the SDK fetched is the one the endpoint hands out (same token while
            // fresh), cached under the app id.
            const cached = await lark.internalCache.get(lark.CTenantAccessToken, { namespace: APP1.app_id });
            assert.equal(cached, (await tenantTokenRes(srv, APP1)).tenant_access_token, 'SDK cache holds the server token');

            // The same uuid (and owner) through the SDK: the same chat.
            const dup = await client.im.chat.create({ params: { uuid: 'sdk-lifecycle-1' }, data: { name: 'SDK chat', owner_id: zs.open(APP1) } });
            assert.equal(dup.code, 0);
            assert.equal(dup.data.chat_id, chatId);

            // get
            const got = await client.im.chat.get({ path: { chat_id: chatId }, params: { user_id_type: 'user_id' } });
            assert.equal(got.code, 0);
            assert.equal(got.data.name, 'SDK chat');
            assert.equal(got.data.description, 'made by the node SDK');
            assert.equal(got.data.owner_id, 'zhangsan');
            assert.equal(got.data.owner_id_type, 'user_id');
            assert.equal(got.data.user_count, '2');
            assert.equal(got.data.bot_count, '1');
            assert.equal(got.data.chat_status, 'normal');
            assert.deepEqual(got.data.i18n_names, { zh_cn: 'SDK 群', en_us: 'SDK chat' });

            // update
            const upd = await client.im.chat.update({
                path: { chat_id: chatId },
                data: { name: 'SDK chat renamed', description: 'updated', membership_approval: 'approval_required' },
            });
            assert.equal(upd.code, 0, JSON.stringify(upd));
            assert.deepEqual(upd.data, {});
            const got2 = await client.im.chat.get({ path: { chat_id: chatId } });
            assert.equal(got2.data.name, 'SDK chat renamed');
            assert.equal(got2.data.description, 'updated');
            assert.equal(got2.data.membership_approval, 'approval_required');

            // More chats, then list with the SDK iterator across pages.
            const more = [];
            for (const i of range(24)) {
                const r = await client.im.chat.create({ data: { name: `SDK bulk ${pad(i)}` } });
                assert.equal(r.code, 0);
                more.push(r.data.chat_id);
            }
            const all = [chatId, ...more];
            const pages10 = await pagesOf(await client.im.chat.listWithIterator({ params: { page_size: 10 } }), 'list page_size 10');
            assert.deepEqual(pages10.map((p) => p.items.length), [10, 10, 5]);
            assert.deepEqual(pages10.flatMap((p) => p.items.map((i) => i.chat_id)), all, 'every chat once, creation order');
            const pagesDefault = await pagesOf(await client.im.chat.listWithIterator({}), 'list default size');
            assert.deepEqual(pagesDefault.map((p) => p.items.length), [20, 5], 'default page_size 20');
            const pagesDesc = await pagesOf(await client.im.chat.listWithIterator({ params: { page_size: 7, sort_type: 'ByActiveTimeDesc' } }), 'list ByActiveTimeDesc');
            const descIds = pagesDesc.flatMap((p) => p.items.map((i) => i.chat_id));
            assert.deepEqual([...descIds].sort(), [...all].sort(), 'ByActiveTimeDesc: every chat once');
            // One page by hand, too.
            const one = await client.im.chat.list({ params: { page_size: 3 } });
            assert.equal(one.code, 0);
            assert.equal(one.data.items.length, 3);
            assert.equal(one.data.has_more, true);
            assert.equal(typeof one.data.page_token, 'string');

            // search
            const found = await client.im.chat.search({ params: { query: 'renamed' } });
            assert.equal(found.code, 0);
            assert.deepEqual(found.data.items.map((i) => i.chat_id), [chatId]);
            const bulkPages = await pagesOf(await client.im.chat.searchWithIterator({ params: { query: 'sdk bulk', page_size: 10 } }), 'search iterator');
            assert.deepEqual(bulkPages.flatMap((p) => p.items.map((i) => i.chat_id)).sort(), [...more].sort());

            // moderation
            const mod = await client.im.chatModeration.update({
                path: { chat_id: chatId },
                params: { user_id_type: 'open_id' },
                data: { moderation_setting: 'moderator_list', moderator_added_list: [ww.open(APP1)] },
            });
            assert.equal(mod.code, 0, JSON.stringify(mod));
            const modGet = await client.im.chatModeration.get({ path: { chat_id: chatId }, params: { user_id_type: 'user_id' } });
            assert.equal(modGet.data.moderation_setting, 'moderator_list');
            assert.deepEqual(modGet.data.items.map((i) => i.user_id), ['wangwu']);

            // share link
            const link = await client.im.chat.link({ path: { chat_id: chatId }, data: { validity_period: 'permanently' } });
            assert.equal(link.code, 0);
            assert.equal(link.data.is_permanent, true);
            assert.equal(link.data.expire_time, '0');
            assert.equal(typeof link.data.share_link, 'string');

            // top notice
            const put = await client.im.chatTopNotice.putTopNotice({ path: { chat_id: chatId }, data: { chat_top_notice: [{ action_type: '2' }] } });
            assert.equal(put.code, 0);
            const del = await client.im.chatTopNotice.deleteTopNotice({ path: { chat_id: chatId } });
            assert.equal(del.code, 0);

            // An error surfaces as a rejected promise carrying the Feishu body and log id.
            const err = await rejection(client.im.chat.get({ path: { chat_id: 'oc_00000000000000000000000000000000' } }), 'get unknown');
            assert.equal(err.status, 400);
            assert.equal(err.data.code, 232006);
            assert.equal(err.data.error.log_id, err.headers['x-tt-logid']);

            // --- as a user: the token comes from the OAuth flow ---
            const userTok = await userToken(srv, APP1, 'wangwu');
            const asUser = lark.withUserAccessToken(userTok);
            const mine = await client.im.chat.create({ params: { user_id_type: 'user_id' }, data: { name: 'Wang Wu via SDK', user_id_list: ['zhaoliu'] } }, asUser);
            assert.equal(mine.code, 0, JSON.stringify(mine));
            assert.equal(mine.data.owner_id, 'wangwu');
            const userPages = await pagesOf(await client.im.chat.listWithIterator({ params: { page_size: 1, user_id_type: 'user_id' } }, asUser), 'user list');
            const userChats = userPages.flatMap((p) => p.items.map((i) => i.chat_id));
            assert.deepEqual(userChats, [chatId, mine.data.chat_id], 'the user lists the chats he is in');
            const ug = await client.im.chat.get({ path: { chat_id: mine.data.chat_id }, params: { user_id_type: 'user_id' } }, asUser);
            assert.equal(ug.data.owner_id, 'wangwu');
            const uu = await client.im.chat.update({ path: { chat_id: mine.data.chat_id }, data: { description: 'his' } }, asUser);
            assert.equal(uu.code, 0);
            // A member who is not the owner cannot disband the bot's chat.
            const refused = await rejection(client.im.chat.delete({ path: { chat_id: chatId } }, asUser), 'member disbands');
            assert.equal(refused.data.code, 232017);
            // The owner can disband his own.
            const ud = await client.im.chat.delete({ path: { chat_id: mine.data.chat_id } }, asUser);
            assert.equal(ud.code, 0);

            // disband (as the bot, the creator)
            const gone = await client.im.chat.delete({ path: { chat_id: chatId } });
            assert.equal(gone.code, 0);
            assert.deepEqual(gone.data, {});
            const after = await rejection(client.im.chat.get({ path: { chat_id: chatId } }), 'get after disband');
            assert.equal(after.status, 400);
            assert.equal(after.data.code, 232009);
            const left = await pagesOf(await client.im.chat.listWithIterator({ params: { page_size: 100 } }), 'list after disband');
            assert.deepEqual(left.flatMap((p) => p.items.map((i) => i.chat_id)), more);
        });
    });

    it('the SDK fetches the tenant token once and reuses it', T, async () => {
        await withFeishuServer(async (srv) => {
            const log = [];
            const client = sdkClient(srv, { cache: new lark.DefaultCache(), httpInstance: recordingHttp(log) });
            for (const i of range(3)) {
                const r = await client.im.chat.create({ data: { name: `cached ${i}` } });
                assert.equal(r.code, 0);
            }
            const l = await client.im.chat.list({});
            assert.equal(l.data.items.length, 3);
            const tokenCalls = log.filter((x) => x.startsWith('POST /open-apis/auth/v3/tenant_access_token/internal'));
            assert.equal(tokenCalls.length, 1, `token requests: ${JSON.stringify(log)}`);
            assert.equal(log.length, 5, `requests: ${JSON.stringify(log)}`);

            // The SDK's explicit auth helpers read the flat bodies.
            const t = await client.auth.tenantAccessToken.internal({ data: { app_id: APP1.app_id, app_secret: APP1.app_secret } });
            assert.equal(t.code, 0);
            assert.match(t.tenant_access_token, /^t-/);
            const a = await client.auth.appAccessToken.internal({ data: { app_id: APP1.app_id, app_secret: APP1.app_secret } });
            assert.equal(a.code, 0);
            assert.match(a.app_access_token, /^t-/);
            assert.notEqual(a.app_access_token, t.tenant_access_token);

            // A wrong secret: the SDK's token request fails, so does the call.
            const bad = sdkClient(srv, { appSecret: 'wrong', loggerLevel: lark.LoggerLevel.fatal, cache: new lark.DefaultCache() });
            await assert.rejects(bad.im.chat.list({}), 'no token, no call');
        });
    });
});
