// tests/http/lib/feishu.mjs - Feishu helpers for the JavaScript tests (the .case files
// do not need them): the Feishu seed, identities resolved through the admin API,
// tenant/app/user tokens, one call helper and envelope checks.
//
// The fixture seed (fixtures/seed.json) gives Acme one Feishu app and one person and
// Globex one app. The admin tests pin the fixture's Acme exactly, so the extra people
// and apps the Feishu tests need are in EXTRA_SEED below; withFeishuServer() starts a
// server with the fixture plus EXTRA_SEED (an upsert: people match by user_id, apps by
// app_id, so the result is the same if the fixture ever grows to include them).
//
// Generated identifiers (open_id per app, union_id) are never written down here: ids()
// reads them from GET /admin/v1/tenants/{name}.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fixtureSeedPath, withServer, ADMIN_HEADERS, adminTenant } from './server.mjs';

// The admin helpers live in server.mjs; re-exported for the Feishu tests' imports.
export { adminTenant, advanceClock, serverNow } from './server.mjs';

export const APP1 = { app_id: 'cli_acme01', app_secret: 'acme-app-secret', name: 'Acme Bot', tenant: 'Acme' };
export const APP2 = { app_id: 'cli_acme02', app_secret: 'acme-app2-secret', name: 'Acme Helper', tenant: 'Acme' };
export const APP3 = { app_id: 'cli_acme03', app_secret: 'acme-app3-secret', name: 'Acme Third', tenant: 'Acme' };
export const GAPP = { app_id: 'cli_globex01', app_secret: 'globex-app-secret', name: 'Globex Bot', tenant: 'Globex' };
export const ACME_KEY = 'acme';
export const GLOBEX_KEY = 'globex';

export const EXTRA_SEED = {
    tenants: [
        {
            name: 'Acme',
            users: [
                { user_id: 'wangwu', name: 'Wang Wu', email: 'ww@acme.test' },
                { user_id: 'zhaoliu', name: 'Zhao Liu', email: 'zl@acme.test' },
                { user_id: 'sunqi', name: 'Sun Qi', email: 'sq@acme.test' },
                { user_id: 'zhouba', name: 'Zhou Ba', email: 'zb@acme.test' },
                { user_id: 'wujiu', name: 'Wu Jiu', email: 'wj@acme.test' },
            ],
            feishu: {
                tenant_key: ACME_KEY,
                apps: [APP1, APP2, APP3].map(({ app_id, app_secret, name }) => ({ app_id, app_secret, name })),
            },
        },
        {
            name: 'Globex',
            users: [{ user_id: 'chenyi', name: 'Chen Yi', email: 'cy@globex.test' }],
            feishu: {
                tenant_key: GLOBEX_KEY,
                apps: [{ app_id: GAPP.app_id, app_secret: GAPP.app_secret, name: GAPP.name }],
            },
        },
    ],
};

// The fixture merged with EXTRA_SEED (people by user_id, apps by app_id).
export function feishuSeed() {
    const seed = JSON.parse(fs.readFileSync(fixtureSeedPath, 'utf8'));
    for (const extra of EXTRA_SEED.tenants) {
        let t = seed.tenants.find((x) => x.name === extra.name);
        if (!t) seed.tenants.push((t = { name: extra.name }));
        t.users = t.users || [];
        for (const u of extra.users) if (!t.users.some((x) => x.user_id === u.user_id)) t.users.push(u);
        t.feishu = t.feishu || { tenant_key: extra.feishu.tenant_key, apps: [] };
        t.feishu.apps = t.feishu.apps || [];
        for (const a of extra.feishu.apps) if (!t.feishu.apps.some((x) => x.app_id === a.app_id)) t.feishu.apps.push(a);
    }
    return seed;
}

/** withServer() with the Feishu seed. */
export function withFeishuServer(fn, opts = {}) {
    return withServer({ seed: feishuSeed(), ...opts }, fn);
}

// ----- identities ---------------------------------------------------------------

/**
 * Resolve every person of Acme and Globex. Returns
 *   { acme: {zhangsan: P, ...}, globex: {lisi: P, ...} } where
 *   P = {user_id, name, union_id, open_ids: {app_id: open_id}, open(app) -> open_id}
 * open(app) throws if the person has no open_id for that app.
 */
export async function ids(srv) {
    const out = {};
    for (const name of ['Acme', 'Globex']) {
        const t = await adminTenant(srv, name);
        const people = {};
        for (const u of t.users || []) {
            people[u.user_id] = {
                ...u,
                open(app) {
                    const id = (u.open_ids || {})[app.app_id || app];
                    assert.ok(id, `${u.user_id} has no open_id for ${app.app_id || app}: ${JSON.stringify(u)}`);
                    return id;
                },
                id(type, app) {
                    if (type === 'user_id') return u.user_id;
                    if (type === 'union_id') return u.union_id;
                    return this.open(app);
                },
            };
        }
        out[name.toLowerCase()] = people;
    }
    return out;
}

// ----- tokens -------------------------------------------------------------------

export const LOGID_RE = /^\d{14}[0-9A-F]{12,26}$/;
export const CHAT_ID_RE = /^oc_[0-9a-f]{32}$/;

function checkHeaders(res, what) {
    const ct = res.headers['content-type'] || '';
    assert.match(ct, /^application\/json; charset=utf-8$/i, `${what}: Content-Type ${JSON.stringify(ct)}`);
    const logid = res.headers['x-tt-logid'];
    assert.ok(typeof logid === 'string' && LOGID_RE.test(logid), `${what}: X-Tt-Logid ${JSON.stringify(logid)} should be yyyyMMddHHmmss + upper-case hex`);
}

/** Raw POST to a token endpoint; returns {status, headers, json, body}. */
export async function tokenCall(srv, kind, body) {
    return fs_(srv, 'POST', `/open-apis/auth/v3/${kind}/internal`, null, body);
}

export async function tenantTokenRes(srv, app = APP1) {
    const res = await tokenCall(srv, 'tenant_access_token', { app_id: app.app_id, app_secret: app.app_secret });
    assert.equal(res.status, 200, `tenant_access_token ${app.app_id}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    checkHeaders(res, 'tenant_access_token');
    assert.equal(res.json?.code, 0, `tenant_access_token ${app.app_id}: ${res.body.slice(0, 300)}`);
    return res.json;
}

export async function tenantToken(srv, app = APP1) {
    const j = await tenantTokenRes(srv, app);
    assert.match(j.tenant_access_token, /^t-/);
    return j.tenant_access_token;
}

export async function appTokenRes(srv, app = APP1) {
    const res = await tokenCall(srv, 'app_access_token', { app_id: app.app_id, app_secret: app.app_secret });
    assert.equal(res.status, 200, `app_access_token ${app.app_id}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    assert.equal(res.json?.code, 0, `app_access_token ${app.app_id}: ${res.body.slice(0, 300)}`);
    return res.json;
}

/** POST /admin/v1/feishu/authorize: an authorization code for (app, user_id). */
export async function authorizeCode(srv, app, userId) {
    const res = await srv.request('POST', '/admin/v1/feishu/authorize', {
        body: { app_id: app.app_id, user_id: userId },
        headers: ADMIN_HEADERS,
    });
    assert.equal(res.status, 200, `admin authorize ${app.app_id}/${userId}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    assert.equal(typeof res.json?.code, 'string', `admin authorize: ${res.body.slice(0, 300)}`);
    return res.json.code;
}

/** POST /open-apis/authen/v2/oauth/token with 'body' (raw response). */
export async function oauthToken(srv, body) {
    return fs_(srv, 'POST', '/open-apis/authen/v2/oauth/token', null, body);
}

/** The full token-exchange response for a fresh code of (app, user_id). */
export async function userTokenRes(srv, app, userId) {
    const code = await authorizeCode(srv, app, userId);
    const res = await oauthToken(srv, {
        grant_type: 'authorization_code',
        client_id: app.app_id,
        client_secret: app.app_secret,
        code,
    });
    assert.equal(res.status, 200, `oauth token ${app.app_id}/${userId}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    assert.equal(res.json?.code, 0, `oauth token: ${res.body.slice(0, 300)}`);
    return res.json;
}

export async function userToken(srv, app, userId) {
    return (await userTokenRes(srv, app, userId)).access_token;
}

// ----- calls --------------------------------------------------------------------

/**
 * One Feishu Open API call. 'token' null/undefined sends no Authorization header;
 * 'body' undefined sends none (an object is sent as JSON). Returns
 * {status, headers, json, body}.
 */
export async function fs_(srv, method, path, token, body, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (token !== null && token !== undefined) headers.Authorization = `Bearer ${token}`;
    const o = { headers };
    if (body !== undefined) {
        o.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
        headers['Content-Type'] ??= 'application/json; charset=utf-8';
    }
    return srv.request(method, path, o);
}
export { fs_ as fs, fs_ as call };

/** Query string from an object (undefined values left out). */
export function qs(params = {}) {
    const e = Object.entries(params).filter(([, v]) => v !== undefined);
    if (!e.length) return '';
    return '?' + e.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

const show = (res) => `HTTP ${res.status} ${res.body.length > 600 ? res.body.slice(0, 600) + '...' : res.body}`;

/** Success envelope: HTTP 200, exactly {code: 0, msg: "success", data: {...}}. Returns data. */
export function assertOk(res, what = 'call') {
    assert.equal(res.status, 200, `${what}: expected HTTP 200 code 0, got ${show(res)}`);
    checkHeaders(res, what);
    const j = res.json;
    assert.ok(j && typeof j === 'object', `${what}: not JSON: ${show(res)}`);
    assert.deepEqual(Object.keys(j).sort(), ['code', 'data', 'msg'], `${what}: envelope keys: ${show(res)}`);
    assert.equal(j.code, 0, `${what}: code: ${show(res)}`);
    assert.equal(j.msg, 'success', `${what}: msg: ${show(res)}`);
    assert.ok(j.data && typeof j.data === 'object' && !Array.isArray(j.data), `${what}: data must be an object: ${show(res)}`);
    return j.data;
}

// English texts of "服务端错误码说明" and the chat pages' error tables
export const MSG = {
    232001: 'Your request contains an invalid request parameter.',
    232002: 'No Permission: Only chat owner or admin can edit chat information in the current situation.',
    232006: 'Your request specifies a chat_id which is invalid.',
    232008: 'Your request specifies a chat whose type is NOT supported currently.',
    232009: 'Your request specifies a chat which has already been dissolved.',
    232010: 'Operator and chat can NOT be in different tenants.',
    232011: 'Operator can NOT be out of the chat.',
    232012: 'New group owner can NOT be out of the chat.',
    232014: 'The token used in the request does NOT have the permissions necessary to complete the request.',
    232015: 'Your request specifies a member_id_type which is NOT supported.',
    232016: 'Non-chat-owner or Non-chat-admin can only edit certain parts.',
    232017: 'No Permission: If the operator is NOT owner or creator with the scope, the operator can NOT complete the request.',
    232020: 'Name can NOT be less than two characters for public chats.',
    232021: 'Bot can NOT be found.',
    232041: 'The avatar key is illegal.',
    232042: "Public group chat's name should not be empty.",
    232043: /^Your request contains unavailable ids\.?(, ext=.*)?$/s,
    232064: 'The operator is not a group owner or administrator, no permission to share chat link.',
    232068: 'The group is being created, please wait a moment.',
    99991661: 'Missing access token for authorization. Please make a request with token attached.',
    99991663: /^Invalid access token for authorization/,
    99991668: /./,
};

/**
 * Error envelope: HTTP 'status' (400 unless given), {code, msg, error: {log_id}} with
 * msg as in MSG (or 'msg' if given: a string is exact, a RegExp must match) and
 * error.log_id equal to the X-Tt-Logid header. Returns the body.
 */
export function assertErr(res, code, what = 'call', { msg, status = 400 } = {}) {
    const j = res.json;
    assert.ok(j && typeof j === 'object', `${what}: expected JSON error ${code}, got ${show(res)}`);
    assert.equal(j.code, code, `${what}: expected code ${code}, got ${show(res)}`);
    assert.equal(res.status, status, `${what}: HTTP status for code ${code}: ${show(res)}`);
    checkHeaders(res, what);
    const want = msg ?? MSG[code];
    if (want instanceof RegExp) assert.match(j.msg, want, `${what}: msg for ${code}`);
    else if (want !== undefined) assert.equal(j.msg, want, `${what}: msg for ${code}`);
    else assert.equal(typeof j.msg, 'string');
    assert.ok(!('data' in j) || (j.data && Object.keys(j.data).length === 0), `${what}: error with data: ${show(res)}`);
    assert.ok(j.error && typeof j.error === 'object', `${what}: error object missing: ${show(res)}`);
    assert.equal(j.error.log_id, res.headers['x-tt-logid'], `${what}: error.log_id must equal X-Tt-Logid`);
    return j;
}

// ----- chat shortcuts -----------------------------------------------------------

export const CHATS = '/open-apis/im/v1/chats';
export const chatPath = (id, sub = '') => `${CHATS}/${encodeURIComponent(id)}${sub}`;

/** Create a chat; returns the response data (asserting success). */
export async function createChat(srv, token, body = {}, query = {}) {
    return assertOk(await fs_(srv, 'POST', CHATS + qs(query), token, body), `create ${JSON.stringify(body).slice(0, 200)}`);
}

export async function getChat(srv, token, chatId, query = {}) {
    return fs_(srv, 'GET', chatPath(chatId) + qs(query), token);
}

export async function updateChat(srv, token, chatId, body, query = {}) {
    return fs_(srv, 'PUT', chatPath(chatId) + qs(query), token, body);
}

export async function disbandChat(srv, token, chatId) {
    return fs_(srv, 'DELETE', chatPath(chatId), token);
}

/** Page through GET list or search (path = CHATS or CHATS + '/search'); bounded. */
export async function listAll(srv, token, path, params = {}, maxPages = 100) {
    const items = [];
    const pages = [];
    let pageToken;
    for (let n = 0; n < maxPages; n++) {
        const res = await fs_(srv, 'GET', path + qs({ ...params, page_token: pageToken }), token);
        const d = assertOk(res, `${path} page ${n + 1}`);
        checkPageShape(d, `${path} page ${n + 1}`);
        pages.push(d);
        items.push(...d.items);
        if (!d.has_more) return { items, pages };
        pageToken = d.page_token;
    }
    throw new Error(`${path} did not finish within ${maxPages} pages`);
}

// List/search page: items, has_more, and page_token only when has_more.
export function checkPageShape(d, what) {
    assert.ok(Array.isArray(d.items), `${what}: items must be an array: ${JSON.stringify(d)}`);
    assert.equal(typeof d.has_more, 'boolean', `${what}: has_more must be a boolean`);
    if (d.has_more) {
        assert.equal(typeof d.page_token, 'string', `${what}: page_token must be present when has_more`);
        assert.ok(d.page_token.length > 0, `${what}: empty page_token`);
        assert.deepEqual(Object.keys(d).sort(), ['has_more', 'items', 'page_token'], `${what}: keys`);
    } else {
        assert.deepEqual(Object.keys(d).sort(), ['has_more', 'items'], `${what}: page_token must be absent when has_more is false`);
    }
}

// Keys a list/search item may have ("获取用户或机器人所在的群列表"; the last four are SDK-only).
export const ITEM_KEYS = ['chat_id', 'avatar', 'name', 'description', 'owner_id', 'owner_id_type', 'external', 'tenant_key', 'chat_status'];
export const ITEM_OPTIONAL_KEYS = ['name', 'description', 'owner_id', 'owner_id_type', 'labels', 'chat_mode', 'p2p_target_type', 'p2p_target_id'];

export function checkItem(it, what) {
    for (const k of ITEM_KEYS) {
        if (!ITEM_OPTIONAL_KEYS.includes(k)) assert.ok(k in it, `${what}: item lacks ${k}: ${JSON.stringify(it)}`);
    }
    for (const k of Object.keys(it)) {
        assert.ok(ITEM_KEYS.includes(k) || ITEM_OPTIONAL_KEYS.includes(k), `${what}: unexpected item key ${k}: ${JSON.stringify(it)}`);
    }
    assert.match(it.chat_id, CHAT_ID_RE);
    assert.equal(typeof it.external, 'boolean');
    assert.equal(('owner_id' in it), ('owner_id_type' in it), `${what}: owner_id and owner_id_type go together`);
}

export const range = (n) => Array.from({ length: n }, (_, i) => i);
export const pad = (n, w = 2) => String(n).padStart(w, '0');
