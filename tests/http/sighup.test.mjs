// tests/http/sighup.test.mjs - SIGHUP reopens the log file (log rotation) and disturbs
// nothing else: requests in flight and after are answered, the server stays up, and
// every access line lands in the old file or the new one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, sleep, waitFor, withServer } from './lib/server.mjs';
import { ACME, getToken } from './lib/wecom.mjs';

const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;
const ROTATIONS = 5;

test('SIGHUP during a stream of requests: all answered, the log file reopened after each rotation', { timeout: 120_000 }, async (t) => {
    const logDir = makeTempDir('qunzu-log-');
    const logFile = path.join(logDir, 'qunzu.log');
    const rotated = (k) => `${logFile}.${k}`;
    try {
        await withServer({ args: ['--log-file', logFile] }, async (srv) => {
            assert.match(fs.readFileSync(logFile, 'utf8'), /accepting up to/, 'the log goes to the file');
            const token = await getToken(srv, ACME);
            const answers = [];
            let done = false;
            let seq = 0;
            const client = async () => {
                while (!done) {
                    const q = `?access_token=${encodeURIComponent(token)}`;
                    const add = await srv.request('POST', `/cgi-bin/kf/knowledge/add_group${q}`, { body: { name: `hup ${++seq}` } });
                    const del = await srv.request('POST', `/cgi-bin/kf/knowledge/del_group${q}`, { body: { group_id: add.json?.group_id } });
                    const read = await srv.request('GET', '/healthz');
                    for (const r of [add, del, read]) {
                        answers.push({ status: r.status, rid: r.headers['x-request-id'], errcode: r.json?.errcode ?? 0, body: r.body });
                    }
                }
            };
            const clients = Array.from({ length: 4 }, client);
            for (let k = 1; k <= ROTATIONS; k++) {
                await sleep(300);
                fs.renameSync(logFile, rotated(k));
                process.kill(srv.pid, 'SIGHUP');
                // The new file appears and gets the next access lines.
                const ok = await waitFor(() => fs.existsSync(logFile) && / access rid=/.test(fs.readFileSync(logFile, 'utf8')), { timeoutMs: 10000 });
                assert.ok(ok, `rotation ${k}: no access line in the new log file`);
            }
            await sleep(300);
            done = true;
            await Promise.all(clients);

            assert.equal(srv.exited, null, `the server exited: ${JSON.stringify(srv.exited)}`);
            assert.ok(answers.length > 40, `only ${answers.length} requests`);
            for (const a of answers) {
                assert.equal(a.status, 200, a.body);
                assert.equal(a.errcode, 0, a.body);
            }
            // Each answered request has its access line once, in one of the files.
            const files = [...Array.from({ length: ROTATIONS }, (_, i) => rotated(i + 1)), logFile];
            const seen = new Map();
            for (const f of files) {
                const text = fs.readFileSync(f, 'utf8');
                assert.ok(!SANITIZER_RE.test(text), `${f}: sanitizer report`);
                for (const m of text.matchAll(/ access rid=(\d+) /g)) seen.set(m[1], (seen.get(m[1]) || 0) + 1);
                if (f !== rotated(1)) assert.match(text, / access rid=/, `${f} got no access line`);
            }
            for (const a of answers) assert.equal(seen.get(a.rid), 1, `request ${a.rid}: ${seen.get(a.rid) || 0} access lines`);
            t.diagnostic(`${answers.length} requests over ${ROTATIONS} rotations, all answered, each logged once`);
        });
        // Stopped by withServer (exit 0 checked there); its last words are in the file.
        const last = fs.readFileSync(logFile, 'utf8');
        assert.match(last, /shut down cleanly/);
        assert.ok(!SANITIZER_RE.test(last), 'sanitizer report in the log file');
    } finally {
        fs.rmSync(logDir, { recursive: true, force: true });
    }
});

test('SIGHUP without a log file changes nothing; an unwritable log file stops the start', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        for (let i = 0; i < 3; i++) {
            process.kill(srv.pid, 'SIGHUP');
            await sleep(100);
            assert.equal((await srv.request('GET', '/healthz')).status, 200);
        }
        assert.equal(srv.exited, null);
    });
    const dir = makeTempDir('qunzu-log-');
    try {
        await assert.rejects(
            withServer({ args: ['--log-file', path.join(dir, 'missing', 'q.log')] }, async () => {}),
            /exited before it was ready[\s\S]*cannot open log file/,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
