// Configuration (CONTRIBUTING.md: a config key is one table row): --print-config, precedence default < file < environment <
// command line, validation errors that name the key (and the line of a config file).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { binPath, childEnv, makeTempDir, withServer } from './lib/server.mjs';

// Run the binary to completion (it must not start serving). Resolves to
// {code, signal, stdout, stderr}; killed after timeoutMs.
function run(args, { env = {}, timeoutMs = 15_000 } = {}) {
    return new Promise((resolve, reject) => {
        const bin = binPath();
        if (!fs.existsSync(bin)) return reject(new Error(`qunzu binary not found at ${bin} (build it, or set QUNZU_BIN)`));
        const child = spawn(bin, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const t = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeoutMs);
        child.on('error', reject);
        child.on('close', (code, signal) => {
            clearTimeout(t);
            resolve({ code, signal, stdout, stderr, timedOut, args });
        });
    });
}

const show = (r) => `qunzu ${r.args.join(' ')} -> code=${r.code} signal=${r.signal}${r.timedOut ? ' (timed out: it did not exit)' : ''}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

function configValue(stdout, key) {
    const m = new RegExp(`^\\s*${key.replace('.', '\\.')}\\s*=\\s*(.*?)\\s*$`, 'm').exec(stdout);
    return m ? m[1].replace(/^"(.*)"$/, '$1') : undefined;
}

async function printConfig(args = [], env = {}) {
    const r = await run([...args, '--print-config'], { env });
    assert.equal(r.code, 0, show(r));
    return r;
}

// A failing start: non-zero exit (not a crash, not a timeout) and a message on stderr
// that matches every pattern in 'mentions'.
async function assertRejected(args, mentions, env = {}) {
    const r = await run(args, { env });
    assert.ok(!r.timedOut, `expected a quick failure, but it kept running\n${show(r)}`);
    assert.equal(r.signal, null, `killed by a signal\n${show(r)}`);
    assert.notEqual(r.code, 0, `expected a non-zero exit\n${show(r)}`);
    assert.ok(!/AddressSanitizer|runtime error:|LeakSanitizer/.test(r.stderr), `sanitizer report\n${show(r)}`);
    for (const m of mentions) assert.match(r.stderr, m, `stderr should mention ${m}\n${show(r)}`);
    return r;
}

function writeConfig(dir, name, text) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
}

test('--print-config prints key = value lines, exits 0, masks the admin token', { timeout: 30_000 }, async () => {
    const r = await printConfig(['--admin-token', 's3cr3t-admin-value']);
    const lines = r.stdout.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    assert.ok(lines.length >= 4, `too few config lines\n${show(r)}`);
    for (const l of lines) assert.match(l, /^\s*[a-z][a-z0-9_.]*\s*=\s*.*$/, `not a 'key = value' line: ${l}`);
    for (const key of ['listen', 'db', 'threads', 'admin_token']) {
        assert.notEqual(configValue(r.stdout, key), undefined, `key ${key} missing\n${show(r)}`);
    }
    assert.equal(configValue(r.stdout, 'admin_token'), '********');
    assert.ok(!r.stdout.includes('s3cr3t-admin-value') && !r.stderr.includes('s3cr3t-admin-value'), 'the admin token is printed');
});

test('precedence: default < config file < environment < command line', { timeout: 60_000 }, async () => {
    const dir = makeTempDir();
    try {
        const conf = writeConfig(dir, 'qunzu.conf', '# test config\n\nthreads = 5\n');
        assert.equal(configValue((await printConfig(['--config', conf])).stdout, 'threads'), '5', 'file');
        assert.equal(configValue((await printConfig([], { QUNZU_THREADS: '3' })).stdout, 'threads'), '3', 'env');
        assert.equal(configValue((await printConfig(['--config', conf], { QUNZU_THREADS: '3' })).stdout, 'threads'), '3', 'env over file');
        assert.equal(configValue((await printConfig(['--threads', '4'], { QUNZU_THREADS: '3' })).stdout, 'threads'), '4', 'flag over env');
        assert.equal(
            configValue((await printConfig(['--config', conf, '--threads', '4'], { QUNZU_THREADS: '3' })).stdout, 'threads'),
            '4',
            'flag over env and file',
        );
        const conf2 = writeConfig(dir, 'two.conf', 'threads = 2\n');
        assert.equal(configValue((await printConfig(['--config', conf2])).stdout, 'threads'), '2');
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('a server started with a config file runs with it', { timeout: 60_000 }, async () => {
    const dir = makeTempDir();
    try {
        const conf = writeConfig(dir, 'qunzu.conf', 'threads = 2\n');
        await withServer({ threads: null, args: ['--config', conf] }, async (srv) => {
            const r = await srv.request('GET', '/healthz');
            assert.equal(r.status, 200);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('invalid values on the command line or in the environment name the key', { timeout: 120_000 }, async () => {
    const dir = makeTempDir();
    try {
        const db = `sqlite:${path.join(dir, 'q.db')}`;
        const base = ['--listen', '127.0.0.1:0', '--db', db, '--demo', 'off'];
        await assertRejected([...base, '--threads', '0'], [/threads/]);
        await assertRejected([...base, '--threads', 'abc'], [/threads/]);
        await assertRejected([...base, '--threads', '-1'], [/threads/]);
        await assertRejected([...base, '--threads', '2x'], [/threads/]);
        await assertRejected(['--listen', 'nonsense', '--db', db, '--demo', 'off'], [/listen/]);
        await assertRejected(['--listen', '127.0.0.1:99999', '--db', db, '--demo', 'off'], [/listen/]);
        await assertRejected(['--listen', '127.0.0.1:0', '--db', 'mysql://x', '--demo', 'off'], [/\bdb\b/]);
        await assertRejected([...base, '--log-level', 'loud'], [/log.?level/]);
        await assertRejected([...base, '--demo', 'maybe'], [/demo/]);
        await assertRejected([...base, '--no-such-option'], [/no-such-option/]);
        await assertRejected(base, [/threads/], { QUNZU_THREADS: 'abc' });
        // Validation happens for --print-config too.
        await assertRejected(['--threads', '0', '--print-config'], [/threads/]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('config file errors name the key and the line number', { timeout: 60_000 }, async () => {
    const dir = makeTempDir();
    try {
        const db = `sqlite:${path.join(dir, 'q.db')}`;
        const base = ['--listen', '127.0.0.1:0', '--db', db, '--demo', 'off'];
        const unknown = writeConfig(dir, 'unknown.conf', '# comment\nthreads = 2\nbogus_key = 1\n');
        await assertRejected([...base, '--config', unknown], [/bogus_key/, /(line\s*3\b|:3\b)/i]);
        const badValue = writeConfig(dir, 'bad.conf', '\nthreads = zero\n');
        await assertRejected([...base, '--config', badValue], [/threads/, /(line\s*2\b|:2\b)/i]);
        const noEquals = writeConfig(dir, 'noeq.conf', 'threads = 2\n\nthis line is garbage\n');
        await assertRejected([...base, '--config', noEquals], [/(line\s*3\b|:3\b)/i]);
        await assertRejected([...base, '--config', path.join(dir, 'missing.conf')], [/missing\.conf/]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
