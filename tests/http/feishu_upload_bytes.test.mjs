// tests/http/feishu_upload_bytes.test.mjs - the bytes of uploads ("Upload an image", "Upload a
// file") in the upload directory: a failed upload leaves none behind (too large, not an
// image, empty, a client gone mid-body, a store that fails after the bytes were written),
// every key's file is whole, the retention sweep removes what no key names (at start and
// later) but never another database's directory nor bytes a snapshot's rows name, and
// PostgreSQL nodes that share the
// directory download each other's keys (one that does not share it answers 55001).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connect } from './lib/rawhttp.mjs';
import { ADMIN_HEADERS, dbOf, makeTempDir, sleep, waitFor, withRestartableServer, withServer } from './lib/server.mjs';
import { APP1, feishuSeed, tokenCall, withFeishuServer } from './lib/feishu.mjs';

const PG = process.env.QUNZU_TEST_PG;
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const png = () => Buffer.concat([PNG_HEAD, crypto.randomBytes(256)]);
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

// The directory a test server keeps its uploads in (the last --upload-dir wins).
const uploadDir = (srv) => srv.args[srv.args.lastIndexOf('--upload-dir') + 1];

// Every file under the shard directories: {name: size}; '.tmp-' files included.
function files(dir) {
    const out = {};
    if (!fs.existsSync(dir)) return out;
    for (const shard of fs.readdirSync(dir)) {
        const p = path.join(dir, shard);
        if (!fs.statSync(p).isDirectory()) continue;
        for (const f of fs.readdirSync(p)) out[`${shard}/${f}`] = fs.statSync(path.join(p, f)).size;
    }
    return out;
}
const blobNames = (dir) => Object.keys(files(dir)).map((f) => f.split('/')[1]).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort();

function form(parts) {
    const boundary = crypto.randomBytes(12).toString('hex');
    const chunks = [];
    for (const [name, value] of parts) {
        chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

function uploadImage(srv, tok, bytes) {
    const f = form([['image_type', 'message'], ['image', bytes]]);
    return srv.request('POST', '/open-apis/im/v1/images', { body: f.body, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': f.type } });
}

function uploadFile(srv, tok, bytes, name = 'a.pdf') {
    const f = form([['file_type', 'stream'], ['file_name', name], ['file', bytes]]);
    return srv.request('POST', '/open-apis/im/v1/files', { body: f.body, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': f.type } });
}

const download = (srv, tok, key) => srv.request('GET', `/open-apis/im/v1/images/${key}`, { headers: { Authorization: `Bearer ${tok}` }, raw: true });

async function token(srv) {
    for (let i = 0; i < 50; i++) {
        const res = await tokenCall(srv, 'tenant_access_token', { app_id: APP1.app_id, app_secret: APP1.app_secret });
        if (res.json?.code === 0) return res.json.tenant_access_token;
    }
    throw new Error('no tenant token');
}

async function until(what, fn, timeoutMs = 20000) {
    const v = await waitFor(fn, { timeoutMs, intervalMs: 50 });
    if (!v) throw new Error(`timed out waiting for ${what}`);
    return v;
}

test('refused uploads and a client gone mid-body leave no bytes in the upload directory', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const dir = uploadDir(srv);
        const tok = await token(srv);
        const ok = png();
        let res = await uploadImage(srv, tok, ok);
        assert.equal(res.json?.code, 0, res.body);
        assert.deepEqual(blobNames(dir), [sha(ok)]);
        const before = files(dir);
        // Too large, not an image, empty.
        res = await uploadImage(srv, tok, Buffer.concat([PNG_HEAD, Buffer.alloc(10 * 1024 * 1024)]));
        assert.equal(res.json?.code, 234006, res.body);
        res = await uploadFile(srv, tok, Buffer.alloc(30 * 1024 * 1024 + 1, 7));
        assert.equal(res.json?.code, 234006, res.body);
        res = await uploadImage(srv, tok, Buffer.from('GIF8 not quite an image'));
        assert.equal(res.json?.code, 234011, res.body);
        res = await uploadImage(srv, tok, Buffer.alloc(0));
        assert.equal(res.json?.code, 234010, res.body);
        // A client that announces 5 MB, sends 1 MB and goes away.
        const f = form([['image_type', 'message'], ['image', Buffer.concat([PNG_HEAD, crypto.randomBytes(5 * 1024 * 1024)])]]);
        const c = await connect(srv.port);
        c.sock.write(`POST /open-apis/im/v1/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\nContent-Type: ${f.type}\r\nContent-Length: ${f.body.length}\r\n\r\n`);
        c.sock.write(f.body.subarray(0, 1024 * 1024));
        await sleep(200);
        c.sock.destroy();
        // The server goes on; nothing new on disk, no temporary file.
        const again = png();
        res = await uploadImage(srv, tok, again);
        assert.equal(res.json?.code, 0, res.body);
        const after = files(dir);
        delete after[`${sha(again).slice(0, 2)}/${sha(again)}`];
        assert.deepEqual(after, before);
    });
});

test('upload_max_bytes bounds the bytes of every upload together: 232096 past it, and nothing written', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const dir = uploadDir(srv);
        const tok = await token(srv);
        const first = Buffer.concat([PNG_HEAD, crypto.randomBytes(600)]);
        assert.equal((await uploadImage(srv, tok, first)).json?.code, 0);
        const res = await uploadImage(srv, tok, Buffer.concat([PNG_HEAD, crypto.randomBytes(600)]));
        assert.equal(res.status, 400);
        assert.equal(res.json?.code, 232096, res.body);
        assert.equal(res.json.msg, 'Meta writing has stopped, please try again later.');
        assert.deepEqual(blobNames(dir), [sha(first)]);
    }, { args: ['--upload-max-bytes', '1000'] });
});

test('a store that fails after the bytes were written leaves no file without a key; every key is whole', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const dir = uploadDir(srv);
        const tok = await token(srv);
        const kept = new Map(); // sha -> {key, bytes}
        let failed = 0;
        // An upload runs a fixed number of statements: were it a multiple of the fault
        // period, every upload would fail at the same one. A read of its own count of
        // statements after every third upload shifts the phase. The period (11) is well
        // above an upload's own calls: under load the sweep's calls (every 100 ms) fall
        // inside uploads too, and with 7 every upload of a slow run met a fault.
        for (let i = 0; i < 200 && (i < 60 || failed === 0 || kept.size === 0); i++) {
            const b = png();
            const res = await uploadImage(srv, tok, b);
            if (res.json?.code === 0) kept.set(sha(b), { key: res.json.data.image_key, bytes: b });
            else failed++;
            if (i % 3 === 2) await download(srv, tok, 'img_v2_shift');
        }
        assert.ok(failed > 0 && kept.size > 0, `failed ${failed}, kept ${kept.size}`);
        // Failed uploads remove their own bytes; a commit that failed after the handler
        // leaves its file to the sweep (retention every 100 ms here).
        await until('only the kept keys\' files', async () => JSON.stringify(blobNames(dir)) === JSON.stringify([...kept.keys()].sort()));
        for (const [name, { bytes }] of kept) {
            assert.ok(fs.readFileSync(path.join(dir, name.slice(0, 2), name)).equals(bytes));
        }
        assert.equal(Object.keys(files(dir)).some((f) => f.includes('.tmp-')), false);
        // And each key downloads its bytes (the injected faults may fail a try).
        for (const { key, bytes } of kept.values()) {
            const got = await until(`key ${key}`, async () => { const r = await download(srv, tok, key); return r.status === 200 && r; });
            assert.ok(got.raw.equals(bytes));
        }
    }, { args: ['--store-fault-every', '11', '--retention-interval-ms', '100'] });
});

test('the sweep removes files no key names and stale temporary files, at start; never another database\'s directory', { timeout: 120_000 }, async () => {
    await withRestartableServer({ seed: feishuSeed(), args: ['--retention-interval-ms', '100'] }, async (srv) => {
        const dir = uploadDir(srv);
        let tok = await token(srv);
        const legit = png();
        const res = await uploadImage(srv, tok, legit);
        assert.equal(res.json?.code, 0, res.body);
        const key = res.json.data.image_key;
        await until('the owner file', async () => fs.existsSync(path.join(dir, '.qunzu-database')));
        await srv.stop();
        // What a crash could leave: bytes whose transaction never committed, a
        // temporary file of a write cut short; and what the sweep must keep.
        const plant = () => {
            const orphan = crypto.randomBytes(100);
            const name = sha(orphan);
            fs.mkdirSync(path.join(dir, name.slice(0, 2)), { recursive: true });
            fs.writeFileSync(path.join(dir, name.slice(0, 2), name), orphan);
            return `${name.slice(0, 2)}/${name}`;
        };
        const orphan = plant();
        const shard = sha(legit).slice(0, 2);
        const stale = path.join(dir, shard, '.tmp-0123456789abcdef');
        const fresh = path.join(dir, shard, '.tmp-fedcba9876543210');
        const other = path.join(dir, shard, 'notes.txt');
        for (const p of [stale, fresh, other]) fs.writeFileSync(p, 'x');
        const hourAgo = new Date(Date.now() - 3600 * 1000);
        fs.utimesSync(stale, hourAgo, hourAgo);
        await srv.restart();
        await until('the orphan and the stale file gone', async () => !fs.existsSync(path.join(dir, orphan)) && !fs.existsSync(stale));
        assert.ok(fs.existsSync(fresh), 'a temporary file being written stays');
        assert.ok(fs.existsSync(other), 'a file the sweep does not know stays');
        assert.deepEqual(blobNames(dir), [sha(legit)]);
        tok = await token(srv);
        const got = await download(srv, tok, key);
        assert.equal(got.status, 200);
        assert.ok(got.raw.equals(legit));
        // Orphans that appear later go on a later pass.
        const late = plant();
        await until('the later orphan gone', async () => !fs.existsSync(path.join(dir, late)));
        // A directory another database owns is left alone.
        await srv.stop();
        fs.writeFileSync(path.join(dir, '.qunzu-database'), 'another-database');
        const foreign = plant();
        await srv.restart();
        await until('the refusal logged', async () => /belongs to another database/.test(srv.logs));
        await sleep(500);
        assert.ok(fs.existsSync(path.join(dir, foreign)), 'another database\'s file stays');
    });
});

test('snapshots: a restore keeps every blob row, so the sweep keeps the bytes a later restore needs', { timeout: 120_000 }, async () => {
    const snapDir = makeTempDir('qunzu-snap-');
    try {
        await withFeishuServer(async (srv) => {
            const dir = uploadDir(srv);
            const admin = (method, p, body) => srv.request(method, p, { body, headers: ADMIN_HEADERS, timeout: 120_000 });
            const tok = await token(srv);
            const first = png();
            assert.equal((await uploadImage(srv, tok, first)).json?.code, 0);
            assert.equal((await admin('POST', '/admin/v1/snapshots', { name: 's1' })).status, 200);
            const bytes = png();
            const up = await uploadImage(srv, tok, bytes);
            assert.equal(up.json?.code, 0, up.body);
            assert.equal((await admin('POST', '/admin/v1/snapshots', { name: 's2' })).status, 200);
            // Back to before the upload: its key is gone, its bytes stay (their row too).
            assert.equal((await admin('POST', '/admin/v1/snapshots/s1/restore')).status, 200);
            const tok1 = await token(srv);
            assert.equal((await download(srv, tok1, up.json.data.image_key)).json?.code, 234005);
            // A few sweeps later (retention every 100 ms), forward again: the key works.
            await sleep(1500);
            assert.deepEqual(blobNames(dir), [sha(first), sha(bytes)].sort());
            assert.equal((await admin('POST', '/admin/v1/snapshots/s2/restore')).status, 200);
            const got = await download(srv, await token(srv), up.json.data.image_key);
            assert.equal(got.status, 200, got.body);
            assert.ok(got.raw.equals(bytes));
        }, { args: ['--snapshot_dir', snapDir, '--retention-interval-ms', '100'] });
    } finally {
        fs.rmSync(snapDir, { recursive: true, force: true });
    }
});

test('two PostgreSQL nodes: sharing upload_dir, each downloads the other\'s keys; not sharing it, the dialect\'s 55001', { skip: PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG)', timeout: 180_000 }, async () => {
    await withFeishuServer(async (a) => {
        const shared = uploadDir(a);
        await withServer({ db: dbOf(a), seed: null, args: ['--upload-dir', shared] }, async (b) => {
            const tok = await token(a);
            const bytes = png();
            const up = await uploadImage(a, tok, bytes);
            assert.equal(up.json?.code, 0, up.body);
            const got = await download(b, tok, up.json.data.image_key);
            assert.equal(got.status, 200, got.body);
            assert.ok(got.raw.equals(bytes));
            // The same bytes again through b: one file, two keys.
            const up2 = await uploadImage(b, tok, bytes);
            assert.equal(up2.json?.code, 0, up2.body);
            assert.deepEqual(blobNames(shared), [sha(bytes)]);
            assert.ok((await download(a, tok, up2.json.data.image_key)).raw.equals(bytes));
        });
        await withServer({ db: dbOf(a), seed: null }, async (c) => {
            const tok = await token(a);
            const up = await uploadImage(a, tok, png());
            const res = await download(c, tok, up.json.data.image_key);
            assert.equal(res.status, 500, res.body);
            assert.equal(JSON.parse(res.body).code, 55001);
            assert.match(c.logs, /does not share/);
            // c still serves, and an upload through it writes its own copy.
            assert.equal((await uploadImage(c, tok, png())).json?.code, 0);
        });
    });
});
