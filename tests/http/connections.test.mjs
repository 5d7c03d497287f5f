// tests/http/connections.test.mjs - the listening socket under pressure: the
// connection cap (max_connections), running out of descriptors (EMFILE) without a
// busy loop, and a second server refused on a port this one holds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { binPath, childEnv, keyArgs, makeTempDir, sleep, waitFor, withServer } from './lib/server.mjs';
import { connect, rawRequest } from './lib/rawhttp.mjs';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

// CPU seconds (user + system) the process has used so far.
function cpuSeconds(pid) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
}

// The share of one core the process used over 'ms'.
async function cpuShare(pid, ms = 2000) {
    const c0 = cpuSeconds(pid);
    const t0 = Date.now();
    await sleep(ms);
    return (cpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000);
}

// Opens n TCP connections that send nothing (they are accepted, or wait in the backlog).
async function openIdle(port, n) {
    const socks = [];
    for (let i = 0; i < n; i++) {
        socks.push(await new Promise((resolve, reject) => {
            const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
            s.on('error', reject);
        }));
        socks[i].on('error', () => {});
    }
    return socks;
}

// Sends GET /healthz on a new connection; resolves to the response, or null when none
// comes within ms (the connection is then left waiting: the caller reads on).
async function probe(port) {
    const c = await connect(port);
    await c.write(rawRequest('GET', '/healthz'));
    return c;
}

async function answered(c, ms) {
    try {
        return await c.readResponse({ timeoutMs: ms });
    } catch {
        return null;
    }
}

test('max_connections: accepting pauses at the cap without spinning, and resumes when a connection closes', { timeout: 90_000 }, async (t) => {
    await withServer({ nofile: 256, args: ['--max-connections', '20'] }, async (srv) => {
        const held = await openIdle(srv.port, 25); // 20 accepted, 5 in the backlog
        try {
            await waitFor(() => /not accepting connections for now: at the connection cap/.test(srv.logText()), { timeoutMs: 10000 });
            assert.match(srv.logText(), /accepting up to 20 connections at once/);
            assert.match(srv.logText(), /not accepting connections for now: at the connection cap \(20 open, max_connections 20/);
            const share = await cpuShare(srv.pid);
            assert.ok(share < 0.3, `the server used ${(share * 100).toFixed(0)}% of a core while paused`);
            t.diagnostic(`CPU at the cap: ${(share * 100).toFixed(1)}% of a core`);
            const c = await probe(srv.port);
            try {
                // Behind the cap, the probe waits in the backlog.
                assert.equal(await answered(c, 1000), null, 'a connection past the cap was served');
                for (const s of held.splice(0, 10)) s.destroy(); // frees 10 slots: the 5 queued, then the probe
                const r = await answered(c, 10000);
                assert.ok(r, 'the probe was not served after connections closed');
                assert.equal(r.status, 200);
            } finally {
                c.close();
            }
        } finally {
            for (const s of held) s.destroy();
        }
        // The count goes down as connections close: 20 new connections are served.
        await waitFor(async () => (await srv.request('GET', '/healthz', { agent: false })).status === 200, { timeoutMs: 10000 });
        const later = await Promise.all(Array.from({ length: 20 }, () => srv.request('GET', '/healthz', { agent: false })));
        assert.deepEqual(later.map((r) => r.status), Array(20).fill(200));
    });
});

test('out of descriptors (EMFILE): accepting pauses without a busy loop, logged once, and resumes', { timeout: 90_000 }, async (t) => {
    // A cap above what the descriptor limit allows, so accept itself fails.
    await withServer({ nofile: 96, args: ['--max-connections', '5000'] }, async (srv) => {
        assert.match(srv.logText(), /max_connections = 5000 leaves fewer than/);
        const held = await openIdle(srv.port, 120);
        try {
            await waitFor(() => /not accepting connections for now: Too many open files/.test(srv.logText()), { timeoutMs: 10000 });
            const share = await cpuShare(srv.pid);
            assert.ok(share < 0.3, `the server used ${(share * 100).toFixed(0)}% of a core out of descriptors`);
            t.diagnostic(`CPU out of descriptors: ${(share * 100).toFixed(1)}% of a core`);
            // Rate-limited: one line for all the pauses of these seconds.
            const lines = srv.logText().split('\n').filter((l) => /not accepting connections/.test(l));
            assert.equal(lines.length, 1, lines.join('\n'));
            for (const s of held.splice(0, 110)) s.destroy();
            const c = await probe(srv.port);
            try {
                const r = await answered(c, 10000);
                assert.ok(r, 'no answer after descriptors were freed');
                assert.equal(r.status, 200);
            } finally {
                c.close();
            }
        } finally {
            for (const s of held) s.destroy();
        }
    });
});

test('a second server on a port this one holds refuses to start, before touching its database', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const dir = makeTempDir();
        try {
            const db = path.join(dir, 'second.db');
            const child = spawn(binPath(), ['--listen', `127.0.0.1:${srv.port}`, '--db', `sqlite:${db}`, '--demo', 'off', ...keyArgs()], {
                env: childEnv(),
                stdio: ['ignore', 'pipe', 'pipe'],
            });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (out += d));
            const exit = await Promise.race([
                new Promise((r) => child.on('exit', (code, signal) => r({ code, signal }))),
                sleep(15000).then(() => null),
            ]);
            if (!exit) child.kill('SIGKILL');
            assert.ok(exit, `the second server is still running: ${out}`);
            assert.notEqual(exit.code, 0, out);
            assert.match(out, /cannot listen on '127\.0\.0\.1:\d+': the port is taken by another process/);
            assert.ok(!fs.existsSync(db), 'the second server created its database');
            // Every request reaches the first server.
            const res = await Promise.all(Array.from({ length: 30 }, () => srv.request('GET', '/healthz', { agent: false })));
            assert.deepEqual(res.map((r) => r.status), Array(30).fill(200));
            // Its access lines come through a pipe, after the answers: wait for them.
            const served = () => srv.logText().split('\n').filter((l) => / GET \/healthz 200/.test(l)).length;
            await waitFor(() => served() >= 30, { timeoutMs: 5000 });
            assert.ok(served() >= 30, `the first server logged ${served()} of 30 requests`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
