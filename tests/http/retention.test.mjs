// tests/http/retention.test.mjs - retention (issue 22 item 8): settled events beyond
// the count cap or older than retention_days go with their delivery log, pending ones
// never; expired tokens and old chat-create idempotency records go after retention_days;
// the admin API shows what is kept. Both backends; row counts are read with sqlite3 or
// psql beside the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ADMIN_HEADERS, adminEvents, advanceClock, dbOf, waitFor } from './lib/server.mjs';
import { APP1, assertOk, chatPath, createChat, fs, tenantToken, withFeishuServer } from './lib/feishu.mjs';
import { startReceiver } from './lib/receiver.mjs';
import { getToken as wcToken, kf, uploadMedia } from './lib/wecom.mjs';

function count(srv, table) {
    const db = dbOf(srv);
    const sql = `SELECT count(*) FROM ${table}`;
    const out = db.startsWith('sqlite:')
        ? execFileSync('sqlite3', ['-cmd', '.timeout 5000', db.slice('sqlite:'.length), sql], { encoding: 'utf8' })
        : execFileSync('psql', [db, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
    return Number(out.trim());
}

async function until(what, fn, timeoutMs = 15000) {
    const v = await waitFor(fn, { timeoutMs, intervalMs: 50 });
    if (!v) throw new Error(`timed out waiting for ${what}`);
    return v;
}

const updates = async (srv) => (await adminEvents(srv)).items.filter((e) => e.event_type === 'im.chat.updated_v1');
const nameOf = (e) => e.body.event.after_change.name;

async function rename(srv, token, chatId, names) {
    for (const name of names) assertOk(await fs(srv, 'PUT', chatPath(chatId), token, { name }));
}

test('the count cap keeps the newest events, drops older settled ones with their log, never a pending one', { timeout: 120_000 }, async () => {
    const args = ['--retention-events-max', '5', '--retention-interval-ms', '100', '--retention-batch', '2'];
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ verificationToken: 'vt' });
        try {
            const res = await srv.request('POST', '/admin/v1/seed', {
                headers: ADMIN_HEADERS,
                body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ ...APP1, tenant: undefined,
                    event: { callback_url: rx.url, verification_token: 'vt', types: ['im.chat.updated_v1'] } }] } }] },
            });
            assert.equal(res.status, 200, res.body);
            const token = await tenantToken(srv, APP1);
            const chat = await createChat(srv, token, { name: 'r0' });
            const first = Array.from({ length: 12 }, (_, i) => `d${i + 1}`);
            await rename(srv, token, chat.chat_id, first);
            await until('12 deliveries', () => rx.accepted.length >= 12);
            // Kept: the 5 newest records, delivered, and the attempt of each of them only.
            await until('the cap', async () => (await adminEvents(srv)).items.length === 5 && count(srv, 'outbox_attempt') === 5);
            assert.deepEqual((await updates(srv)).map(nameOf), first.slice(-5));
            assert.ok((await updates(srv)).every((e) => e.state === 'delivered'));
            const kept = (await updates(srv))[0];
            const one = await srv.request('GET', `/admin/v1/events/${kept.event_id}`, { headers: ADMIN_HEADERS });
            assert.equal(one.status, 200);
            assert.equal(one.json.deliveries.length, 1, 'a kept event keeps its delivery log');

            // Now the endpoint fails: six events wait for a retry (pending). They are more
            // than the cap, and they all stay; the delivered ones all go.
            rx.failNext(1000);
            const second = Array.from({ length: 6 }, (_, i) => `p${i + 1}`);
            await rename(srv, token, chat.chat_id, second);
            await until('six failed first attempts', async () => (await updates(srv)).filter((e) => e.attempts === 1 && e.state === 'pending').length === 6);
            await until('the delivered ones gone', async () => (await adminEvents(srv)).items.length === 6);
            assert.deepEqual((await updates(srv)).map(nameOf), second);
            assert.ok((await updates(srv)).every((e) => e.state === 'pending'));
            assert.equal(count(srv, 'outbox'), 6);
        } finally {
            await rx.close();
        }
    }, { args });
});

test('after retention_days: settled events, expired tokens and links and old uuids go; permanent links and the server go on', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const token = await tenantToken(srv, APP1);
        const chat = await createChat(srv, token, { name: 'aged' }, { uuid: 'retention-uuid-1' });
        await rename(srv, token, chat.chat_id, ['a1', 'a2', 'a3']);
        for (const validity_period of ['week', 'permanently']) {
            assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/link'), token, { validity_period }), `${validity_period} link`);
        }
        assert.equal(count(srv, 'fs_chat_link'), 2);
        assert.equal((await updates(srv)).length, 3);
        assert.ok(count(srv, 'token') > 0);
        assert.equal(count(srv, 'fs_chat_uuid'), 1);
        // A WeCom temporary media (valid three days) named by an intent.
        let wt = await wcToken(srv);
        const media = await uploadMedia(srv, wt, 'image', 'kept-name.png');
        const group = (await kf(srv, 'list_group', wt, {})).group_list[0].group_id;
        assert.equal((await kf(srv, 'add_intent', wt, { group_id: group, question: { text: { content: 'q' } }, answers: [{ text: { content: 'a' }, attachments: [{ msgtype: 'image', image: { media_id: media } }] }] })).errcode, 0);
        assert.equal(count(srv, 'wc_media'), 1);

        // Six days on: nothing is old enough yet.
        await advanceClock(srv, 6 * 86400);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal((await updates(srv)).length, 3);
        assert.equal(count(srv, 'fs_chat_uuid'), 1);

        // Past seven days: the events (skipped: no subscription), the expired tokens and
        // the chat-create record are gone; the chat is not.
        await advanceClock(srv, 2 * 86400);
        await until('events gone', async () => (await adminEvents(srv)).items.length === 0);
        await until('tokens gone', () => count(srv, 'token') === 0);
        await until('uuid gone', () => count(srv, 'fs_chat_uuid') === 0);
        // The week link expired a day ago: kept six more days; the permanent one always.
        assert.equal(count(srv, 'fs_chat_link'), 2);
        assert.equal(count(srv, 'wc_media'), 1, 'the media expired five days ago: kept');
        await advanceClock(srv, 7 * 86400);
        await until('the week link gone', () => count(srv, 'fs_chat_link') === 1);
        // The media expired twelve days ago: gone; the intent keeps its name.
        await until('the media gone', () => count(srv, 'wc_media') === 0);
        wt = await wcToken(srv);
        const intents = (await kf(srv, 'list_intent', wt, {})).intent_list;
        assert.deepEqual(intents.map((i) => i.answers[0].attachments), [[{ msgtype: 'image', image: { name: 'kept-name.png' } }]]);
        const fresh = await tenantToken(srv, APP1);
        const got = await fs(srv, 'GET', chatPath(chat.chat_id), fresh);
        assertOk(got, 'the chat is kept');
        assert.equal(got.json.data.name, 'a3');
        await rename(srv, fresh, chat.chat_id, ['after']);
        assert.deepEqual((await updates(srv)).map(nameOf), ['after']);
    }, { args: ['--retention-interval-ms', '100'] });
});
