// tests/http/rate_limit.test.mjs - the platforms' rate limits with their own codes:
// Feishu 429 + 99991400 + x-ogw-ratelimit-* per app and endpoint ("频控策略"),
// WeCom 45009 per corp and API ("频率限制"), Udesk per company for every API ("General
// instructions").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP1, APP2, assertErr, assertOk, chatPath, createChat, fs, tenantToken, withFeishuServer } from './lib/feishu.mjs';
import { ACME, GLOBEX, getToken, kf } from './lib/wecom.mjs';
import { adminSeed, adminTenant, awayFromMinuteEdge, withServer } from './lib/server.mjs';
import { SEED as UD_SEED, ACME as UD_ACME, GLOBEX as UD_GLOBEX, udesk } from './lib/udesk.mjs';

test('Feishu: 50 a second per app and endpoint, then 429 with the platform headers', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const t2 = await tenantToken(srv, APP2);
        const chat = await createChat(srv, t1, { name: 'busy', bot_id_list: [APP2.app_id] });
        const get = (t) => fs(srv, 'GET', chatPath(chat.chat_id), t);
        // Wait for the start of a fresh second so 60 calls fall in one window.
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
        const res = await Promise.all(Array.from({ length: 60 }, () => get(t1)));
        const limited = res.filter((r) => r.status === 429);
        assert.ok(limited.length >= 10, `only ${limited.length} of 60 were limited`);
        const r = limited[0];
        assert.equal(r.json.code, 99991400);
        assert.equal(r.json.msg, 'request trigger frequency limit');
        assert.equal(r.headers['x-ogw-ratelimit-limit'], '50');
        assert.match(r.headers['x-ogw-ratelimit-reset'], /^[1-9]\d*$/);
        // Another app, and another endpoint of the same app, have their own budgets.
        assertOk(await get(t2));
        assertOk(await fs(srv, 'GET', chatPath(chat.chat_id, '/members/is_in_chat'), t1));
        // The next second the endpoint answers again.
        await new Promise((r2) => setTimeout(r2, 1100));
        assertOk(await get(t1));
    }, { rateLimit: true });
});

test('WeCom: the per-minute budget per corp and API, then 45009', { timeout: 60_000 }, async () => {
    await withServer({ rateLimit: true, args: ['--rate-wecom-per-minute', '20'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        const res = [];
        await awayFromMinuteEdge();
        for (let i = 0; i < 25; i++) res.push(await kf(srv, 'list_group', token, {}));
        const limited = res.filter((j) => j.errcode === 45009);
        assert.equal(limited.length, 5, `limited ${limited.length}`);
        assert.match(limited[0].errmsg, /^api freq out of limit, hint: /);
        assert.equal(Object.keys(limited[0]).length, 2);
        // Another API of the same corp still answers.
        assert.equal((await kf(srv, 'add_group', token, { name: 'still ok' })).errcode, 0);
    });
});

test('rate limits can be turned off', { timeout: 60_000 }, async () => {
    await withServer({ args: ['--rate-wecom-per-minute', '3'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        for (let i = 0; i < 10; i++) assert.equal((await kf(srv, 'list_group', token, {})).errcode, 0);
    });
});

test('a tenant seeded with rate_limit false is not throttled; the others still are, and the switch persists', { timeout: 60_000 }, async () => {
    await withServer({ rateLimit: true, args: ['--rate-wecom-per-minute', '5'] }, async (srv) => {
        await adminSeed(srv, { tenants: [{ name: 'Acme', rate_limit: false }] });
        assert.equal((await adminTenant(srv, 'Acme')).rate_limit, false);
        assert.equal((await adminTenant(srv, 'Globex')).rate_limit, undefined, 'the default is not echoed');

        await awayFromMinuteEdge();
        const acme = await getToken(srv, ACME);
        const globex = await getToken(srv, GLOBEX);
        for (let i = 0; i < 12; i++) assert.equal((await kf(srv, 'list_group', acme, {})).errcode, 0, `Acme call ${i + 1}`);
        const g = [];
        for (let i = 0; i < 8; i++) g.push((await kf(srv, 'list_group', globex, {})).errcode);
        assert.deepEqual(g, [0, 0, 0, 0, 0, 45009, 45009, 45009]);

        // Back on through the seed, after a restart: Acme is throttled again.
        await srv.stop('SIGTERM');
        await srv.restart();
        assert.equal((await adminTenant(srv, 'Acme')).rate_limit, false, 'the switch is stored');
        await adminSeed(srv, { tenants: [{ name: 'Acme', rate_limit: true }] });
        await awayFromMinuteEdge();
        const a = [];
        for (let i = 0; i < 7; i++) a.push((await kf(srv, 'list_group', acme, {})).errcode);
        assert.ok(a.includes(45009), `Acme not throttled after rate_limit true: ${a}`);
    });
});

test('Udesk: 60 calls a minute per company, every API together', { timeout: 120_000 }, async () => {
    await withServer({ rateLimit: true, seed: UD_SEED }, async (srv) => {
        const acme = udesk(srv, UD_ACME);
        const globex = udesk(srv, UD_GLOBEX, { host: 'globex.udesk.cn' });
        await awayFromMinuteEdge();
        const codes = [];
        for (let i = 0; i < 64; i++) {
            // Reads and writes share the one budget.
            const res = i % 2
                ? await acme.call('GET', '/open_api_v1/knowledge_catalogs', { query: { knowledge_type_name: 'question', agent_id: 0 } })
                : await acme.call('POST', '/open_api_v1/knowledge_catalogs', { body: { knowledge_catalog: { knowledge_type_name: 'question', name: `c${i}`, agent_id: 0 } } });
            codes.push(res.json.code);
        }
        assert.equal(codes.filter((c) => c === 1000).length, 60);
        const limited = codes.slice(60);
        assert.ok(limited.every((c) => c === 2000), JSON.stringify(limited));
        // Another company has its own budget.
        const other = await globex.call('GET', '/open_api_v1/knowledge_catalogs', { query: { knowledge_type_name: 'question', agent_id: 0 } });
        assert.equal(other.json.code, 1000);
    });
});
