// tests/http/feishu_delivery.test.mjs - event delivery to callback URLs ("将事件发送至开发者服务器"):
// the url_verification challenge on subscribing, encrypted and signed pushes accepted by
// the official SDK's EventDispatcher, subscriptions and recipients, retries on the
// server clock with one event_id, redelivery, the delivery log, and nothing lost across
// SIGKILL.
import http from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents, adminTenant, advanceClock, serverNow, sleep, waitFor } from './lib/server.mjs';
import { APP1, APP2, assertOk, chatPath, createChat, feishuSeed, fs, tenantToken, userToken, withFeishuServer } from './lib/feishu.mjs';
import { decrypt, signature, startReceiver } from './lib/receiver.mjs';

// A raw seed request: the tests check its refusals too.
async function subscribe(srv, app, event) {
    return srv.request('POST', '/admin/v1/seed', {
        headers: ADMIN_HEADERS,
        body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: app.app_id, app_secret: app.app_secret, name: app.name, event }] } }] },
    });
}

// waitFor() that throws when the time is up.
async function until(what, fn, timeoutMs = 15000) {
    const v = await waitFor(fn, { timeoutMs, intervalMs: 50 });
    if (!v) throw new Error(`timed out waiting for ${what}`);
    return v;
}

test('subscribing runs the url_verification challenge and refuses a URL that fails it', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'enc key 1', verificationToken: 'vt-1' });
        try {
            let res = await subscribe(srv, APP1, { callback_url: rx.url, encrypt_key: 'enc key 1', verification_token: 'vt-1', types: ['im.chat.updated_v1'] });
            assert.equal(res.status, 200, res.body);
            // The challenge: encrypted, and once decrypted no schema/header, the token on top.
            const ch = JSON.parse(decrypt('enc key 1', JSON.parse(rx.raw[0].body).encrypt));
            assert.equal(ch.type, 'url_verification');
            assert.equal(ch.token, 'vt-1');
            assert.equal(typeof ch.challenge, 'string');
            assert.equal(ch.schema, undefined);
            // Re-seeding the same subscription does not challenge again.
            await subscribe(srv, APP1, { callback_url: rx.url, encrypt_key: 'enc key 1', verification_token: 'vt-1', types: ['im.chat.updated_v1'] });
            assert.equal(rx.raw.length, 1);
            // A wrong echo, or nobody listening: refused, and the old subscription stays.
            rx.answerChallengeWrong(true);
            res = await subscribe(srv, APP1, { callback_url: rx.url + '?v=2', verification_token: 'vt-1', types: [] });
            assert.equal(res.status, 400);
            assert.match(res.json.error.message, /challenge code was not returned/);
            res = await subscribe(srv, APP1, { callback_url: 'http://127.0.0.1:9/none', types: [] });
            assert.equal(res.status, 400);
            assert.match(res.json.error.message, /callback_url refused/);
            const t = await adminTenant(srv, 'Acme');
            const app = t.feishu.apps.find((a) => a.app_id === APP1.app_id);
            assert.deepEqual(app.event, { callback_url: rx.url, encrypt_key: 'enc key 1', verification_token: 'vt-1', types: ['im.chat.updated_v1'], mode: 'webhook' });
        } finally {
            await rx.close();
        }
    });
});

// The challenge of a seed is answered only after a chat was created in between: the seed
// must hold no transaction while it waits on the callback, or the create would wait for
// the seed, the challenge would time out (it has a second) and the seed would fail.
test('a seed waiting on its callback challenge holds up no other write', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const token = await tenantToken(srv, APP1);
        const order = [];
        let pending = null;
        const server = http.createServer((req, res) => {
            const chunks = [];
            req.on('data', (c) => chunks.push(c));
            req.on('end', async () => {
                const ch = JSON.parse(Buffer.concat(chunks).toString('utf8'));
                // Each on a connection of its own: the kernel spreads them over the
                // workers, and the seed's own worker is busy with this very call.
                const creates = Array.from({ length: 8 }, (_, i) => srv.request('POST', '/open-apis/im/v1/chats', {
                    agent: false,
                    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
                    body: JSON.stringify({ name: `made during a challenge ${i}` }),
                }).then((r) => (r.json && r.json.code === 0 ? r : Promise.reject(new Error(r.body)))));
                pending = Promise.allSettled(creates);
                const r = await Promise.race([Promise.any(creates).catch(() => null), sleep(3000).then(() => null)]);
                order.push(r ? 'chat created' : 'no chat created in 3 s');
                res.setHeader('content-type', 'application/json');
                res.end(JSON.stringify({ challenge: ch.challenge }));
            });
        });
        await new Promise((r) => server.listen(0, '127.0.0.1', r));
        try {
            const url = `http://127.0.0.1:${server.address().port}/events`;
            const res = await subscribe(srv, APP1, { callback_url: url, verification_token: 'vt-w', types: ['im.chat.updated_v1'] });
            order.push('seed answered');
            assert.equal(res.status, 200, res.body);
            assert.deepEqual(order, ['chat created', 'seed answered']);
            const app = (await adminTenant(srv, 'Acme')).feishu.apps.find((a) => a.app_id === APP1.app_id);
            assert.equal(app.event.callback_url, url);
        } finally {
            await pending;
            await new Promise((r) => server.close(r));
        }
    });
});

test('encrypted, signed pushes reach the SDK dispatcher; only subscribed types, only bots in the chat', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const key = 'test key';
        const rx1 = await startReceiver({ encryptKey: key, verificationToken: 'vt-a' });
        const rx2 = await startReceiver({ verificationToken: 'vt-b' });
        try {
            assert.equal((await subscribe(srv, APP1, { callback_url: rx1.url, encrypt_key: key, verification_token: 'vt-a',
                types: ['im.chat.updated_v1', 'im.chat.disbanded_v1', 'im.chat.member.user.added_v1', 'im.chat.member.bot.added_v1'] })).status, 200);
            // APP2: no encryption, and it does not take user.added.
            assert.equal((await subscribe(srv, APP2, { callback_url: rx2.url, verification_token: 'vt-b',
                types: ['im.chat.updated_v1', 'im.chat.member.bot.added_v1', 'im.chat.disbanded_v1'] })).status, 200);
            const t1 = await tenantToken(srv, APP1);
            const chat = await createChat(srv, t1, { name: 'deliver' });
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'renamed' }));
            // APP2 is not in the chat yet: the update reaches APP1 only.
            assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/members') + '?member_id_type=app_id', t1, { id_list: [APP2.app_id] }));
            assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/members') + '?member_id_type=user_id', t1, { id_list: ['wangwu'] }));
            assertOk(await fs(srv, 'DELETE', chatPath(chat.chat_id), t1));

            const want1 = ['im.chat.updated_v1', 'im.chat.member.user.added_v1', 'im.chat.disbanded_v1'];
            const want2 = ['im.chat.member.bot.added_v1', 'im.chat.disbanded_v1'];
            await until('deliveries', async () => rx1.accepted.length >= want1.length && rx2.accepted.length >= want2.length);
            await sleep(300);
            assert.deepEqual(rx1.accepted.map((e) => e.event_type), want1);
            assert.deepEqual(rx2.accepted.map((e) => e.event_type), want2);
            for (const e of rx1.accepted) {
                assert.equal(e.app_id, APP1.app_id);
                assert.equal(e.token, 'vt-a');
                assert.equal(e.chat_id, chat.chat_id);
            }
            for (const e of rx2.accepted) assert.equal(e.token, 'vt-b');

            // Raw bytes: compact {"encrypt":...} with no "\/", the three headers, the signature.
            const pushes = rx1.raw.filter((r) => !decrypt(key, JSON.parse(r.body).encrypt).includes('url_verification'));
            assert.equal(pushes.length, 3);
            for (const r of pushes) {
                assert.match(r.body, /^\{"encrypt":"[A-Za-z0-9+/]+=*"\}$/);
                assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
                const ts = r.headers['x-lark-request-timestamp'];
                const nonce = r.headers['x-lark-request-nonce'];
                assert.match(ts, /^\d{10}$/);
                assert.ok(nonce.length >= 16);
                assert.equal(r.headers['x-lark-signature'], signature(ts, nonce, key, r.body));
                const plain = JSON.parse(decrypt(key, JSON.parse(r.body).encrypt));
                assert.equal(plain.schema, '2.0');
                assert.equal(plain.header.token, 'vt-a');
            }
            // Without a key the body is the plain event, signed over an empty key.
            const p2 = rx2.raw.filter((r) => !r.body.includes('url_verification'));
            for (const r of p2) {
                assert.equal(JSON.parse(r.body).header.token, 'vt-b');
                assert.equal(r.headers['x-lark-signature'], signature(r.headers['x-lark-request-timestamp'], r.headers['x-lark-request-nonce'], '', r.body));
            }
            // The outbox says what happened: user.added for APP2 was skipped (not subscribed).
            const ev = (await adminEvents(srv)).items;
            const skipped = ev.filter((e) => e.state === 'skipped');
            assert.deepEqual(skipped.map((e) => [e.event_type, e.app_id]), [['im.chat.member.user.added_v1', APP2.app_id]]);
            assert.ok(ev.filter((e) => e.state !== 'skipped').every((e) => e.state === 'delivered' && e.attempts === 1));
        } finally {
            await rx1.close();
            await rx2.close();
        }
    });
});

test('a failing receiver gets retries on the schedule with the same event_id; the log and redelivery', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'k', verificationToken: 'vt' });
        try {
            assert.equal((await subscribe(srv, APP1, { callback_url: rx.url, encrypt_key: 'k', verification_token: 'vt', types: ['im.chat.updated_v1'] })).status, 200);
            const t1 = await tenantToken(srv, APP1);
            const chat = await createChat(srv, t1, { name: 'retry' });
            rx.failNext(2);
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'r1' }));
            const [ev] = await until('first attempt', async () => {
                const done = (await adminEvents(srv)).items.filter((e) => e.attempts === 1);
                return done.length ? done : null;
            });
            assert.equal(ev.state, 'pending');
            const now = await serverNow(srv);
            assert.ok(ev.next_attempt_at > now + 10 && ev.next_attempt_at <= now + 15, JSON.stringify(ev));
            // Nothing happens before the 15 s are up on the server clock.
            await sleep(300);
            assert.equal((await adminEvents(srv)).items[0].attempts, 1);
            await advanceClock(srv, 15);
            await until('second attempt', async () => (await adminEvents(srv)).items[0].attempts === 2);
            assert.equal((await adminEvents(srv)).items[0].state, 'pending');
            // The third attempt waits 5 minutes: stop 3 s short of it first.
            const second = (await adminEvents(srv)).items[0];
            const clock = await serverNow(srv);
            assert.ok(second.next_attempt_at - clock > 290, JSON.stringify(second));
            await advanceClock(srv, second.next_attempt_at - clock - 3);
            await sleep(300);
            assert.equal((await adminEvents(srv)).items[0].attempts, 2, 'the third attempt waits 5 minutes');
            await advanceClock(srv, 3);
            await until('delivery', async () => (await adminEvents(srv)).items[0].state === 'delivered');
            assert.equal(rx.accepted.length, 1);
            assert.equal(rx.accepted[0].event_id, ev.event_id);
            // Every push carried the same event_id.
            const ids = rx.raw.map((r) => JSON.parse(decrypt('k', JSON.parse(r.body).encrypt))).filter((p) => p.header).map((p) => p.header.event_id);
            assert.deepEqual(ids, [ev.event_id, ev.event_id, ev.event_id]);
            const log = (await srv.request('GET', `/admin/v1/events/${ev.event_id}`, { headers: ADMIN_HEADERS })).json;
            assert.deepEqual(log.deliveries.map((d) => d.http_status), [500, 500, 200]);
            assert.deepEqual(log.deliveries.map((d) => d.attempt), [1, 2, 3]);
            assert.match(log.deliveries[0].response, /failing on purpose/);
            assert.ok(log.deliveries.every((d) => d.latency_us > 0));
            // Redelivery on request.
            const rd = await srv.request('POST', `/admin/v1/events/${ev.event_id}/redeliver`, { headers: ADMIN_HEADERS });
            assert.equal(rd.status, 200, rd.body);
            await until('redelivery', async () => rx.accepted.length === 2);
            assert.equal(rx.accepted[1].event_id, ev.event_id);
            assert.equal((await srv.request('GET', '/admin/v1/events/nope', { headers: ADMIN_HEADERS })).status, 404);
        } finally {
            await rx.close();
        }
    });
});

test('delivery rehearsals apply to webhooks: a duplicate is posted twice with one event_id and both attempts logged; a delay holds events back', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'k', verificationToken: 'vt' });
        const put = (body) => srv.request('PUT', `/admin/v1/feishu/apps/${APP1.app_id}/delivery`, { headers: ADMIN_HEADERS, body });
        const log = async (id) => (await srv.request('GET', `/admin/v1/events/${id}`, { headers: ADMIN_HEADERS })).json;
        try {
            assert.equal((await subscribe(srv, APP1, { callback_url: rx.url, encrypt_key: 'k', verification_token: 'vt', types: ['im.chat.updated_v1'] })).status, 200);
            assert.equal((await put({ duplicate: true })).status, 200);
            const t1 = await tenantToken(srv, APP1);
            const chat = await createChat(srv, t1, { name: 'rehearse' });
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'twice' }));
            const twice = await until('two posts', async () => rx.accepted.length === 2 && rx.accepted);
            assert.equal(twice[0].event_id, twice[1].event_id);
            assert.deepEqual(twice.map((e) => e.after_change.name), ['twice', 'twice']);
            const l1 = await until('both attempts logged', async () => { const l = await log(twice[0].event_id); return l.deliveries.length === 2 && l; });
            assert.equal(l1.state, 'delivered');
            assert.deepEqual(l1.deliveries.map((d) => [d.attempt, d.http_status, d.connection]), [[1, 200, undefined], [2, 200, undefined]]);
            await sleep(300);
            assert.equal(rx.accepted.length, 2, 'no third post');
            // A failed first post is retried on the schedule; its copy waits for the success.
            rx.failNext(1);
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'fail first' }));
            const failed = await until('the failed attempt', async () => (await adminEvents(srv)).items.find((e) => e.attempts === 1 && e.state === 'pending'));
            await sleep(300);
            assert.equal(rx.accepted.length, 2, 'no copy of a failed post');
            await advanceClock(srv, 16);
            await until('the retry and its copy', async () => rx.accepted.length === 4);
            assert.deepEqual(rx.accepted.slice(2).map((e) => e.event_id), [failed.event_id, failed.event_id]);
            // The copy is logged once its answer is in: the receiver may count it first.
            const l2 = await until('the copy logged', async () => { const l = await log(failed.event_id); return l.deliveries.length === 3 && l; });
            assert.deepEqual(l2.deliveries.map((d) => d.http_status), [500, 200, 200]);
            // A delay: the post arrives no earlier than delay_ms after the event was written.
            assert.equal((await put({ duplicate: false, delay_ms: 2000 })).status, 200);
            const before = Date.now();
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'late' }));
            const late = await until('the late post', async () => rx.accepted.find((e) => e.after_change.name === 'late'));
            const post = rx.raw.at(-1);
            assert.ok(post.at - before >= 2000, `arrived after ${post.at - before} ms`);
            const l3 = await until('delivered', async () => { const l = await log(late.event_id); return l.state === 'delivered' && l; });
            assert.equal(l3.deliveries.length, 1);
            assert.ok(l3.deliveries[0].at - l3.created_at >= 1, JSON.stringify(l3));
            assert.equal(rx.accepted.filter((e) => e.event_id === late.event_id).length, 1);
        } finally {
            await rx.close();
        }
    });
});

test('after five failed attempts an event is failed; other events of the app go on', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ verificationToken: 'vt' });
        try {
            assert.equal((await subscribe(srv, APP1, { callback_url: rx.url, verification_token: 'vt', types: ['im.chat.updated_v1'] })).status, 200);
            const t1 = await tenantToken(srv, APP1);
            const chat = await createChat(srv, t1, { name: 'give up' });
            rx.failNext(5);
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'x1' }));
            for (const step of [0, 15, 300, 3600, 21600]) {
                if (step) await advanceClock(srv, step);
                const want = [0, 15, 300, 3600, 21600].indexOf(step) + 1;
                await until(`attempt ${want}`, async () => (await adminEvents(srv)).items[0].attempts === want);
            }
            await until('failed', async () => (await adminEvents(srv)).items[0].state === 'failed');
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), await tenantToken(srv, APP1), { name: 'x2' }));
            await until('next event delivered', async () => rx.accepted.length === 1);
            assert.equal(rx.accepted[0].after_change.name, 'x2');
        } finally {
            await rx.close();
        }
    });
});

test('SIGKILL with undelivered events: after restart every one is delivered', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'kk', verificationToken: 'vt' });
        try {
            assert.equal((await subscribe(srv, APP1, { callback_url: rx.url, encrypt_key: 'kk', verification_token: 'vt', types: ['im.chat.updated_v1'] })).status, 200);
            const t1 = await tenantToken(srv, APP1);
            const chat = await createChat(srv, t1, { name: 'crash' });
            rx.failNext(1000);
            for (let i = 0; i < 8; i++) assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: `n${i}` }));
            await until('an attempt', async () => (await adminEvents(srv)).items.some((e) => e.attempts > 0));
            const ex = await srv.kill9();
            assert.equal(ex.signal, 'SIGKILL');
            rx.failNext(0);
            await srv.restart();
            // Past the 15 s retry and the 10 s lease of the killed process.
            await advanceClock(srv, 30);
            await until('all delivered', async () => (await adminEvents(srv)).items.every((e) => e.state === 'delivered'), 30000);
            const got = new Set(rx.accepted.map((e) => e.after_change.name));
            for (let i = 0; i < 8; i++) assert.ok(got.has(`n${i}`), `n${i} lost`);
        } finally {
            await rx.close();
        }
    }, { seed: feishuSeed() });
});

test('every event type qunzu emits reaches the SDK dispatcher, p2p ones included', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const rx = await startReceiver({ encryptKey: 'all', verificationToken: 'vt-all' });
        try {
            const types = ['im.chat.updated_v1', 'im.chat.disbanded_v1', 'im.chat.member.user.added_v1',
                'im.chat.member.user.deleted_v1', 'im.chat.member.user.withdrawn_v1', 'im.chat.member.bot.added_v1',
                'im.chat.member.bot.deleted_v1', 'im.chat.access_event.bot_p2p_chat_entered_v1', 'p2p_chat_create'];
            assert.equal((await subscribe(srv, APP2, { callback_url: rx.url, encrypt_key: 'all', verification_token: 'vt-all', types })).status, 200);
            const t1 = await tenantToken(srv, APP1);
            const chat = await createChat(srv, t1, { name: 'all types' });
            const mem = (q) => chatPath(chat.chat_id, '/members') + q;
            assertOk(await fs(srv, 'POST', mem('?member_id_type=app_id'), t1, { id_list: [APP2.app_id] }));
            assertOk(await fs(srv, 'POST', mem('?member_id_type=user_id'), t1, { id_list: ['wangwu'] }));
            assertOk(await fs(srv, 'DELETE', mem('?member_id_type=user_id'), t1, { id_list: ['wangwu'] }));
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t1, { name: 'renamed' }));
            assertOk(await fs(srv, 'DELETE', mem('?member_id_type=app_id'), t1, { id_list: [APP2.app_id] }));
            const c2 = await createChat(srv, t1, { name: 'bye', bot_id_list: [APP2.app_id] });
            assertOk(await fs(srv, 'DELETE', chatPath(c2.chat_id), t1));
            // A user opens the bot's p2p chat twice: created once, entered twice.
            const p2p = async () => (await srv.request('POST', '/admin/v1/feishu/p2p_enter', { headers: ADMIN_HEADERS, body: { app_id: APP2.app_id, user_id: 'zhaoliu' } })).json;
            const first = await p2p();
            const second = await p2p();
            assert.equal(first.created, true);
            assert.equal(second.created, false);
            assert.equal(first.chat_id, second.chat_id);
            // An invitation into a chat that needs approval, withdrawn.
            const c3 = await createChat(srv, t1, { name: 'gated', membership_approval: 'approval_required', bot_id_list: [APP2.app_id] });
            assertOk(await fs(srv, 'POST', chatPath(c3.chat_id, '/members') + '?member_id_type=user_id', t1, { id_list: ['wangwu'] }));
            const inv = await srv.request('POST', '/admin/v1/feishu/invite', { headers: ADMIN_HEADERS, body: { chat_id: c3.chat_id, inviter_user_id: 'wangwu', user_id: 'sunqi' } });
            assert.equal(inv.json.result, 'pending_approval');
            assert.equal((await srv.request('POST', '/admin/v1/feishu/withdraw', { headers: ADMIN_HEADERS, body: { chat_id: c3.chat_id, user_id: 'sunqi' } })).json.result, 'withdrawn');
            const want = ['im.chat.member.bot.added_v1', 'im.chat.member.user.added_v1', 'im.chat.member.user.deleted_v1',
                'im.chat.updated_v1', 'im.chat.member.bot.deleted_v1', 'im.chat.disbanded_v1', 'p2p_chat_create',
                'im.chat.access_event.bot_p2p_chat_entered_v1', 'im.chat.access_event.bot_p2p_chat_entered_v1',
                'im.chat.member.user.added_v1', 'im.chat.member.user.withdrawn_v1'];
            await until('all types', async () => rx.accepted.length >= want.length);
            await sleep(200);
            const got = rx.accepted.map((e) => e.handled_as);
            assert.deepEqual(got, want);
            const created = rx.accepted.find((e) => e.handled_as === 'p2p_chat_create');
            assert.equal(created.chat_id, first.chat_id);
            assert.equal(created.token, 'vt-all');
            assert.equal(created.user.name, 'Zhao Liu');
            assert.match(created.uuid, /^[0-9a-f]{32}$/);
            const entered = rx.accepted.find((e) => e.event_type === 'im.chat.access_event.bot_p2p_chat_entered_v1');
            assert.equal(entered.chat_id, first.chat_id);
            // p2p chats are not listed, but get answers with chat_mode p2p.
            const zl = await userToken(srv, APP2, 'zhaoliu');
            const got2 = assertOk(await fs(srv, 'GET', chatPath(first.chat_id), zl));
            assert.equal(got2.chat_mode, 'p2p');
            assert.equal(got2.owner_id, undefined);
        } finally {
            await rx.close();
        }
    });
});
