// tests/http/feishu_ws.test.mjs - Feishu long-connection events (events-ws): the official
// Node SDK's WSClient with its EventDispatcher against qunzu. Bootstrap and its error
// codes, handshake refusals, pings answered with ClientConfig, events (chunked too) acked
// and logged with their connection, one delivery per event among several connections,
// kick + reconnect, the half-open rehearsal, duplicates, and the connection list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { ADMIN_HEADERS, advanceClock, waitFor } from './lib/server.mjs';
import { APP1, assertOk, chatPath, createChat, fs, tenantToken, withFeishuServer, feishuSeed } from './lib/feishu.mjs';

// The Node SDK refuses app ids other than cli_ + 16 hex digits.
const WSAPP = { app_id: 'cli_a1b2c3d4e5f60718', app_secret: 'ws-app-secret', name: 'WS Bot' };
const TYPES = ['im.chat.updated_v1', 'im.chat.disbanded_v1', 'im.chat.member.user.added_v1',
    'im.chat.member.user.deleted_v1', 'im.chat.member.bot.added_v1', 'im.chat.member.bot.deleted_v1'];

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
