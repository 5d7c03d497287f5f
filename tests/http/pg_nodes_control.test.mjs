// The control room on two PostgreSQL nodes sharing one database (and one snapshot
// directory): a restore made on one node is what the other serves, the other's writes
// wait for it and land after it; the clock goes back everywhere; a deleted tenant's token
// is refused on the other node once its token cache forgets it (token_cache_ttl_ms 0
// there: at once). Runs only with QUNZU_TEST_PG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ADMIN_HEADERS, advanceClock, dbOf, makeTempDir, sleep, waitFor, withServer } from './lib/server.mjs';
import { APP1, GAPP, createChat, getChat, tenantToken } from './lib/feishu.mjs';
import { dumpDb } from './lib/dbdump.mjs';

const pgOnly = process.env.QUNZU_TEST_PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';

function admin(srv, method, p, body) {
    return srv.request(method, p, { body, headers: ADMIN_HEADERS, timeout: 120_000 });
}

test('two nodes: a restore on one is what the other serves, its writes land after it; delete and clock reach the other', { skip: pgOnly, timeout: 180_000 }, async () => {
    const dir = makeTempDir('qunzu-snap-');
    try {
        await withServer({ args: ['--snapshot_dir', dir] }, async (a) => {
            await withServer({ db: dbOf(a), args: ['--snapshot_dir', dir, '--token_cache_ttl_ms', '0'] }, async (b) => {
                const tok = await tenantToken(a, APP1);
                const gtok = await tenantToken(b, GAPP);
                const c1 = await createChat(b, tok, { name: 'kept' });
                assert.equal((await admin(a, 'POST', '/admin/v1/snapshots', { name: 's' })).status, 200);
                const c2 = await createChat(b, tok, { name: 'replaced' });
                await advanceClock(a, 600);

                let stop = false;
                const sentAfter = [];
                let restored = Infinity;
                const writer = async () => {
                    while (!stop) {
                        const at = Date.now();
                        const c = await createChat(b, tok, { name: 'during', user_id_list: [] });
                        if (at > restored) sentAfter.push(c.chat_id);
                    }
                };
                const writers = [writer(), writer()];
                await sleep(100);
                const res = await admin(a, 'POST', '/admin/v1/snapshots/s/restore');
                assert.equal(res.status, 200, res.body);
                restored = Date.now();
                await sleep(200);
                stop = true;
                await Promise.all(writers);

                assert.equal((await getChat(b, tok, c1.chat_id)).json.code, 0);
                assert.notEqual((await getChat(b, tok, c2.chat_id)).json.code, 0, 'a chat made after the snapshot is gone on the other node');
                assert.ok(sentAfter.length > 0);
                for (const id of sentAfter) assert.equal((await getChat(a, tok, id)).json.code, 0, `a write after the restore stays: ${id}`);
                const d = dumpDb(dbOf(a));
                const members = new Map();
                for (const r of d.fs_chat_member.map((x) => JSON.parse(x))) members.set(r.chat_ref, (members.get(r.chat_ref) || 0) + 1);
                for (const c of d.fs_chat.map((x) => JSON.parse(x))) assert.equal(members.get(c.id) || 0, c.user_count + c.bot_count, `chat ${c.chat_id}`);
                await waitFor(async () => (await admin(b, 'GET', '/admin/v1/clock')).json.offset_seconds === 0, { timeoutMs: 3000 });

                assert.equal((await getChat(b, gtok, 'oc_none')).json.code, 232006);
                assert.equal((await admin(a, 'DELETE', '/admin/v1/tenants/Globex')).status, 200);
                assert.notEqual((await getChat(b, gtok, 'oc_none')).json.code, 232006, 'the deleted tenant\'s token is refused on the other node');
                assert.equal((await admin(b, 'GET', '/admin/v1/snapshots')).json.items.length, 1, 'one shared directory');
            });
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
