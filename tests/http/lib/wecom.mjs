// tests/http/lib/wecom.mjs - small WeCom helpers for the JavaScript tests (the .case
// files do not need them). Every helper checks the transport rules of the dialect:
// HTTP 200 and a JSON body with an integer errcode.

import assert from 'node:assert/strict';
import { wecomErrRegex } from './cases.mjs';

export const ACME = { corpid: 'wwacme', secret: 'acme-kf-secret', secret2: 'acme-other-secret' };
export const GLOBEX = { corpid: 'wwglobex', secret: 'globex-kf-secret' };
export const DEFAULT_GROUP_NAME = '默认分组';

function wecomJson(res, what) {
    assert.equal(res.status, 200, `${what}: HTTP status ${res.status}, body ${res.body.slice(0, 500)}`);
    assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), `${what}: body is not a JSON object: ${res.body.slice(0, 500)}`);
    assert.ok(Number.isInteger(res.json.errcode), `${what}: errcode is not an integer: ${res.body.slice(0, 500)}`);
    return res.json;
}

export async function getToken(srv, corp = ACME, secret = corp.secret) {
    const q = `corpid=${encodeURIComponent(corp.corpid)}&corpsecret=${encodeURIComponent(secret)}`;
    const j = wecomJson(await srv.request('GET', `/cgi-bin/gettoken?${q}`), 'gettoken');
    assert.equal(j.errcode, 0, `gettoken failed: ${JSON.stringify(j)}`);
    assert.equal(typeof j.access_token, 'string');
    return j.access_token;
}

// POST /cgi-bin/kf/knowledge/<op>; returns the parsed body (any errcode).
export async function kf(srv, op, token, body, opts = {}) {
    const res = await srv.request('POST', `/cgi-bin/kf/knowledge/${op}?access_token=${encodeURIComponent(token)}`, { body, ...opts });
    return wecomJson(res, op);
}

export function assertOk(j, what = 'call') {
    assert.equal(j.errcode, 0, `${what}: expected errcode 0, got ${JSON.stringify(j)}`);
    assert.equal(j.errmsg, 'ok', `${what}: errmsg`);
}

// An error body has exactly errcode and errmsg, and errmsg follows the WeCom template.
export function assertErr(j, code, head, what = 'call') {
    assert.deepEqual(Object.keys(j).sort(), ['errcode', 'errmsg'], `${what}: error body must hold only errcode and errmsg: ${JSON.stringify(j)}`);
    assert.equal(j.errcode, code, `${what}: errcode (${JSON.stringify(j)})`);
    assert.match(j.errmsg, wecomErrRegex(code, head), `${what}: errmsg should be the WeCom template with head ${JSON.stringify(head)}, got ${JSON.stringify(j.errmsg)}`);
}

export async function addGroup(srv, token, name) {
    return kf(srv, 'add_group', token, { name });
}

export async function addGroupOk(srv, token, name) {
    const j = await addGroup(srv, token, name);
    assertOk(j, `add_group ${name}`);
    assert.equal(typeof j.group_id, 'string');
    return j.group_id;
}

// Page through list_group with 'limit'; returns {groups, pages}. Bounded page count.
export async function listAll(srv, token, limit = 1000, maxPages = 200) {
    const groups = [];
    let cursor = '';
    for (let pages = 1; pages <= maxPages; pages++) {
        const body = cursor ? { cursor, limit } : { limit };
        const j = await kf(srv, 'list_group', token, body);
        assertOk(j, 'list_group');
        checkListShape(j);
        groups.push(...j.group_list);
        if (j.has_more === 0) return { groups, pages };
        cursor = j.next_cursor;
    }
    throw new Error(`list_group did not finish within ${maxPages} pages`);
}

export function checkListShape(j) {
    assert.deepEqual(Object.keys(j).sort(), ['errcode', 'errmsg', 'group_list', 'has_more', 'next_cursor']);
    assert.ok(j.has_more === 0 || j.has_more === 1, `has_more must be 0 or 1, got ${JSON.stringify(j.has_more)}`);
    assert.equal(typeof j.next_cursor, 'string');
    if (j.has_more === 0) assert.equal(j.next_cursor, '', 'next_cursor must be "" when has_more is 0');
    else assert.notEqual(j.next_cursor, '', 'next_cursor must not be empty when has_more is 1');
    assert.ok(Array.isArray(j.group_list));
    for (const g of j.group_list) {
        assert.deepEqual(Object.keys(g).sort(), ['group_id', 'is_default', 'name'], `group entry ${JSON.stringify(g)}`);
        assert.equal(typeof g.group_id, 'string');
        assert.equal(typeof g.name, 'string');
        assert.ok(g.is_default === 0 || g.is_default === 1, `is_default ${JSON.stringify(g.is_default)}`);
    }
}

// POST /cgi-bin/media/upload: a multipart form whose "media" part is a file; returns its media_id.
export async function uploadMedia(srv, token, type, filename, bytes = Buffer.from('qunzu media')) {
    const res = await uploadRaw(srv, token, type, filename, bytes);
    const j = wecomJson(res, 'media/upload');
    assert.equal(j.errcode, 0, `media/upload: ${JSON.stringify(j)}`);
    assert.equal(typeof j.media_id, 'string');
    return j.media_id;
}

export async function uploadRaw(srv, token, type, filename, bytes, field = 'media') {
    const boundary = `----qunzu${Math.random().toString(16).slice(2)}`;
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"; filelength=${bytes.length}\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const body = Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const q = type === undefined ? '' : `&type=${encodeURIComponent(type)}`;
    return srv.request('POST', `/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}${q}`, { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
}
