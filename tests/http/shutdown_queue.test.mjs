// Shutdown with a full write queue (issue "Reliability, round 2", item 2).
//
// When queued writes outlast shutdown_timeout_ms, the workers used to be freed while the
// group's writer thread still answered their requests through them (http_finish): a
// use-after-free inside libh2o, which AddressSanitizer cannot see (the access is in an
// uninstrumented library). This test runs an unsanitized build under valgrind, fills the
// queue, and stops the server at once: valgrind must report no invalid access, the
// process must exit 0, and every request that reached the server gets an answer.
//
// Needs QUNZU_PLAIN_BIN (an unsanitized build; scripts/test.sh builds build-plain/) and
// valgrind; otherwise it says why it is skipped. SQLite only (group commit).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startServer } from './lib/server.mjs';
import { APP1, tenantToken } from './lib/feishu.mjs';

const PG = !!process.env.QUNZU_TEST_PG;
const PLAIN = process.env.QUNZU_PLAIN_BIN;

function haveValgrind() {
    try {
        execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
}

const skip = PG ? 'SQLite only (group commit)'
    : !PLAIN ? 'QUNZU_PLAIN_BIN (an unsanitized build) not set'
        : !haveValgrind() ? 'valgrind not installed' : false;

function createChat(port, token, name, agent) {
    const body = JSON.stringify({ name });
    return new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent, path: '/open-apis/im/v1/chats',
            headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
                Authorization: `Bearer ${token}` } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
            res.on('error', (err) => resolve({ error: err.code }));
        });
        req.on('error', (err) => resolve({ error: err.code }));
        req.end(body);
    });
}

test('SIGTERM with writes still queued: no invalid access (valgrind), exit 0, every write answered', { timeout: 300_000, skip }, async (t) => {
    const srv = await startServer({
        bin: PLAIN,
        wrap: ['valgrind', '--error-exitcode=99', '--leak-check=no', '--track-origins=no', '--quiet'],
        args: ['--shutdown-timeout-ms', '0'],
        threads: 2,
        startTimeoutMs: 120_000,
    });
    try {
        const token = await tenantToken(srv, APP1);
        const agent = new http.Agent({ keepAlive: false, maxSockets: 300 });
        const pending = Array.from({ length: 300 }, (_, i) => createChat(srv.port, token, `q${i}`, agent));
        // Stop it once the first writes are answered: the rest are queued or running.
        await Promise.race(pending);
        const ex = await srv.stop('SIGTERM', 240_000);
        const answers = await Promise.all(pending);
        agent.destroy();
        const answered = answers.filter((a) => a.status !== undefined);
        const codes = answered.map((a) => JSON.parse(a.text).code);
        t.diagnostic(`${answered.length} of 300 answered (${codes.filter((c) => c === 0).length} created, ` +
            `${codes.filter((c) => c === 99991400).length} busy), exit ${ex.code}`);
        const invalid = srv.logLines.filter((l) => /Invalid (read|write)|Process terminating|uninitialised/.test(l));
        assert.deepEqual(invalid, [], 'valgrind found invalid accesses');
        assert.equal(ex.code, 0, `exit code ${ex.code} (99: valgrind errors)`);
        // Created, or refused busy (the gateway's 99991400) once shutdown cancelled the queue.
        for (const c of codes) assert.ok(c === 0 || c === 99991400, `unexpected code ${c}`);
        assert.ok(answered.length > 0, 'no write reached the server');
    } finally {
        await srv.cleanup();
    }
});
