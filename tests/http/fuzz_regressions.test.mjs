// tests/http/fuzz_regressions.test.mjs - inputs the fuzzers (tests/fuzz/) found that
// broke an answer, kept as black-box tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, withServer } from './lib/server.mjs';

test('an error message quoting invalid UTF-8 from the path is still valid JSON', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        // fuzz_request: a tenant name with a lone 0xED byte made the admin error body empty.
        const res = await srv.request('GET', '/admin/v1/tenants/Fuzz%ED%17x', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
        assert.equal(res.status, 404);
        assert.equal(res.json.error.code, 'not_found');
        assert.match(res.json.error.message, /^tenant 'Fuzz\?\u0017x' not found$/);
    });
});
