// tests/http/feishu_scopes.test.mjs - apps hold scopes ("服务端错误码说明", the permission notes
// of each reference page): the scope table (src/dialect/feishu/fs_scopes.c) is read from the C sources, as is
// the route table (fs_routes.c), so a route added without its scope row fails here. Every
// route that lists scopes refuses an app holding none of them with the gateway's exact
// 99991672 body (HTTP 400, permission_violations, helps, troubleshooter, log_id) and lets
// in an app holding any one of them; routes that need none let in an app holding nothing.
// Then: user tokens carry the scopes the person granted (99991679; the OAuth scope
// parameter's 20067/20068), user_id needs its field scope in answers and events, and
// event subscriptions are checked against the app's scopes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_HEADERS, adminEvents, adminSeed, repoRoot } from './lib/server.mjs';
import {
    APP1, APP2, assertErr, assertOk, call, createChat, feishuSeed, oauthToken, qs, tenantToken,
    withFeishuServer,
} from './lib/feishu.mjs';
import { startReceiver } from './lib/receiver.mjs';

const SRC = path.join(repoRoot, 'src', 'dialect', 'feishu');
const read = (f) => fs.readFileSync(path.join(SRC, f), 'utf8');

// The authenticated routes of fs_routes.c: [method, path].
function routes() {
    const out = [];
    const re = /\{\s*HTTP_(\w+),\s*"(\/open-apis\/[^"]+)",\s*([^,]+),/g;
    for (const m of read('fs_routes.c').matchAll(re)) {
        if (!/R_PUBLIC/.test(m[3])) out.push([m[1], m[2]]);
    }
    return out;
}

// The rows of fs_scopes.c: {method, path, tokens, scopes}, macros expanded.
function scopeRows() {
    const src = read('fs_scopes.c').replace(/\\\n/g, ' ');
    const macros = { NONE: [] };
    const list = (expr) => {
        expr = expr.trim();
        if (expr in macros) return macros[expr];
        const m = /^S\((.*)\)$/s.exec(expr);
        assert.ok(m, `fs_scopes.c: cannot read scope list ${expr}`);
        return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
    };
    for (const m of src.matchAll(/#define (\w+)\s+(S\([^\n]*\))/g)) macros[m[1]] = list(m[2]);
    const rows = [];
    for (const m of src.matchAll(/\{\s*HTTP_(\w+),\s*"(\/open-apis\/[^"]+)",\s*([\w |]+),\s*(S\([^)]*\)|\w+)\s*\}/g)) {
        rows.push({ method: m[1], path: m[2], tokens: m[3], scopes: list(m[4]) });
    }
    return rows;
}

const ROUTES = routes();
const ROWS = scopeRows();
const NOSCOPE = { app_id: 'cli_scopeless01', app_secret: 'scopeless-secret', name: 'Scopeless' };
const fill = (p) => p.replace(':chat_id', 'oc_00000000000000000000000000000000').replace(':menu_item_id', '1')
    .replace(':user_id', 'ou_00000000000000000000000000000000').replace(':department_id', '0');

function seedWith(scopes) {
    const s = feishuSeed();
    s.tenants.find((t) => t.name === 'Acme').feishu.apps.push({ ...NOSCOPE, scopes });
    return s;
}
const setScopes = (srv, scopes) => adminSeed(srv, { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: NOSCOPE.app_id, scopes }] } }] });

test('every authenticated route has its row in fs_scopes.c, and every row a route', () => {
    assert.ok(ROUTES.length >= 30, `read ${ROUTES.length} routes`);
    for (const [method, p] of ROUTES) {
        const n = ROWS.filter((r) => r.method === method && r.path === p).length;
        assert.equal(n, 1, `${method} ${p}: ${n} rows in fs_scopes.c (want exactly 1: its token kinds and scopes)`);
    }
    for (const r of ROWS) assert.ok(ROUTES.some(([m, p]) => m === r.method && p === r.path), `fs_scopes.c row ${r.method} ${r.path} has no route`);
});

// The exact gateway body (as live Feishu clients observe it).
function assertScopeBody(res, scopes, appId, tokenType, what) {
    const j = assertErr(res, 99991672, what, { msg: undefined });
    const list = scopes.join(', ');
    const url = `https://open.feishu.cn/app/${appId}/auth?q=${scopes.join(',')}&op_from=openapi&token_type=${tokenType}`;
    assert.equal(j.msg, `Access denied. One of the following scopes is required: [${list}].应用尚未开通所需的应用身份权限：[${list}]，点击链接申请并开通任一权限即可：${url}`, what);
    assert.deepEqual(Object.keys(j), ['code', 'msg', 'error'], what);
    assert.deepEqual(Object.keys(j.error), ['log_id', 'troubleshooter', 'permission_violations', 'helps'], what);
    assert.deepEqual(j.error.permission_violations, scopes.map((s) => ({ type: 'action_scope_required', subject: s })), what);
    assert.deepEqual(j.error.helps, [{ url, description: `Learn more about scopes and how to add them: [${list}]` }], what);
    assert.match(j.error.troubleshooter, new RegExp(`^排查建议查看\\(Troubleshooting suggestions\\): https://open\\.feishu\\.cn/search\\?from=openapi&log_id=${j.error.log_id}&code=99991672&method_id=\\d{19}$`), what);
}

test('each route: an app holding none of its scopes gets 99991672; any one of them lets it in', { timeout: 600_000 }, () => withFeishuServer(async (srv) => {
    const t = await tenantToken(srv, NOSCOPE);
    for (const r of ROWS) {
        const what = `${r.method} ${r.path}`;
        if (!/TK_T|TK_A/.test(r.tokens)) continue; // user-token-only rows need no scope
        const send = () => call(srv, r.method, fill(r.path), t, r.method === 'GET' ? undefined : {});
        await setScopes(srv, []);
        const res = await send();
        if (r.scopes.length === 0) {
            assert.notEqual(res.json?.code, 99991672, `${what} needs no scope: ${res.body}`);
            continue;
        }
        assertScopeBody(res, r.scopes, NOSCOPE.app_id, 'tenant', what);
        for (const s of r.scopes) {
            await setScopes(srv, [s]);
            const ok = await send();
            assert.notEqual(ok.json?.code, 99991672, `${what} with only ${s}: ${ok.body}`);
        }
    }
}, { seed: seedWith([]) }));

test('the scope check comes after the token and before the rate limit and the request\'s own checks', () => withFeishuServer(async (srv) => {
    // No token: 99991661; a bad token: 99991663 - whatever the app holds.
    assertErr(await call(srv, 'GET', '/open-apis/im/v1/chats', null), 99991661);
    assertErr(await call(srv, 'GET', '/open-apis/im/v1/chats', 't-nope'), 99991663);
    // A malformed body is not looked at before the scopes.
    const t = await tenantToken(srv, NOSCOPE);
    const res = await call(srv, 'POST', '/open-apis/im/v1/chats', t, '{not json');
    assertScopeBody(res, ['im:chat', 'im:chat:create'], NOSCOPE.app_id, 'tenant', 'bad body');
    // The default grant (no "scopes" in the seed) holds every API scope.
    assertOk(await call(srv, 'GET', '/open-apis/im/v1/chats', await tenantToken(srv, APP2)));
}, { seed: seedWith([]) }));

test('im:chat:operate_as_owner: granted only on request; a creator bot without it is a plain member', () => withFeishuServer(async (srv) => {
    const s = feishuSeed();
    for (const a of s.tenants[0].feishu.apps) if (a.app_id === APP2.app_id) a.scopes = ['*'];
    await adminSeed(srv, s);
    const bot2 = await tenantToken(srv, APP2);
    const mk = async (bot) => (await createChat(srv, bot, { name: 'Made by a bot', owner_id: 'zhangsan', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' })).chat_id;
    const c2 = await mk(bot2);
    assertErr(await call(srv, 'PUT', `/open-apis/im/v1/chats/${c2}`, bot2, { edit_permission: 'only_owner' }), 232016, 'settings');
    assertErr(await call(srv, 'DELETE', `/open-apis/im/v1/chats/${c2}`, bot2), 232017, 'disband');
    assertErr(await call(srv, 'PUT', `/open-apis/im/v1/chats/${c2}/moderation`, bot2, { moderation_setting: 'only_owner' }), 232017, 'moderation');
    assertErr(await call(srv, 'POST', `/open-apis/im/v1/chats/${c2}/managers/add_managers${qs({ member_id_type: 'user_id' })}`, bot2, { manager_ids: ['wangwu'] }), 232038, 'managers');
    // Granted: the same calls succeed (managers stay the owner's).
    for (const a of s.tenants[0].feishu.apps) if (a.app_id === APP2.app_id) a.scopes = ['*', 'im:chat:operate_as_owner'];
    await adminSeed(srv, s);
    assertOk(await call(srv, 'PUT', `/open-apis/im/v1/chats/${c2}`, bot2, { edit_permission: 'only_owner' }), 'settings');
    assertOk(await call(srv, 'PUT', `/open-apis/im/v1/chats/${c2}/moderation`, bot2, { moderation_setting: 'only_owner' }), 'moderation');
    assertErr(await call(srv, 'POST', `/open-apis/im/v1/chats/${c2}/managers/add_managers${qs({ member_id_type: 'user_id' })}`, bot2, { manager_ids: ['wangwu'] }), 232038, 'managers');
    assertOk(await call(srv, 'DELETE', `/open-apis/im/v1/chats/${c2}`, bot2), 'disband');
}));

async function authorize(srv, app, userId, scope) {
    const res = await srv.request('POST', '/admin/v1/feishu/authorize', { body: { app_id: app.app_id, user_id: userId, ...(scope === undefined ? {} : { scope }) }, headers: ADMIN_HEADERS });
    return res;
}
const exchange = (srv, app, code, scope) => oauthToken(srv, { grant_type: 'authorization_code', client_id: app.app_id, client_secret: app.app_secret, code, ...(scope ? { scope } : {}) });

test('user tokens carry the scopes the person granted: 99991679; the OAuth scope parameter (20067, 20068)', () => withFeishuServer(async (srv) => {
    const code = (await authorize(srv, APP1, 'zhangsan', 'contact:user.id:readonly im:chat:readonly')).json.code;
    // A scope twice: 20067; narrowing to something not granted: 20068. A refused
    // exchange changes nothing: the code still works.
    const dup = await exchange(srv, APP1, code, 'im:chat:readonly im:chat:readonly');
    assert.equal(dup.status, 400);
    assert.equal(dup.json.code, 20067);
    assert.equal(dup.json.error, 'invalid_scope');
    const extra = await exchange(srv, APP1, code, 'im:chat');
    assert.equal(extra.status, 400);
    assert.equal(extra.json.code, 20068);
    const narrow = await exchange(srv, APP1, code, 'contact:user.id:readonly');
    assert.equal(narrow.json.code, 0, narrow.body);
    assert.equal(narrow.json.scope, 'contact:user.id:readonly');
    const u = narrow.json.access_token;
    const res = await call(srv, 'GET', '/open-apis/im/v1/chats', u);
    const j = assertErr(res, 99991679, 'not granted', { msg: 'Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again. required one of these privileges: [im:chat, im:chat:read, im:chat:readonly, im:chat.group_info:readonly]' });
    assert.deepEqual(j.error.permission_violations.map((v) => v.type), Array(4).fill('action_privilege_required'));
    // The refresh token keeps the grant; the wider grant lets the chat list in.
    const r = await oauthToken(srv, { grant_type: 'refresh_token', client_id: APP1.app_id, client_secret: APP1.app_secret, refresh_token: narrow.json.refresh_token });
    assert.equal(r.json.scope, 'contact:user.id:readonly');
    assertErr(await call(srv, 'GET', '/open-apis/im/v1/chats', r.json.access_token), 99991679);
    const code4 = (await authorize(srv, APP1, 'zhangsan', 'im:chat:readonly')).json.code;
    assertOk(await call(srv, 'GET', '/open-apis/im/v1/chats', (await exchange(srv, APP1, code4)).json.access_token));
    // A user token is refused the app's missing scopes first (token_type=user).
    const lessApp = seedWith(['contact:user.id:readonly']);
    await adminSeed(srv, lessApp);
    const code5 = (await authorize(srv, NOSCOPE, 'zhangsan')).json.code;
    const nu = (await exchange(srv, NOSCOPE, code5)).json.access_token;
    assertScopeBody(await call(srv, 'GET', '/open-apis/im/v1/chats', nu), ['im:chat', 'im:chat:read', 'im:chat:readonly', 'im:chat.group_info:readonly'], NOSCOPE.app_id, 'user', 'user token');
    // The person can only grant what the app holds.
    const bad = await authorize(srv, NOSCOPE, 'zhangsan', 'im:chat');
    assert.equal(bad.status, 400, bad.body);
}));

test('user_id needs contact:user.employee_id:readonly: 99991672 on user_id_type=user_id, absent from events', () => withFeishuServer(async (srv) => {
    const t = await tenantToken(srv, NOSCOPE);
    const res = await call(srv, 'GET', `/open-apis/im/v1/chats${qs({ user_id_type: 'user_id' })}`, t);
    assertScopeBody(res, ['contact:user.employee_id:readonly'], NOSCOPE.app_id, 'tenant', 'user_id_type');
    assertOk(await call(srv, 'GET', `/open-apis/im/v1/chats${qs({ user_id_type: 'open_id' })}`, t));
    // Events: both apps get the member event; only APP1 (default grant) sees user_id.
    const bot = await tenantToken(srv, APP1);
    const chat = (await createChat(srv, bot, { name: 'Ids', bot_id_list: [NOSCOPE.app_id] })).chat_id;
    assertOk(await call(srv, 'POST', `/open-apis/im/v1/chats/${chat}/members${qs({ member_id_type: 'user_id' })}`, bot, { id_list: ['wangwu'] }));
    const ev = (await adminEvents(srv)).items.filter((e) => e.event_type === 'im.chat.member.user.added_v1');
    const body = (app) => { const e = ev.find((x) => x.app_id === app.app_id); assert.ok(e, `no event for ${app.app_id}: ${JSON.stringify(ev)}`); return typeof e.body === 'string' ? JSON.parse(e.body) : e.body; };
    assert.equal(body(APP1).event.users[0].user_id.user_id, 'wangwu');
    const other = body(NOSCOPE).event.users[0].user_id;
    assert.equal(other.user_id, undefined);
    assert.match(other.open_id, /^ou_/);
}, { seed: seedWith(['im:chat']) }));

test('subscriptions: an unknown event type is refused; so is one whose scopes the app lacks', () => withFeishuServer(async (srv) => {
    const rcv = await startReceiver({ verificationToken: 'vt' });
    try {
        const sub = (scopes, types) => srv.request('POST', '/admin/v1/seed', { headers: ADMIN_HEADERS, body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: NOSCOPE.app_id, scopes, event: { callback_url: rcv.url, verification_token: 'vt', types } }] } }] } });
        const unknown = await sub(['im:chat'], ['im.chat.nothing_v1']);
        assert.equal(unknown.status, 400, unknown.body);
        assert.match(unknown.body, /unknown event type 'im\.chat\.nothing_v1'/);
        const lacking = await sub(['im:chat.members:read'], ['im.chat.updated_v1']);
        assert.equal(lacking.status, 400, lacking.body);
        assert.match(lacking.body, /im\.chat\.updated_v1 needs one of the scopes \[im:chat, im:chat:read, im:chat:readonly\]/);
        const ok = await sub(['im:chat.members:read'], ['im.chat.member.user.added_v1', 'p2p_chat_create']);
        assert.equal(ok.status, 200, ok.body);
        // Taking the scope away later refuses the seed while the subscription needs it.
        const gone = await srv.request('POST', '/admin/v1/seed', { headers: ADMIN_HEADERS, body: { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: NOSCOPE.app_id, scopes: ['contact:user.id:readonly'] }] } }] } });
        assert.equal(gone.status, 400, gone.body);
        assert.match(gone.body, /im\.chat\.member\.user\.added_v1 needs one of the scopes/);
    } finally {
        await rcv.close();
    }
}, { seed: seedWith(['im:chat']) }));
