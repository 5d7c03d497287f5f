// tests/http/pg_nodes.test.mjs - scale-out on PostgreSQL: two qunzu nodes on one
// database, a database connection that goes away and comes back, a database that is
// not there at start. Runs only when QUNZU_TEST_PG names a PostgreSQL server (the
// second pass of scripts/test.sh); the copy test runs on every pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { adminSeed, advanceClock, binPath, dbOf, freshPgDatabase, keyArgs, makeTempDir, sleep, startServer, waitFor, withServer } from './lib/server.mjs';
import { ACME, addGroup, addGroupOk, assertErr, getToken, kf, listAll } from './lib/wecom.mjs';
import { APP1, assertOk, chatPath, createChat, feishuSeed, fs as call, tenantToken, withFeishuServer } from './lib/feishu.mjs';
import { startReceiver } from './lib/receiver.mjs';

const PG = process.env.QUNZU_TEST_PG;
const pgOnly = PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';

function psql(url, sql) {
    return execFileSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();
}

test('two nodes, one database: reads, tokens, quotas and uniqueness hold across nodes', { skip: pgOnly, timeout: 180_000 }, async () => {
    await withServer({}, async (a) => {
        await withServer({ db: dbOf(a) }, async (b) => {
            const nodes = [a, b];
            // A token issued by one node is accepted by the other, and re-fetching on
            // the other node returns the same token.
            const token = await getToken(a, ACME);
            assert.equal(await getToken(b, ACME), token);

            // A write on one node is read on the other.
            const gid = await addGroupOk(a, token, 'from-a');
            let { groups } = await listAll(b, token);
            assert.ok(groups.some((g) => g.group_id === gid && g.name === 'from-a'), 'group written on A not seen on B');
            assertErr(await addGroup(b, token, 'from-a'), 40058, 'group name already exists', 'duplicate across nodes');

            // Fill to 60 groups, then 50 distinct adds split across the nodes: exactly 40 fit.
            for (let i = groups.length; i < 60; i++) await addGroupOk(nodes[i % 2], token, `fill${i}`);
            const results = await Promise.all(
                Array.from({ length: 50 }, (_, i) => addGroup(nodes[i % 2], token, `race${i}`)),
            );
            assert.equal(results.filter((j) => j.errcode === 0).length, 40, 'exactly 40 adds fit under the cap');
            for (const j of results.filter((x) => x.errcode !== 0)) assertErr(j, 40058, 'group count exceeds limit');
            ({ groups } = await listAll(a, token));
            assert.equal(groups.length, 100);
            assert.equal(new Set(groups.map((g) => g.name)).size, 100, 'duplicate names');

            // Make room, then the same name from both nodes at once: exactly one wins.
            const victims = groups.filter((g) => g.name.startsWith('race')).slice(0, 5);
            for (const v of victims) assert.equal((await kf(a, 'del_group', token, { group_id: v.group_id })).errcode, 0);
            const same = await Promise.all(Array.from({ length: 20 }, (_, i) => addGroup(nodes[i % 2], token, 'same')));
            assert.equal(same.filter((j) => j.errcode === 0).length, 1, 'exactly one same-name add wins');

            // Concurrent deletes of one group from both nodes: exactly one succeeds.
            const target = (await listAll(b, token)).groups.find((g) => g.name === 'same');
            const dels = await Promise.all(
                Array.from({ length: 10 }, (_, i) => kf(nodes[i % 2], 'del_group', token, { group_id: target.group_id })),
            );
            assert.equal(dels.filter((j) => j.errcode === 0).length, 1, 'exactly one delete wins');

            // The clock is shared: moving it on A expires the token on B within a second or so.
            await advanceClock(a, 7300);
            await waitFor(async () => (await kf(b, 'list_group', token, {})).errcode === 42001, { timeoutMs: 5000, intervalMs: 100 });
            const fresh = await getToken(b, ACME);
            assert.notEqual(fresh, token);
            assert.equal(await getToken(a, ACME), fresh);
        });
    });
});

test('a database connection that goes away is re-established; acknowledged writes stay', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withServer({ threads: 1 }, async (srv) => {
        const token = await getToken(srv, ACME);
        const before = await addGroupOk(srv, token, 'before');
        const dbname = new URL(dbOf(srv)).pathname.slice(1);
        // Kill every server-side connection of this database: what a restart of
        // PostgreSQL or a network cut looks like to qunzu.
        const killed = psql(PG, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${dbname}'`);
        assert.ok(Number(killed) >= 1, 'no connection was terminated');
        // The next requests may fail cleanly (-1 system busy), then it recovers.
        let ok = null;
        for (let i = 0; i < 20 && !ok; i++) {
            const j = await kf(srv, 'add_group', token, { name: `after${i}` });
            if (j.errcode === 0) ok = j;
            else assertErr(j, -1, 'system busy', 'while the connection is re-established');
        }
        assert.ok(ok, 'never recovered');
        const { groups } = await listAll(srv, token);
        assert.ok(groups.some((g) => g.group_id === before), 'write acknowledged before the cut was lost');
        const ready = await srv.request('GET', '/readyz');
        assert.equal(ready.status, 200);
    });
});

test('a database that is not there at start: the server waits, then serves', { skip: pgOnly, timeout: 120_000 }, async () => {
    // A URL naming a database that does not exist yet: connecting fails until it is created.
    const name = `qz_late_${process.pid}_${Date.now() % 100000}`;
    const u = new URL(PG);
    u.pathname = `/${name}`;
    const late = u.toString();
    const starting = startServer({ db: late, args: ['--db-wait-seconds', '30'] });
    await sleep(1500);
    psql(PG, `CREATE DATABASE ${name}`);
    const srv = await starting;
    try {
        assert.ok(srv.logLines.some((l) => /database unavailable at start/.test(l)), 'no clear message while waiting');
        const token = await getToken(srv, ACME);
        await addGroupOk(srv, token, 'late');
        const ex = await srv.stop('SIGTERM');
        assert.equal(ex.code, 0);
    } finally {
        await srv.cleanup();
    }
});

test('--copy-to copies a database to the other backend and back', { timeout: 120_000 }, async () => {
    const dir = makeTempDir();
    try {
        let token, gid, src;
        await withServer({ dir }, async (srv) => {
            src = dbOf(srv);
            token = await getToken(srv, ACME);
            gid = await addGroupOk(srv, token, 'copied');
        });
        // SQLite -> PostgreSQL -> SQLite when PostgreSQL is there; SQLite -> SQLite otherwise.
        const middle = PG ? freshPgDatabase(PG) : `sqlite:${path.join(dir, 'middle.db')}`;
        const back = `sqlite:${path.join(dir, 'back.db')}`;
        for (const [from, to] of [[src, middle], [middle, back]]) {
            const r = spawnSync(binPath(), ['--db', from, '--copy-to', to, ...keyArgs()], { encoding: 'utf8' });
            assert.equal(r.status, 0, `copy ${from} -> ${to} failed: ${r.stderr}`);
            assert.match(r.stdout, /copied \d+ rows of kb_category/);
        }
        // Copying into a database that already has tenants is refused.
        const again = spawnSync(binPath(), ['--db', src, '--copy-to', back, ...keyArgs()], { encoding: 'utf8' });
        assert.notEqual(again.status, 0);
        assert.match(again.stderr, /already has tenants/);
        // The copy serves the same state: the token, the group, and new rows get new ids.
        for (const db of [middle, back]) {
            await withServer({ db, dir: makeTempDir() }, async (srv) => {
                assert.equal(await getToken(srv, ACME), token);
                const { groups } = await listAll(srv, token);
                assert.ok(groups.some((g) => g.group_id === gid && g.name === 'copied'));
                await addGroupOk(srv, token, 'after copy');
            });
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('two nodes share the outbox: every event is delivered exactly once', { skip: pgOnly, timeout: 180_000 }, async () => {
    const rx = await startReceiver({ encryptKey: 'two nodes', verificationToken: 'vt-2' });
    try {
        await withFeishuServer(async (a) => {
            await withServer({ db: dbOf(a), seed: feishuSeed() }, async (b) => {
                await adminSeed(a, { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, app_secret: APP1.app_secret, name: APP1.name, event: { callback_url: rx.url, encrypt_key: 'two nodes', verification_token: 'vt-2', types: ['im.chat.updated_v1'] } }] } }] });
                const token = await tenantToken(a, APP1);
                const chat = await createChat(a, token, { name: 'n0' });
                const nodes = [a, b];
                for (let i = 1; i <= 30; i++) assertOk(await call(nodes[i % 2], 'PUT', chatPath(chat.chat_id), token, { name: `n${i}` }));
                await waitFor(() => rx.accepted.length >= 30, { timeoutMs: 30000, intervalMs: 50 });
                await sleep(1000); // room for a duplicate to show up
                const ids = rx.accepted.map((e) => e.event_id);
                assert.equal(ids.length, 30, `accepted ${ids.length} deliveries`);
                assert.equal(new Set(ids).size, 30, 'an event was delivered twice');
                assert.deepEqual(new Set(rx.accepted.map((e) => e.after_change.name)).size, 30);
            });
        });
    } finally {
        await rx.close();
    }
});
