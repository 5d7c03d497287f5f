// tests/http/feishu_ws.test.mjs - Feishu long-connection events (events-ws): the official
// Node SDK's WSClient with its EventDispatcher against qunzu. Bootstrap and its error
// codes, handshake refusals, pings answered with ClientConfig, events of every type qunzu
// emits (chat, member, message, reaction and read events; large ones chunked) acked and logged with their
// connection, one delivery per event among several connections,
// kick + reconnect, the half-open rehearsal, duplicates, and the connection list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import protobuf from 'protobufjs';
import WebSocket from 'ws';
import { ADMIN_HEADERS, advanceClock, dbOf, waitFor, withRestartableServer, withServer } from './lib/server.mjs';
import { APP1, assertOk, chatPath, createChat, fs, ids, tenantToken, userToken, withFeishuServer, feishuSeed } from './lib/feishu.mjs';
import { startReceiver } from './lib/receiver.mjs';

// The Node SDK refuses app ids other than cli_ + 16 hex digits.
const WSAPP = { app_id: 'cli_a1b2c3d4e5f60718', app_secret: 'ws-app-secret', name: 'WS Bot' };
const TYPES = ['im.chat.updated_v1', 'im.chat.disbanded_v1', 'im.chat.member.user.added_v1',
    'im.chat.member.user.deleted_v1', 'im.chat.member.bot.added_v1', 'im.chat.member.bot.deleted_v1',
    'im.chat.access_event.bot_p2p_chat_entered_v1', 'im.chat.member.user.withdrawn_v1', 'p2p_chat_create',
    'im.message.receive_v1', 'im.message.recalled_v1', 'im.message.reaction.created_v1',
    'im.message.reaction.deleted_v1', 'im.message.message_read_v1'];

// The frames, for the tests that speak the protocol themselves (a client that does not ack).
const Frame = protobuf.parse(`syntax = "proto2"; package pbbp2;
message Header { required string key = 1; required string value = 2; }
message Frame { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
  repeated Header headers = 5; optional string payload_encoding = 6; optional string payload_type = 7; optional bytes payload = 8;
  optional string LogIDNew = 9; }`).root.lookupType('pbbp2.Frame');
const hdr = (f, k) => f.headers.find((h) => h.key === k)?.value;

function wsSeed(event = { mode: 'long_connection', verification_token: 'vt-ws', types: TYPES }) {
    const seed = feishuSeed();
    const acme = seed.tenants.find((t) => t.name === 'Acme');
    acme.feishu.apps.push({ ...WSAPP, event });
    return seed;
}

// Small ClientConfig values so clients ping and come back quickly.
const WS_ARGS = ['--ws-ping-interval', '1', '--ws-reconnect-nonce', '1', '--ws-reconnect-interval', '1'];

function withWsServer(fn, opts = {}) {
    return withFeishuServer(fn, { seed: wsSeed(opts.event), args: [...WS_ARGS, ...(opts.args || [])], ...opts.server });
}

async function until(what, fn, timeoutMs = 20000) {
    const v = await waitFor(fn, { timeoutMs, intervalMs: 50 });
    if (!v) throw new Error(`timed out waiting for ${what}`);
    return v;
}

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

// A WSClient whose dispatcher records every event it handles.
function client(srv, { app = WSAPP, wsConfig, name = 'c' } = {}) {
    const got = [];
    const errors = [];
    const dispatcher = new lark.EventDispatcher({}).register(Object.fromEntries(TYPES.map((t) => [t, async (data) => {
        got.push({ type: t, event_id: data.event_id, data });
    }])));
    const ws = new lark.WSClient({ appId: app.app_id, appSecret: app.app_secret, domain: srv.url, logger: quiet,
        loggerLevel: lark.LoggerLevel.error, wsConfig, onError: (e) => errors.push(e) });
    ws.start({ eventDispatcher: dispatcher });
    return { ws, got, errors, name };
}

async function conns(srv, app = WSAPP) {
    const res = await srv.request('GET', `/admin/v1/feishu/apps/${app.app_id}/connections`, { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, res.body);
    return res.json.items;
}

async function adminPost(srv, path, body) {
    return srv.request('POST', path, { headers: ADMIN_HEADERS, body: body ?? {} });
}

async function eventLog(srv, eventId) {
    const res = await srv.request('GET', `/admin/v1/events/${eventId}`, { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, res.body);
    return res.json;
}

// A chat with the WS app in it: the app receives events about it.
async function chatWithBot(srv) {
    const t = await tenantToken(srv, APP1);
    const chat = await createChat(srv, t, { name: 'ws chat' });
    assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/members') + '?member_id_type=app_id', t, { id_list: [WSAPP.app_id] }));
    return { t, chat };
}

test('WSClient connects, pings, and receives a real event, acked and logged with its connection', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const c = client(srv);
        try {
            const list = await until('a connection', async () => { const l = await conns(srv); return l.length === 1 && l[0].last_ping > 0 && l; });
            assert.match(list[0].id, /^\d{19}$/);
            const { t, chat } = await chatWithBot(srv);
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'renamed over ws' }));
            const ev = await until('the update event', async () => c.got.find((g) => g.type === 'im.chat.updated_v1'));
            assert.equal(ev.data.chat_id, chat.chat_id);
            const log = await until('delivered state', async () => { const l = await eventLog(srv, ev.event_id); return l.state === 'delivered' && l; });
            assert.equal(log.deliveries.length, 1);
            assert.equal(log.deliveries[0].connection, list[0].id);
            assert.equal(log.deliveries[0].http_status, 200);
            await until('the delivered count', async () => (await conns(srv))[0].delivered >= 1);
        } finally {
            c.ws.close({ force: true });
        }
    });
});

async function bootstrap(srv, body, headers = { 'content-type': 'application/json' }) {
    return srv.request('POST', '/callback/ws/endpoint', { headers, body });
}

// A client speaking the protocol by hand: it records every frame and acks only when told.
async function rawClient(srv, { ack = true } = {}) {
    const res = await bootstrap(srv, { AppID: WSAPP.app_id, AppSecret: WSAPP.app_secret });
    assert.equal(res.json.code, 0, res.body);
    const ws = new WebSocket(res.json.data.URL);
    const frames = [];
    const rc = { ws, frames, ack, url: res.json.data.URL, closed: false };
    ws.on('message', (buf) => {
        const f = Frame.decode(buf);
        frames.push(f);
        if (f.method === 1 && rc.ack && Number(hdr(f, 'seq')) === Number(hdr(f, 'sum')) - 1) {
            ws.send(Frame.encode({ ...f, headers: [...f.headers, { key: 'biz_rt', value: '-1' }], payload: Buffer.from('{"code":200}') }).finish());
        }
    });
    ws.on('close', () => { rc.closed = true; });
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    return rc;
}

// The event bodies a raw client received, reassembled by message_id.
function rawEvents(rc) {
    const by = new Map();
    for (const f of rc.frames.filter((x) => x.method === 1)) {
        const id = hdr(f, 'message_id');
        if (!by.has(id)) by.set(id, { sum: Number(hdr(f, 'sum')), parts: [] });
        by.get(id).parts[Number(hdr(f, 'seq'))] = Buffer.from(f.payload);
    }
    return [...by.entries()].filter(([, v]) => v.parts.filter(Boolean).length === v.sum)
        .map(([message_id, v]) => ({ message_id, sum: v.sum, body: JSON.parse(Buffer.concat(v.parts).toString('utf8')) }));
}

test('bootstrap: the answer the SDKs parse, and the documented codes for bad credentials', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        let res = await bootstrap(srv, { AppID: WSAPP.app_id, AppSecret: WSAPP.app_secret, ClientAssertion: '' },
            { 'content-type': 'application/json; charset=utf-8', locale: 'zh' });
        assert.equal(res.status, 200);
        assert.equal(res.json.code, 0);
        assert.deepEqual(res.json.data.ClientConfig, { ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 1, PingInterval: 1 });
        const u = new URL(res.json.data.URL);
        assert.equal(u.protocol, 'ws:');
        assert.equal(u.host, new URL(srv.url).host);
        assert.equal(u.pathname, '/ws/v2');
        assert.deepEqual([...u.searchParams.keys()], ['fpid', 'aid', 'device_id', 'access_key', 'service_id', 'ticket']);
        assert.match(u.searchParams.get('device_id'), /^\d{19}$/);
        assert.match(u.searchParams.get('access_key'), /^[0-9a-f]{32}$/);
        assert.equal(u.searchParams.get('service_id'), '33554678');
        assert.match(u.searchParams.get('ticket'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        // Failures: HTTP 200, a code, "data": {} (what makes them fatal in the Node SDK).
        for (const [body, code] of [
            [{ AppID: WSAPP.app_id, AppSecret: 'wrong' }, 1000040345],
            [{ AppID: 'cli_ffffffffffffffff', AppSecret: 'x' }, 1000040345],
            [{ AppID: WSAPP.app_id, AppSecret: '' }, 1000040344],
            [{ AppID: WSAPP.app_id }, 1000040344],
            ['not json', 1000040344],
        ]) {
            res = await bootstrap(srv, body);
            assert.equal(res.status, 200, res.body);
            assert.equal(res.json.code, code, JSON.stringify(body));
            assert.deepEqual(res.json.data, {});
            assert.equal(typeof res.json.msg, 'string');
        }
        // The SDK with a wrong secret gives up (onError) and never connects.
        const c = client(srv, { app: { ...WSAPP, app_secret: 'wrong' } });
        try {
            await until('onError', async () => c.errors.length > 0);
            assert.match(String(c.errors[0].message), /1000040345/);
            assert.deepEqual(await conns(srv), []);
        } finally {
            c.ws.close({ force: true });
        }
    });
});

// Attempts an upgrade: the refusal's HTTP response, or null if it was accepted.
function tryUpgrade(url) {
    return new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (req, res) => { resolve(res); ws.terminate(); });
        ws.on('open', () => { resolve(null); ws.close(); });
        ws.on('error', () => {});
    });
}

test('handshake refusals carry the Handshake-* headers; the connection limit is per app', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const first = await rawClient(srv);
        try {
            // The ticket was used: a second upgrade with the same URL is refused (retry with a new bootstrap).
            const refused = await tryUpgrade(first.url);
            assert.ok(refused, 'a reused ticket must be refused');
            assert.equal(refused.statusCode, 401);
            assert.equal(refused.headers['handshake-status'], '514');
            assert.equal(refused.headers['handshake-autherrcode'], '1000040345');
            assert.ok(refused.headers['handshake-msg']);
            // A wrong access_key, a plain GET.
            const boot = (await bootstrap(srv, { AppID: WSAPP.app_id, AppSecret: WSAPP.app_secret })).json.data.URL;
            const bad = new URL(boot);
            bad.searchParams.set('access_key', '0'.repeat(32));
            const res = await srv.request('GET', bad.pathname + bad.search);
            assert.equal(res.status, 400); // not even a WebSocket handshake
            const refused2 = await tryUpgrade(bad.toString());
            assert.equal(refused2.statusCode, 401);
            assert.equal(refused2.headers['handshake-status'], '514');
            // The limit (set to 1 here): the second connection of the app is refused as fatal.
            const over = await tryUpgrade((await bootstrap(srv, { AppID: WSAPP.app_id, AppSecret: WSAPP.app_secret })).json.data.URL);
            assert.ok(over, 'the connection over the limit must be refused');
            assert.equal(over.statusCode, 403);
            assert.equal(over.headers['handshake-status'], '514');
            assert.equal(over.headers['handshake-autherrcode'], '1000040350');
            assert.equal(over.headers['handshake-msg'], 'exceed conn limit');
        } finally {
            first.ws.close();
        }
        // Once the first is gone, a new one is welcome.
        await until('the slot freed', async () => (await conns(srv)).length === 0);
        const again = await rawClient(srv);
        again.ws.close();
    }, { args: ['--ws-max-connections', '1'] });
});

test('frames: pong with ClientConfig, chunked events, no ack means a failed attempt and a redelivery', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const rc = await rawClient(srv, { ack: false });
        try {
            // A ping as Node sends it; the pong carries the service and ClientConfig.
            rc.ws.send(Buffer.from('0800100018f681801020002a0c0a0474797065120470696e67', 'hex'));
            const pong = await until('the pong', async () => rc.frames.find((f) => f.method === 0));
            assert.equal(hdr(pong, 'type'), 'pong');
            assert.equal(pong.service, 33554678);
            assert.deepEqual(JSON.parse(Buffer.from(pong.payload).toString()), { ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 1, PingInterval: 1 });
            const id = (await conns(srv))[0].id;
            const { t, chat } = await chatWithBot(srv);
            const first = await until('the bot.added event', async () => rawEvents(rc).find((e) => e.body.header.event_type === 'im.chat.member.bot.added_v1'));
            // Chunked (ws_chunk_bytes 100), plaintext, the verification token in the header.
            assert.ok(first.sum > 1, `sum ${first.sum}`);
            assert.equal(first.body.schema, '2.0');
            assert.equal(first.body.header.token, 'vt-ws');
            assert.equal(first.body.header.app_id, WSAPP.app_id);
            assert.equal(first.body.event.chat_id, chat.chat_id);
            const chunk = rc.frames.find((f) => f.method === 1);
            for (const k of ['type', 'message_id', 'sum', 'seq', 'trace_id', 'timestamp']) assert.ok(hdr(chunk, k) !== undefined, k);
            assert.equal(hdr(chunk, 'type'), 'event');
            // Not acked: after 3 s the attempt failed, the event waits for its retry.
            const eid = first.body.header.event_id;
            let log = await until('the failed attempt', async () => { const l = await eventLog(srv, eid); return l.deliveries.length === 1 && l; });
            assert.equal(log.state, 'pending');
            assert.equal(log.deliveries[0].connection, id);
            assert.match(log.deliveries[0].error, /no ack/);
            assert.ok(log.next_attempt_at > 0);
            // Retry time: the same event, a new message_id; this time acked.
            rc.ack = true;
            await advanceClock(srv, 16);
            const again = await until('the redelivery', async () => rawEvents(rc).find((e) => e.body.header.event_id === eid && e.message_id !== first.message_id));
            assert.equal(again.body.header.event_id, eid);
            log = await until('delivered', async () => { const l = await eventLog(srv, eid); return l.state === 'delivered' && l; });
            assert.equal(log.deliveries.length, 2);
            assert.equal(log.deliveries[1].http_status, 200);
            assert.equal(log.deliveries[1].connection, id);
            void t;
        } finally {
            rc.ws.close();
        }
    }, { args: ['--ws-chunk-bytes', '100'] });
});

test('every event type reaches the SDK dispatcher, chunked, once each; events written before any connection wait for it', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        // Written while nobody is connected: they wait.
        const { t, chat } = await chatWithBot(srv);
        assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'long', description: 'ab'.repeat(40) }));
        const c = client(srv);
        try {
            assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/members') + '?member_id_type=user_id', t, { id_list: ['wangwu'] }));
            assertOk(await fs(srv, 'DELETE', chatPath(chat.chat_id, '/members') + '?member_id_type=user_id', t, { id_list: ['wangwu'] }));
            assert.equal((await adminPost(srv, '/admin/v1/feishu/p2p_enter', { app_id: WSAPP.app_id, user_id: 'wangwu' })).status, 200);
            assertOk(await fs(srv, 'DELETE', chatPath(chat.chat_id, '/members') + '?member_id_type=app_id', t, { id_list: [WSAPP.app_id] }));
            // An invitation into a chat that needs approval, withdrawn.
            const p = (await ids(srv)).acme;
            const gated = await createChat(srv, await userToken(srv, APP1, 'zhangsan'), {
                name: 'gated', membership_approval: 'approval_required', user_id_list: [p.wangwu.open(APP1)], bot_id_list: [WSAPP.app_id] });
            assert.equal((await adminPost(srv, '/admin/v1/feishu/invite', { chat_id: gated.chat_id, inviter_user_id: 'wangwu', user_id: 'sunqi' })).json.result, 'pending_approval');
            assert.equal((await adminPost(srv, '/admin/v1/feishu/withdraw', { chat_id: gated.chat_id, user_id: 'sunqi' })).json.result, 'withdrawn');
            const want = ['im.chat.member.bot.added_v1', 'im.chat.updated_v1', 'im.chat.member.user.added_v1',
                'im.chat.member.user.deleted_v1', 'im.chat.access_event.bot_p2p_chat_entered_v1', 'p2p_chat_create',
                'im.chat.member.bot.deleted_v1', 'im.chat.member.user.withdrawn_v1'];
            await until('every type', async () => want.every((w) => c.got.some((g) => g.type === w)));
            const upd = c.got.find((g) => g.type === 'im.chat.updated_v1');
            assert.equal(upd.data.after_change.description, 'ab'.repeat(40)); // reassembled from chunks
            const eids = c.got.filter((g) => g.event_id).map((g) => g.event_id);
            assert.equal(new Set(eids).size, eids.length, 'each event once');
            assert.equal(c.got.filter((g) => g.type === 'p2p_chat_create').length, 1); // the 1.0 envelope too
        } finally {
            c.ws.close({ force: true });
        }
    }, { args: ['--ws-chunk-bytes', '256'] });
});

test('message events reach the SDK dispatcher: a person\'s message (im.message.receive_v1), its recall (im.message.recalled_v1), a bot\'s p2p message; then the chat disbanded', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const c = client(srv);
        try {
            await until('a connection', async () => (await conns(srv)).length === 1);
            const { t, chat } = await chatWithBot(srv);
            assertOk(await fs(srv, 'POST', chatPath(chat.chat_id, '/members') + '?member_id_type=user_id', t, { id_list: ['wangwu'] }));
            // A person speaks in the group (the WS app may read every group message).
            let res = await adminPost(srv, '/admin/v1/feishu/say', { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: JSON.stringify({ text: 'hello over the long connection' }) });
            assert.equal(res.status, 200, res.body);
            const said = res.json.message_id;
            const rx = await until('the receive event', async () => c.got.find((g) => g.type === 'im.message.receive_v1' && g.data.message.message_id === said));
            assert.equal(rx.data.message.chat_id, chat.chat_id);
            assert.equal(rx.data.message.chat_type, 'group');
            assert.equal(rx.data.message.message_type, 'text');
            assert.deepEqual(JSON.parse(rx.data.message.content), { text: 'hello over the long connection' });
            assert.equal(rx.data.sender.sender_type, 'user');
            assert.equal(rx.data.sender.sender_id.user_id, 'wangwu');
            // A large message (120 KB of text, in 4 KB chunks) is reassembled by the SDK.
            const big = 'long line of text '.repeat(120 * 1024 / 18);
            res = await adminPost(srv, '/admin/v1/feishu/say', { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: JSON.stringify({ text: big }) });
            assert.equal(res.status, 200, res.body);
            const large = await until('the large receive event', async () => c.got.find((g) => g.type === 'im.message.receive_v1' && g.data.message.message_id === res.json.message_id));
            assert.equal(JSON.parse(large.data.message.content).text, big);
            // The person recalls it.
            res = await adminPost(srv, '/admin/v1/feishu/recall', { message_id: said, user_id: 'wangwu' });
            assert.equal(res.status, 200, res.body);
            const rc = await until('the recalled event', async () => c.got.find((g) => g.type === 'im.message.recalled_v1'));
            assert.equal(rc.data.message_id, said);
            assert.equal(rc.data.chat_id, chat.chat_id);
            // p2p: the person opens the WS bot's chat and writes to it.
            const p2p = await adminPost(srv, '/admin/v1/feishu/p2p_enter', { app_id: WSAPP.app_id, user_id: 'wangwu' });
            assert.equal(p2p.status, 200, p2p.body);
            res = await adminPost(srv, '/admin/v1/feishu/say', { chat_id: p2p.json.chat_id, user_id: 'wangwu', msg_type: 'text', content: JSON.stringify({ text: 'just us' }) });
            assert.equal(res.status, 200, res.body);
            const direct = await until('the p2p receive event', async () => c.got.find((g) => g.type === 'im.message.receive_v1' && g.data.message.message_id === res.json.message_id));
            assert.equal(direct.data.message.chat_type, 'p2p');
            // The bot answers there; the person reads the answer (im.message.message_read_v1).
            const wt = await tenantToken(srv, WSAPP);
            const answer = assertOk(await fs(srv, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', wt, { receive_id: p2p.json.chat_id, msg_type: 'text', content: JSON.stringify({ text: 'hello you' }) }));
            res = await adminPost(srv, '/admin/v1/feishu/read', { message_id: answer.message_id, user_id: 'wangwu' });
            assert.equal(res.status, 200, res.body);
            const read = await until('the read event', async () => c.got.find((g) => g.type === 'im.message.message_read_v1'));
            assert.deepEqual(read.data.message_id_list, [answer.message_id]);
            // The person reacts to the large group message and takes it back.
            const large_id = large.data.message.message_id;
            res = await adminPost(srv, '/admin/v1/feishu/react', { message_id: large_id, user_id: 'wangwu', emoji_type: 'THUMBSUP' });
            assert.equal(res.status, 200, res.body);
            res = await adminPost(srv, '/admin/v1/feishu/unreact', { message_id: large_id, user_id: 'wangwu', emoji_type: 'THUMBSUP' });
            assert.equal(res.status, 200, res.body);
            for (const type of ['im.message.reaction.created_v1', 'im.message.reaction.deleted_v1']) {
                const r = await until(type, async () => c.got.find((g) => g.type === type));
                assert.equal(r.data.message_id, large_id);
                assert.equal(r.data.reaction_type.emoji_type, 'THUMBSUP');
            }
            // The chat disbanded: the last event of the group.
            assertOk(await fs(srv, 'DELETE', chatPath(chat.chat_id), t));
            const gone = await until('the disbanded event', async () => c.got.find((g) => g.type === 'im.chat.disbanded_v1'));
            assert.equal(gone.data.chat_id, chat.chat_id);
            const eids = c.got.map((g) => g.event_id).filter(Boolean);
            assert.equal(new Set(eids).size, eids.length, 'each event once');
            for (const g of c.got.filter((x) => x.event_id)) {
                const log = await until('delivered', async () => { const l = await eventLog(srv, g.event_id); return l.state === 'delivered' && l; });
                assert.equal(log.deliveries.at(-1).http_status, 200);
            }
        } finally {
            c.ws.close({ force: true });
        }
    }, { args: ['--ws-chunk-bytes', '4096'] });
});

test('three WSClients of one app: each event reaches exactly one of them', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const cs = [client(srv, { name: 'a' }), client(srv, { name: 'b' }), client(srv, { name: 'c' })];
        try {
            await until('three connections', async () => (await conns(srv)).length === 3);
            const { t, chat } = await chatWithBot(srv);
            for (let i = 0; i < 9; i++) assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: `n${i}` }));
            const all = () => cs.flatMap((c) => c.got).filter((g) => g.type === 'im.chat.updated_v1');
            await until('nine updates', async () => all().length >= 9);
            const ids = all().map((g) => g.event_id);
            assert.equal(ids.length, 9);
            assert.equal(new Set(ids).size, 9);
            const list = await conns(srv);
            assert.equal(list.length, 3);
            for (const it of list) assert.deepEqual(Object.keys(it).sort(), ['delivered', 'id', 'last_ping', 'node', 'silenced', 'since', 'unacked']);
        } finally {
            for (const c of cs) c.ws.close({ force: true });
        }
    });
});

test('kick: the SDK reconnects and no event is lost across it', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const c = client(srv);
        try {
            const [old] = await until('a connection', async () => { const l = await conns(srv); return l.length === 1 && l; });
            const { t, chat } = await chatWithBot(srv);
            let res = await adminPost(srv, `/admin/v1/feishu/apps/${WSAPP.app_id}/connections/${old.id}/kick`);
            assert.equal(res.status, 200, res.body);
            assert.deepEqual(res.json, { connections: 1 });
            for (let i = 0; i < 5; i++) assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: `k${i}` }));
            const [now] = await until('a new connection', async () => { const l = await conns(srv); return l.length === 1 && l[0].id !== old.id && l; });
            assert.notEqual(now.id, old.id);
            // Whatever was unacked when the kick landed is retried on the schedule.
            await advanceClock(srv, 16);
            await until('all five updates', async () => new Set(c.got.filter((g) => g.type === 'im.chat.updated_v1').map((g) => g.data.after_change.name)).size === 5);
            res = await adminPost(srv, `/admin/v1/feishu/apps/${WSAPP.app_id}/connections/nope/kick`);
            assert.equal(res.status, 404);
            res = await adminPost(srv, `/admin/v1/feishu/apps/${WSAPP.app_id}/connections/kick`);
            assert.equal(res.status, 200);
            assert.deepEqual(res.json, { connections: 1 });
            res = await srv.request('GET', `/admin/v1/feishu/apps/cli_ffffffffffffffff/connections`, { headers: ADMIN_HEADERS });
            assert.equal(res.status, 404);
        } finally {
            c.ws.close({ force: true });
        }
    });
});

test('half-open: a silenced connection neither pongs nor delivers; events wait and arrive after the SDK reconnects', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        // The SDK's opt-in watchdog: no frame within 2 s of a ping drops the socket (each
        // ping re-arms it, so it must be shorter than PingInterval, 3 s here).
        const c = client(srv, { wsConfig: { pingTimeout: 2 } });
        try {
            const [old] = await until('a connection', async () => { const l = await conns(srv); return l.length === 1 && l; });
            const { t, chat } = await chatWithBot(srv);
            await until('the bot.added event', async () => c.got.some((g) => g.type === 'im.chat.member.bot.added_v1'));
            let res = await adminPost(srv, `/admin/v1/feishu/apps/${WSAPP.app_id}/connections/${old.id}/silence`);
            assert.equal(res.status, 200, res.body);
            await until('silenced in the list', async () => (await conns(srv)).some((x) => x.id === old.id && x.silenced));
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'during silence' }));
            const ev = (await srv.request('GET', '/admin/v1/tenants/Acme/events?limit=1000', { headers: ADMIN_HEADERS })).json.items
                .filter((e) => e.app_id === WSAPP.app_id && e.event_type === 'im.chat.updated_v1').pop();
            // The SDK notices (no pong) and comes back on a new connection.
            await until('a new connection', async () => (await conns(srv)).some((x) => x.id !== old.id));
            await until('the silent attempt failed', async () => (await eventLog(srv, ev.event_id)).deliveries.length >= 1);
            assert.equal(c.got.some((g) => g.event_id === ev.event_id), false);
            // The server still counts the silent socket as open; resuming it ends the
            // rehearsal: it reads the client's close and lets the connection go.
            res = await adminPost(srv, `/admin/v1/feishu/apps/${WSAPP.app_id}/connections/${old.id}/resume`);
            assert.equal(res.status, 200, res.body);
            await until('the old connection gone', async () => { const l = await conns(srv); return l.length === 1 && l[0].id !== old.id; });
            await advanceClock(srv, 16);
            await until('the event after reconnecting', async () => c.got.some((g) => g.event_id === ev.event_id));
            const log = await until('delivered', async () => { const l = await eventLog(srv, ev.event_id); return l.state === 'delivered' && l; });
            assert.equal(log.deliveries[0].connection, old.id);
            assert.notEqual(log.deliveries.at(-1).connection, old.id);
        } finally {
            c.ws.close({ force: true });
        }
    }, { args: ['--ws-ping-interval', '3'] });
});

test('delivery rehearsals: duplicates reach the handler twice with one event_id; delay holds events back', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const put = (body) => srv.request('PUT', `/admin/v1/feishu/apps/${WSAPP.app_id}/delivery`, { headers: ADMIN_HEADERS, body });
        assert.equal((await put({ delay_ms: -1 })).status, 400);
        assert.equal((await put({ duplicate: 'yes' })).status, 400);
        let res = await put({ duplicate: true });
        assert.equal(res.status, 200, res.body);
        assert.deepEqual(res.json, { app_id: WSAPP.app_id, duplicate: true, delay_ms: 0 });
        const c = client(srv);
        try {
            const { t, chat } = await chatWithBot(srv);
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'twice' }));
            const twice = await until('two copies', async () => { const u = c.got.filter((g) => g.type === 'im.chat.updated_v1'); return u.length === 2 && u; });
            assert.equal(twice[0].event_id, twice[1].event_id);
            res = await put({ duplicate: false, delay_ms: 2000 });
            assert.equal(res.status, 200);
            assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'late' }));
            const late = await until('the late event', async () => c.got.find((g) => g.type === 'im.chat.updated_v1' && g.data.after_change.name === 'late'));
            const log = await until('delivered', async () => { const l = await eventLog(srv, late.event_id); return l.state === 'delivered' && l; });
            assert.ok(log.deliveries[0].at - log.created_at >= 1, JSON.stringify(log));
            assert.equal(c.got.filter((g) => g.event_id === late.event_id).length, 1);
        } finally {
            c.ws.close({ force: true });
        }
    });
});

const PG = process.env.QUNZU_TEST_PG;

test('two PostgreSQL nodes: each delivers to the connections it holds, every event once', { skip: PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG)', timeout: 180_000 }, async () => {
    await withWsServer(async (a) => {
        await withServer({ db: dbOf(a), seed: null, args: WS_ARGS }, async (b) => {
            // One client bootstraps on each node (the URL leads back to the node it asked).
            const ca = client(a, { name: 'a' });
            const cb = client(b, { name: 'b' });
            try {
                const list = await until('two connections', async () => { const l = await conns(b); return l.length === 2 && l; });
                assert.equal(new Set(list.map((x) => x.node)).size, 2, 'one connection per node');
                const { t, chat } = await chatWithBot(a);
                for (let i = 0; i < 10; i++) assertOk(await fs(i % 2 ? a : b, 'PUT', chatPath(chat.chat_id), t, { name: `p${i}` }));
                const all = () => [...ca.got, ...cb.got].filter((g) => g.type === 'im.chat.updated_v1');
                await until('ten updates', async () => all().length >= 10);
                const ids = all().map((g) => g.event_id);
                assert.equal(ids.length, 10);
                assert.equal(new Set(ids).size, 10);
                // A kick through one node reaches a connection the other holds.
                const other = list.find((x) => x.node !== list[0].node);
                const res = await adminPost(a, `/admin/v1/feishu/apps/${WSAPP.app_id}/connections/${other.id}/kick`);
                assert.equal(res.status, 200, res.body);
                await until('the kicked one replaced', async () => { const l = await conns(a); return l.length === 2 && !l.some((x) => x.id === other.id); });
            } finally {
                ca.ws.close({ force: true });
                cb.ws.close({ force: true });
            }
        });
    });
});

test('bad client frames are ignored; an oversized message closes; a silent connection is closed after 3 x PingInterval + 10 s', { timeout: 120_000 }, async () => {
    await withWsServer(async (srv) => {
        const rc = await rawClient(srv);
        try {
            rc.ws.send(Buffer.from([0xff, 0xff, 0xff]));            // not a Frame
            rc.ws.send('text, not binary');                         // not binary
            rc.ws.send(Frame.encode({ SeqID: 0, LogID: 0, service: 1, method: 1, headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: 'nope' }], payload: Buffer.from('{"code":200}') }).finish());
            rc.ws.send(Buffer.from('0800100018f681801020002a0c0a0474797065120470696e67', 'hex'));
            await until('a pong after the junk', async () => rc.frames.some((f) => f.method === 0));
            assert.equal(rc.closed, false);
            // A WebSocket-level ping (Python's keepalive) is answered by wslay.
            const wsPong = new Promise((resolve) => rc.ws.once('pong', (d) => resolve(d.toString())));
            rc.ws.ping('keepalive');
            assert.equal(await wsPong, 'keepalive');
        } finally {
            rc.ws.close();
        }
        const big = await rawClient(srv);
        const code = await new Promise((resolve) => { big.ws.on('close', (c) => resolve(c)); big.ws.send(Buffer.alloc((1 << 20) + 16)); });
        assert.equal(code, 1009);
        // No frames at all: closed by the server (PingInterval 1: after 13 s).
        const mute = await rawClient(srv);
        await until('the idle close', async () => mute.closed, 30_000);
        await until('no connection left', async () => (await conns(srv)).length === 0);
    });
});

test('the delivery mode is per app: in long-connection mode nothing is POSTed, even with a callback_url; switched to webhook, events are POSTed and not pushed', { timeout: 120_000 }, async () => {
    const rx = await startReceiver({ verificationToken: 'vt-ws' });
    try {
        await withWsServer(async (srv) => {
            const c = client(srv);
            try {
                await until('a connection', async () => (await conns(srv)).length === 1);
                const { t, chat } = await chatWithBot(srv);
                assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'pushed' }));
                const ev = await until('the pushed event', async () => c.got.find((g) => g.type === 'im.chat.updated_v1'));
                const log = await until('delivered', async () => { const l = await eventLog(srv, ev.event_id); return l.state === 'delivered' && l; });
                assert.ok(log.deliveries.every((d) => d.connection), 'every attempt went over a connection');
                assert.equal(rx.raw.length, 0, 'nothing POSTed in long-connection mode');
                // The same app switched to webhook (the seed runs the challenge).
                const res = await srv.request('POST', '/admin/v1/seed', { headers: ADMIN_HEADERS, body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme',
                    apps: [{ ...WSAPP, event: { mode: 'webhook', callback_url: rx.url, verification_token: 'vt-ws', types: TYPES } }] } }] } });
                assert.equal(res.status, 200, res.body);
                const app = (await srv.request('GET', '/admin/v1/tenants/Acme', { headers: ADMIN_HEADERS })).json.feishu.apps.find((a) => a.app_id === WSAPP.app_id);
                assert.equal(app.event.mode, 'webhook');
                assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'posted' }));
                const posted = await until('the POSTed event', async () => rx.accepted.find((e) => e.event_type === 'im.chat.updated_v1'));
                assert.equal(posted.after_change.name, 'posted');
                const plog = await until('delivered by webhook', async () => { const l = await eventLog(srv, posted.event_id); return l.state === 'delivered' && l; });
                assert.equal(plog.deliveries[0].connection, undefined);
                assert.equal(c.got.filter((g) => g.type === 'im.chat.updated_v1').length, 1, 'not pushed over the connection');
            } finally {
                c.ws.close({ force: true });
            }
        }, { event: { mode: 'long_connection', callback_url: rx.url, verification_token: 'vt-ws', types: TYPES } });
    } finally {
        await rx.close();
    }
});

test('the mode and the queued events survive a restart', { timeout: 120_000 }, async () => {
    await withRestartableServer({ seed: wsSeed(), args: WS_ARGS }, async (srv) => {
        const { t, chat } = await chatWithBot(srv);
        assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), t, { name: 'before restart' }));
        await srv.stop();
        await srv.restart();
        const app = (await srv.request('GET', '/admin/v1/tenants/Acme', { headers: ADMIN_HEADERS })).json.feishu.apps.find((a) => a.app_id === WSAPP.app_id);
        assert.equal(app.event.mode, 'long_connection');
        assert.equal(app.event.callback_url, undefined);
        const c = client(srv);
        try {
            await until('the event written before the restart', async () => c.got.some((g) => g.type === 'im.chat.updated_v1' && g.data.after_change.name === 'before restart'));
        } finally {
            c.ws.close({ force: true });
        }
    });
});
