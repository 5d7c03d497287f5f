// Udesk v2 signed requests ("General instructions"): the signature on every
// method, each broken part with its documented code, the ±5-minute timestamp window
// both ways, single-use nonces (15 minutes), the company found from the admin e-mail
// and the Host subdomain, and POST /open_api_v1/log_in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { withServer, request, waitFor, adminSeed, advanceClock } from '../lib/server.mjs';
import { ACME, GLOBEX, INITECH, SEED, udesk, udJson, assertUdErr, signV2, newNonce } from '../lib/udesk.mjs';

const LIST = '/open_api_v1/knowledge_catalogs';
const listQuery = { knowledge_type_name: 'question', agent_id: 0 };
const opts = { seed: SEED };

async function listWith(c, auth, extra = {}) {
    return udJson(await c.call('GET', LIST, { query: listQuery, auth, ...extra }), `list ${JSON.stringify(auth)}`);
}

test('every method carries the signature in its query string', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const id = await c.createOk({ name: 'Q', knowledge_type_name: 'question', agent_id: 0 });
        assert.equal((await c.update(id, { name: 'Q2', agent_id: 0 })).code, 1000);
        assert.equal((await c.list('question', 0)).code, 1000);
        assert.equal((await c.remove(id, 0)).code, 1000);

        // Without the signature parameters, no method gets through (no e-mail: 2015).
        const kc = { knowledge_catalog: { name: 'x', knowledge_type_name: 'question', agent_id: 0 } };
        for (const [method, path, body] of [
            ['GET', `${LIST}?knowledge_type_name=question&agent_id=0`],
            ['POST', LIST, kc],
            ['PUT', `${LIST}/${id}`, kc],
            ['DELETE', `${LIST}/${id}`, kc],
        ]) {
            assertUdErr(udJson(await request(srv, method, path, { body }), method), 2015, undefined, method);
        }
        // The signature in the body does not count: only the query is read.
        const ts = String(c.now());
        const nonce = newNonce();
        const inBody = { ...kc, email: ACME.email, timestamp: ts, nonce, sign: signV2(ACME.email, ACME.token, ts, nonce), sign_version: 'v2' };
        assertUdErr(udJson(await request(srv, 'POST', LIST, { body: inBody })), 2015);
        assert.deepEqual(await c.listOk('question', 0), []);
    });
});

test('each broken part of the signature gets its documented code', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const now = c.now();
        const cases = [
            // [what, auth overrides, code]
            ['no email', { email: null }, 2015],
            ['unknown email', { email: 'nobody@acme.test' }, 2015],
            ["signed with another company's token", { token: GLOBEX.token }, 2059],
            ['no timestamp', { timestamp: null }, 20621],
            ['empty timestamp', { timestamp: '' }, 20621],
            ['timestamp not a number', { timestamp: 'yesterday' }, 20621],
            ['timestamp with a fraction', { timestamp: `${now}.5` }, 20621],
            ['timestamp in milliseconds', { timestamp: `${now}000` }, 20622],
            ['negative timestamp', { timestamp: '-5' }, 20622],
            ['no nonce', { nonce: null }, 20624],
            ['empty nonce', { nonce: '' }, 20624],
            ['nonce over 128 bytes', { nonce: 'n'.repeat(129) }, 20624],
            ['no sign', { sign: null }, 2059],
            ['wrong sign', { sign: 'f'.repeat(64) }, 2059],
            ['sign of another token', { sign: signV2(ACME.email, GLOBEX.token, String(now), 'zz') }, 2059],
            ['SHA-1 sign (pre-v2 scheme)', { sign: 'a'.repeat(40) }, 2059],
            ['no sign_version', { sign_version: null }, 2059],
            ['sign_version v1', { sign_version: 'v1' }, 2059],
            // Order ("General instructions"): company, parameters, timestamp window, signature.
            ['bad timestamp and bad sign', { timestamp: 'x', sign: 'bad' }, 20621],
            ['stale timestamp and bad sign', { timestamp: String(now - 3600), sign: 'bad' }, 20622],
            ['no nonce and bad sign', { nonce: null, sign: 'bad' }, 20624],
        ];
        for (const [what, auth, code] of cases) {
            assertUdErr(await listWith(c, auth), code, undefined, what);
        }
        assertUdErr(await listWith(c, { sign: null }), 2059, 'open api签名不对');

        // Accepted: upper-case hex, a 128-byte nonce, a unix time as nonce.
        const ts = String(c.now());
        const n1 = newNonce();
        assert.equal((await listWith(c, { timestamp: ts, nonce: n1, sign: signV2(ACME.email, ACME.token, ts, n1).toUpperCase() })).code, 1000);
        assert.equal((await listWith(c, { nonce: 'n'.repeat(128) })).code, 1000);
        assert.equal((await listWith(c, { nonce: String(c.now()) })).code, 1000);
        // The e-mail may come percent-encoded; it is signed decoded.
        const n2 = newNonce();
        const q = `email=admin%40acme.test&timestamp=${ts}&nonce=${n2}&sign=${signV2(ACME.email, ACME.token, ts, n2)}&sign_version=v2&knowledge_type_name=question`;
        assert.equal(udJson(await request(srv, 'GET', `${LIST}?${q}`)).code, 1000);
    });
});

test('timestamps more than 5 minutes from the server clock, either way, are refused', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const at = (delta) => listWith(c, { timestamp: String(c.now() + delta) });
        // A second of margin on each side of the 300 s bound: the clocks tick apart.
        for (const d of [-295, -60, 0, 60, 295]) assert.equal((await at(d)).code, 1000, `skew ${d}`);
        for (const d of [-305, -3600, 305, 3600]) assertUdErr(await at(d), 20622, undefined, `skew ${d}`);

        // The server clock moves ahead: a client on wall time is now behind it.
        await advanceClock(srv, 600);
        assertUdErr(await at(0), 20622, undefined, 'client 600 s behind');
        await c.syncClock();
        assert.equal(c.offset >= 599 && c.offset <= 601, true, `offset ${c.offset}`);
        assert.equal((await at(0)).code, 1000, 'client following the server clock');
        assert.equal((await at(-295)).code, 1000);
        assertUdErr(await at(-305), 20622, undefined, 'client behind the moved clock');
        assertUdErr(await at(305), 20622, undefined, 'client ahead of the moved clock');
    });
});

test('a nonce is single-use for 15 minutes', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        // The very same request twice, on GET and on POST.
        const first = await c.call('GET', LIST, { query: listQuery });
        assert.equal(udJson(first).code, 1000);
        assertUdErr(udJson(await c.replay(first, 'GET')), 20623, 'nonce在15分钟内已被使用');
        const body = { knowledge_catalog: { name: 'once', knowledge_type_name: 'question', agent_id: 0 } };
        const created = await c.call('POST', LIST, { body });
        assert.equal(udJson(created).code, 1000);
        assertUdErr(udJson(await c.replay(created, 'POST', body)), 20623);
        assert.deepEqual((await c.listOk('question', 0)).map((n) => n.name), ['once'], 'the replay created nothing');

        // The same nonce with a new timestamp and a fresh signature is still a replay.
        const nonce = first.sent.nonce;
        assertUdErr(await listWith(c, { nonce, timestamp: String(c.now() + 1) }), 20623);
        // Nonces are per company: Globex may use Acme's.
        assert.equal((await listWith(udesk(srv, GLOBEX, { host: 'globex.udesk.cn' }), { nonce })).code, 1000);

        // A request that fails after its signature verified still uses its nonce.
        const bad = await c.call('POST', LIST, { body: { knowledge_catalog: { name: 'x', knowledge_type_name: 'nope', agent_id: 0 } } });
        assertUdErr(udJson(bad), 2005);
        assertUdErr(udJson(await c.replay(bad, 'GET')), 20623, undefined, 'nonce of a failed request');
        // One whose signature failed does not: the genuine request then goes through.
        const n3 = newNonce();
        assertUdErr(await listWith(c, { nonce: n3, sign: 'bad' }), 2059);
        assert.equal((await listWith(c, { nonce: n3 })).code, 1000);

        // Ten copies of one signed request at once: exactly one is served.
        const ts = String(c.now());
        const n4 = newNonce();
        const q = `email=${encodeURIComponent(ACME.email)}&timestamp=${ts}&nonce=${n4}&sign=${signV2(ACME.email, ACME.token, ts, n4)}&sign_version=v2&knowledge_type_name=question`;
        const agent = new http.Agent({ keepAlive: false, maxSockets: 10 });
        try {
            const all = await Promise.all(Array.from({ length: 10 }, () => request(srv, 'GET', `${LIST}?${q}`, { agent })));
            const codes = all.map((r) => udJson(r).code).sort();
            assert.deepEqual(codes, [1000, ...Array(9).fill(20623)]);
        } finally {
            agent.destroy();
        }

        // After 15 minutes the nonce is forgotten (and purged): usable again. The clock
        // counts whole seconds and real time passes too, so the "still used" check
        // keeps a few seconds' margin (899 failed when the test straddled a second).
        await advanceClock(srv, 895);
        await c.syncClock();
        assertUdErr(await listWith(c, { nonce }), 20623, undefined, 'after 895 s');
        await advanceClock(srv, 6);
        await c.syncClock();
        assert.equal((await listWith(c, { nonce })).code, 1000, 'after 901 s');
        assertUdErr(await listWith(c, { nonce }), 20623, undefined, 'and used again');
    });
});

test('the company comes from the admin e-mail and the Host subdomain', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const acme = udesk(srv, ACME);
        await acme.createOk({ name: 'acme catalog', knowledge_type_name: 'question', agent_id: 0 });
        const host = (h, company = ACME) => udesk(srv, company, { host: h });

        assert.equal((await host('acme.udesk.cn').listOk('question', 0)).length, 1);
        assert.equal((await host('ACME.Udesk.CN:443').listOk('question', 0)).length, 1);
        // Other Hosts (an IP, localhost, qunzu's own domain) carry no subdomain.
        assert.equal((await host('qunzu.example.com').listOk('question', 0)).length, 1);
        assert.equal((await host('localhost:8080').listOk('question', 0)).length, 1);
        assertUdErr(await host('nope.udesk.cn').list('question', 0), 2002, '无效的子域名');
        assertUdErr(await host('globex.udesk.cn').list('question', 0), 2015, undefined, "Acme's admin on Globex's subdomain");

        // One admin runs Globex and Initech: the e-mail alone is ambiguous.
        assertUdErr(await udesk(srv, GLOBEX).list('question', 0), 2002);
        assert.deepEqual(await host('globex.udesk.cn', GLOBEX).listOk('question', 0), []);
        assert.deepEqual(await host('initech.udesk.cn', INITECH).listOk('question', 0), []);
        assertUdErr(await host('initech.udesk.cn', GLOBEX).list('question', 0), 2059, undefined, "Globex's token on Initech");

        // A '+' in an e-mail must be sent as %2B: a bare '+' reads as a space.
        const plus = { email: 'ops+udesk@plus.test', token: 'plus-token' };
        await adminSeed(srv, { tenants: [{ name: 'Plus', udesk: { subdomain: 'plus', admin_email: plus.email, api_token: plus.token } }] });
        assert.deepEqual(await udesk(srv, plus).listOk('question', 0), []);
        const ts = String(acme.now());
        const raw = `${LIST}?email=ops+udesk@plus.test&timestamp=${ts}&nonce=n-plus&sign=${signV2(plus.email, plus.token, ts, 'n-plus')}&sign_version=v2&knowledge_type_name=question`;
        assertUdErr(udJson(await request(srv, 'GET', raw)), 2015);
    });
});

test('a company changed by the admin API signs with its new token and e-mail at once', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        // Signed calls (reads and writes) find the company: a node may keep it.
        const old = udesk(srv);
        await old.createOk({ name: 'before', knowledge_type_name: 'question', agent_id: 0 });
        assert.equal((await old.list('question', 0)).code, 1000);

        const rotated = { ...ACME, token: 'acme-udesk-token-2' };
        await adminSeed(srv, { tenants: [{ name: 'Acme', udesk: { subdomain: ACME.subdomain, admin_email: ACME.email, api_token: rotated.token } }] });
        assertUdErr(await old.list('question', 0), 2059, undefined, 'the old token, read');
        assertUdErr(await old.create({ name: 'old', knowledge_type_name: 'question', agent_id: 0 }), 2059, undefined, 'the old token, write');
        const now = udesk(srv, rotated);
        await now.createOk({ name: 'after', knowledge_type_name: 'question', agent_id: 0 });
        assert.deepEqual((await now.listOk('question', 0)).map((k) => k.name).sort(), ['after', 'before']);

        const moved = { ...rotated, email: 'boss@acme.test' };
        await adminSeed(srv, { tenants: [{ name: 'Acme', udesk: { subdomain: ACME.subdomain, admin_email: moved.email, api_token: moved.token } }] });
        assertUdErr(await now.create({ name: 'gone', knowledge_type_name: 'question', agent_id: 0 }), 2015, undefined, 'the old e-mail');
        await udesk(srv, moved).createOk({ name: 'moved', knowledge_type_name: 'question', agent_id: 0 });
    });
});

test('POST /open_api_v1/log_in returns the API token for the admin password', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const login = async (body, o = {}) => udJson(await request(srv, 'POST', '/open_api_v1/log_in', { body, ...o }), 'log_in');
        const ok = await login({ email: ACME.email, password: ACME.password });
        assert.deepEqual(ok, { code: 1000, open_api_auth_token: ACME.token });
        // The token signs requests.
        assert.equal((await udesk(srv, { email: ACME.email, token: ok.open_api_auth_token }).list('question', 0)).code, 1000);

        const wrong = await login({ email: ACME.email, password: 'guess' });
        assertUdErr(wrong, 2005);
        assertUdErr(await login({ email: 'nobody@acme.test', password: 'guess' }), 2005, wrong.message);
        assertUdErr(await login({ email: ACME.email, password: ACME.password.toUpperCase() }), 2005);
        assertUdErr(await login({ email: ACME.email }), 2000, '参数缺失');
        assertUdErr(await login({ password: ACME.password }), 2000);
        assertUdErr(await login({ email: ACME.email, password: '' }), 2000);
        assertUdErr(await login({ email: ACME.email, password: 5 }), 2005);
        assertUdErr(await login('{"email":'), 2005);
        assertUdErr(udJson(await request(srv, 'POST', '/open_api_v1/log_in')), 2000, undefined, 'no body');
        // Subdomains as for signed calls; a company without a password cannot log in.
        const h = (name) => ({ headers: { Host: `${name}.udesk.cn` } });
        assert.equal((await login({ email: GLOBEX.email, password: GLOBEX.password }, h('globex'))).open_api_auth_token, GLOBEX.token);
        assertUdErr(await login({ email: GLOBEX.email, password: GLOBEX.password }), 2002);
        assertUdErr(await login({ email: INITECH.email, password: GLOBEX.password }, h('initech')), 2005);
        assertUdErr(await login({ email: ACME.email, password: ACME.password }, h('nope')), 2002);
        // Wrong method or path: Udesk's router answers 404.
        const get = await request(srv, 'GET', '/open_api_v1/log_in');
        assert.equal(get.status, 404);
        assert.deepEqual(get.json, { code: 2000, message: '接口不存在' });
    });
});

test('--demo on prints Udesk credentials that log in and sign', { timeout: 60_000 }, async () => {
    await withServer({ seed: null, demo: 'on' }, async (srv) => {
        const pick = (key) => (new RegExp(`^\\s*udesk ${key}:\\s*(\\S+)\\s*$`, 'm').exec(srv.stdoutText()) || [])[1];
        await waitFor(() => pick('admin_password'), { timeoutMs: 5000 });
        const email = pick('admin_email');
        const password = pick('admin_password');
        assert.ok(email && password, `no Udesk lines in the banner:\n${srv.stdoutText()}`);
        const j = udJson(await request(srv, 'POST', '/open_api_v1/log_in', { body: { email, password } }));
        assert.equal(j.code, 1000);
        assert.equal(j.open_api_auth_token, pick('api_token'));
        const c = udesk(srv, { email, token: j.open_api_auth_token });
        // The demo person is agent 1.
        const id = await c.createOk({ name: 'demo', knowledge_type_name: 'useful_link', agent_id: 1 });
        assert.deepEqual(await c.listOk('useful_link', 1), [{ id, parent_id: 0, name: 'demo' }]);
    });
});
