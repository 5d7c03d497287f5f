// tests/http/lib/udesk.mjs - a small Udesk Open API v2 client for the black-box tests,
// written from Udesk's "General instructions": every call carries email, timestamp,
// nonce, sign and sign_version=v2 in its query string, POST/PUT/DELETE included, where
// sign = lower-case hex SHA-256 of "email&api_token&timestamp&nonce&v2". Any part can be
// overridden or left out, so the tests can send every kind of broken request.
//
// Also here: the seed the Udesk tests start their servers with, and envelope checks
// (HTTP 200, an integer "code"; errors are exactly {"code", "message"}).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { request, serverNow } from './server.mjs';

export const ACME = {
    subdomain: 'acme',
    email: 'admin@acme.test',
    token: 'acme-udesk-token',
    password: 'acme-admin-pass',
};
export const GLOBEX = {
    subdomain: 'globex',
    email: 'admin@globex.test',
    token: 'globex-udesk-token',
    password: 'globex-admin-pass',
};
// Initech's admin is Globex's admin too: without a subdomain the e-mail is ambiguous.
export const INITECH = { subdomain: 'initech', email: 'admin@globex.test', token: 'initech-udesk-token' };

// Agents: Acme has 101 (zhangsan) and 102 (wangwu); zhaoliu is a person but no agent.
// Globex's lisi carries agent id 101 too: agent ids are per company.
export const SEED = {
    tenants: [
        {
            name: 'Acme',
            users: [
                { user_id: 'zhangsan', name: 'Zhang San', udesk_agent_id: 101 },
                { user_id: 'wangwu', name: 'Wang Wu', udesk_agent_id: 102 },
                { user_id: 'zhaoliu', name: 'Zhao Liu' },
            ],
            wecom: { corpid: 'wwacme', secrets: ['acme-kf-secret'] },
            udesk: { subdomain: ACME.subdomain, admin_email: ACME.email, api_token: ACME.token, admin_password: ACME.password },
        },
        {
            name: 'Globex',
            users: [{ user_id: 'lisi', name: 'Li Si', udesk_agent_id: 101 }],
            udesk: { subdomain: GLOBEX.subdomain, admin_email: GLOBEX.email, api_token: GLOBEX.token, admin_password: GLOBEX.password },
        },
        {
            name: 'Initech',
            udesk: { subdomain: INITECH.subdomain, admin_email: INITECH.email, api_token: INITECH.token },
        },
    ],
};

export const TYPES = ['question', 'useful_expression', 'useful_link', 'attachment'];

export function signV2(email, token, timestamp, nonce) {
    return crypto.createHash('sha256').update(`${email}&${token}&${timestamp}&${nonce}&v2`, 'utf8').digest('hex');
}

export const newNonce = () => crypto.randomUUID();

/**
 * A signing client for one company on one server.
 * opts.host    a Host header (e.g. 'acme.udesk.cn'); default: the server's own address
 * opts.offset  seconds added to the local clock for timestamps (see syncClock)
 */
export function udesk(srv, company = ACME, opts = {}) {
    const client = {
        company,
        host: opts.host,
        offset: opts.offset || 0,
        now: () => Math.floor(Date.now() / 1000) + client.offset,

        // Makes timestamps follow the server clock (after POST /admin/v1/clock).
        async syncClock() {
            client.offset = (await serverNow(srv)) - Math.floor(Date.now() / 1000);
        },

        /**
         * One signed call. o.query: extra query parameters (object); o.body: JSON body;
         * o.auth: overrides of {email, token, timestamp, nonce, sign, sign_version}, where
         * null leaves the parameter out; o.headers, o.agent as for request().
         * Resolves to the raw response; the nonce and query used are in .sent.
         */
        async call(method, path, o = {}) {
            const a = { email: company.email, token: company.token, timestamp: String(client.now()), nonce: newNonce(), sign_version: 'v2', ...(o.auth || {}) };
            const sign = 'sign' in (o.auth || {}) ? o.auth.sign : signV2(a.email, a.token, a.timestamp, a.nonce);
            const q = new URLSearchParams();
            for (const [k, v] of [['email', a.email], ['timestamp', a.timestamp], ['sign', sign], ['nonce', a.nonce], ['sign_version', a.sign_version]]) {
                if (v !== null && v !== undefined) q.append(k, v);
            }
            for (const [k, v] of Object.entries(o.query || {})) q.append(k, String(v));
            const headers = { ...(o.headers || {}) };
            if (client.host) headers.Host = client.host;
            const full = `${path}?${q}`;
            const res = await request(srv, method, full, { body: o.body, headers, agent: o.agent });
            res.sent = { nonce: a.nonce, timestamp: a.timestamp, path: full };
            return res;
        },

        // The same request again: same query (nonce included), same body.
        async replay(res, method, body, o = {}) {
            const headers = { ...(o.headers || {}) };
            if (client.host) headers.Host = client.host;
            return request(srv, method, res.sent.path, { body, headers });
        },

        async json(method, path, o) {
            return udJson(await client.call(method, path, o), `${method} ${path}`);
        },

        create(kc, o = {}) {
            return client.json('POST', '/open_api_v1/knowledge_catalogs', { body: { knowledge_catalog: kc }, ...o });
        },
        async createOk(kc, o) {
            const j = await client.create(kc, o);
            assert.equal(j.code, 1000, `create ${JSON.stringify(kc)}: ${JSON.stringify(j)}`);
            assert.deepEqual(Object.keys(j), ['code', 'id', 'name']);
            assert.ok(Number.isInteger(j.id) && j.id > 0, `id ${j.id}`);
            assert.equal(j.name, kc.name);
            return j.id;
        },
        update(id, kc, o = {}) {
            return client.json('PUT', `/open_api_v1/knowledge_catalogs/${id}`, { body: { knowledge_catalog: kc }, ...o });
        },
        remove(id, agentId, o = {}) {
            return client.json('DELETE', `/open_api_v1/knowledge_catalogs/${id}`, { body: { knowledge_catalog: { agent_id: agentId } }, ...o });
        },
        list(type, agentId, o = {}) {
            const query = { knowledge_type_name: type };
            if (agentId !== undefined) query.agent_id = agentId;
            return client.json('GET', '/open_api_v1/knowledge_catalogs', { query, ...o });
        },
        async listOk(type, agentId) {
            const j = await client.list(type, agentId);
            assert.equal(j.code, 1000, `list ${type} ${agentId}: ${JSON.stringify(j)}`);
            assert.deepEqual(Object.keys(j), ['code', 'catalogs']);
            checkTree(j.catalogs, 0);
            return j.catalogs;
        },
    };
    return client;
}

// HTTP 200 and a JSON object with an integer code.
export function udJson(res, what = 'call') {
    assert.equal(res.status, 200, `${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    assert.match(String(res.headers['content-type']), /^application\/json/, `${what}: content type`);
    assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), `${what}: not a JSON object: ${res.body.slice(0, 300)}`);
    assert.ok(Number.isInteger(res.json.code), `${what}: code is not an integer: ${res.body.slice(0, 300)}`);
    return res.json;
}

// An error is exactly {"code", "message"} with a non-empty message.
export function assertUdErr(j, code, message, what = 'call') {
    assert.deepEqual(Object.keys(j).sort(), ['code', 'message'], `${what}: error body must be {code, message}: ${JSON.stringify(j)}`);
    assert.equal(j.code, code, `${what}: code (${JSON.stringify(j)})`);
    assert.equal(typeof j.message, 'string');
    assert.ok(j.message.length > 0, `${what}: empty message`);
    if (message !== undefined) assert.equal(j.message, message, `${what}: message`);
}

// Every node is {id, parent_id, name} plus non-empty "children" when it has any;
// children name their parent; siblings go in ascending id order.
export function checkTree(nodes, parentId) {
    assert.ok(Array.isArray(nodes), 'catalogs/children must be arrays');
    let last = 0;
    for (const n of nodes) {
        const keys = Object.keys(n).sort();
        assert.deepEqual(keys, 'children' in n ? ['children', 'id', 'name', 'parent_id'] : ['id', 'name', 'parent_id'], `node ${JSON.stringify(n).slice(0, 200)}`);
        assert.ok(Number.isInteger(n.id) && Number.isInteger(n.parent_id) && typeof n.name === 'string');
        assert.equal(n.parent_id, parentId, `node ${n.id} is listed under ${parentId} but says ${n.parent_id}`);
        assert.ok(n.id > last, `siblings out of id order under ${parentId}`);
        last = n.id;
        if ('children' in n) {
            assert.ok(n.children.length > 0, `node ${n.id}: an empty children array must be left out`);
            checkTree(n.children, n.id);
        }
    }
}

// Flattens a listed tree into [{id, parent_id, name, depth}] (depth 1 = top level).
export function flatten(nodes, depth = 1, out = []) {
    for (const n of nodes) {
        out.push({ id: n.id, parent_id: n.parent_id, name: n.name, depth });
        if (n.children) flatten(n.children, depth + 1, out);
    }
    return out;
}
