// The structured access log (access_log_json): one JSON object per request, one line
// each, never the query; SIGHUP reopens the file (after a rotation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_HEADERS, makeTempDir, waitFor, withServer } from './lib/server.mjs';
import { APP1, tenantToken } from './lib/feishu.mjs';

const lines = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

test('access_log_json: a JSON line per request with its route, status, code, tenant and latency; no query; SIGHUP reopens', { timeout: 60_000 }, async () => {
    const dir = makeTempDir('qunzu-alog-');
    const file = path.join(dir, 'access.jsonl');
    try {
        await withServer({ args: ['--access_log_json', file] }, async (srv) => {
            const tok = await tenantToken(srv, APP1);
            await srv.request('GET', `/open-apis/im/v1/chats/oc_none?user_id_type=open_id&secret=${tok}`, { headers: { Authorization: `Bearer ${tok}` } });
            await srv.request('GET', '/open-apis/no/such/%22path%0a\u00e9');
            await srv.request('GET', '/admin/v1/clock', { headers: ADMIN_HEADERS });
            await waitFor(() => lines(file).length >= 4);
            const all = lines(file);
            const get = all.find((l) => l.route === '/open-apis/im/v1/chats/:chat_id');
            assert.ok(get, JSON.stringify(all));
            assert.equal(get.method, 'GET');
            assert.equal(get.dialect, 'feishu');
            assert.equal(get.path, '/open-apis/im/v1/chats/oc_none');
            assert.equal(get.status, 400);
            assert.equal(get.code, 232006);
            assert.ok(get.tenant > 0 && get.latency_us > 0 && get.ts_ms > 1.7e12 && /^\d+$/.test(get.rid), JSON.stringify(get));
            const odd = all.find((l) => l.path.startsWith('/open-apis/no/such/'));
            assert.equal(odd.route, null);
            assert.equal(odd.status, 404);
            assert.ok(all.some((l) => l.dialect === 'admin' && l.route === '/admin/v1/clock'));
            assert.ok(!fs.readFileSync(file, 'utf8').includes(tok), 'the token never reaches the file');

            fs.renameSync(file, `${file}.1`);
            process.kill(srv.pid, 'SIGHUP');
            await waitFor(async () => {
                await srv.request('GET', '/admin/v1/clock', { headers: ADMIN_HEADERS });
                return lines(file).length > 0;
            });
            assert.ok(lines(`${file}.1`).length >= 4);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
