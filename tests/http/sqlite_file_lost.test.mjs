// tests/http/sqlite_file_lost.test.mjs - the SQLite file deleted or moved under a
// running server (issue 22 item 5): writes answer the store error and /readyz 503
// (the file is checked before writes, at most every sqlite_file_check_ms, and on every
// /readyz); a restart does not create an empty database in its place unless told to
// (--sqlite-create on); the first start still creates one. SQLite only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, waitFor, withRestartableServer } from './lib/server.mjs';
import { ACME, addGroup, addGroupOk, assertErr, assertOk, getToken, listAll } from './lib/wecom.mjs';

const sqliteOnly = process.env.QUNZU_TEST_PG ? 'SQLite only' : false;
const names = async (srv, token) => (await listAll(srv, token ?? await getToken(srv, ACME))).groups.map((g) => g.name);

async function refusesToStart(srv) {
    await assert.rejects(srv.restart(), /exited before it was ready/);
    assert.notEqual(srv.exited.code, 0);
    assert.match(srv.logText(), /is missing, but its (key file|WAL) shows it existed/);
}

test('a deleted database file: writes fail, /readyz 503, and no empty database at restart', { skip: sqliteOnly, timeout: 60_000 }, async () => {
    await withRestartableServer({ secretKeyFile: null, args: ['--sqlite-file-check-ms', '0'] }, async (srv) => {
        const db = path.join(srv.dir, 'q.db');
        const token = await getToken(srv, ACME);
        await addGroupOk(srv, token, 'kept');
        assert.equal((await srv.request('GET', '/readyz')).status, 200);

        fs.unlinkSync(db);
        assertErr(await addGroup(srv, token, 'lost'), -1, 'system busy', 'write after the file was deleted');
        assert.equal((await srv.request('GET', '/readyz')).status, 503);
        assert.equal((await srv.request('GET', '/healthz')).status, 200);
        assert.ok((await names(srv, token)).includes('kept'), 'reads go on from the open file');
        assert.match(srv.logText(), /was deleted or replaced while open/);

        await srv.stop();
        assert.ok(!fs.existsSync(db));
        await refusesToStart(srv);
        assert.ok(!fs.existsSync(db), 'no database was created');

        // Told to, it starts on a new, empty database (the fixture seed fills it again).
        const fresh = await startServer({ dir: srv.dir, secretKeyFile: null, args: ['--sqlite-create', 'on'] });
        try {
            assert.match(fresh.logText(), /creating a new, empty one/);
            assert.deepEqual((await names(fresh)).filter((n) => n === 'kept'), []);
            assertOk(await addGroup(fresh, await getToken(fresh, ACME), 'new'), 'write on the new database');
        } finally {
            await fresh.stop();
            await fresh.cleanup();
        }
    });
});

test('a moved database file is noticed within the check interval; moved back, it serves again', { skip: sqliteOnly, timeout: 60_000 }, async () => {
    await withRestartableServer({ secretKeyFile: null }, async (srv) => {
        const db = path.join(srv.dir, 'q.db');
        const token = await getToken(srv, ACME);
        await addGroupOk(srv, token, 'kept');

        fs.renameSync(db, `${db}.moved`);
        // The default interval is 1 s: a write within it may still land (in the moved
        // file, which is kept); after it every write fails.
        await waitFor(async () => (await addGroup(srv, token, `w${Date.now()}`)).errcode === -1, { timeoutMs: 5000, intervalMs: 100 });
        assert.equal((await srv.request('GET', '/readyz')).status, 503);

        await srv.stop();
        await refusesToStart(srv);
        fs.renameSync(`${db}.moved`, db);
        await srv.restart();
        assert.ok((await names(srv)).includes('kept'), 'the restored file has the data');
        assert.equal((await srv.request('GET', '/readyz')).status, 200);
        await srv.stop();
    });
});
