// WAL checkpoints off the commit path (SQLite, sqlite_checkpoint_pages): under group
// commit a thread of its own copies the WAL into the database once it holds that many
// pages, the WAL stays bounded by them, and every acknowledged write is there after
// SIGKILL. With sqlite_checkpoint_pages 0 the writer's commits checkpoint, as SQLite does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_HEADERS, withRestartableServer } from './lib/server.mjs';
import { CHATS, fs_, tenantToken } from './lib/feishu.mjs';

const SKIP = !!process.env.QUNZU_TEST_PG && 'SQLite only';

async function checkpoints(srv) {
    const res = await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, res.body);
    return res.json.checkpoints;
}

function walBytes(srv) {
    try {
        return fs.statSync(path.join(srv.dir, 'q.db-wal')).size;
    } catch {
        return 0;
    }
}

// 'rounds' bursts of 'width' chats created at once; the chats' ids, and the largest
// the WAL file was seen between bursts.
async function write(srv, token, prefix, rounds, width) {
    const made = [];
    let wal = 0;
    for (let r = 0; r < rounds; r++) {
        const names = Array.from({ length: width }, (_, i) => `${prefix}${r}-${i}`);
        const answers = await Promise.all(names.map((name) => fs_(srv, 'POST', CHATS, token, { name })));
        for (const res of answers) {
            assert.equal(res.json?.code, 0, res.body);
            made.push(res.json.data.chat_id);
        }
        wal = Math.max(wal, walBytes(srv));
    }
    return { made, wal };
}

test('the checkpoint thread keeps the WAL small; acknowledged writes survive SIGKILL', { timeout: 180_000, skip: SKIP }, async (t) => {
    await withRestartableServer({ args: ['--sqlite-checkpoint-pages', '32'] }, async (srv) => {
        const token = await tenantToken(srv);
        const { made, wal } = await write(srv, token, 'ck', 40, 20);
        const k = await checkpoints(srv);
        t.diagnostic(`${made.length} writes; checkpoints ${JSON.stringify(k)}; WAL at most ${wal} bytes`);
        assert.ok(k.thread > 0, `no checkpoint thread run: ${JSON.stringify(k)}`);
        // 32 pages, four times that before the writer steps in, and one batch past it:
        // far below the 4000 pages SQLite's automatic checkpoint would let it reach.
        assert.ok(wal < 4 * 1024 * 1024, `the WAL grew to ${wal} bytes`);

        const ex = await srv.stop('SIGKILL');
        assert.equal(ex.signal, 'SIGKILL');
        await srv.restart();
        const again = await tenantToken(srv);
        for (const id of made) {
            const res = await fs_(srv, 'GET', `${CHATS}/${id}`, again);
            assert.equal(res.json?.code, 0, `${id} was acknowledged and is gone: ${res.body}`);
        }
        const ex2 = await srv.stop('SIGTERM');
        assert.equal(ex2.code, 0);
    });
});

test('with sqlite_checkpoint_pages 0, no checkpoint thread runs', { timeout: 120_000, skip: SKIP }, async () => {
    await withRestartableServer({ args: ['--sqlite-checkpoint-pages', '0'] }, async (srv) => {
        const token = await tenantToken(srv);
        await write(srv, token, 'nk', 10, 20);
        assert.deepEqual(await checkpoints(srv), { thread: 0, writer: 0 });
        const ex = await srv.stop('SIGTERM');
        assert.equal(ex.code, 0);
    });
});
