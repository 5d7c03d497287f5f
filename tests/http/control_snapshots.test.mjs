// The control room's snapshots: POST/GET /admin/v1/snapshots, POST
// /admin/v1/snapshots/{name}/restore, DELETE /admin/v1/snapshots/{name}. Both backends
// (PostgreSQL keeps the files in snapshot_dir).
//
// "Everything round-trips" is judged from the database itself, every table the schema
// has (lib/dbdump.mjs): a table added later is covered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_HEADERS, advanceClock, dbOf, makeTempDir, sleep, withRestartableServer, withServer } from './lib/server.mjs';
import { APP1, GAPP, createChat, fs as fsCall, getChat, tenantToken } from './lib/feishu.mjs';
import { dumpDb, without } from './lib/dbdump.mjs';

// Snapshots of a large state take a while under the sanitizers and a loaded machine.
function admin(srv, method, p, body) {
    return srv.request(method, p, { body, headers: ADMIN_HEADERS, timeout: 120_000 });
}

// Snapshots live in a directory of the test's own on every backend, so the test can
// read the files (a SQLite database each).
function snapOpts(extra = {}) {
    const dir = makeTempDir('qunzu-snap-');
    return { dir, opts: { ...extra, args: ['--snapshot_dir', dir, ...(extra.args || [])] } };
}

async function save(srv, name) {
    const res = await admin(srv, 'POST', '/admin/v1/snapshots', { name });
    assert.equal(res.status, 200, res.body);
    return res.json;
}

async function restore(srv, name) {
    const res = await admin(srv, 'POST', `/admin/v1/snapshots/${encodeURIComponent(name)}/restore`);
    assert.equal(res.status, 200, res.body);
    return res.json;
}

// Meta holds qunzu's bookkeeping (the fault rules' generation moves on every restore; a
// restored state without a clock offset has offset 0, written out); PostgreSQL's shared
// rate counts are not state.
const state = (d) => without(d, ['meta', 'rate_count']);
const metaOf = (d) => d.meta.map((r) => JSON.parse(r))
    .filter((r) => r.key !== 'fault_gen' && !(r.key === 'clock_offset' && r.value === '0'));

test('snapshots: save, list, restore round-trips every table; names, conflicts, unknowns, the bound', { timeout: 120_000 }, async () => {
    const { dir, opts } = snapOpts({ args: ['--snapshot_max', '2'] });
    try {
        await withServer(opts, async (srv) => {
            const tok = await tenantToken(srv, APP1);
            const chat = await createChat(srv, tok, { name: 'before', user_id_list: ['zhangsan'] }, { user_id_type: 'user_id' });
            await admin(srv, 'POST', '/admin/v1/faults', { dialect: 'feishu', route: 'GET /open-apis/im/v1/chats/:chat_id', tenant: 'Globex', count: 1, answer: { code: 99991400 } });
            const clockBefore = (await admin(srv, 'GET', '/admin/v1/clock')).json.offset_seconds;
            const before = dumpDb(dbOf(srv));

            const s = await save(srv, 'base-1.x');
            assert.equal(s.name, 'base-1.x');
            assert.ok(s.size > 0 && Number.isInteger(s.created_at), JSON.stringify(s));
            assert.ok(fs.existsSync(path.join(dir, 'base-1.x.qzsnap')));
            assert.deepEqual(state(dumpDb(`sqlite:${path.join(dir, 'base-1.x.qzsnap')}`)), state(before), 'the file holds every row');

            // Names: a safe set, never a path; taken; unknown.
            for (const name of ['../x', 'a/b', '.hidden', '', 'x'.repeat(65), 'sp ace']) {
                const res = await admin(srv, 'POST', '/admin/v1/snapshots', { name });
                assert.equal(res.status, 400, `${JSON.stringify(name)}: ${res.body}`);
            }
            assert.equal((await admin(srv, 'POST', '/admin/v1/snapshots', { name: 'base-1.x' })).status, 409);
            assert.equal((await admin(srv, 'POST', '/admin/v1/snapshots/nope/restore')).status, 404);
            assert.equal((await admin(srv, 'POST', '/admin/v1/snapshots/..%2Fq/restore')).status, 400);
            assert.equal((await admin(srv, 'DELETE', '/admin/v1/snapshots/nope')).status, 404);
            assert.equal((await srv.request('GET', '/admin/v1/snapshots')).status, 401);

            // Everything changes: more chats, a tenant gone, rules, the clock, tokens.
            const later = await createChat(srv, tok, { name: 'after' });
            assert.equal((await admin(srv, 'DELETE', '/admin/v1/tenants/Globex')).status, 200);
            await admin(srv, 'POST', '/admin/v1/faults', { dialect: 'feishu', route: 'PUT /open-apis/im/v1/chats/:chat_id', tenant: 'Acme', count: 5, answer: { code: 99991400 } });
            await advanceClock(srv, 3600);
            await save(srv, 'second');
            const third = await admin(srv, 'POST', '/admin/v1/snapshots', { name: 'third' });
            assert.equal(third.status, 400, `snapshot_max 2: ${third.body}`);
            const list = (await admin(srv, 'GET', '/admin/v1/snapshots')).json.items;
            assert.deepEqual(list.map((x) => x.name), ['base-1.x', 'second']);

            assert.deepEqual(await restore(srv, 'base-1.x'), { restored: 'base-1.x' });
            const after = dumpDb(dbOf(srv));
            assert.deepEqual(state(after), state(before));
            assert.deepEqual(metaOf(after), metaOf(before));
            assert.equal((await admin(srv, 'GET', '/admin/v1/clock')).json.offset_seconds, clockBefore, 'the clock went back');
            // This node serves the restored state at once: the old token, the old chat, the
            // old rules (Acme's is gone); the later chat is unknown.
            assert.equal((await getChat(srv, tok, chat.chat_id)).json.code, 0);
            assert.notEqual((await getChat(srv, tok, later.chat_id)).json.code, 0);
            assert.deepEqual((await admin(srv, 'GET', '/admin/v1/faults')).json.items.map((r) => r.tenant), ['Globex']);
            const gtok = await tenantToken(srv, GAPP);
            assert.equal((await fsCall(srv, 'GET', '/open-apis/im/v1/chats/oc_x', gtok)).json.code, 99991400, 'the restored rule fires');

            // Back and forth.
            await restore(srv, 'second');
            assert.equal((await getChat(srv, tok, later.chat_id)).json.code, 0);
            await restore(srv, 'base-1.x');
            assert.deepEqual(state(dumpDb(dbOf(srv))), state(before));

            assert.deepEqual((await admin(srv, 'DELETE', '/admin/v1/snapshots/second')).json, { deleted: 'second' });
            assert.deepEqual((await admin(srv, 'GET', '/admin/v1/snapshots')).json.items.map((x) => x.name), ['base-1.x']);
            assert.ok(!fs.readdirSync(dir).some((f) => f.startsWith('second') || f.endsWith('.tmp')), fs.readdirSync(dir).join(' '));
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('snapshots: a failed restore leaves the state as it was', { timeout: 60_000 }, async () => {
    const { dir, opts } = snapOpts();
    try {
        await withServer(opts, async (srv) => {
            const tok = await tenantToken(srv, APP1);
            await createChat(srv, tok, { name: 'kept' });
            await save(srv, 'good');
            fs.writeFileSync(path.join(dir, 'bad.qzsnap'), 'this is not a database'.repeat(100));
            const before = dumpDb(dbOf(srv));
            const res = await admin(srv, 'POST', '/admin/v1/snapshots/bad/restore');
            assert.equal(res.status, 503, res.body);
            assert.deepEqual(dumpDb(dbOf(srv)), before);
            await createChat(srv, tok, { name: 'still writable' });
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('snapshots under concurrent writes: each is one committed state, restores to exactly it, and a restore among writes is atomic', { timeout: 180_000 }, async () => {
    const { dir, opts } = snapOpts();
    try {
        await withServer(opts, async (srv) => {
            const tok = await tenantToken(srv, APP1);
            let stop = false;
            let made = 0;
            const writer = async (w) => {
                for (let i = 0; !stop; i++) {
                    await createChat(srv, tok, { name: `w${w}-${i}`, user_id_list: ['zhangsan'] }, { user_id_type: 'user_id' });
                    made++;
                }
            };
            const writers = [0, 1, 2, 3].map(writer);
            const names = [];
            for (let i = 0; i < 4; i++) {
                await sleep(150);
                names.push((await save(srv, `busy${i}`)).name);
            }
            stop = true;
            await Promise.all(writers);
            assert.ok(made > 10, `writes happened: ${made}`);
            for (const name of names) {
                const file = dumpDb(`sqlite:${path.join(dir, `${name}.qzsnap`)}`);
                // One committed state: every chat with its members, counts that match.
                const members = new Map();
                for (const r of file.fs_chat_member.map((x) => JSON.parse(x))) members.set(r.chat_ref, (members.get(r.chat_ref) || 0) + 1);
                for (const c of file.fs_chat.map((x) => JSON.parse(x))) {
                    assert.equal(members.get(c.id), c.user_count + c.bot_count, `chat ${c.chat_id} in ${name}`);
                }
                await restore(srv, name);
                assert.deepEqual(state(dumpDb(dbOf(srv))), state(file), `restored ${name}`);
            }
            // A restore while requests write: each write lands wholly before it (and is
            // replaced) or wholly after it (and stays); none sees half of it.
            stop = false;
            const answered = []; // [chat_id, sent at, answered at]
            const failed = [];
            let sent = Infinity;
            const writer2 = async (w) => {
                for (let i = 0; !stop; i++) {
                    const at = Date.now();
                    try {
                        const c = await createChat(srv, tok, { name: `r${w}-${i}`, user_id_list: ['zhangsan'] }, { user_id_type: 'user_id' });
                        answered.push([c.chat_id, at, Date.now()]);
                    } catch (err) {
                        failed.push(`${at - sent} ms after the restore was sent: ${err.message}`);
                    }
                }
            };
            const writers2 = [0, 1, 2].map(writer2);
            await sleep(100);
            sent = Date.now();
            await restore(srv, names[0]);
            const done = Date.now();
            await sleep(150);
            stop = true;
            await Promise.all(writers2);
            assert.deepEqual(failed, [], 'every write during the restore is answered');
            const now = dumpDb(dbOf(srv));
            const ids = new Set(now.fs_chat.map((x) => JSON.parse(x).chat_id));
            const inSnap = new Set(dumpDb(`sqlite:${path.join(dir, `${names[0]}.qzsnap`)}`).fs_chat.map((x) => JSON.parse(x).chat_id));
            // (Sent after the restore's answer: later; answered before it was sent:
            // earlier. Anything in between may land on either side.)
            for (const [id, sentAt, at] of answered) {
                if (sentAt > done) assert.ok(ids.has(id), `a chat sent after the restore is kept: ${id}`);
                if (at < sent) assert.equal(ids.has(id), inSnap.has(id), `a chat answered before the restore is replaced: ${id}`);
            }
            assert.ok(answered.some(([, sentAt]) => sentAt > done), 'writes after the restore');
            const members = new Map();
            for (const r of now.fs_chat_member.map((x) => JSON.parse(x))) members.set(r.chat_ref, (members.get(r.chat_ref) || 0) + 1);
            for (const c of now.fs_chat.map((x) => JSON.parse(x))) assert.equal(members.get(c.id), c.user_count + c.bot_count, `chat ${c.chat_id}`);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('a restore killed with SIGKILL leaves the old state or the new one, never a mix', { timeout: 300_000 }, async () => {
    // No seed file: a restart must not change the state it looks at.
    const { dir, opts } = snapOpts({ seed: null });
    // Enough rows for a restore to take a while (PostgreSQL's seed is the slower).
    const users = Array.from({ length: process.env.QUNZU_TEST_PG ? 6000 : 20000 }, (_, i) => ({ user_id: `u${i}`, name: `User ${i}` }));
    try {
        await withRestartableServer(opts, async (srv) => {
            const seeded = await admin(srv, 'POST', '/admin/v1/seed', { tenants: [{ name: 'Big', users, feishu: { apps: [{ app_id: 'cli_big', app_secret: 'big-secret' }] } }] });
            assert.equal(seeded.status, 200, seeded.body);
            await save(srv, 'big');
            const big = state(dumpDb(dbOf(srv)));
            assert.equal((await admin(srv, 'DELETE', '/admin/v1/tenants/Big')).status, 200);
            await save(srv, 'small');
            const small = state(dumpDb(dbOf(srv)));

            let t0 = Date.now();
            await restore(srv, 'big');
            const took = Math.max(Date.now() - t0, 20);
            assert.deepEqual(state(dumpDb(dbOf(srv))), big);
            const seen = { old: 0, new: 0 };
            for (const frac of [0.3, 0.7, 0.95, 1.6]) {
                await restore(srv, 'small');
                t0 = Date.now();
                const pending = admin(srv, 'POST', '/admin/v1/snapshots/big/restore').catch(() => null);
                await sleep(Math.floor(took * frac));
                await srv.kill9();
                await pending;
                await srv.restart();
                const now = state(dumpDb(dbOf(srv)));
                const isOld = JSON.stringify(now) === JSON.stringify(small);
                const isNew = JSON.stringify(now) === JSON.stringify(big);
                assert.ok(isOld || isNew, `after a kill ${Date.now() - t0} ms into a restore of about ${took} ms: neither state`);
                seen[isOld ? 'old' : 'new']++;
            }
            console.log(`restore of ${took} ms killed 4 times: ${JSON.stringify(seen)}`);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('snapshots: next to a SQLite database by default; PostgreSQL needs snapshot_dir', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const db = dbOf(srv);
        const res = await admin(srv, 'POST', '/admin/v1/snapshots', { name: 'here' });
        if (db.startsWith('sqlite:')) {
            assert.equal(res.status, 200, res.body);
            assert.ok(fs.existsSync(`${db.slice(7)}.snapshots/here.qzsnap`));
            assert.deepEqual((await admin(srv, 'GET', '/admin/v1/snapshots')).json.items.map((x) => x.name), ['here']);
        } else {
            assert.equal(res.status, 400, res.body);
            assert.match(res.json.error.message, /snapshot_dir/);
            assert.equal((await admin(srv, 'GET', '/admin/v1/snapshots')).status, 400);
        }
    });
});

test('a long restore or save does not hold up the other calls of its worker', { timeout: 300_000 }, async () => {
    const { dir, opts } = snapOpts({ seed: null, threads: 1 });
    const users = Array.from({ length: process.env.QUNZU_TEST_PG ? 6000 : 20000 }, (_, i) => ({ user_id: `u${i}`, name: `User ${i}` }));
    try {
        await withServer(opts, async (srv) => {
            const seeded = await admin(srv, 'POST', '/admin/v1/seed', { tenants: [{ name: 'Big', users, feishu: { apps: [{ app_id: 'cli_big' }] } }] });
            assert.equal(seeded.status, 200, seeded.body);
            for (const call of [
                () => admin(srv, 'POST', '/admin/v1/snapshots', { name: 'big' }),
                () => admin(srv, 'POST', '/admin/v1/snapshots/big/restore'),
            ]) {
                const order = [];
                const long = call().then((res) => { order.push('long'); return res; });
                await sleep(30);
                const clock = await admin(srv, 'GET', '/admin/v1/clock');
                order.push('clock');
                assert.equal(clock.status, 200);
                assert.equal((await long).status, 200);
                assert.deepEqual(order, ['clock', 'long'], 'one worker (threads 1) answered another call meanwhile');
            }
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
