// tests/http/token_grants.test.mjs - the token endpoints that hand a valid token out
// again (WeCom gettoken, Feishu tenant_access_token/internal and
// app_access_token/internal) answer a repeated request from a read, or from this node's
// grant cache (svc_gcache.c; on PostgreSQL by the data version): these pin that such an answer is exactly what
// the store holds. Asked three times (issued; read back; then cached), the token is the
// same and counts down with the server clock; at the policy's limit a new one is issued;
// a credential removed or changed, and a token deleted by a tenant reset, are never
// answered from what a node kept. Both backends; two nodes on one PostgreSQL database
// hand out and accept each other's tokens, and what one keeps never outlives a change
// made through the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminSeed, advanceClock, dbOf, waitFor, withServer } from './lib/server.mjs';
import { ACME, getToken, kf } from './lib/wecom.mjs';
import { APP1, appTokenRes, fs as fsCall, tenantTokenRes } from './lib/feishu.mjs';

const T = { timeout: 120_000 };
const PG = process.env.QUNZU_TEST_PG;
const pgOnly = PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';

async function gettoken(srv, corpid, secret) {
    const res = await srv.request('GET', `/cgi-bin/gettoken?corpid=${encodeURIComponent(corpid)}&corpsecret=${encodeURIComponent(secret)}`);
    return res.json;
}

async function wecomWorks(srv, token) {
    return (await kf(srv, 'list_group', token, { limit: 10 })).errcode === 0;
}

async function feishuWorks(srv, token) {
    return (await fsCall(srv, 'GET', '/open-apis/im/v1/chats', token)).json.code === 0;
}

async function admin(srv, method, p) {
    return srv.request(method, p, { headers: ADMIN_HEADERS });
}

test('gettoken: the same token three times, counting down; a new one at expiry; the old one refused', T, async () => {
    await withServer({}, async (srv) => {
        const first = await gettoken(srv, ACME.corpid, ACME.secret);
        assert.equal(first.errcode, 0, JSON.stringify(first));
        assert.equal(first.expires_in, 7200);
        for (let i = 0; i < 3; i++) {
            const j = await gettoken(srv, ACME.corpid, ACME.secret);
            assert.equal(j.access_token, first.access_token, `ask ${i + 2}`);
            assert.ok(j.expires_in > 7100 && j.expires_in <= 7200, `expires_in ${j.expires_in}`);
        }
        // The other secret of the corp, and a wrong one, after the first was kept.
        const other = await gettoken(srv, ACME.corpid, ACME.secret2);
        assert.equal(other.errcode, 0);
        assert.notEqual(other.access_token, first.access_token);
        assert.equal((await gettoken(srv, ACME.corpid, ACME.secret2)).access_token, other.access_token);
        assert.equal((await gettoken(srv, ACME.corpid, `${ACME.secret}x`)).errcode, 40001);
        assert.equal((await gettoken(srv, ACME.corpid, ACME.secret.slice(0, -1))).errcode, 40001);
        assert.equal((await gettoken(srv, 'wwglobex', ACME.secret)).errcode, 40091);

        await advanceClock(srv, 7000);
        let j = await gettoken(srv, ACME.corpid, ACME.secret);
        assert.equal(j.access_token, first.access_token);
        assert.ok(j.expires_in > 100 && j.expires_in <= 200, `expires_in ${j.expires_in}`);
        assert.ok(await wecomWorks(srv, first.access_token));

        await advanceClock(srv, 205);
        j = await gettoken(srv, ACME.corpid, ACME.secret);
        assert.notEqual(j.access_token, first.access_token, 'expired: a new token');
        assert.equal(j.expires_in, 7200);
        assert.equal((await gettoken(srv, ACME.corpid, ACME.secret)).access_token, j.access_token);
        assert.equal((await gettoken(srv, ACME.corpid, ACME.secret)).access_token, j.access_token);
        assert.ok(!(await wecomWorks(srv, first.access_token)), 'the old token expired');
        assert.ok(await wecomWorks(srv, j.access_token));
    });
});

test('Feishu tenant and app tokens: the same three times; a new one below 30 minutes', T, async () => {
    await withServer({}, async (srv) => {
        const t1 = await tenantTokenRes(srv, APP1);
        const a1 = await appTokenRes(srv, APP1);
        assert.equal(a1.code, 0, JSON.stringify(a1));
        assert.notEqual(a1.app_access_token, t1.tenant_access_token);
        assert.equal(a1.tenant_access_token, t1.tenant_access_token, 'the app call hands out the tenant token too');
        for (let i = 0; i < 3; i++) {
            assert.equal((await tenantTokenRes(srv, APP1)).tenant_access_token, t1.tenant_access_token);
            const a = await appTokenRes(srv, APP1);
            assert.equal(a.app_access_token, a1.app_access_token);
            assert.equal(a.tenant_access_token, t1.tenant_access_token);
        }
        const wrong = await srv.request('POST', '/open-apis/auth/v3/tenant_access_token/internal', {
            body: { app_id: APP1.app_id, app_secret: `${APP1.app_secret}x` },
        });
        assert.notEqual(wrong.json.code, 0, wrong.body);

        await advanceClock(srv, 7200 - 1790);
        const t2 = await tenantTokenRes(srv, APP1);
        assert.notEqual(t2.tenant_access_token, t1.tenant_access_token);
        assert.equal(t2.expire, 7200);
        const a2 = await appTokenRes(srv, APP1);
        assert.notEqual(a2.app_access_token, a1.app_access_token);
        assert.equal(a2.tenant_access_token, t2.tenant_access_token);
        assert.equal((await tenantTokenRes(srv, APP1)).tenant_access_token, t2.tenant_access_token);
        assert.ok(await feishuWorks(srv, t1.tenant_access_token), 'the old one still valid');
        assert.ok(await feishuWorks(srv, t2.tenant_access_token));
    });
});

test('a node keeps nothing past a change: a new app secret, a reset tenant, a deleted one', T, async () => {
    await withServer({}, async (srv) => {
        const wtok = await getToken(srv, ACME);
        await getToken(srv, ACME);
        const t1 = (await tenantTokenRes(srv, APP1)).tenant_access_token;
        await tenantTokenRes(srv, APP1);
        assert.equal((await tenantTokenRes(srv, APP1)).tenant_access_token, t1);

        // A new secret for the app: the old one is refused, the new one gets the app's token.
        await adminSeed(srv, { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: 'rotated-secret' }] } }] });
        const old = await srv.request('POST', '/open-apis/auth/v3/tenant_access_token/internal', { body: { app_id: APP1.app_id, app_secret: APP1.app_secret } });
        assert.notEqual(old.json.code, 0, `the old secret after the change: ${old.body}`);
        const rotated = { ...APP1, app_secret: 'rotated-secret' };
        assert.equal((await tenantTokenRes(srv, rotated)).tenant_access_token, t1);
        assert.equal((await tenantTokenRes(srv, rotated)).tenant_access_token, t1);

        // A reset deletes the tokens: the next ones are new, and work.
        const res = await admin(srv, 'POST', '/admin/v1/tenants/Acme/reset');
        assert.equal(res.status, 200, res.body);
        const wtok2 = await getToken(srv, ACME);
        assert.notEqual(wtok2, wtok, 'gettoken after a reset');
        assert.ok(await wecomWorks(srv, wtok2));
        assert.equal(await getToken(srv, ACME), wtok2);
        const t2 = (await tenantTokenRes(srv, rotated)).tenant_access_token;
        assert.notEqual(t2, t1, 'tenant token after a reset');
        assert.ok(await feishuWorks(srv, t2));
        assert.equal((await tenantTokenRes(srv, rotated)).tenant_access_token, t2);

        // The same for a tenant with WeCom alone (no Feishu app row changes with it).
        const INITECH = { corpid: 'wwinitech', secret: 'initech-kf-secret' };
        await adminSeed(srv, { tenants: [{ name: 'Initech', wecom: { corpid: INITECH.corpid, secrets: [INITECH.secret] } }] });
        const i1 = await getToken(srv, INITECH);
        assert.equal(await getToken(srv, INITECH), i1);
        assert.equal(await getToken(srv, INITECH), i1);
        assert.equal((await admin(srv, 'POST', '/admin/v1/tenants/Initech/reset')).status, 200);
        const i2 = await getToken(srv, INITECH);
        assert.notEqual(i2, i1, 'gettoken after a reset of a WeCom-only tenant');
        assert.ok(await wecomWorks(srv, i2));
        assert.equal(await getToken(srv, INITECH), i2);
        assert.equal((await admin(srv, 'DELETE', '/admin/v1/tenants/Initech')).status, 200);
        assert.equal((await gettoken(srv, INITECH.corpid, INITECH.secret)).errcode, 40013);

        // A deleted tenant's credentials are refused at once.
        const del = await admin(srv, 'DELETE', '/admin/v1/tenants/Acme');
        assert.equal(del.status, 200, del.body);
        assert.equal((await gettoken(srv, ACME.corpid, ACME.secret)).errcode, 40013);
        const gone = await srv.request('POST', '/open-apis/auth/v3/tenant_access_token/internal', { body: { app_id: APP1.app_id, app_secret: 'rotated-secret' } });
        assert.notEqual(gone.json.code, 0, gone.body);
    });
});

test('two nodes, one database: each hands out and accepts the token the other issued', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withServer({}, async (a) => {
        await withServer({ db: dbOf(a) }, async (b) => {
            const w = await getToken(a, ACME);
            assert.equal(await getToken(b, ACME), w);
            assert.equal(await getToken(b, ACME), w);
            assert.ok(await wecomWorks(b, w));
            const t = (await tenantTokenRes(b, APP1)).tenant_access_token;
            assert.equal((await tenantTokenRes(a, APP1)).tenant_access_token, t);
            assert.ok(await feishuWorks(a, t));

            // Past its expiry (the clock is shared: each node reads it within a second),
            // B issues a new token, and A hands out that one.
            await advanceClock(a, 7201);
            let w2;
            await waitFor(async () => {
                w2 = await getToken(b, ACME);
                return w2 !== w;
            }, { timeoutMs: 5000 });
            await waitFor(async () => (await getToken(a, ACME)) === w2, { timeoutMs: 5000 });
            assert.ok(await wecomWorks(a, w2));
            assert.ok(!(await wecomWorks(a, w)));
        });
    });
});

// PostgreSQL nodes keep granted tokens too, by the data version every node's commits
// move: a change acknowledged by one node holds for the very next request on the other.
test('two nodes, one database: a token one node kept never outlives a change made through the other', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withServer({}, async (a) => {
        await withServer({ db: dbOf(a) }, async (b) => {
            for (let round = 0; round < 3; round++) {
                const w = await getToken(b, ACME);
                assert.equal(await getToken(b, ACME), w);
                assert.equal(await getToken(b, ACME), w, `round ${round}: kept on B`);
                const t = (await tenantTokenRes(b, APP1)).tenant_access_token;
                assert.equal((await tenantTokenRes(b, APP1)).tenant_access_token, t);

                // Through A, the app's secret replaced: B refuses the old one at once.
                const appSecret = `rotated-${round}`;
                await adminSeed(a, { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: appSecret }] } }] });
                const old = await b.request('POST', '/open-apis/auth/v3/tenant_access_token/internal', { body: { app_id: APP1.app_id, app_secret: APP1.app_secret } });
                assert.notEqual(old.json.code, 0, `round ${round}: B, the old app secret: ${old.body}`);
                const app = { ...APP1, app_secret: appSecret };
                assert.equal((await tenantTokenRes(b, app)).tenant_access_token, t, `round ${round}: the tenant's token for the new secret`);

                // A reset through A deletes the tokens: B hands out new ones at once.
                assert.equal((await admin(a, 'POST', '/admin/v1/tenants/Acme/reset')).status, 200);
                const w2 = await getToken(b, ACME);
                assert.notEqual(w2, w, `round ${round}: B after A's reset`);
                assert.ok(await wecomWorks(a, w2));
                const t2 = (await tenantTokenRes(b, app)).tenant_access_token;
                assert.notEqual(t2, t, `round ${round}: B's tenant token after A's reset`);
                // Back to the app's first secret for the next round.
                await adminSeed(a, { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: APP1.app_secret }] } }] });
                assert.equal((await tenantTokenRes(b, APP1)).tenant_access_token, t2, `round ${round}: B, the first secret again`);
            }
        });
    });
});
