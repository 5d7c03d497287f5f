// tests/http/lib/server.mjs - start and stop the real qunzu binary for black-box tests.
//
// startServer() spawns one server on 127.0.0.1 with an ephemeral port and a fresh temp
// directory for its database, waits for the "qunzu listening on http://127.0.0.1:PORT"
// line, and returns a handle with request helpers bound to that server. Nothing here
// knows a dialect; the WeCom helpers live in wecom.mjs, the .case runner in cases.mjs.
//
// Environment:
//   QUNZU_BIN            server binary (default <repo>/build-asan/qunzu; a relative path
//                        is resolved against the repository root)
//   QUNZU_TEST_PG        if set, a PostgreSQL URL of an administrative database
//                        (scripts/pg-test-server.sh prints it); each server then gets a
//                        fresh database created through it instead of a SQLite file
//   QUNZU_START_TIMEOUT_MS  how long to wait for the listening line (default 15000)
//   QUNZU_TEST_LOG_LINES    server log lines attached to a failure (default 200)
// Every other QUNZU_* variable of the outer environment is removed from the server's
// environment so that a developer's shell cannot change what the tests see; the
// sanitizer options of scripts/test.sh are the defaults (see childEnv).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../../..');
export const testsDir = path.join(repoRoot, 'tests', 'http');
export const fixtureSeedPath = path.join(testsDir, 'fixtures', 'seed.json');
export const ADMIN_TOKEN = 'test-admin-token';
export const ADMIN_HEADERS = { Authorization: `Bearer ${ADMIN_TOKEN}` };

// ----- admin API helpers (each asserts HTTP 200; send a raw request to test a failure) -----

/** GET /admin/v1/tenants/{name}: the tenant document. */
export async function adminTenant(srv, name) {
    const res = await srv.request('GET', `/admin/v1/tenants/${encodeURIComponent(name)}`, { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, `GET /admin/v1/tenants/${name}: ${res.status} ${res.body.slice(0, 300)}`);
    return res.json;
}

/** POST /admin/v1/seed with 'doc'; returns the response JSON. */
export async function adminSeed(srv, doc) {
    const res = await srv.request('POST', '/admin/v1/seed', { body: doc, headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, `seed: ${res.status} ${res.body.slice(0, 300)}`);
    return res.json;
}

/**
 * GET /admin/v1/tenants/{tenant}/events: one page of the tenant's outbox, oldest first.
 * Returns the response JSON, {items, next?}; pass 'next' as 'after' for the next page.
 */
export async function adminEvents(srv, { tenant = 'Acme', after = 0, limit = 1000 } = {}) {
    const p = `/admin/v1/tenants/${encodeURIComponent(tenant)}/events?after=${after}&limit=${limit}`;
    const res = await srv.request('GET', p, { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, `GET ${p}: ${res.status} ${res.body.slice(0, 300)}`);
    return res.json;
}

/** POST /admin/v1/clock: move the server clock on by 'seconds'; returns the response JSON. */
export async function advanceClock(srv, seconds) {
    const res = await srv.request('POST', '/admin/v1/clock', {
        body: { advance_seconds: seconds },
        headers: ADMIN_HEADERS,
    });
    assert.equal(res.status, 200, `clock advance: ${res.status} ${res.body}`);
    return res.json;
}

/** GET /admin/v1/clock: the server's current time (epoch seconds). */
export async function serverNow(srv) {
    const res = await srv.request('GET', '/admin/v1/clock', { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, `GET /admin/v1/clock: ${res.status} ${res.body}`);
    return res.json.now;
}

const START_TIMEOUT_MS = Number(process.env.QUNZU_START_TIMEOUT_MS || 15000);
const STOP_TIMEOUT_MS = 15000;
const LOG_TAIL_LINES = Number(process.env.QUNZU_TEST_LOG_LINES || 200);
const LISTEN_RE = /qunzu listening on http:\/\/127\.0\.0\.1:(\d+)/;

export function binPath() {
    const b = process.env.QUNZU_BIN;
    if (!b) return path.join(repoRoot, 'build-asan', 'qunzu');
    return path.isAbsolute(b) ? b : path.resolve(repoRoot, b);
}

// The --db argument for a server whose private directory is 'dir'. This is the one
// place that chooses the backend: a PostgreSQL run sets QUNZU_TEST_PG.
// The database belongs to the directory: a restart of the same server reuses it.
const pgDatabases = new Map();
let pgSeq = 0;

export function dbArg(dir) {
    if (!process.env.QUNZU_TEST_PG) return `sqlite:${path.join(dir, 'q.db')}`;
    if (!pgDatabases.has(dir)) pgDatabases.set(dir, freshPgDatabase(process.env.QUNZU_TEST_PG));
    return pgDatabases.get(dir);
}

// Creates an empty database next to the administrative one and returns its URL.
export function freshPgDatabase(adminUrl) {
    const name = `qz_${process.pid}_${++pgSeq}_${Date.now() % 100000}`;
    execFileSync('psql', [adminUrl, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
}

// The server key every server of this test process gets (--secret-key-file), so that
// servers sharing one database (two nodes, a restart, a --copy-to target) open each
// other's secrets. PostgreSQL requires the file; with SQLite it replaces the default
// <db>.key, which tests of that default ask for with secretKeyFile: null.
let sharedKeyFile = null;

export function testKeyFile() {
    if (!sharedKeyFile) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunzu-key-'));
        sharedKeyFile = path.join(dir, 'secret.key');
        fs.writeFileSync(sharedKeyFile, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
        process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return sharedKeyFile;
}

/** The arguments that give a qunzu process the shared test key (for direct spawns). */
export function keyArgs() {
    return ['--secret-key-file', testKeyFile()];
}

export function makeTempDir(prefix = 'qunzu-test-') {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Children still alive when this test process exits are killed, so a crashed test
// file never leaves a server behind.
const live = new Set();
process.on('exit', () => {
    for (const child of live) {
        try {
            child.kill('SIGKILL');
        } catch {
            /* already gone */
        }
    }
});

/**
 * Start one server.
 * opts.seed       undefined: the fixture file; a string: a seed file path; an object:
 *                 written to <dir>/seed.json; null/false: no --seed at all
 * opts.adminToken undefined: 'test-admin-token'; null: no --admin-token
 * opts.demo       'off' (default) or 'on'; null: no --demo
 * opts.threads    default 2; null: no --threads
 * opts.logLevel   default 'info'
 * opts.rateLimit  true: keep the rate limits on (they are off by default)
 * opts.args       extra arguments appended after the standard ones
 * opts.bin        the binary (default binPath())
 * opts.wrap       a command line the binary runs under (['valgrind', ...])
 * opts.startTimeoutMs  how long to wait for the listening line
 * opts.env        extra environment variables for the server
 * opts.nofile     run under this descriptor limit (prlimit --nofile=N:N, which execs the
 *                 server: the pid is the server's)
 * opts.dir        reuse an existing directory (and its database) instead of a new one
 * opts.secretKeyFile undefined: the shared test key (testKeyFile); null: none (the
 *                 default: <db>.key for SQLite, a refusal to start for PostgreSQL); a
 *                 string: that file
 * Returns the handle documented at the end of this function.
 */
export async function startServer(opts = {}) {
    const bin = opts.bin || binPath();
    if (!fs.existsSync(bin)) {
        throw new Error(`qunzu binary not found at ${bin} (build it, or set QUNZU_BIN)`);
    }
    const ownDir = !opts.dir;
    const dir = opts.dir || makeTempDir();
    const args = buildArgs(opts, dir);
    const env = childEnv(opts.env);

    const handle = {
        dir,
        args,
        bin,
        port: 0,
        url: '',
        pid: 0,
        child: null,
        exited: null, // {code, signal} once the current process has exited
        logLines: [], // every output line of every process of this handle, in order
        stdoutLines: [],
        stderrLines: [],
        agent: null,
    };

    async function launch() {
        handle.exited = null;
        handle.port = 0;
        const wrap = opts.wrap || (opts.nofile ? ['prlimit', `--nofile=${opts.nofile}:${opts.nofile}`, '--'] : []);
        const [cmd, ...cmdArgs] = [...wrap, bin, ...args];
        const child = spawn(cmd, cmdArgs, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        handle.child = child;
        handle.pid = child.pid;
        live.add(child);
        const runNo = handle.runs = (handle.runs || 0) + 1;
        pushLog(handle, `[harness] run ${runNo}: ${bin} ${args.join(' ')}`, null);

        let exitResolve;
        handle.exitPromise = new Promise((r) => (exitResolve = r));
        child.on('exit', (code, signal) => {
            live.delete(child);
            handle.exited = { code, signal };
            pushLog(handle, `[harness] run ${runNo} exited code=${code} signal=${signal}`, null);
            exitResolve(handle.exited);
        });
        child.on('error', (err) => {
            live.delete(child);
            pushLog(handle, `[harness] spawn error: ${err.message}`, null);
            handle.exited = { code: null, signal: null, error: err };
            exitResolve(handle.exited);
        });

        const ready = new Promise((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`server did not print its listening line within ${opts.startTimeoutMs || START_TIMEOUT_MS} ms`)),
                opts.startTimeoutMs || START_TIMEOUT_MS,
            );
            handle.exitPromise.then((ex) => {
                clearTimeout(timer);
                reject(new Error(`server exited before it was ready (code=${ex.code} signal=${ex.signal})`));
            });
            lineReader(child.stdout, (line) => {
                pushLog(handle, line, 'stdout');
                const m = LISTEN_RE.exec(line);
                if (m && !handle.port) {
                    clearTimeout(timer);
                    handle.port = Number(m[1]);
                    resolve();
                }
            });
            lineReader(child.stderr, (line) => pushLog(handle, line, 'stderr'));
        });
        try {
            await ready;
        } catch (err) {
            if (!handle.exited) {
                child.kill('SIGKILL');
                await handle.exitPromise;
            }
            throw withLog(err, handle);
        }
        handle.url = `http://127.0.0.1:${handle.port}`;
        // An idle pooled connection is dropped after 4 s, before the server's 10 s
        // keep-alive timeout can close it under a request the agent sends on it
        // (a worker busy for seconds fires that timeout as soon as it is free).
        handle.agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 });
    }

    // Send 'signal' and wait for the exit. Resolves to {code, signal}. A process that
    // does not exit in time is killed with SIGKILL and the promise rejects.
    handle.stop = async (signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) => {
        if (handle.agent) handle.agent.destroy();
        handle.agent = null;
        if (handle.exited) return handle.exited;
        handle.child.kill(signal);
        let timer;
        const timeout = new Promise((r) => (timer = setTimeout(() => r(null), timeoutMs)));
        const ex = await Promise.race([handle.exitPromise, timeout]);
        clearTimeout(timer);
        if (ex) return ex;
        handle.child.kill('SIGKILL');
        await handle.exitPromise;
        throw withLog(new Error(`server did not exit within ${timeoutMs} ms of ${signal}`), handle);
    };
    handle.kill9 = () => handle.stop('SIGKILL');
    // Start again on the same directory and database (after stop or kill9).
    handle.restart = async () => {
        if (!handle.exited) throw new Error('restart() needs a stopped server');
        await launch();
        return handle;
    };
    // Kill if still running and remove the temp directory. Never throws.
    handle.cleanup = async () => {
        try {
            if (handle.child && !handle.exited) await handle.stop('SIGKILL');
        } catch {
            /* best effort */
        }
        if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    };
    handle.request = (method, p, o = {}) => request(handle, method, p, o);
    handle.logText = () => handle.logLines.join('\n');
    Object.defineProperty(handle, 'logs', { get: () => handle.logText(), enumerable: true });
    handle.stdoutText = () => handle.stdoutLines.join('\n');
    handle.stderrText = () => handle.stderrLines.join('\n');

    try {
        await launch();
    } catch (err) {
        if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
        throw err;
    }
    return handle;
}

/**
 * Run fn(server) against a fresh server. If fn throws, the server's log is appended to
 * the error. Afterwards the server gets SIGTERM and, when fn passed, the exit code must
 * be 0 (graceful shutdown). The temp directory is always removed.
 */
export async function withServer(opts, fn) {
    const srv = await startServer(opts);
    let failure = null;
    try {
        await fn(srv);
    } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
    }
    // Stop first, so that the log attached to a failure is complete.
    let stopErr = null;
    try {
        const ex = await srv.stop('SIGTERM');
        if (!(ex.code === 0 && ex.signal === null)) {
            stopErr = new Error(`server exit after SIGTERM: code=${ex.code} signal=${ex.signal}, want code 0`);
        }
    } catch (err) {
        stopErr = err;
    }
    await srv.cleanup();
    // A sanitizer report fails the test even if the exit code hid it (a run with
    // UBSan's halt_on_error off, say).
    const report = srv.logLines.find((l) => SANITIZER_RE.test(l));
    if (!stopErr && report) stopErr = new Error(`sanitizer report in the server log: ${report}`);
    // A failure of fn is the more useful report; the shutdown result is only
    // reported on its own when fn passed.
    if (failure) throw withLog(failure, srv);
    if (stopErr) throw withLog(stopErr, srv);
}

/**
 * Run fn(server) against a fresh server that fn may stop, kill and restart itself
 * (restart tests). A failure of fn gets the server's log appended; the server is
 * killed if still running and its directory removed in any case.
 */
export async function withRestartableServer(opts, fn) {
    const srv = await startServer(opts);
    try {
        await fn(srv);
    } catch (err) {
        throw withLog(err, srv);
    } finally {
        await srv.cleanup();
    }
}

const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;

// Append the tail of a server's log to an error's message (the test reporter prints
// the message), once.
export function withLog(err, srv) {
    if (!(err instanceof Error)) err = new Error(String(err));
    if (err.qunzuLogAttached || !srv) return err;
    err.qunzuLogAttached = true;
    const lines = srv.logLines.slice(-LOG_TAIL_LINES);
    const skipped = srv.logLines.length - lines.length;
    err.message +=
        `\n--- server log (${srv.logLines.length} lines${skipped ? `, last ${lines.length} shown` : ''}) ---\n` +
        lines.join('\n') +
        '\n--- end of server log ---';
    return err;
}

/**
 * One HTTP request to a started server (or any {port, agent}) over a keep-alive agent.
 * o.body    object/array/number/boolean -> JSON with Content-Type application/json;
 *           string or Buffer -> sent as is (no Content-Type unless given)
 * o.headers extra request headers
 * o.raw     also return the body as a Buffer in .raw
 * o.timeout ms (default 20000)
 * o.agent   override the agent (false: a new connection that is closed afterwards)
 * Resolves to {status, headers, body (text), json (parsed or undefined), raw?}.
 * A POST/PUT/PATCH without a body is sent with Content-Length: 0.
 */
export function request(srv, method, p, o = {}) {
    const headers = { ...(o.headers || {}) };
    let payload;
    if (o.body !== undefined) {
        if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) {
            payload = Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
        } else {
            payload = Buffer.from(JSON.stringify(o.body), 'utf8');
            if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
        }
    } else if (['POST', 'PUT', 'PATCH'].includes(method)) {
        payload = Buffer.alloc(0);
    }
    if (payload && !hasHeader(headers, 'content-length')) headers['Content-Length'] = String(payload.length);
    const agent = o.agent === undefined ? srv.agent || false : o.agent;
    const timeout = o.timeout || 20000;
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: '127.0.0.1', port: srv.port, method, path: p, headers, agent },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('error', reject);
                res.on('end', () => {
                    const buf = Buffer.concat(chunks);
                    const body = buf.toString('utf8');
                    let json;
                    try {
                        json = JSON.parse(body);
                    } catch {
                        json = undefined;
                    }
                    const out = { status: res.statusCode, headers: res.headers, body, json };
                    if (o.raw) out.raw = buf;
                    resolve(out);
                });
            },
        );
        req.setTimeout(timeout, () => req.destroy(new Error(`${method} ${p}: no response within ${timeout} ms`)));
        req.on('error', (err) => {
            err.message = `${method} ${p}: ${err.message}`;
            reject(err);
        });
        req.end(payload);
    });
}

function hasHeader(headers, name) {
    return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function buildArgs(opts, dir) {
    const a = ['--listen', '127.0.0.1:0', '--db', opts.db || dbArg(dir)];
    const token = opts.adminToken === undefined ? ADMIN_TOKEN : opts.adminToken;
    if (token) a.push('--admin-token', token);
    const keyFile = opts.secretKeyFile === undefined ? testKeyFile() : opts.secretKeyFile;
    if (keyFile) a.push('--secret-key-file', keyFile);
    if (opts.seed === undefined) {
        a.push('--seed', fixtureSeedPath);
    } else if (typeof opts.seed === 'string') {
        a.push('--seed', opts.seed);
    } else if (opts.seed) {
        const p = path.join(dir, 'seed.json');
        fs.writeFileSync(p, JSON.stringify(opts.seed));
        a.push('--seed', p);
    }
    const demo = opts.demo === undefined ? 'off' : opts.demo;
    if (demo) a.push('--demo', demo);
    const threads = opts.threads === undefined ? 2 : opts.threads;
    if (threads !== null) a.push('--threads', String(threads));
    a.push('--log-level', opts.logLevel || 'info');
    // The platforms' rate limits (50 calls a second per Feishu endpoint, 60 a minute
    // per Udesk company) are off unless a test is about them: the suites call faster.
    if (!opts.rateLimit) a.push('--rate-limit', 'off');
    // Uploaded bytes in the server's own directory (on PostgreSQL the default is shared).
    a.push('--upload-dir', path.join(dir, 'uploads'));
    if (opts.args) a.push(...opts.args);
    return a;
}

// The server's environment: ours without QUNZU_*, plus the sanitizer options that
// scripts/test.sh sets when they are not set already (so a plain `node --test` in
// tests/http judges an ASan build the same way), plus 'extra'.
export function childEnv(extra = {}) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('QUNZU_')) env[k] = v;
    }
    env.ASAN_OPTIONS ??= 'abort_on_error=1:detect_leaks=1';
    env.UBSAN_OPTIONS ??= 'print_stacktrace=1:halt_on_error=1';
    const supp = path.join(repoRoot, 'tests', 'lsan.supp');
    if (env.LSAN_OPTIONS === undefined && fs.existsSync(supp)) {
        env.LSAN_OPTIONS = `suppressions=${supp}:print_suppressions=0`;
    }
    return { ...env, ...extra };
}

function pushLog(handle, line, stream) {
    handle.logLines.push(stream ? `[${stream}] ${line}` : line);
    if (stream === 'stdout') handle.stdoutLines.push(line);
    if (stream === 'stderr') handle.stderrLines.push(line);
}

function lineReader(stream, onLine) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
        rest += d;
        let i;
        while ((i = rest.indexOf('\n')) >= 0) {
            onLine(rest.slice(0, i).replace(/\r$/, ''));
            rest = rest.slice(i + 1);
        }
    });
    stream.on('end', () => {
        if (rest) onLine(rest);
        rest = '';
    });
}

// Poll until fn() returns a truthy value or the time is up; returns the last value.
export async function waitFor(fn, { timeoutMs = 3000, intervalMs = 25 } = {}) {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v || Date.now() >= end) return v;
        await sleep(intervalMs);
    }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Rate-limit windows are aligned on the wall clock: wait, if need be, for the next
// minute so that the next 'needMs' of calls fall in one minute window.
export async function awayFromMinuteEdge(needMs = 15000) {
    const into = Date.now() % 60000;
    if (into > 60000 - needMs) await sleep(60000 - into + 50);
}

// The --db argument a server was started with (a second node on the same database).
export function dbOf(srv) {
    return srv.args[srv.args.indexOf('--db') + 1];
}
