// tests/http/fuzz_regressions.test.mjs - inputs the fuzzers (tests/fuzz/) found that
// broke an answer, kept as black-box tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, withServer } from './lib/server.mjs';
import { tenantToken, withFeishuServer } from './lib/feishu.mjs';

test('an error message quoting invalid UTF-8 from the path is still valid JSON', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        // fuzz_request: a tenant name with a lone 0xED byte made the admin error body empty.
        const res = await srv.request('GET', '/admin/v1/tenants/Fuzz%ED%17x', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
        assert.equal(res.status, 404);
        assert.equal(res.json.error.code, 'not_found');
        assert.match(res.json.error.message, /^tenant 'Fuzz\?\u0017x' not found$/);
    });
});

// PostgreSQL refuses text parameters that are not UTF-8 (SQLite stores them),
// so such bytes once made the same request a store failure there and a clean error here.
test('bytes that are not UTF-8 in a path, query or header get the dialect\'s own error on every store', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        let res = await srv.request('POST', '/cgi-bin/kf/knowledge/list_group?access_token=%ED%A0%80x', { body: {} });
        assert.equal(res.status, 200);
        assert.equal(res.json.errcode, 40014);

        res = await srv.request('GET', '/open-apis/im/v1/chats', { headers: { Authorization: 'Bearer t-\u00ed\u00a0x' } });
        assert.equal(res.status, 400);
        assert.equal(res.json.code, 99991663);

        const tok = await tenantToken(srv);
        // Feishu answers a store failure 500 (55001), never 503: the chat id that cannot
        // exist is the same "invalid chat_id" an unknown one gets, on every store.
        res = await srv.request('GET', '/open-apis/im/v1/chats/oc_%FF%FE', { headers: { Authorization: `Bearer ${tok}` } });
        assert.equal(res.status, 400);
        assert.equal(res.json.code, 232006);
    });
});
