// The control room's tenants as a whole: GET /admin/v1/tenants, DELETE
// /admin/v1/tenants/{name}, POST /admin/v1/tenants/{name}/reset. Both backends.
//
// "No row left behind" is judged from the database itself, every table the schema has
// (lib/dbdump.mjs), not from qunzu's own registry: a table added later is covered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ADMIN_HEADERS, adminSeed, dbOf, fixtureSeedPath, withServer } from './lib/server.mjs';
import { APP1, GAPP, chatPath, createChat, fs as fsCall, getChat, tenantToken } from './lib/feishu.mjs';
import { ACME as WC_ACME, DEFAULT_GROUP_NAME, addGroupOk, getToken, kf } from './lib/wecom.mjs';
import { ACME as UD_ACME, udesk, udJson } from './lib/udesk.mjs';
import { dumpDb, without } from './lib/dbdump.mjs';

const FIXTURE = JSON.parse(fs.readFileSync(fixtureSeedPath, 'utf8'));
const ACME_DOC = FIXTURE.tenants.find((t) => t.name === 'Acme');
const GLOBEX_DOC = FIXTURE.tenants.find((t) => t.name === 'Globex');

function admin(srv, method, path, body) {
    return srv.request(method, path, { body, headers: ADMIN_HEADERS });
}

// Rows in as many tables as the APIs reach: tokens, chats with members, a uuid, a
// message (with its uuid), tabs,
// a share link, an authorization code, WeCom groups, Udesk catalogs and nonces, fault
// rules by tenant and by app. Returns what the caller checks afterwards.
async function busy(srv) {
    const tok = await tenantToken(srv, APP1);
    const chat = (await createChat(srv, tok, { name: 'busy', user_id_list: ['zhangsan'] }, { user_id_type: 'user_id', uuid: 'busy-1' }));
    assert.ok(chat?.chat_id, 'chat created');
    const tabs = await fsCall(srv, 'POST', chatPath(chat.chat_id, '/chat_tabs'), tok, {
        chat_tabs: [{ tab_name: 'site', tab_type: 'url', tab_content: { url: 'https://www.test.cn' } }],
    });
    assert.equal(tabs.json.code, 0, tabs.body);
    const msg = await fsCall(srv, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', tok, {
        receive_id: chat.chat_id, msg_type: 'text', content: JSON.stringify({ text: 'hello' }), uuid: 'busy-msg',
    });
    assert.equal(msg.json.code, 0, msg.body);
    const link = await fsCall(srv, 'POST', chatPath(chat.chat_id, '/link'), tok, { validity_period: 'week' });
    assert.equal(link.json.code, 0, link.body);
    const code = await admin(srv, 'POST', '/admin/v1/feishu/authorize', { app_id: APP1.app_id, user_id: 'zhangsan' });
    assert.equal(code.status, 200, code.body);
    const wtok = await getToken(srv, WC_ACME);
    await addGroupOk(srv, wtok, 'busy group');
    const cat = udJson(await udesk(srv, UD_ACME).call('POST', '/open_api_v1/knowledge_catalogs', {
        body: { knowledge_catalog: { knowledge_type_name: 'question', name: 'busy', agent_id: 0, parent_id: '' } },
    }));
    assert.equal(cat.code, 1000, JSON.stringify(cat));
    for (const rule of [
        { dialect: 'feishu', route: 'GET /open-apis/im/v1/chats', tenant: 'Acme', count: 1, answer: { code: 99991400 } },
        { dialect: 'feishu', route: 'GET /open-apis/im/v1/chats', app_id: APP1.app_id, count: 1, answer: { code: 99991663 } },
    ]) {
        const res = await admin(srv, 'POST', '/admin/v1/faults', rule);
        assert.equal(res.status, 200, res.body);
    }
    return { tok, wtok, chat };
}

async function tenants(srv, q = '') {
    const res = await admin(srv, 'GET', `/admin/v1/tenants${q}`);
    assert.equal(res.status, 200, res.body);
    return res.json;
}

// What only qunzu's bookkeeping changes: the fault rules' generation and the clock in
// meta, PostgreSQL's shared rate counts.
const noise = (d) => without(d, ['meta', 'rate_count']);

test('tenants: the list with identities and counts, paged; unknown names and bad paging', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        await busy(srv);
        const all = await tenants(srv);
        assert.deepEqual(all.items.map((t) => t.name), ['Acme', 'Globex']);
        assert.equal(all.next, undefined);
        const acme = all.items[0];
        assert.deepEqual(acme.feishu, { tenant_key: 'acme', app_ids: ['cli_acme01'] });
        assert.deepEqual(acme.wecom, { corpid: 'wwacme' });
        assert.deepEqual(acme.udesk, { subdomain: 'acme' });
        assert.equal(acme.demo, false);
        assert.equal(typeof acme.created_at, 'number');
        assert.equal(acme.counts.person, 1);
        assert.equal(acme.counts.fs_chat, 1);
        assert.ok(acme.counts.fs_chat_member >= 2, JSON.stringify(acme.counts)); // zhangsan and the bot
        assert.equal(acme.counts.kb_category, 3); // WeCom's default group, one more, a Udesk catalog
        assert.equal(acme.counts.fault_rule, 2); // one by tenant, one by app
        assert.ok(acme.counts.token >= 2);
        assert.equal(all.items[1].udesk, undefined);
        assert.equal(all.items[1].counts.fs_chat, 0);
        for (const secret of ['acme-app-secret', 'acme-kf-secret', 'acme-udesk-token']) assert.ok(!JSON.stringify(all).includes(secret), 'no secret in the list');

        const p1 = await tenants(srv, '?limit=1');
        assert.deepEqual(p1.items.map((t) => t.name), ['Acme']);
        assert.ok(Number.isInteger(p1.next));
        const p2 = await tenants(srv, `?limit=1&after=${p1.next}`);
        assert.deepEqual(p2.items.map((t) => t.name), ['Globex']);
        assert.equal(p2.next, undefined);

        for (const q of ['?limit=0', '?limit=201', '?after=x']) {
            const res = await admin(srv, 'GET', `/admin/v1/tenants${q}`);
            assert.equal(res.status, 400, `${q}: ${res.body}`);
        }
        for (const [m, p] of [['DELETE', '/admin/v1/tenants/Nobody'], ['POST', '/admin/v1/tenants/Nobody/reset']]) {
            const res = await admin(srv, m, p);
            assert.equal(res.status, 404, res.body);
            assert.equal(res.json.error.code, 'not_found');
        }
        const unauth = await srv.request('DELETE', '/admin/v1/tenants/Acme');
        assert.equal(unauth.status, 401);
        assert.equal((await tenants(srv)).items.length, 2);
    });
});

test('delete: no row of the tenant left in any table, the other tenant untouched, its credentials dead at once', { timeout: 90_000 }, async () => {
    await withServer({ seed: { tenants: [GLOBEX_DOC] } }, async (srv) => {
        const gtok = await tenantToken(srv, GAPP);
        const gchat = (await createChat(srv, gtok, { name: 'globex chat' }));
        const before = dumpDb(dbOf(srv));

        await adminSeed(srv, { tenants: [ACME_DOC] });
        const { tok, wtok } = await busy(srv);
        // Checked once, so the token cache holds it.
        assert.equal((await fsCall(srv, 'GET', '/open-apis/im/v1/chats', tok)).json.code, 99991400); // the tenant's fault rule
        assert.equal((await getChat(srv, tok, (await createChat(srv, tok, { name: 'x' })).chat_id)).json.code, 0);

        const del = await admin(srv, 'DELETE', '/admin/v1/tenants/Acme');
        assert.equal(del.status, 200, del.body);
        assert.deepEqual(del.json, { deleted: 'Acme' });

        assert.deepEqual(noise(dumpDb(dbOf(srv))), noise(before));
        const res = await fsCall(srv, 'GET', '/open-apis/im/v1/chats', tok);
        assert.notEqual(res.json.code, 0, `a deleted tenant's token: ${res.body}`);
        assert.notEqual((await kf(srv, 'list_group', wtok, { limit: 10 })).errcode, 0);
        assert.equal((await getChat(srv, gtok, gchat.chat_id)).json.code, 0, 'Globex still works');
        assert.deepEqual((await tenants(srv)).items.map((t) => t.name), ['Globex']);
        assert.equal((await admin(srv, 'DELETE', '/admin/v1/tenants/Acme')).status, 404);
        assert.equal((await admin(srv, 'GET', '/admin/v1/faults')).json.items.length, 0);
        // The names are free again.
        await adminSeed(srv, { tenants: [ACME_DOC] });
        assert.ok(await tenantToken(srv, APP1));
    });
});

test('reset: back to what the seed declared, ids and credentials kept, everything else gone, the other tenant untouched', { timeout: 90_000 }, async () => {
    await withServer({}, async (srv) => {
        const gtok = await tenantToken(srv, GAPP);
        const gchat = (await createChat(srv, gtok, { name: 'globex chat' }));
        const seeded = dumpDb(dbOf(srv));
        const { tok } = await busy(srv);

        const res = await admin(srv, 'POST', '/admin/v1/tenants/Acme/reset');
        assert.equal(res.status, 200, res.body);
        assert.equal(res.json.name, 'Acme');
        assert.equal(res.json.wecom.corpid, 'wwacme');

        // Every table as seeded, but WeCom's default group, made again (a new row).
        const stripGroup = (t, rows) => (t === 'kb_category'
            ? rows.map((r) => { const o = JSON.parse(r); delete o.id; delete o.ext_id; delete o.created_at; return JSON.stringify(o); }).sort()
            : rows);
        const now = dumpDb(dbOf(srv));
        assert.deepEqual(without(now, ['meta', 'rate_count'], stripGroup), without(seeded, ['meta', 'rate_count'], stripGroup));

        // The old token is gone (the cache too); the seed's credentials still work.
        assert.notEqual((await fsCall(srv, 'GET', '/open-apis/im/v1/chats', tok)).json.code, 0);
        const tok2 = await tenantToken(srv, APP1);
        const list = await fsCall(srv, 'GET', '/open-apis/im/v1/chats', tok2);
        assert.equal(list.json.code, 0, list.body); // the fault rules went too
        assert.deepEqual(list.json.data.items, []);
        const wtok = await getToken(srv, WC_ACME);
        const groups = await kf(srv, 'list_group', wtok, { limit: 10 });
        assert.equal(groups.errcode, 0, JSON.stringify(groups));
        assert.deepEqual(groups.group_list.map((g) => [g.name, g.is_default]), [[DEFAULT_GROUP_NAME, 1]]);
        const cats = await udesk(srv, UD_ACME).list('question', 0);
        assert.equal(cats.code, 1000, JSON.stringify(cats));
        assert.deepEqual(cats.catalogs, []);
        assert.equal((await getChat(srv, gtok, gchat.chat_id)).json.code, 0, 'Globex still works');
        // A reset tenant works as a fresh one.
        assert.ok((await createChat(srv, tok2, { name: 'after reset' })).chat_id);
    });
});
