// tests/http/feishu_contacts.test.mjs - the directory a bot reads ("获取机器人信息", contact v3): bot/v3/info
// in its own envelope, contact v3 users and departments with field scopes and the app's
// contact data range, the authen v1 OIDC exchange and user_info; then the same through the
// official Node SDK (contact.user.batchGetId, contact.user.get, authen.oidcAccessToken.create).
// Runs on SQLite, or PostgreSQL with QUNZU_TEST_PG, like every black-box test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminSeed, adminTenant, ADMIN_HEADERS } from './lib/server.mjs';
import {
    APP1, APP2, LOGID_RE, assertErr, assertOk, authorizeCode, call, feishuSeed, ids, qs, tenantToken,
    appTokenRes, withFeishuServer,
} from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';

const C = '/open-apis/contact/v3';
const AV = (n) => ({ avatar_72: `https://a.test/${n}72`, avatar_240: `https://a.test/${n}240`, avatar_640: `https://a.test/${n}640`, avatar_origin: `https://a.test/${n}` });

// Acme's tree: 0 > ENG > (BE, FE), 0 > SALES. APP2 sees only ENG (and below) and sunqi.
function seed() {
    const s = feishuSeed();
    const acme = s.tenants.find((t) => t.name === 'Acme');
    acme.feishu.departments = [
        { department_id: 'ENG', name: 'Engineering', i18n_name: { zh_cn: '工程', en_us: 'Engineering', ja_jp: 'エンジニアリング' }, leader_user_id: 'wangwu', order: 10, unit_ids: ['u1'] },
        { department_id: 'BE', name: 'Backend', parent_department_id: 'ENG', order: 2 },
        { department_id: 'FE', name: 'Frontend', parent_department_id: 'ENG', order: 1 },
        { department_id: 'SALES', name: 'Sales', order: 20 },
    ];
    const dir = {
        zhangsan: { en_name: 'San Zhang', mobile: '+8613011111111', gender: 1, avatar: AV('zs'), department_ids: ['BE', 'SALES'], leader_user_id: 'wangwu', job_title: 'Engineer', city: 'Hangzhou', country: 'CN', join_time: 1700000000, employee_no: 'E001', employee_type: 1, user_order: 5 },
        wangwu: { en_name: 'Wu Wang', department_ids: ['ENG'], job_title: 'Director', is_tenant_manager: true },
        zhaoliu: { department_ids: ['SALES'], status: { is_resigned: true } },
        sunqi: { department_ids: ['SALES'], mobile: '+12025550123' },
        zhouba: { department_ids: ['FE'], user_order: 1 },
        wujiu: { department_ids: ['FE'], user_order: 9 },
    };
    for (const u of acme.users) Object.assign(u, dir[u.user_id] || {});
    const app2 = acme.feishu.apps.find((a) => a.app_id === APP2.app_id);
    app2.scopes = ['contact:user.id:readonly', 'contact:contact.base:readonly', 'contact:user.base:readonly'];
    app2.contact_range = { departments: ['ENG'], users: ['sunqi'] };
    return s;
}

const withDir = (fn) => withFeishuServer(fn, { seed: seed() });

test('bot/v3/info: the bot under top-level "bot", msg "ok", no data', () => withDir(async (srv) => {
    const t = await tenantToken(srv);
    const res = await call(srv, 'GET', '/open-apis/bot/v3/info', t);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(Object.keys(res.json), ['code', 'msg', 'bot']);
    assert.equal(res.json.code, 0);
    assert.equal(res.json.msg, 'ok');
    const b = res.json.bot;
    assert.equal(b.activate_status, 2);
    assert.equal(b.app_name, APP1.name);
    assert.deepEqual(b.ip_white_list, []);
    assert.match(b.open_id, /^ou_[0-9a-f]{32}$/);
    assert.match(b.avatar_url, /^https:\/\//);
    // The open_id mentions of the bot carry (the admin API's bot_open_id); stable, per app.
    const app = (await adminTenant(srv, 'Acme')).feishu.apps.find((a) => a.app_id === APP1.app_id);
    assert.equal(b.open_id, app.bot_open_id);
    const again = await call(srv, 'GET', '/open-apis/bot/v3/info', t);
    assert.equal(again.json.bot.open_id, b.open_id);
    const other = await call(srv, 'GET', '/open-apis/bot/v3/info', await tenantToken(srv, APP2));
    assert.notEqual(other.json.bot.open_id, b.open_id);
    // T only: a user token is refused; no token is 99991661.
    assertErr(await call(srv, 'GET', '/open-apis/bot/v3/info', null), 99991661);
}));

test('users/batch_get_id: one entry per e-mail then per mobile; misses carry only the input', () => withDir(async (srv) => {
    const who = (await ids(srv)).acme;
    const t = await tenantToken(srv);
    const d = assertOk(await call(srv, 'POST', `${C}/users/batch_get_id`, t, {
        emails: ['ZS@acme.test', 'nobody@acme.test', 'zl@acme.test'],
        mobiles: ['13011111111', '+12025550123', '+100'],
    }));
    const active = { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false };
    assert.deepEqual(d.user_list, [
        { user_id: who.zhangsan.open(APP1), email: 'ZS@acme.test', status: active },
        { email: 'nobody@acme.test' },
        { email: 'zl@acme.test' }, // resigned: not found without include_resigned
        { user_id: who.zhangsan.open(APP1), mobile: '13011111111', status: active },
        { user_id: who.sunqi.open(APP1), mobile: '+12025550123', status: active },
        { mobile: '+100' },
    ]);
    const r = assertOk(await call(srv, 'POST', `${C}/users/batch_get_id${qs({ user_id_type: 'union_id' })}`, t, { emails: ['zl@acme.test'], include_resigned: true }));
    assert.equal(r.user_list[0].user_id, who.zhaoliu.union_id);
    assert.equal(r.user_list[0].status.is_resigned, true);
    assert.deepEqual(assertOk(await call(srv, 'POST', `${C}/users/batch_get_id`, t, {})).user_list, []);
    assertErr(await call(srv, 'POST', `${C}/users/batch_get_id`, t, { emails: Array.from({ length: 51 }, (_, i) => `x${i}@a.test`) }), 40001);
    // Out of APP2's range: no user_id; without the employee scope: no status.
    const t2 = await tenantToken(srv, APP2);
    const r2 = assertOk(await call(srv, 'POST', `${C}/users/batch_get_id`, t2, { emails: ['zs@acme.test', 'ww@acme.test', 'sq@acme.test'] }));
    assert.deepEqual(r2.user_list, [
        { email: 'zs@acme.test' }, // zhangsan is in BE (under ENG): visible
        { user_id: who.wangwu.open(APP2), email: 'ww@acme.test' },
        { user_id: who.sunqi.open(APP2), email: 'sq@acme.test' },
    ].map((e, i) => (i === 0 ? { user_id: who.zhangsan.open(APP2), ...e } : e)));
    // user_id_type=user_id without the employee-id scope: the id is left out, no error.
    const r3 = assertOk(await call(srv, 'POST', `${C}/users/batch_get_id${qs({ user_id_type: 'user_id' })}`, t2, { emails: ['ww@acme.test'] }));
    assert.deepEqual(r3.user_list, [{ email: 'ww@acme.test' }]);
}));

test('users/:user_id: every directory field, ids in the caller\'s types', () => withDir(async (srv) => {
    const who = (await ids(srv)).acme;
    const t = await tenantToken(srv);
    const depts = assertOk(await call(srv, 'GET', `${C}/departments/0/children${qs({ fetch_child: true, department_id_type: 'department_id' })}`, t)).items;
    const od = Object.fromEntries(depts.map((x) => [x.department_id, x.open_department_id]));
    const d = assertOk(await call(srv, 'GET', `${C}/users/${who.zhangsan.open(APP1)}`, t));
    assert.deepEqual(d.user, {
        union_id: who.zhangsan.union_id, user_id: 'zhangsan', open_id: who.zhangsan.open(APP1),
        name: 'Zhang San', en_name: 'San Zhang', email: 'zs@acme.test', mobile: '+8613011111111', mobile_visible: true,
        gender: 1, avatar: AV('zs'),
        status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
        department_ids: [od.BE, od.SALES], leader_user_id: who.wangwu.open(APP1), city: 'Hangzhou', country: 'CN',
        join_time: 1700000000, employee_no: 'E001', employee_type: 1,
        orders: [
            { department_id: od.BE, user_order: 5, department_order: 0, is_primary_dept: true },
            { department_id: od.SALES, user_order: 5, department_order: 0, is_primary_dept: false },
        ],
        job_title: 'Engineer',
    });
    const byUser = assertOk(await call(srv, 'GET', `${C}/users/zhangsan${qs({ user_id_type: 'user_id', department_id_type: 'department_id' })}`, t)).user;
    assert.deepEqual(byUser.department_ids, ['BE', 'SALES']);
    assert.equal(byUser.leader_user_id, 'wangwu');
    // Unknown, malformed, another app's open_id, bad enum.
    assertErr(await call(srv, 'GET', `${C}/users/ou_00000000000000000000000000000000`, t), 41050, 'unknown', { msg: 'no user authority error' });
    assertErr(await call(srv, 'GET', `${C}/users/zhangsan`, t), 41012);
    assertErr(await call(srv, 'GET', `${C}/users/${who.zhangsan.open(APP2)}`, t), 41050);
    assertErr(await call(srv, 'GET', `${C}/users/${who.zhangsan.open(APP1)}${qs({ department_id_type: 'x' })}`, t), 40001);
    // Another tenant's person is never visible.
    const g = (await ids(srv)).globex;
    assertErr(await call(srv, 'GET', `${C}/users/${g.lisi.union_id}${qs({ user_id_type: 'union_id' })}`, t), 41050);
}));

test('field scopes leave fields out; the data range hides people (41050) and departments (40004)', () => withDir(async (srv) => {
    const who = (await ids(srv)).acme;
    const t2 = await tenantToken(srv, APP2);
    const u = assertOk(await call(srv, 'GET', `${C}/users/${who.zhangsan.open(APP2)}`, t2)).user;
    // base + user.base only: names and avatar; no user_id, email, mobile, status, departments.
    assert.deepEqual(Object.keys(u).sort(), ['avatar', 'en_name', 'mobile_visible', 'name', 'open_id', 'union_id'].sort());
    assertOk(await call(srv, 'GET', `${C}/users/${who.sunqi.open(APP2)}`, t2)); // listed by user
    assertErr(await call(srv, 'GET', `${C}/users/${who.zhaoliu.open(APP2)}`, t2), 41050); // SALES only
    // user_id_type=user_id without contact:user.employee_id:readonly: the gateway's 99991672.
    const res = await call(srv, 'GET', `${C}/users/zhangsan${qs({ user_id_type: 'user_id' })}`, t2);
    assertErr(res, 99991672);
    assert.deepEqual(res.json.error.permission_violations, [{ type: 'action_scope_required', subject: 'contact:user.employee_id:readonly' }]);
    // Departments: the root needs all members; ENG and below are in range; SALES is not.
    const dd = qs({ department_id_type: 'department_id' });
    assertErr(await call(srv, 'GET', `${C}/departments/0${dd}`, t2), 40004, 'root', { status: 403, msg: 'no dept authority error' });
    assertErr(await call(srv, 'GET', `${C}/departments/SALES${dd}`, t2), 40004, 'sales', { status: 403 });
    const eng = assertOk(await call(srv, 'GET', `${C}/departments/ENG${dd}`, t2)).department;
    // contact.base only: no name (department.base) nor organize fields.
    assert.deepEqual(Object.keys(eng), ['open_department_id']);
    assertErr(await call(srv, 'GET', `${C}/users/find_by_department${qs({ department_id: 'SALES', department_id_type: 'department_id' })}`, t2), 40004, 'find', { status: 403 });
    const be = assertOk(await call(srv, 'GET', `${C}/users/find_by_department${qs({ department_id: 'BE', department_id_type: 'department_id' })}`, t2));
    assert.deepEqual(be.items.map((x) => x.open_id), [who.zhangsan.open(APP2)]);
    // batch leaves out what the range hides, keeps request order.
    const ids2 = [who.sunqi.open(APP2), who.zhaoliu.open(APP2), 'ou_nope', who.zhangsan.open(APP2)];
    const b = assertOk(await call(srv, 'GET', `${C}/users/batch?${ids2.map((i) => `user_ids=${i}`).join('&')}`, t2));
    assert.deepEqual(b.items.map((x) => x.open_id), [who.sunqi.open(APP2), who.zhangsan.open(APP2)]);
    assertErr(await call(srv, 'GET', `${C}/users/batch`, t2), 40001);
}));

test('departments: get, children (direct and deep, paged), find_by_department (paged, resigned left out)', () => withDir(async (srv) => {
    const who = (await ids(srv)).acme;
    const t = await tenantToken(srv);
    const dd = { department_id_type: 'department_id' };
    const root = assertOk(await call(srv, 'GET', `${C}/departments/0${qs(dd)}`, t)).department;
    assert.equal(root.department_id, '0');
    assert.equal(root.open_department_id, '0');
    assert.equal(root.name, 'Acme');
    assert.equal(root.parent_department_id, undefined);
    assert.equal(root.member_count, 5); // zhaoliu resigned
    const eng = assertOk(await call(srv, 'GET', `${C}/departments/ENG${qs({ ...dd, user_id_type: 'user_id' })}`, t)).department;
    assert.deepEqual(eng, {
        name: 'Engineering', i18n_name: { zh_cn: '工程', en_us: 'Engineering', ja_jp: 'エンジニアリング' },
        parent_department_id: '0', department_id: 'ENG', open_department_id: eng.open_department_id,
        leader_user_id: 'wangwu', order: '10', unit_ids: ['u1'], member_count: 4, status: { is_deleted: false },
        leaders: [{ leaderType: 1, leaderID: 'wangwu' }], primary_member_count: 4,
    });
    assert.match(eng.open_department_id, /^od-[0-9a-f]{32}$/);
    const byOpen = assertOk(await call(srv, 'GET', `${C}/departments/${eng.open_department_id}`, t)).department;
    assert.equal(byOpen.department_id, 'ENG');
    assertErr(await call(srv, 'GET', `${C}/departments/NOPE${qs(dd)}`, t), 40015, 'unknown', { msg: 'department not exist' });
    const kids = (q) => call(srv, 'GET', `${C}/departments/0/children${qs({ ...dd, ...q })}`, t);
    assert.deepEqual(assertOk(await kids({})).items.map((x) => x.department_id), ['ENG', 'SALES']);
    const deep = assertOk(await kids({ fetch_child: true })).items.map((x) => x.department_id);
    assert.deepEqual(deep, ['ENG', 'FE', 'BE', 'SALES']); // pre-order, siblings by order
    const p1 = assertOk(await kids({ fetch_child: true, page_size: 3 }));
    assert.equal(p1.has_more, true);
    const p2 = assertOk(await kids({ fetch_child: true, page_size: 3, page_token: p1.page_token }));
    assert.equal(p2.has_more, false);
    assert.equal(p2.page_token, undefined);
    assert.deepEqual([...p1.items, ...p2.items].map((x) => x.department_id), deep);
    assertErr(await kids({ page_size: 51 }), 40011, 'size', { msg: 'page size is invalid' });
    assertErr(await kids({ page_token: 'garbage' }), 40012);
    assertErr(await call(srv, 'GET', `${C}/departments/NOPE/children${qs(dd)}`, t), 40004, 'unknown parent', { status: 403 });
    const find = (q) => call(srv, 'GET', `${C}/users/find_by_department${qs({ ...dd, ...q })}`, t);
    const fe = assertOk(await find({ department_id: 'FE', page_size: 1 }));
    assert.deepEqual(fe.items.map((x) => x.open_id), [who.wujiu.open(APP1)]); // larger user_order first
    const fe2 = assertOk(await find({ department_id: 'FE', page_size: 1, page_token: fe.page_token }));
    assert.deepEqual(fe2.items.map((x) => x.open_id), [who.zhouba.open(APP1)]);
    const sales = assertOk(await find({ department_id: 'SALES' }));
    assert.deepEqual(sales.items.map((x) => x.open_id).sort(), [who.zhangsan.open(APP1), who.sunqi.open(APP1)].sort());
    // Root-level people: the fixture's and the extra people without departments (none here but Globex's).
    assert.deepEqual(assertOk(await find({ department_id: '0' })).items, []);
    assertErr(await find({}), 40001);
}));

test('a seed is checked: unknown parents, cycles, bad ids, unknown users', () => withDir(async (srv) => {
    const bad = async (feishu, users, want) => {
        const res = await srv.request('POST', '/admin/v1/seed', { headers: ADMIN_HEADERS, body: { tenants: [{ name: 'Acme', users, feishu: { tenant_key: 'acme', ...feishu } }] } });
        assert.equal(res.status, 400, res.body);
        assert.match(res.body, want);
    };
    await bad({ departments: [{ department_id: 'X', name: 'X', parent_department_id: 'NOPE' }] }, [], /parent_department_id/);
    await bad({ departments: [{ department_id: 'ENG', name: 'E', parent_department_id: 'BE' }] }, [], /cycle/);
    await bad({ departments: [{ department_id: 'od-x', name: 'X' }] }, [], /department_id/);
    await bad({}, [{ user_id: 'zhangsan', department_ids: ['NOPE'] }], /department_ids/);
    await bad({}, [{ user_id: 'zhangsan', leader_user_id: 'nobody' }], /leader_user_id/);
    await bad({ apps: [{ app_id: APP1.app_id, contact_range: { departments: ['NOPE'] } }] }, [], /contact_range/);
    await bad({ apps: [{ app_id: APP1.app_id, scopes: ['not a scope'] }] }, [], /scopes/);
    await bad({}, [{ user_id: 'zhangsan', gender: 7 }], /users\[\]: gender/);
    await bad({ departments: [{ department_id: 'X' }] }, [], /feishu\.departments\[\]: name/);
}));

test('authen v1: OIDC code and refresh exchange with the tenant or app token; user_info', () => withDir(async (srv) => {
    const who = (await ids(srv)).acme;
    const t = await tenantToken(srv);
    const code = await authorizeCode(srv, APP1, 'zhangsan');
    const res = await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', t, { grant_type: 'authorization_code', code });
    const d = assertOk(res);
    assert.deepEqual(Object.keys(d), ['access_token', 'refresh_token', 'token_type', 'expires_in', 'refresh_expires_in', 'scope']);
    assert.match(d.access_token, /^u-/);
    assert.match(d.refresh_token, /^ur-/);
    assert.equal(d.token_type, 'Bearer');
    assert.ok(d.expires_in > 7000 && d.expires_in <= 7200);
    assert.ok(d.refresh_expires_in > 2590000);
    // The code is used up: 20003, HTTP 200.
    const again = await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', t, { grant_type: 'authorization_code', code });
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { code: 20003, msg: 'The code passed is invalid. Please note that the code could only be used once' });
    const wrongGrant = await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', t, { grant_type: 'password', code: 'x' });
    assert.equal(wrongGrant.json.code, 20036);
    const noCode = await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', t, { grant_type: 'authorization_code' });
    assert.equal(noCode.json.code, 20001);
    const badToken = await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', 't-nope', { grant_type: 'authorization_code', code: 'x' });
    assert.equal(badToken.status, 200);
    assert.equal(badToken.json.code, 20014);
    // The app_access_token works too; another app's code does not.
    const at = (await appTokenRes(srv, APP1)).app_access_token;
    const code2 = await authorizeCode(srv, APP1, 'wangwu');
    assertOk(await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', at, { grant_type: 'authorization_code', code: code2 }));
    const code3 = await authorizeCode(srv, APP2, 'wangwu');
    const foreign = await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', t, { grant_type: 'authorization_code', code: code3 });
    assert.equal(foreign.json.code, 20024, foreign.body);
    // ... and stays usable by its own app.
    assertOk(await call(srv, 'POST', '/open-apis/authen/v1/oidc/access_token', await tenantToken(srv, APP2), { grant_type: 'authorization_code', code: code3 }));
    // user_info with the user token.
    const info = assertOk(await call(srv, 'GET', '/open-apis/authen/v1/user_info', d.access_token));
    assert.deepEqual(info, {
        name: 'Zhang San', en_name: 'San Zhang', avatar_url: AV('zs').avatar_72, avatar_thumb: AV('zs').avatar_72,
        avatar_middle: AV('zs').avatar_240, avatar_big: AV('zs').avatar_640, open_id: who.zhangsan.open(APP1),
        union_id: who.zhangsan.union_id, email: 'zs@acme.test', user_id: 'zhangsan', mobile: '+8613011111111',
        employee_no: 'E001', tenant_key: 'acme',
    });
    assertErr(await call(srv, 'GET', '/open-apis/authen/v1/user_info', t), 99991668);
    // Refresh: a new pair; the old refresh token is dead (20038).
    const r = assertOk(await call(srv, 'POST', '/open-apis/authen/v1/oidc/refresh_access_token', t, { grant_type: 'refresh_token', refresh_token: d.refresh_token }));
    assert.notEqual(r.access_token, d.access_token);
    assertOk(await call(srv, 'GET', '/open-apis/authen/v1/user_info', r.access_token));
    const other = await call(srv, 'POST', '/open-apis/authen/v1/oidc/refresh_access_token', await tenantToken(srv, APP2), { grant_type: 'refresh_token', refresh_token: r.refresh_token });
    assert.equal(other.json.code, 20024, other.body);
    const dead = await call(srv, 'POST', '/open-apis/authen/v1/oidc/refresh_access_token', t, { grant_type: 'refresh_token', refresh_token: d.refresh_token });
    assert.equal(dead.json.code, 20038);
    assert.match(dead.headers['x-tt-logid'], LOGID_RE);
}));

test('official Node SDK: contact.user.batchGetId, contact.user.get, authen.oidcAccessToken.create', () => withDir(async (srv) => {
    const who = (await ids(srv)).acme;
    const client = sdkClient(srv);
    const r = await client.contact.user.batchGetId({ params: { user_id_type: 'open_id' }, data: { emails: ['zs@acme.test', 'none@acme.test'], mobiles: ['+8613011111111'] } });
    assert.equal(r.code, 0);
    const byEmail = Object.fromEntries(r.data.user_list.filter((e) => e.email).map((e) => [e.email, e.user_id]));
    assert.equal(byEmail['zs@acme.test'], who.zhangsan.open(APP1));
    assert.equal(byEmail['none@acme.test'], undefined);
    const g = await client.contact.user.get({ path: { user_id: byEmail['zs@acme.test'] }, params: { user_id_type: 'open_id' } });
    assert.equal(g.code, 0);
    assert.equal(g.data.user.name, 'Zhang San');
    assert.equal(g.data.user.email, 'zs@acme.test');
    const code = await authorizeCode(srv, APP1, 'zhangsan');
    const tok = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
    assert.equal(tok.code, 0);
    assert.match(tok.data.access_token, /^u-/);
    const info = await client.authen.userInfo.get({}, (await import('@larksuiteoapi/node-sdk')).withUserAccessToken(tok.data.access_token));
    assert.equal(info.data.open_id, who.zhangsan.open(APP1));
    const bot = await client.request({ url: '/open-apis/bot/v3/info', method: 'GET' });
    assert.match(bot.bot.open_id, /^ou_/);
}));

test('the directory survives a re-seed unchanged (ids kept) and is per tenant', () => withDir(async (srv) => {
    const t = await tenantToken(srv);
    const before = assertOk(await call(srv, 'GET', `${C}/departments/0/children${qs({ fetch_child: true })}`, t)).items;
    await adminSeed(srv, seed());
    const after = assertOk(await call(srv, 'GET', `${C}/departments/0/children${qs({ fetch_child: true })}`, t)).items;
    assert.deepEqual(after, before);
    // Globex has no departments; its root children are empty and ENG is unknown there.
    const gt = await tenantToken(srv, { app_id: 'cli_globex01', app_secret: 'globex-app-secret' });
    assert.deepEqual(assertOk(await call(srv, 'GET', `${C}/departments/0/children`, gt)).items, []);
    assertErr(await call(srv, 'GET', `${C}/departments/${before[0].open_department_id}`, gt), 40015);
}));
