// The token-check cache: repeated calls with one token are answered from memory
// (GET /admin/v1/stats counts hits and misses), and a cached token is still refused
// once the server clock passes its expiry. token_cache_ttl_ms 0 turns it off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, advanceClock, withServer } from './lib/server.mjs';
import { ACME, getToken, kf } from './lib/wecom.mjs';

async function cacheStats(srv) {
    const res = await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, res.body);
    return res.json.token_cache;
}

test('token checks are cached, and a cached token still expires', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        const before = await cacheStats(srv);
        assert.equal(before.enabled, true);
        for (let i = 0; i < 5; i++) assert.equal((await kf(srv, 'list_group', token, {})).errcode, 0);
        const after = await cacheStats(srv);
        assert.equal(after.misses - before.misses, 1, 'the first check reads the token');
        assert.equal(after.hits - before.hits, 4, 'the next four come from memory');

        await advanceClock(srv, 7300); // WeCom tokens live 7200 s
        const j = await kf(srv, 'list_group', token, {});
        assert.equal(j.errcode, 42001, `expired token: ${JSON.stringify(j)}`);
        const fresh = await getToken(srv, ACME);
        assert.notEqual(fresh, token);
        assert.equal((await kf(srv, 'list_group', fresh, {})).errcode, 0);
    });
});

test('token_cache_ttl_ms 0: every check reads the database', { timeout: 60_000 }, async () => {
    await withServer({ args: ['--token-cache-ttl-ms', '0'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        for (let i = 0; i < 3; i++) assert.equal((await kf(srv, 'list_group', token, {})).errcode, 0);
        assert.deepEqual(await cacheStats(srv), { enabled: false, hits: 0, misses: 0 });
    });
});
