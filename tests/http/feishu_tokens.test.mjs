// Feishu tokens ("自建应用获取 tenant_access_token", "自建应用获取 app_access_token"): the 2-hour lifetime and the 30-minute rule of
// tenant_access_token and app_access_token, moved through with POST /admin/v1/clock;
// the user_access_token flow (admin authorization code → /authen/v2/oauth/token →
// refresh) and expiry. Exact bytes of each endpoint: tests/http/feishu/token_*.case,
// oauth_*.case.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    APP1, APP2, GAPP, withFeishuServer, tokenCall, tenantTokenRes, tenantToken, appTokenRes,
    authorizeCode, oauthToken, userTokenRes, advanceClock, call, assertOk, assertErr, CHATS, LOGID_RE,
} from './lib/feishu.mjs';
import { ADMIN_TOKEN } from './lib/server.mjs';

const T = { timeout: 120_000 };

// A token works on a business API (list: allowed for every principal).
async function works(srv, token, what) {
    assertOk(await call(srv, 'GET', CHATS, token), what);
}
async function rejected(srv, token, code, what) {
    assertErr(await call(srv, 'GET', CHATS, token), code, what);
}

describe('feishu tokens', () => {
    it('tenant_access_token: same token while >= 30 min remain, a new one below, the old one valid until it expires', T, async () => {
        await withFeishuServer(async (srv) => {
            const first = await tenantTokenRes(srv, APP1);
            assert.deepEqual(Object.keys(first).sort(), ['code', 'expire', 'msg', 'tenant_access_token']);
            assert.equal(first.msg, 'ok');
            assert.equal(first.expire, 7200);
            const t1 = first.tenant_access_token;
            assert.match(t1, /^t-[!-~]+$/);

            // Remaining lifetime counts down with the server clock.
            await advanceClock(srv, 3600);
            let j = await tenantTokenRes(srv, APP1);
            assert.equal(j.tenant_access_token, t1, 'an hour later: same token');
            assert.ok(j.expire >= 3590 && j.expire <= 3600, `expire after 1 h: ${j.expire}`);

            // 1810 s left (>= 1800): still the same token.
            await advanceClock(srv, 1790);
            j = await tenantTokenRes(srv, APP1);
            assert.equal(j.tenant_access_token, t1, 'with 1810 s left the token is reused');
            assert.ok(j.expire >= 1800 && j.expire <= 1810, `expire with ~1810 s left: ${j.expire}`);

            // 1790 s left (< 1800): a new token with a full lifetime.
            await advanceClock(srv, 20);
            j = await tenantTokenRes(srv, APP1);
            const t2 = j.tenant_access_token;
            assert.notEqual(t2, t1, 'below 30 minutes a new token is issued');
            assert.equal(j.expire, 7200);
            // Asking again returns the new one.
            j = await tenantTokenRes(srv, APP1);
            assert.equal(j.tenant_access_token, t2);

            // Both work until the old one's expiry.
            await works(srv, t1, 'old token before its expiry');
            await works(srv, t2, 'new token');
            await advanceClock(srv, 1780); // old one: ~10 s left
            await works(srv, t1, 'old token 10 s before its expiry');
            await advanceClock(srv, 20); // old one: expired
            await rejected(srv, t1, 99991663, 'old token after its expiry');
            await works(srv, t2, 'new token after the old one expired');

            // The new one expires 7200 s after it was issued.
            await advanceClock(srv, 7200 - 1800 + 5);
            await rejected(srv, t2, 99991663, 'new token after 2 h');
            const t3 = await tenantToken(srv, APP1);
            assert.ok(t3 !== t1 && t3 !== t2);
            await works(srv, t3, 'third token');
        });
    });

    it('tenant tokens are per app and per tenant', T, async () => {
        await withFeishuServer(async (srv) => {
            const a = await tenantToken(srv, APP1);
            const b = await tenantToken(srv, APP2);
            const g = await tenantToken(srv, GAPP);
            assert.equal(new Set([a, b, g]).size, 3, 'three apps, three tokens');
            // Trailing slash: the same endpoint, the same token.
            const slash = await srv.request('POST', '/open-apis/auth/v3/tenant_access_token/internal/', {
                body: { app_id: APP2.app_id, app_secret: APP2.app_secret },
            });
            assert.equal(slash.status, 200);
            assert.equal(slash.json.tenant_access_token, b);
            // Each token acts as its own bot: chats are not shared.
            const created = assertOk(await call(srv, 'POST', CHATS, a, { name: 'app one chat' }), 'create');
            const listB = assertOk(await call(srv, 'GET', CHATS, b), 'list as app 2');
            assert.ok(!listB.items.some((i) => i.chat_id === created.chat_id), 'app 2 bot is not in app 1 bot chat');
            const listA = assertOk(await call(srv, 'GET', CHATS, a), 'list as app 1');
            assert.deepEqual(listA.items.map((i) => i.chat_id), [created.chat_id]);
        });
    });

    it('token endpoint failures: HTTP 200, 10003 / 10014, data {}', T, async () => {
        await withFeishuServer(async (srv) => {
            for (const kind of ['tenant_access_token', 'app_access_token']) {
                const cases = [
                    [{ app_id: 'cli_unknown', app_secret: 'x' }, 10003, 'invalid param'],
                    [{ app_id: APP1.app_id }, 10003, 'invalid param'],
                    [{ app_secret: APP1.app_secret }, 10003, 'invalid param'],
                    [{}, 10003, 'invalid param'],
                    [{ app_id: APP1.app_id, app_secret: APP2.app_secret }, 10014, 'app secret invalid'],
                ];
                for (const [body, code, msg] of cases) {
                    const res = await tokenCall(srv, kind, body);
                    const what = `${kind} ${JSON.stringify(body)}`;
                    assert.equal(res.status, 200, `${what}: HTTP ${res.status} ${res.body}`);
                    assert.deepEqual(res.json, { code, msg, data: {} }, what);
                    assert.match(res.headers['content-type'], /^application\/json; charset=utf-8$/i, what);
                    assert.match(res.headers['x-tt-logid'] || '', LOGID_RE, `${what}: X-Tt-Logid`);
                }
            }
        });
    });

    it('app_access_token: flat body with both tokens, distinct, same 30-minute rule', T, async () => {
        await withFeishuServer(async (srv) => {
            const j = await appTokenRes(srv, APP1);
            assert.deepEqual(Object.keys(j).sort(), ['app_access_token', 'code', 'expire', 'msg', 'tenant_access_token']);
            assert.equal(j.msg, 'ok');
            assert.ok(Number.isInteger(j.expire) && j.expire > 7100 && j.expire <= 7200, `expire ${j.expire}`);
            assert.match(j.app_access_token, /^t-/);
            assert.match(j.tenant_access_token, /^t-/);
            assert.notEqual(j.app_access_token, j.tenant_access_token);
            await works(srv, j.tenant_access_token, 'tenant token from app_access_token');

            const again = await appTokenRes(srv, APP1);
            assert.equal(again.app_access_token, j.app_access_token, 'same app token while fresh');

            await advanceClock(srv, 7200 - 1790); // < 30 min left
            const renewed = await appTokenRes(srv, APP1);
            assert.notEqual(renewed.app_access_token, j.app_access_token, 'new app token below 30 min');
            assert.equal(renewed.expire, 7200);
            await works(srv, renewed.tenant_access_token, 'tenant token of the renewed call');
        });
    });

    it('user_access_token: code exchange, single-use code, refresh, expiry', T, async () => {
        await withFeishuServer(async (srv) => {
            const j = await userTokenRes(srv, APP1, 'zhangsan');
            assert.deepEqual(Object.keys(j).sort(), ['access_token', 'code', 'expires_in', 'refresh_token', 'refresh_token_expires_in', 'scope', 'token_type']);
            assert.equal(j.expires_in, 7200);
            assert.equal(j.refresh_token_expires_in, 2592000);
            assert.equal(j.token_type, 'Bearer');
            assert.match(j.access_token, /^u-/);
            assert.match(j.refresh_token, /^ur-/);
            await works(srv, j.access_token, 'user token');

            // Two codes for the same person give two different tokens.
            const k = await userTokenRes(srv, APP1, 'zhangsan');
            assert.notEqual(k.access_token, j.access_token);

            // A code is single use.
            const code = await authorizeCode(srv, APP1, 'wangwu');
            const body = { grant_type: 'authorization_code', client_id: APP1.app_id, client_secret: APP1.app_secret, code };
            const ok = await oauthToken(srv, body);
            assert.equal(ok.status, 200, ok.body);
            const reuse = await oauthToken(srv, body);
            assert.equal(reuse.status, 400, reuse.body);
            assert.equal(reuse.json.code, 20003);
            assert.equal(reuse.json.error, 'invalid_grant');
            assert.equal(typeof reuse.json.error_description, 'string');

            // A code minted for app 1 is not app 2's.
            const code1 = await authorizeCode(srv, APP1, 'wangwu');
            const cross = await oauthToken(srv, { grant_type: 'authorization_code', client_id: APP2.app_id, client_secret: APP2.app_secret, code: code1 });
            assert.equal(cross.status, 400, `code of app 1 redeemed by app 2: ${cross.body}`);
            assert.ok(['invalid_grant', 'invalid_client'].includes(cross.json?.error), cross.body);

            // Wrong secret → 20002 invalid_client.
            const bad = await oauthToken(srv, { grant_type: 'authorization_code', client_id: APP1.app_id, client_secret: 'nope', code: code1 });
            assert.equal(bad.status, 400);
            assert.equal(bad.json.code, 20002);
            assert.equal(bad.json.error, 'invalid_client');

            // Expiry: 99991668 after 2 h; the refresh token (30 days) still works.
            await advanceClock(srv, 7201);
            await rejected(srv, j.access_token, 99991668, 'expired user token');
            const r = await oauthToken(srv, { grant_type: 'refresh_token', client_id: APP1.app_id, client_secret: APP1.app_secret, refresh_token: j.refresh_token });
            assert.equal(r.status, 200, r.body);
            assert.equal(r.json.code, 0);
            assert.match(r.json.access_token, /^u-/);
            assert.notEqual(r.json.access_token, j.access_token);
            assert.notEqual(r.json.refresh_token, j.refresh_token);
            assert.equal(r.json.expires_in, 7200);
            await works(srv, r.json.access_token, 'refreshed user token');
            // The refreshed token still acts as Zhang San.
            const mine = assertOk(await call(srv, 'POST', `${CHATS}?user_id_type=user_id`, r.json.access_token, { name: 'mine' }), 'create as refreshed user');
            assert.equal(mine.owner_id, 'zhangsan');
            // Single use.
            const again = await oauthToken(srv, { grant_type: 'refresh_token', client_id: APP1.app_id, client_secret: APP1.app_secret, refresh_token: j.refresh_token });
            assert.equal(again.status, 400, again.body);
            assert.equal(again.json.code, 20026);
            assert.equal(again.json.error, 'invalid_grant');
        });
    });

    it('a tenant token is not a user token and vice versa: unknown look-alikes', T, async () => {
        await withFeishuServer(async (srv) => {
            const t = await tenantToken(srv, APP1);
            const u = (await userTokenRes(srv, APP1, 'zhangsan')).access_token;
            await rejected(srv, `${t}x`, 99991663, 'tenant token with a suffix');
            await rejected(srv, `${u}x`, 99991668, 'user token with a suffix');
            await rejected(srv, 'u-' + t.slice(2), 99991668, 'tenant token body with a u- prefix');
            await rejected(srv, 't-' + u.slice(2), 99991663, 'user token body with a t- prefix');
            // A real token without the "Bearer " prefix is no token: 99991661.
            assertErr(await call(srv, 'GET', CHATS, null, undefined, { headers: { Authorization: t } }), 99991661, 'no Bearer prefix');
        });
    });

    it('the admin authorize call: admin token required, unknown app or person refused', T, async () => {
        await withFeishuServer(async (srv) => {
            const post = (body, auth = true) =>
                srv.request('POST', '/admin/v1/feishu/authorize', { body, headers: auth ? { Authorization: `Bearer ${ADMIN_TOKEN}` } : {} });
            assert.equal((await post({ app_id: APP1.app_id, user_id: 'zhangsan' }, false)).status, 401);
            const unknownApp = await post({ app_id: 'cli_unknown', user_id: 'zhangsan' });
            assert.ok(unknownApp.status >= 400 && unknownApp.status < 500, `unknown app: ${unknownApp.status}`);
            const unknownUser = await post({ app_id: APP1.app_id, user_id: 'nobody' });
            assert.ok(unknownUser.status >= 400 && unknownUser.status < 500, `unknown user: ${unknownUser.status}`);
            // A person of another tenant cannot log in to Acme's app.
            const foreign = await post({ app_id: APP1.app_id, user_id: 'lisi' });
            assert.ok(foreign.status >= 400 && foreign.status < 500, `Globex person on an Acme app: ${foreign.status}`);
        });
    });
});
