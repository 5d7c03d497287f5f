// tests/http/isolation_matrix.test.mjs - the tenant-isolation matrix (CONTRIBUTING.md: tenancy is the
// security boundary). One table, ROWS, holds every request of every dialect that names an
// object: a Feishu chat and what hangs off it (members, managers, announcement, tabs, menu
// items, messages with their reactions and pins), a WeCom knowledge group, a Udesk catalog
// or agent. Each row is sent with tenant B's (Globex's) valid credentials at tenant A's
// (Acme's) objects and must get the dialect's own "not yours" answer: Feishu 232010 (or
// the answer for an unknown id when the foreign id sits in the body of B's own chat),
// WeCom 40058 "group not found", Udesk 2005 "分类不存在". After every row, both tenants'
// data, re-read with their own credentials, must deepEqual the snapshot taken before, and B's outbox must not name any
// of A's chats, tabs, menus or people. Each row is then sent again with B's ids on a
// fresh copy of B's objects (the control): it must not get the isolation answer (success,
// unless the row says which documented error B's own object gives), so a row whose body
// is simply wrong cannot pass. Finally the rows must cover every route of the three route tables that takes an
// object reference (read from the C sources here, not copied).
//
// Placeholders in paths and bodies: {x} is tenant A's id named x (the target), {own.x}
// B's own id named x. A body string that is exactly "{x}" is replaced by the id with its
// type (Udesk ids are integers); inside a longer string the id is spliced in; {seq} is
// a fresh number (public chat names must differ).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { adminEvents, repoRoot, withServer } from './lib/server.mjs';
import {
    APP1, GAPP, assertErr, assertOk as fsOk, call, chatPath, feishuSeed, ids, qs, tenantToken, userToken,
} from './lib/feishu.mjs';
import { ACME as WC_ACME, GLOBEX as WC_GLOBEX, assertErr as wcErr, getToken, kf, listAll as wcListAll, uploadMedia } from './lib/wecom.mjs';
import { ACME as UD_ACME, GLOBEX as UD_GLOBEX, TYPES, assertUdErr, udJson, udesk } from './lib/udesk.mjs';

// ----- the seed: Feishu's two tenants, plus Udesk for Globex ---------------------------
// Globex's lisi carries Udesk agent id 101 like Acme's zhangsan: agent ids are per
// company, so the same number must not reach the other company's catalogs.
function seed() {
    const s = feishuSeed();
    const acme = s.tenants.find((t) => t.name === 'Acme');
    const globex = s.tenants.find((t) => t.name === 'Globex');
    acme.users.push({ user_id: 'agent102', name: 'Agent 102', udesk_agent_id: 102 });
    globex.users.find((u) => u.user_id === 'lisi').udesk_agent_id = 101;
    globex.users.push({ user_id: 'wangqi', name: 'Wang Qi', email: 'wq@globex.test', udesk_agent_id: 103 });
    globex.udesk = { subdomain: UD_GLOBEX.subdomain, admin_email: UD_GLOBEX.email, api_token: UD_GLOBEX.token };
    // The directory: the same custom department id in both tenants, the member in it.
    for (const [t, member] of [[acme, 'wangwu'], [globex, 'chenyi']]) {
        t.feishu.departments = [{ department_id: 'D1', name: `${t.name} D1` }];
        t.users.find((u) => u.user_id === member).department_ids = ['D1'];
    }
    return s;
}

// Per tenant: Feishu app and people (owner, a member made manager, an outsider), WeCom
// corp, Udesk company and an agent only that company has.
const TENANTS = {
    A: { name: 'Acme', app: APP1, owner: 'zhangsan', member: 'wangwu', outsider: 'zhaoliu', wc: WC_ACME, ud: UD_ACME, agent: 102 },
    B: { name: 'Globex', app: GAPP, owner: 'lisi', member: 'chenyi', outsider: 'wangqi', wc: WC_GLOBEX, ud: UD_GLOBEX, agent: 103 },
};

const FS = '/open-apis/im/v1/chats';
const UDC = '/open_api_v1/knowledge_catalogs';
const U = { user_id_type: 'user_id' };
const NOT_YOURS = { feishu: 232010, wecom: 40058, udesk: 2005 };

const op = (o) => JSON.stringify(o);
const title = (text) => op({
    requestType: 'UpdateTitleRequestType',
    updateTitleRequest: { payload: op({ elements: [{ type: 'textRun', textRun: { text, style: {} } }], style: {} }) },
});
const urlTab = (name) => ({ tab_name: name, tab_type: 'url', tab_content: { url: `https://${name}.test/` } });
const link = (name) => ({ chat_menu_item: { action_type: 'REDIRECT_LINK', name, redirect_link: { common_url: 'https://open.feishu.cn/' } } });

// ----- the matrix -----------------------------------------------------------------------
// {dialect, method, path, body, expect} plus, optionally:
//   as       Feishu actors that send it: 'bot' (tenant token), 'user' (B's owner's user
//            token); default both
//   expect   a code, or {bot, user} codes when the actors' answers differ, or
//            {data} when the dialect answers a foreign id with success (Feishu filters
//            or reports unknown ids in some bodies): the data must be exactly that, and
//            nothing of B's but its outbox (a no-op change event) may change
//   control  the answer B's own objects get when that is not success: a code, {code,
//            msg}, or {bot, user} codes (e.g. the default WeCom group, which cannot be
//            deleted)
//   msg      Udesk message / WeCom errmsg head expected with the code
//   notYours the answer for A's object first in the path when it is not the dialect's
//            "other tenant" code (an upload key names no tenant: unknown, 234005)
//   raw      the control's success is raw bytes with HTTP 200 (downloads)
const MSGS = '/open-apis/im/v1/messages';
const PINS = '/open-apis/im/v1/pins';
const M = (method, sub, body, extra = {}) => ({ dialect: 'feishu', method, path: `${MSGS}/{msg}${sub}`, body, expect: 232010, ...extra });
const F = (method, sub, body, extra = {}) => ({ dialect: 'feishu', method, path: `${FS}/{chat}${sub}`, body, expect: 232010, ...extra });
const O = (method, sub, body, expect, extra = {}) => ({ dialect: 'feishu', method, path: `${FS}/{own.chat}${sub}`, body, expect, ...extra });
// Menus take tenant tokens only (a user token gets 99991668 whatever the chat); only a
// chat's owner manages its managers (the bot's control gets 232038).
const BOT_ONLY = { as: ['bot'] };
const OWNER_ONLY = { bot: 232038 };
// The directory (contact v3): another tenant's person is one the caller may not see
// (41050), its department unknown (40015) or, for lists, out of range (40004, HTTP 403).
const CT = '/open-apis/contact/v3';
const D = (method, path, body, expect, extra = {}) => ({ dialect: 'feishu', method, path: `${CT}${path}`, body, expect, ...extra });

export const ROWS = [
    // Feishu: A's chat in the path (the im/v1 chat pages, the chat member and manager pages, the announcement, chat tab and chat menu pages).
    F('GET', '', undefined),
    F('PUT', '', { name: 'Hijacked {seq}', description: 'x' }),
    F('GET', '/moderation', undefined),
    F('PUT', '/moderation', { moderation_setting: 'only_owner' }),
    F('POST', '/link', { validity_period: 'week' }),
    F('POST', '/top_notice/put_top_notice', { chat_top_notice: [{ action_type: '2' }] }),
    F('POST', '/top_notice/delete_top_notice', {}),
    F('POST', '/members?member_id_type=user_id', { id_list: ['{own.outsider}'] }),
    F('DELETE', '/members?member_id_type=user_id', { id_list: ['{member}'] }),
    F('PATCH', '/members/me_join', undefined),
    F('GET', '/members', undefined),
    F('GET', '/members/is_in_chat', undefined),
    F('POST', '/managers/add_managers?member_id_type=user_id', { manager_ids: ['{own.member}'] }, { control: OWNER_ONLY }),
    F('POST', '/managers/delete_managers?member_id_type=user_id', { manager_ids: ['{member}'] }, { control: OWNER_ONLY }),
    F('GET', '/announcement', undefined),
    F('PATCH', '/announcement', { revision: '{revision}', requests: [title('Hijacked')] }),
    F('POST', '/chat_tabs', { chat_tabs: [urlTab('hijack')] }),
    F('POST', '/chat_tabs/update_tabs', { chat_tabs: [{ tab_id: '{tab}', tab_type: 'url', tab_name: 'Hijacked' }] }),
    F('POST', '/chat_tabs/sort_tabs', { tab_ids: ['{msg_tab}', '{tab2}', '{tab}'] }),
    F('GET', '/chat_tabs/list_tabs', undefined),
    F('DELETE', '/chat_tabs/delete_tabs', { tab_ids: ['{tab}'] }),
    F('POST', '/menu_tree', { menu_tree: { chat_menu_top_levels: [link('hijack')] } }, BOT_ONLY),
    F('GET', '/menu_tree', undefined, BOT_ONLY),
    F('POST', '/menu_tree/sort', { chat_menu_top_level_ids: ['{menu_top2}', '{menu_top}'] }, BOT_ONLY),
    F('DELETE', '/menu_tree', { chat_menu_top_level_ids: ['{menu_top}'] }, BOT_ONLY),
    F('PATCH', '/menu_items/{menu_child}', { update_fields: ['NAME'], chat_menu_item: { name: 'Hijacked' } }, BOT_ONLY),
    F('DELETE', '', undefined),
    // Feishu: B's own chat, A's ids inside it (unknown there).
    O('PATCH', '/menu_items/{menu_top}', { update_fields: ['NAME'], chat_menu_item: { name: 'Hijacked' } }, 232001, BOT_ONLY),
    O('POST', '/chat_tabs/update_tabs', { chat_tabs: [{ tab_id: '{tab}', tab_type: 'url', tab_name: 'Hijacked' }] }, 232001),
    O('DELETE', '/chat_tabs/delete_tabs', { tab_ids: ['{tab}'] }, 232001),
    O('POST', '/chat_tabs/sort_tabs', { tab_ids: ['{own.msg_tab}', '{own.tab2}', '{tab}'] }, 232001),
    O('DELETE', '/menu_tree', { chat_menu_top_level_ids: ['{menu_top}'] }, 232001, BOT_ONLY),
    O('POST', '/menu_tree/sort', { chat_menu_top_level_ids: ['{own.menu_top2}', '{menu_top}'] }, 232072, BOT_ONLY),
    // ... and A's people named in B's chat (an open_id of A's app names nobody for B's app).
    O('POST', '/members', { id_list: ['{member_open}'] }, 99992351),
    O('DELETE', '/members', { id_list: ['{member_open}'] }, { data: { invalid_id_list: ['{member_open}'] } }),
    O('POST', '/managers/add_managers', { manager_ids: ['{member_open}'] }, 232001, { as: ['user'] }),
    O('POST', '/managers/delete_managers', { manager_ids: ['{member_open}'] }, 232001, { as: ['user'] }),
    O('PUT', '/moderation', { moderator_added_list: ['{outsider_open}', '{member_open}'] }, { data: {} }), // non-members filtered out
    O('PUT', '', { owner_id: '{member_open}' }, 232035),
    { dialect: 'feishu', method: 'POST', path: FS, body: { name: 'x', user_id_list: ['{member_open}'] }, expect: 232043 },
    { dialect: 'feishu', method: 'POST', path: FS, body: { name: 'x', owner_id: '{owner_open}' }, expect: 232043 },
    // Feishu messages (/open-apis/im/v1/messages): A's chat named by the request, A's messages
    // in the path.
    { dialect: 'feishu', method: 'POST', path: `${MSGS}?receive_id_type=chat_id`, body: { receive_id: '{chat}', msg_type: 'text', content: '{"text":"hijack"}' }, expect: 232010 },
    { dialect: 'feishu', method: 'GET', path: `${MSGS}?container_id_type=chat&container_id={chat}`, body: undefined, expect: 232010 },
    M('POST', '/reply', { msg_type: 'text', content: '{"text":"hijack"}' }),
    M('GET', '', undefined),
    M('PUT', '', { msg_type: 'text', content: '{"text":"hijack"}' }, BOT_ONLY),
    { dialect: 'feishu', method: 'PATCH', path: `${MSGS}/{card}`, body: { content: '{"elements":[{"tag":"hr"}]}' }, expect: 232010, ...BOT_ONLY },
    M('DELETE', '', undefined),
    // Reactions and pins: A's message or chat; A's reaction on B's own message is unknown there
    // (a person may not delete the bot's reaction: 231007 in the control).
    M('POST', '/reactions', { reaction_type: { emoji_type: 'OK' } }),
    M('GET', '/reactions', undefined),
    M('DELETE', '/reactions/{reaction}', undefined, { control: { user: 231007 } }),
    { dialect: 'feishu', method: 'DELETE', path: `${MSGS}/{own.msg}/reactions/{reaction}`, body: undefined, expect: 231011, control: { user: 231007 } },
    { dialect: 'feishu', method: 'POST', path: PINS, body: { message_id: '{msg}' }, expect: 232010 },
    { dialect: 'feishu', method: 'DELETE', path: `${PINS}/{msg}`, body: undefined, expect: 232010 },
    { dialect: 'feishu', method: 'GET', path: `${PINS}?chat_id={chat}`, body: undefined, expect: 232010 },
    // Forward, merge-forward, read status, buzz: A's message in the path or the body, A's
    // chat as the target (tenant tokens only).
    M('POST', '/forward?receive_id_type=chat_id', { receive_id: '{own.chat}' }, BOT_ONLY),
    { dialect: 'feishu', method: 'POST', path: `${MSGS}/{own.msg}/forward?receive_id_type=chat_id`, body: { receive_id: '{chat}' }, expect: 232010, ...BOT_ONLY },
    { dialect: 'feishu', method: 'POST', path: `${MSGS}/merge_forward?receive_id_type=chat_id`, body: { receive_id: '{own.chat}', message_id_list: ['{msg}'] }, expect: 230001, ...BOT_ONLY },
    { dialect: 'feishu', method: 'POST', path: `${MSGS}/merge_forward?receive_id_type=chat_id`, body: { receive_id: '{chat}', message_id_list: ['{own.msg}'] }, expect: 232010, ...BOT_ONLY },
    M('GET', '/read_users?user_id_type=user_id', undefined, BOT_ONLY),
    M('PATCH', '/urgent_app?user_id_type=user_id', { user_id_list: ['{own.member}'] }, BOT_ONLY),
    M('PATCH', '/urgent_sms?user_id_type=user_id', { user_id_list: ['{own.member}'] }, BOT_ONLY),
    M('PATCH', '/urgent_phone?user_id_type=user_id', { user_id_list: ['{own.member}'] }, BOT_ONLY),
    { dialect: 'feishu', method: 'PATCH', path: `${MSGS}/{own.msg}/urgent_app?user_id_type=open_id`, body: { user_id_list: ['{member_open}'] }, expect: 230001, ...BOT_ONLY },
    // Uploads (downloads and message resources): A's keys are unknown to B (234005 — a key
    // names no tenant), A's message is another tenant's, A's key in B's message is not in it.
    // Downloads answer raw bytes: the control's success is HTTP 200.
    { dialect: 'feishu', method: 'GET', path: '/open-apis/im/v1/images/{image}', body: undefined, expect: 234005, notYours: 234005, raw: true, ...BOT_ONLY },
    { dialect: 'feishu', method: 'GET', path: '/open-apis/im/v1/files/{file}', body: undefined, expect: 234005, notYours: 234005, raw: true, ...BOT_ONLY },
    { dialect: 'feishu', method: 'GET', path: `${MSGS}/{image_msg}/resources/{image}?type=image`, body: undefined, expect: 232010, raw: true },
    { dialect: 'feishu', method: 'GET', path: `${MSGS}/{own.image_msg}/resources/{image}?type=image`, body: undefined, expect: 234003, raw: true },
    D('GET', '/users/{member_open}', undefined, 41050, { notYours: 41050 }),
    D('GET', '/users/{member_union}?user_id_type=union_id', undefined, 41050, { notYours: 41050 }),
    D('GET', '/users/batch?user_ids={member_open}', undefined, { data: { items: [] } }),
    D('GET', '/users/find_by_department?department_id={dept_open}', undefined, 40004, { status: 403 }),
    D('POST', '/users/batch_get_id', { emails: ['{member_email}'] }, { data: { user_list: [{ email: '{member_email}' }] } }, BOT_ONLY),
    D('GET', '/departments/{dept_open}', undefined, 40015, { notYours: 40015 }),
    D('GET', '/departments/{dept_open}/children', undefined, 40004, { notYours: 40004, status: 403 }),

    // WeCom ("知识库分组管理"): A's group ids, the default group included.
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/mod_group', body: { group_id: '{group}', name: 'Stolen' }, expect: 40058 },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/del_group', body: { group_id: '{group}' }, expect: 40058 },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/list_group', body: { group_id: '{group}' }, expect: 40058 },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/mod_group', body: { group_id: '{default_group}', name: 'Stolen' }, expect: 40058, control: { code: 40058, msg: 'default group can not be modified' } },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/del_group', body: { group_id: '{default_group}' }, expect: 40058, control: { code: 40058, msg: 'default group can not be modified' } },

    // Udesk ("Knowledge catalogs"): A's catalogs by id, as parents, A's agents.
    { dialect: 'udesk', method: 'PUT', path: `${UDC}/{catalog}`, body: { knowledge_catalog: { name: 'Stolen', agent_id: 0 } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'DELETE', path: `${UDC}/{catalog}`, body: { knowledge_catalog: { agent_id: 0 } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'PUT', path: `${UDC}/{agent_catalog}`, body: { knowledge_catalog: { name: 'Stolen', agent_id: 101 } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'DELETE', path: `${UDC}/{agent_catalog}`, body: { knowledge_catalog: { agent_id: 101 } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'PUT', path: `${UDC}/{child}`, body: { knowledge_catalog: { name: 'Stolen', agent_id: 0, parent_id: '{own.catalog}' } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'PUT', path: `${UDC}/{own.child}`, body: { knowledge_catalog: { name: 'moved', agent_id: 0, parent_id: '{catalog}' } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'POST', path: UDC, body: { knowledge_catalog: { name: 'x', knowledge_type_name: 'question', agent_id: 0, parent_id: '{catalog}' } }, expect: 2005, msg: '分类不存在' },
    { dialect: 'udesk', method: 'GET', path: `${UDC}?knowledge_type_name=question&agent_id={agent}`, body: undefined, expect: 2005, msg: '客服不存在' },

    // WeCom intents ("知识库问答管理"): A's intents, groups and media.
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/add_intent', body: { group_id: '{group}', question: { text: { content: 'Stolen {seq}' } }, answers: [{ text: { content: 'x' } }] }, expect: 40058 },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/add_intent', body: { group_id: '{own.group}', question: { text: { content: 'Stolen {seq}' } }, answers: [{ text: { content: 'x' }, attachments: [{ msgtype: 'image', image: { media_id: '{media}' } }] }] }, expect: 40007, msg: 'invalid media_id' },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/mod_intent', body: { intent_id: '{intent}', answers: [{ text: { content: 'Stolen' } }] }, expect: 40058, msg: 'intent not found' },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/del_intent', body: { intent_id: '{intent}' }, expect: 40058, msg: 'intent not found' },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/list_intent', body: { intent_id: '{intent}' }, expect: 40058, msg: 'intent not found' },
    { dialect: 'wecom', method: 'POST', path: '/cgi-bin/kf/knowledge/list_intent', body: { group_id: '{group}' }, expect: 40058 },

    // Udesk items ("Knowledge questions" and the like): A's items by id, A's catalogs to hold them.
    ...[['knowledge_questions', 'knowledge_question', 'question', { title: 'Stolen', content: 'x' }],
        ['useful_expressions', 'useful_expression', 'expression', { content: 'Stolen' }],
        ['useful_links', 'useful_link', 'link', { name: 'Stolen', url: 'https://stolen.test/' }]].flatMap(([plural, one, key, fields]) => [
        { dialect: 'udesk', method: 'POST', path: `/open_api_v1/${plural}`, body: { [one]: { ...fields, catalog_id: `{${key}_catalog}`, agent_id: 0 } }, expect: 2005, msg: '分类不存在' },
        { dialect: 'udesk', method: 'PUT', path: `/open_api_v1/${plural}/{${key}}`, body: { [one]: { ...fields, agent_id: 0 } }, expect: 2005, msg: '知识不存在' },
        { dialect: 'udesk', method: 'PUT', path: `/open_api_v1/${plural}/{own.${key}}`, body: { [one]: { catalog_id: `{${key}_catalog}`, agent_id: 0 } }, expect: 2005, msg: '分类不存在' },
        { dialect: 'udesk', method: 'DELETE', path: `/open_api_v1/${plural}/{${key}}`, body: { [one]: { agent_id: 0 } }, expect: 2005, msg: '知识不存在' },
        { dialect: 'udesk', method: 'GET', path: `/open_api_v1/${plural}/{${key}}?agent_id=0`, body: undefined, expect: 2005, msg: '知识不存在' },
        { dialect: 'udesk', method: 'GET', path: `/open_api_v1/${plural}?catalog_id={${key}_catalog}&agent_id=0`, body: undefined, expect: 2005, msg: '分类不存在' },
    ]),
];

// ----- coverage: the routes of the C route tables ---------------------------------------
// Routes that name no object of a tenant, with the reason. Every other route must be
// covered by at least one row; a route with a path parameter can never be exempt.
const EXEMPT = {
    'GET /cgi-bin/gettoken': 'credentials only',
    'POST /cgi-bin/kf/knowledge/add_group': 'creates a group from a name; no id',
    'POST /cgi-bin/media/upload': 'uploads a file; no id',
    'POST /open-apis/auth/v3/tenant_access_token/internal': 'credentials only',
    'POST /open-apis/auth/v3/app_access_token/internal': 'credentials only',
    'POST /open-apis/authen/v2/oauth/token': 'credentials only',
    'GET /open-apis/im/v1/chats': 'lists own chats; no id (feishu_isolation.test.mjs checks the lists)',
    'GET /open-apis/im/v1/chats/search': 'searches own chats; no id (feishu_isolation.test.mjs checks it)',
    'POST /open-apis/im/v1/images': 'uploads bytes; names no object',
    'POST /open-apis/im/v1/files': 'uploads bytes; names no object',
    'POST /open_api_v1/log_in': 'credentials only',
    'GET /open-apis/bot/v3/info': 'the caller\'s own bot; no id',
    'POST /open-apis/authen/v1/oidc/access_token': 'credentials only (a code works only for its app: feishu_contacts.test.mjs)',
    'POST /open-apis/authen/v1/oidc/refresh_access_token': 'credentials only (single use, bound to its app)',
    'GET /open-apis/authen/v1/user_info': 'the token\'s own person; no id',
};
const ROUTE_FILES = {
    wecom: 'src/dialect/wecom/wc_routes.c',
    feishu: 'src/dialect/feishu/fs_routes.c',
    udesk: 'src/dialect/udesk/ud_routes.c',
};

function routeTables() {
    const out = [];
    for (const [dialect, file] of Object.entries(ROUTE_FILES)) {
        const src = fs.readFileSync(path.join(repoRoot, file), 'utf8');
        const found = [...src.matchAll(/\{\s*HTTP_([A-Z]+),\s*"([^"]+)"/g)].map((m) => ({ dialect, method: m[1], pattern: m[2] }));
        assert.ok(found.length >= 4, `${file}: route table not recognised (${found.length} routes)`);
        out.push(...found);
    }
    return out;
}

// The route pattern a row's request lands on: the path, placeholders as parameters.
function rowRoute(row) {
    const p = row.path.split('?')[0].replace(/\{[^}]+\}/g, ':');
    return `${row.method} ${p}`;
}
const routeKey = (r) => `${r.method} ${r.pattern.replace(/:[a-z_]+/g, ':')}`;

// ----- fixtures: one tenant's objects in every dialect ----------------------------------
let serial = 0;

async function feishuObjects(srv, T, who) {
    const n = ++serial;
    const bot = await tenantToken(srv, T.app);
    const owner = await userToken(srv, T.app, T.owner);
    const chat = fsOk(await call(srv, 'POST', FS + qs(U), bot, {
        name: `Iso ${T.name} ${n}`, chat_type: 'public', owner_id: T.owner, user_id_list: [T.member],
    }), `${T.name}: create chat`).chat_id;
    fsOk(await call(srv, 'POST', chatPath(chat, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), owner, { manager_ids: [T.member] }), 'add manager');
    const tabs = (await call(srv, 'POST', chatPath(chat, '/chat_tabs'), bot, { chat_tabs: [urlTab(`t${n}a`), urlTab(`t${n}b`)] })).json?.data?.chat_tabs;
    assert.deepEqual(tabs?.map((t) => t.tab_type), ['message', 'url', 'url'], `${T.name}: tabs`);
    const menu = fsOk(await call(srv, 'POST', chatPath(chat, '/menu_tree'), bot, { menu_tree: { chat_menu_top_levels: [
        { chat_menu_item: { action_type: 'NONE', name: 'top' }, children: [link('child')] }, link('top2'),
    ] } }), `${T.name}: menus`).menu_tree.chat_menu_top_levels;
    fsOk(await call(srv, 'PUT', chatPath(chat), owner, { description: `${T.name} chat` }), 'update chat'); // an event
    fsOk(await call(srv, 'PUT', chatPath(chat, '/moderation') + qs(U), owner, { moderation_setting: 'moderator_list', moderator_added_list: [T.owner] }), 'moderation');
    fsOk(await call(srv, 'PATCH', chatPath(chat, '/announcement'), owner, { revision: '1', requests: [title(`${T.name} notice`)] }), 'announcement');
    const sendMsg = async (msg_type, content) => fsOk(await call(srv, 'POST', `${MSGS}?receive_id_type=chat_id`, bot, { receive_id: chat, msg_type, content }), `${T.name}: message`);
    const msg = (await sendMsg('text', JSON.stringify({ text: `${T.name} says hi` }))).message_id;
    const card = (await sendMsg('interactive', JSON.stringify({ config: { update_multi: true }, elements: [{ tag: 'hr' }] }))).message_id;
    const up = async (what, parts) => {
        const boundary = `b${++serial}x`;
        const body = Buffer.concat([...parts.map(([n, v]) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n`), Buffer.from(v), Buffer.from('\r\n')])), Buffer.from(`--${boundary}--\r\n`)]);
        const r = await srv.request('POST', `/open-apis/im/v1/${what}`, { body, headers: { Authorization: `Bearer ${bot}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
        return fsOk(r, `${T.name}: upload`);
    };
    const image = (await up('images', [['image_type', 'message'], ['image', Buffer.from(`GIF89a${T.name}`)]])).image_key;
    const file = (await up('files', [['file_type', 'pdf'], ['file_name', 'a.pdf'], ['file', `%PDF ${T.name}`]])).file_key;
    const image_msg = (await sendMsg('image', JSON.stringify({ image_key: image }))).message_id;
    const reaction = fsOk(await call(srv, 'POST', `${MSGS}/${msg}/reactions`, bot, { reaction_type: { emoji_type: 'OK' } }), `${T.name}: reaction`).reaction_id;
    fsOk(await call(srv, 'POST', PINS, bot, { message_id: msg }), `${T.name}: pin`);
    const people = who[T.name.toLowerCase()];
    return {
        msg, card, image, file, image_msg, reaction,
        chat, bot, owner_token: owner,
        msg_tab: tabs[0].tab_id, tab: tabs[1].tab_id, tab2: tabs[2].tab_id,
        menu_top: menu[0].chat_menu_top_level_id, menu_top2: menu[1].chat_menu_top_level_id,
        menu_child: menu[0].children[0].chat_menu_second_level_id,
        revision: '2', member: T.member, outsider: T.outsider, owner: T.owner,
        member_open: people[T.member].open(T.app), owner_open: people[T.owner].open(T.app),
        outsider_open: people[T.outsider].open(T.app),
        member_union: people[T.member].union_id, member_email: people[T.member].email,
        dept_open: fsOk(await call(srv, 'GET', `/open-apis/contact/v3/departments/D1${qs({ department_id_type: 'department_id' })}`, bot), 'department').department.open_department_id,
    };
}

async function wecomObjects(srv, T) {
    const token = await getToken(srv, T.wc);
    const j = await kf(srv, 'add_group', token, { name: `FAQ ${++serial}` });
    assert.equal(j.errcode, 0, JSON.stringify(j));
    const { groups } = await wcListAll(srv, token);
    const media = await uploadMedia(srv, token, 'image', `p${serial}.jpg`);
    const intent = await kf(srv, 'add_intent', token, { group_id: j.group_id, question: { text: { content: `Q ${++serial}` } }, answers: [{ text: { content: 'A' }, attachments: [{ msgtype: 'image', image: { media_id: media } }] }] });
    assert.equal(intent.errcode, 0, JSON.stringify(intent));
    return { wc_token: token, group: j.group_id, default_group: groups.find((g) => g.is_default === 1).group_id, intent: intent.intent_id, media };
}

async function udeskObjects(srv, T) {
    const c = udesk(srv, T.ud);
    const q = (name, extra = {}) => ({ name: `${name} ${++serial}`, knowledge_type_name: 'question', agent_id: 0, ...extra });
    const catalog = await c.createOk(q('root'));
    const child = await c.createOk(q('child', { parent_id: catalog }));
    const agent_catalog = await c.createOk(q('agent', { agent_id: 101 }));
    const items = {};
    for (const [plural, one, key, type, fields] of [
        ['knowledge_questions', 'knowledge_question', 'question', 'question', { title: 'Q', content: 'A' }],
        ['useful_expressions', 'useful_expression', 'expression', 'useful_expression', { content: 'hello' }],
        ['useful_links', 'useful_link', 'link', 'useful_link', { name: 'L', url: 'https://l.test/' }],
    ]) {
        items[`${key}_catalog`] = await c.createOk(q(key, { knowledge_type_name: type }));
        const j = await c.json('POST', `/open_api_v1/${plural}`, { body: { [one]: { ...fields, catalog_id: items[`${key}_catalog`], agent_id: 0 } } });
        assert.equal(j.code, 1000, JSON.stringify(j));
        items[key] = j.id;
    }
    return { catalog, child, agent_catalog, agent: T.agent, ...items };
}

async function objects(srv, T, who, dialect) {
    if (dialect === 'feishu') return feishuObjects(srv, T, who);
    if (dialect === 'wecom') return wecomObjects(srv, T);
    return udeskObjects(srv, T);
}

// A tenant's outbox (the admin API), oldest first.
async function events(srv, T) {
    const { items } = await adminEvents(srv, { tenant: T.name });
    assert.ok(items.length < 1000, 'outbox beyond one page');
    return items;
}

// Everything one tenant can read of its objects, with its own credentials (and its
// outbox through the admin API).
async function snapshot(srv, T, o) {
    const get = async (p, token) => {
        const res = await call(srv, 'GET', p, token); // tabs answer msg "ok", the rest "success"
        assert.ok(res.status === 200 && res.json?.code === 0, `snapshot ${p}: ${res.status} ${res.body.slice(0, 300)}`);
        return res.json.data;
    };
    const members = await get(chatPath(o.chat, '/members') + qs({ member_id_type: 'user_id', page_size: 100 }), o.bot);
    const chats = await get(FS + qs({ page_size: 100, user_id_type: 'user_id' }), o.bot);
    const c = udesk(srv, T.ud);
    const catalogs = {};
    for (const type of TYPES) catalogs[`${type}/0`] = await c.listOk(type, 0);
    for (const agent of [101, T.agent]) catalogs[`question/${agent}`] = await c.listOk('question', agent);
    const items = {};
    for (const plural of ['knowledge_questions', 'useful_expressions', 'useful_links']) {
        const j = await c.json('GET', `/open_api_v1/${plural}`, { query: { catalog_id: 0, agent_id: 0, per_page: 100 } });
        assert.equal(j.code, 1000, JSON.stringify(j));
        items[plural] = j;
    }
    const intents = await kf(srv, 'list_intent', o.wc_token, { limit: 1000 });
    assert.equal(intents.errcode, 0, JSON.stringify(intents));
    return {
        chat: await get(chatPath(o.chat) + qs(U), o.bot),
        moderation: await get(chatPath(o.chat, '/moderation') + qs({ ...U, page_size: 100 }), o.bot),
        members,
        announcement: await get(chatPath(o.chat, '/announcement') + qs(U), o.owner_token),
        tabs: await get(chatPath(o.chat, '/chat_tabs/list_tabs'), o.bot),
        menus: await get(chatPath(o.chat, '/menu_tree'), o.bot),
        messages: await get(`${MSGS}${qs({ container_id_type: 'chat', container_id: o.chat, page_size: 50 })}`, o.bot),
        reactions: await get(`${MSGS}/${o.msg}/reactions`, o.bot),
        pins: await get(`${PINS}${qs({ chat_id: o.chat })}`, o.bot),
        chats,
        events: (await events(srv, T)).map((e) => `${e.seq} ${e.event_type} ${e.event_id}`),
        groups: (await wcListAll(srv, o.wc_token)).groups,
        intents,
        catalogs,
        items,
    };
}

// ----- running a row ----------------------------------------------------------------------
function fill(v, a, own) {
    const lookup = (name) => {
        if (name === 'seq') return ++serial; // a fresh number: public chat names are unique
        const [src, key] = name.startsWith('own.') ? [own, name.slice(4)] : [a, name];
        assert.ok(key in src, `no object named ${name}`);
        return src[key];
    };
    if (typeof v === 'string') {
        const whole = /^\{([a-z_.0-9]+)\}$/.exec(v);
        if (whole) return lookup(whole[1]);
        return v.replace(/\{([a-z_.0-9]+)\}/g, (_, k) => encodeURIComponent(String(lookup(k))));
    }
    if (Array.isArray(v)) return v.map((x) => fill(x, a, own));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, a, own)]));
    return v;
}

// Sends a row as 'actor' of tenant B with A's ids as {x} and B's as {own.x}.
async function send(srv, row, actor, a, own) {
    const p = fill(row.path, a, own);
    const body = fill(row.body, a, own);
    if (row.dialect === 'feishu') return call(srv, row.method, p, actor === 'user' ? own.owner_token : own.bot, body);
    if (row.dialect === 'wecom') {
        const sep = p.includes('?') ? '&' : '?';
        return srv.request(row.method, `${p}${sep}access_token=${encodeURIComponent(own.wc_token)}`, { body });
    }
    const [base, query] = p.split('?');
    return udesk(srv, TENANTS.B.ud).call(row.method, base, { body, query: Object.fromEntries(new URLSearchParams(query || '')) });
}

const actorsOf = (row) => (row.dialect === 'feishu' ? row.as || ['bot', 'user'] : ['-']);
const expectFor = (row, actor) => (typeof row.expect === 'object' && !row.expect.data ? row.expect[actor] : row.expect);

// The isolation answer: the dialect's error envelope with the expected code (and text).
function assertRefused(res, row, code, what, a, own) {
    if (row.dialect === 'feishu' && typeof code === 'object') return assert.deepEqual(fsOk(res, what), fill(code.data, a, own), what);
    if (row.dialect === 'feishu') return assertErr(res, code, what, { status: row.status ?? 400 });
    if (row.dialect === 'wecom') {
        assert.equal(res.status, 200, `${what}: ${res.body}`);
        return wcErr(res.json, code, row.msg || 'group not found', what);
    }
    return assertUdErr(udJson(res, what), code, row.msg, what);
}

// The control: B's own ids must not get the isolation answer; success unless row.control.
function controlFor(row, actor) {
    const c = row.control;
    if (c && typeof c === 'object') return 'code' in c ? c : { code: c[actor] };
    return { code: c };
}

function assertControl(res, row, actor, what) {
    const want = controlFor(row, actor);
    if (row.dialect === 'feishu') {
        if (want.code === undefined && row.raw) assert.equal(res.status, 200, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
        else if (want.code === undefined) assert.equal(res.json?.code, 0, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
        else assertErr(res, want.code, what);
    } else if (row.dialect === 'wecom') {
        assert.equal(res.status, 200, `${what}: ${res.body}`);
        assert.equal(res.json?.errcode, want.code ?? 0, `${what}: ${res.body}`);
        if (want.msg) wcErr(res.json, want.code, want.msg, what);
    } else {
        assert.equal(udJson(res, what).code, want.code ?? 1000, `${what}: ${res.body}`);
    }
}

// A row whose control answer were its isolation answer would prove nothing.
function checkRow(row) {
    const codes = actorsOf(row).map((actor) => expectFor(row, actor));
    for (const actor of actorsOf(row)) {
        const code = expectFor(row, actor);
        const ctl = controlFor(row, actor);
        if (code?.data) continue; // a success answer: B's snapshot is what can fail
        assert.ok(Number.isInteger(code), `row ${row.method} ${row.path}: expect`);
        if (row.dialect === 'wecom') assert.notEqual(ctl.msg, 'group not found');
        else assert.notEqual(ctl.code, code, `row ${row.method} ${row.path}: control equals the isolation answer`);
    }
    assert.ok(['feishu', 'wecom', 'udesk'].includes(row.dialect));
    // A's object first in the path (the container): the dialect's answer for another
    // tenant's object.
    const first = /\{([a-z_.]+)\}/.exec(row.path.split('?')[0]);
    if (first && !first[1].startsWith('own.')) {
        assert.equal(codes[0], row.notYours ?? NOT_YOURS[row.dialect], `row ${row.method} ${row.path}: A's object in the path`);
    }
}

// ----- the test -----------------------------------------------------------------------------
const SEED_OPTS = { seed: seed() };

test('isolation matrix: tenant B never reaches tenant A\'s objects, on any route', { timeout: 120_000 }, async (t) => {
    await withServer(SEED_OPTS, async (srv) => {
        const who = await ids(srv);
        const mk = async (T) => ({ ...(await feishuObjects(srv, T, who)), ...(await wecomObjects(srv, T)), ...(await udeskObjects(srv, T)) });
        const A = await mk(TENANTS.A);
        const B = await mk(TENANTS.B);
        const before = await snapshot(srv, TENANTS.A, A);
        const aIds = [
            ...['chat', 'msg_tab', 'tab', 'tab2', 'menu_top', 'menu_top2', 'menu_child', 'member_open', 'owner_open', 'outsider_open'].map((k) => A[k]),
            ...Object.values(who.acme).map((p) => p.union_id),
        ];
        assert.ok(aIds.every((x) => typeof x === 'string' && x.length >= 16), JSON.stringify(aIds));
        // The snapshot sees what the fixtures made (so a comparison is not of empty data).
        assert.equal(before.tabs.chat_tabs.length, 3);
        assert.equal(before.reactions.items.length, 1);
        assert.equal(before.pins.items.length, 1);
        assert.equal(before.menus.menu_tree.chat_menu_top_levels.length, 2);
        assert.ok(before.members.items.some((m) => m.member_id === TENANTS.A.member));
        assert.equal(before.groups.length, 2);
        assert.equal(before.intents.intent_list.length, 1);
        assert.equal(before.items.useful_links.useful_links.length, 1);
        assert.equal(before.catalogs['question/0'][0].children[0].id, A.child);
        assert.ok(before.events.length > 0, 'the fixtures wrote events');
        for (const row of ROWS) checkRow(row);

        let cells = 0;
        for (const row of ROWS) {
            for (const actor of actorsOf(row)) {
                const what = `${row.dialect} ${row.method} ${row.path}${actor === '-' ? '' : ` as ${actor}`}`;
                // B's snapshot is retaken: the controls below add to B's data.
                const beforeB = await snapshot(srv, TENANTS.B, B);
                assertRefused(await send(srv, row, actor, A, B), row, expectFor(row, actor), what, A, B);
                assert.deepEqual(await snapshot(srv, TENANTS.A, A), before, `${what}: tenant A's data changed`);
                const afterB = await snapshot(srv, TENANTS.B, B);
                if (expectFor(row, actor)?.data) {
                    // A success answer (an id silently filtered, say) may record a no-op
                    // change event for B's chat; nothing else of B's changes.
                    assert.deepEqual(afterB.events.slice(0, beforeB.events.length), beforeB.events, `${what}: B's outbox rewritten`);
                    afterB.events = beforeB.events;
                }
                assert.deepEqual(afterB, beforeB, `${what}: tenant B's data changed`);
                // Nothing B's outbox recorded names any of A's objects or people.
                const bEvents = JSON.stringify(await events(srv, TENANTS.B));
                for (const secret of aIds) assert.ok(!bEvents.includes(secret), `${what}: B's events name A's ${secret}`);
                // Control on a fresh copy of B's objects, B's ids everywhere.
                const fresh = { ...B, ...(await objects(srv, TENANTS.B, who, row.dialect)) };
                assertControl(await send(srv, row, actor, fresh, fresh), row, actor, `${what} (control, B's own ids)`);
                cells++;
            }
        }
        const per = (d) => ROWS.filter((r) => r.dialect === d).length;
        t.diagnostic(`isolation matrix: ${ROWS.length} rows (feishu ${per('feishu')}, wecom ${per('wecom')}, udesk ${per('udesk')}), ${cells} cells (row x actor)`);
    });
});

test('isolation matrix covers every route that takes an object reference', (t) => {
    const routes = routeTables();
    const keys = new Set(routes.map(routeKey));
    const covered = new Set(ROWS.map(rowRoute));
    for (const k of covered) assert.ok(keys.has(k), `row route ${k} is not in the route tables`);
    for (const k of Object.keys(EXEMPT)) assert.ok(keys.has(k), `exempt route ${k} is not in the route tables`);
    const missing = [];
    for (const r of routes) {
        const k = routeKey(r);
        if (k.includes(':')) assert.ok(!(k in EXEMPT), `${k} takes an id in its path and cannot be exempt`);
        if (!covered.has(k) && !(k in EXEMPT)) missing.push(`${r.dialect} ${r.method} ${r.pattern}`);
        if (covered.has(k)) assert.ok(!(k in EXEMPT), `${k} is both covered and exempt`);
    }
    assert.deepEqual(missing, [], 'routes with an object reference and no row in ROWS');
    const byDialect = {};
    for (const r of routes) byDialect[r.dialect] = (byDialect[r.dialect] || 0) + 1;
    assert.equal(routes.length, covered.size + Object.keys(EXEMPT).length);
    t.diagnostic(`routes: ${routes.length} (${Object.entries(byDialect).map(([d, n]) => `${d} ${n}`).join(', ')}); covered ${covered.size}, exempt ${Object.keys(EXEMPT).length}`);
});
