// What a write may cost before it is someone's (issue "Reliability, round 2", item 1).
//
// A public write route (the OAuth token endpoint needs no credentials) takes a 1 MiB body.
// Forty such bodies at once, each a JSON of ~350,000 empty objects, once took the process
// to 3.3 GB and made a legitimate write wait 25 s behind them. Now a body is bounded in
// values before it is parsed (json_max_values), writes are authenticated and parsed on
// their worker before they queue for the group, and what queues is bounded in count and
// memory (write_queue_max, write_queue_bytes): past a bound, the dialect's busy answer at
// once. Both backends; the queue bounds are SQLite's (PostgreSQL has no group).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { ADMIN_HEADERS, withServer } from './lib/server.mjs';
import { ACME, getToken, kf } from './lib/wecom.mjs';

const PG = !!process.env.QUNZU_TEST_PG;

function rssPeakKiB(pid) {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m[1]);
}

// A body just under the 1 MiB body limit: {"z":[{},{},...]}.
function bomb() {
    const n = Math.floor((1048576 - 16) / 3);
    return Buffer.from(`{"z":[${'{},'.repeat(n - 1)}{}]}`);
}

function post(srv, path, body, agent, headers = {}) {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path, agent,
            headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
            res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
    });
}

test('40 concurrent 1 MiB JSON bombs: bounded memory, clean errors, a legitimate write goes through', { timeout: 120_000 }, async (t) => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        const before = rssPeakKiB(srv.pid);
        const body = bomb();
        const agent = new http.Agent({ keepAlive: false, maxSockets: 80 });
        try {
            const bombs = [];
            for (let i = 0; i < 40; i++) {
                bombs.push(post(srv, '/open-apis/authen/v2/oauth/token', body, agent));
                // The same bomb at an authenticated write without a credential.
                bombs.push(post(srv, '/open-apis/im/v1/chats', body, agent));
            }
            // The legitimate write goes while the bombs are being read and parsed.
            await new Promise((r) => setTimeout(r, 300));
            const t0 = Date.now();
            const legit = await kf(srv, 'add_group', token, { name: 'legit' });
            const legitMs = Date.now() - t0;
            const h0 = Date.now();
            const health = await srv.request('GET', '/healthz');
            const healthMs = Date.now() - h0;
            const answers = await Promise.all(bombs);
            const peak = rssPeakKiB(srv.pid);
            t.diagnostic(`legitimate write ${legitMs} ms, /healthz ${healthMs} ms, peak RSS ${before} -> ${peak} KiB`);

            assert.equal(legit.errcode, 0, JSON.stringify(legit));
            assert.equal(health.status, 200);
            for (let i = 0; i < answers.length; i += 2) {
                const oauth = answers[i], chats = answers[i + 1];
                // OAuth's own envelope for a request it cannot take (RFC 6749 shape).
                assert.equal(oauth.status, 400, oauth.text);
                assert.equal(JSON.parse(oauth.text).error, 'invalid_request', oauth.text);
                // No credential: refused before its body is even parsed.
                assert.equal(chats.status, 400, chats.text);
                assert.equal(JSON.parse(chats.text).code, 99991661, chats.text);
            }
            // Before the bound the process grew by gigabytes; now by what 80 bodies and
            // their copies take, with the sanitizer's own overhead (generous: 768 MiB).
            assert.ok(peak - before < 768 * 1024, `peak RSS grew by ${peak - before} KiB`);
        } finally {
            agent.destroy();
        }
    });
});

test('past the write queue bound a write gets the dialect busy answer at once, never a wait', { timeout: 120_000, skip: PG && 'the queue is SQLite group commit' }, async (t) => {
    // A queue of 64 KiB: a 200 KiB write fits only when it is alone; the writer waits
    // 300 ms before each batch (a testing key), so of 40 sent at once most find one waiting.
    await withServer({ args: ['--write-queue-bytes', '65536', '--sqlite-group-delay-ms', '300', '--json-max-values', '200000'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        const big = Buffer.from(JSON.stringify({ name: 'x', pad: 'p'.repeat(200 * 1024) }));
        const agent = new http.Agent({ keepAlive: false, maxSockets: 40 });
        try {
            const answers = await Promise.all(Array.from({ length: 40 }, () =>
                post(srv, `/cgi-bin/kf/knowledge/add_group?access_token=${token}`, big, agent)));
            const codes = answers.map((a) => JSON.parse(a.text).errcode);
            const busy = codes.filter((c) => c === -1).length;
            t.diagnostic(`40 writes of 200 KiB: ${busy} answered busy`);
            // WeCom's "system busy" (-1); the rest ran (the unknown field 'pad' is fine,
            // the name 'x' is created once and then conflicts: 40058).
            assert.ok(busy >= 20, `only ${busy} writes were refused: ${codes}`);
            for (const c of codes) assert.ok(c === -1 || c === 0 || c === 40058, `unexpected ${c}`);
            const stats = (await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS })).json.group_commit;
            assert.equal(stats.refused, busy);
            assert.equal(stats.waiting, 0);
            assert.equal(stats.waiting_bytes, 0);
            // A write on its own still goes through.
            const j = await kf(srv, 'add_group', token, { name: 'after' });
            assert.equal(j.errcode, 0, JSON.stringify(j));
        } finally {
            agent.destroy();
        }
    });
});

test('a body over json_max_values is refused in the dialect envelope before it is parsed', { timeout: 60_000 }, async () => {
    await withServer({ args: ['--json-max-values', '100'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        const many = Buffer.from(JSON.stringify({ name: 'n', list: Array.from({ length: 200 }, (_, i) => i) }));
        const res = await post(srv, `/cgi-bin/kf/knowledge/add_group?access_token=${token}`, many);
        assert.equal(res.status, 200);
        assert.notEqual(JSON.parse(res.text).errcode, 0, res.text);
        const few = await kf(srv, 'add_group', token, { name: 'n' });
        assert.equal(few.errcode, 0, JSON.stringify(few));
    });
});
