// tests/http/sqlite_unwritable.test.mjs - the SQLite files made unwritable under a
// running server (issue 22 item 10): with the immutable flag on the database, its WAL
// and its WAL index (-shm), the kernel answers SQLite's next write to the mapped WAL
// index with SIGBUS, which used to kill the process. Now writes answer the store error,
// reads and /healthz go on, /readyz says 503, and after the flag is cleared a restart
// has every acknowledged write. Needs root and chattr on the temp directory's file
// system (skipped otherwise); SQLite only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withRestartableServer } from './lib/server.mjs';
import { ACME, addGroup, addGroupOk, assertErr, assertOk, getToken, kf, listAll } from './lib/wecom.mjs';

function chattrWorks() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunzu-chattr-'));
    const f = path.join(dir, 'probe');
    fs.writeFileSync(f, 'x');
    try {
        execFileSync('chattr', ['+i', f], { stdio: 'ignore' });
        execFileSync('chattr', ['-i', f], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const skip = process.env.QUNZU_TEST_PG ? 'SQLite only'
    : !chattrWorks() ? 'chattr +i does not work here (needs root and a file system with the immutable flag)' : false;

const files = (dir) => ['q.db', 'q.db-wal', 'q.db-shm'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
const chattr = (flag, list) => execFileSync('chattr', [flag, ...list]);

// checkMs: the default (1 s) check, and one so long that only the SIGBUS guard stands
// between the process and the immutable -shm.
for (const checkMs of [null, '3600000']) {
    test(`immutable database files (sqlite_file_check_ms ${checkMs ?? 'default'}): writes fail, reads and health go on, no crash`, { skip, timeout: 60_000 }, async () => {
        const args = checkMs ? ['--sqlite-file-check-ms', checkMs] : [];
        await withRestartableServer({ args }, async (srv) => {
            const token = await getToken(srv, ACME);
            await addGroupOk(srv, token, 'before');
            const locked = files(srv.dir);
            assert.equal(locked.length, 3, 'the database, its WAL and its -shm are there');
            chattr('+i', locked);
            try {
                let failed = 0;
                for (let i = 0; i < 10; i++) {
                    const w = await addGroup(srv, token, `during${i}`);
                    if (w.errcode !== 0) {
                        assertErr(w, -1, 'system busy', 'write to an immutable database');
                        failed++;
                    }
                    assert.ok((await listAll(srv, token)).groups.some((g) => g.name === 'before'), 'reads go on');
                    assertOk(await kf(srv, 'list_group', token, { limit: 1 }), 'a read');
                    assert.equal((await srv.request('GET', '/healthz')).status, 200);
                    assert.equal(srv.exited, null, 'the server is alive');
                }
                assert.equal(failed, 10, 'no write was acknowledged into an immutable database');
                assert.equal((await srv.request('GET', '/readyz')).status, 503);
            } finally {
                chattr('-i', locked);
            }
            assert.equal(srv.exited, null, 'the server is alive');
            const ex = await srv.stop();
            assert.deepEqual(ex, { code: 0, signal: null }, 'a clean shutdown');
            await srv.restart();
            const again = await getToken(srv, ACME);
            const names = (await listAll(srv, again)).groups.map((g) => g.name);
            assert.ok(names.includes('before'));
            assert.ok(!names.some((n) => n.startsWith('during')));
            assertOk(await addGroup(srv, again, 'after'), 'a write after the restart');
            await srv.stop();
        });
    });
}
