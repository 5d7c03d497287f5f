// tests/http/wire.test.mjs - the bytes on the wire, read on raw sockets:
// response header names in canonical case (the Feishu Python SDK looks up
// "X-Tt-Logid" and "Content-Type" with exact case), and requests whose body framing
// is ambiguous (RFC 9112 §6.1, §6.3: request smuggling) answered 400 and closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, withServer } from './lib/server.mjs';
import { connect, rawRequest } from './lib/rawhttp.mjs';
import { ACME as WC_ACME } from './lib/wecom.mjs';
import { APP1 } from './lib/feishu.mjs';

// Each word's first letter upper-case, the rest lower: Content-Type, X-Tt-Logid.
const CANONICAL = /^[A-Z][a-z0-9]*(-[A-Z][a-z0-9]*)*$/;

async function exchange(srv, bytes) {
    const c = await connect(srv.port);
    try {
        await c.write(bytes);
        return await c.readResponse();
    } finally {
        c.close();
    }
}

function assertCanonical(res, what, { want = ['Content-Type', 'Content-Length', 'X-Request-Id'] } = {}) {
    const names = res.rawHeaders.map(([n]) => n);
    for (const n of names) assert.match(n, CANONICAL, `${what}: header name ${JSON.stringify(n)} (all: ${names.join(', ')})`);
    for (const n of want) assert.ok(names.includes(n), `${what}: no ${n} header, exactly so spelled (all: ${names.join(', ')})`);
}

const json = (method, path, body, headers = {}) =>
    rawRequest(method, path, { headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('response header names are in canonical case for every dialect, the admin API and h2o\'s own answers', { timeout: 60_000 }, async () => {
    // h2o refuses bodies past max(4 × body_limit, upload_body_limit) itself.
    await withServer({ rateLimit: true, args: ['--rate-feishu-per-second', '1', '--body-limit', '1024', '--upload-body-limit', '4096'] }, async (srv) => {
        let r = await exchange(srv, rawRequest('GET', '/healthz'));
        assert.equal(r.status, 200);
        assertCanonical(r, 'healthz', { want: ['Content-Type', 'Content-Length', 'X-Request-Id', 'Date', 'Server', 'Connection'] });
        assertCanonical(await exchange(srv, rawRequest('GET', '/no/such/path')), '404');

        // WeCom: a token, and an error.
        const q = `corpid=${WC_ACME.corpid}&corpsecret=${encodeURIComponent(WC_ACME.secret)}`;
        r = await exchange(srv, rawRequest('GET', `/cgi-bin/gettoken?${q}`));
        assert.equal(r.json.errcode, 0, r.text);
        assertCanonical(r, 'wecom gettoken');
        assertCanonical(await exchange(srv, rawRequest('GET', '/cgi-bin/gettoken?corpid=x&corpsecret=y')), 'wecom error');

        // Feishu: the log id header the SDKs read, on success and error; the rate-limit headers.
        r = await exchange(srv, json('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: APP1.app_id, app_secret: APP1.app_secret }));
        assert.equal(r.json.code, 0, r.text);
        assertCanonical(r, 'feishu token', { want: ['Content-Type', 'Content-Length', 'X-Request-Id', 'X-Tt-Logid'] });
        const token = r.json.tenant_access_token;
        r = await exchange(srv, rawRequest('GET', '/open-apis/im/v1/chats', { headers: { Authorization: 'Bearer t-nonsense' } }));
        assert.notEqual(r.json.code, 0, r.text);
        assertCanonical(r, 'feishu error', { want: ['Content-Type', 'X-Tt-Logid'] });
        // One call a second per app and endpoint: of three quick calls one at least is limited.
        let limited;
        for (let i = 0; i < 3 && !limited; i++) {
            r = await exchange(srv, rawRequest('GET', '/open-apis/im/v1/chats', { headers: { Authorization: `Bearer ${token}` } }));
            if (r.status === 429) limited = r;
        }
        assert.ok(limited, 'no call was rate-limited');
        assertCanonical(limited, 'feishu 429', { want: ['Content-Type', 'X-Tt-Logid', 'X-Ogw-Ratelimit-Limit', 'X-Ogw-Ratelimit-Reset'] });

        // Udesk: an unsigned call gets the dialect's error.
        r = await exchange(srv, rawRequest('GET', '/open_api_v1/knowledge/questions'));
        assert.ok(r.json && r.json.code !== undefined, r.text);
        assertCanonical(r, 'udesk error');

        // The admin API, with and without its token.
        r = await exchange(srv, rawRequest('GET', '/admin/v1/tenants/Acme', { headers: ADMIN_HEADERS }));
        assert.equal(r.status, 200, r.text);
        assertCanonical(r, 'admin');
        assertCanonical(await exchange(srv, rawRequest('GET', '/admin/v1/tenants/Acme')), 'admin 401');

        // h2o answers a body far past the limit itself (413), before any handler.
        r = await exchange(srv, rawRequest('POST', '/cgi-bin/kf/knowledge/add_group', { headers: { 'Content-Length': '100000' } }));
        assert.equal(r.status, 413);
        assertCanonical(r, 'h2o 413', { want: ['Content-Type', 'Content-Length'] });
    });
});

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

// Sends a request ('head' and 'body') with a /healthz pipelined after it. Returns the
// first answer and then either whether the server closed without answering the
// second ('refused') or the second answer.
async function smuggle(srv, head, body, { refused = true } = {}) {
    const c = await connect(srv.port);
    try {
        await c.write(Buffer.concat([Buffer.from(head + body, 'latin1'), rawRequest('GET', '/healthz')]));
        const first = await c.readResponse();
        if (!refused) return { first, second: await c.readResponse() };
        const closed = await c.waitClosed(5000);
        return { first, closed, rest: c.buf.toString('latin1') };
    } finally {
        c.close();
    }
}

test('request smuggling: Content-Length with Transfer-Encoding, or two different lengths, is 400 and the connection closes', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const start = `POST ${TOKEN_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`;
        const creds = JSON.stringify({ app_id: APP1.app_id, app_secret: APP1.app_secret });
        const chunked = `${creds.length.toString(16)}\r\n${creds}\r\n0\r\n\r\n`;
        const cases = [
            ['CL then TE', `${start}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n`, chunked],
            ['TE then CL', `${start}Transfer-Encoding: chunked\r\nContent-Length: ${chunked.length}\r\n\r\n`, chunked],
            ['two lengths', `${start}Content-Length: ${creds.length}\r\nContent-Length: ${creds.length + 5}\r\n\r\n`, `${creds}xxxxx`],
            ['two lengths, other case', `${start}content-length: ${creds.length}\r\nCONTENT-LENGTH: 2\r\n\r\n`, creds],
        ];
        for (const [what, head, body] of cases) {
            const { first, closed, rest } = await smuggle(srv, head, body);
            assert.equal(first.status, 400, `${what}: ${first.status} ${first.text}`);
            assert.match(first.headers.connection || '', /close/i, `${what}: Connection header`);
            assert.ok(closed, `${what}: the connection stayed open`);
            assert.equal(rest, '', `${what}: something was answered after the 400: ${rest.slice(0, 200)}`);
        }
        // The same length twice is one length (RFC 9110 §8.6); a plain request still works.
        const same = await smuggle(srv, `${start}Content-Length: ${creds.length}\r\nContent-Length: ${creds.length}\r\n\r\n`, creds, { refused: false });
        assert.equal(same.first.status, 200);
        assert.equal(same.first.json.code, 0, same.first.text);
        assert.equal(same.second.status, 200);
        const plain = await smuggle(srv, `${start}Transfer-Encoding: chunked\r\n\r\n`, chunked, { refused: false });
        assert.equal(plain.first.json.code, 0, plain.first.text);
        assert.equal(plain.second.status, 200);
        assert.match(srv.logText(), /400 \(ambiguous framing/);
    });
});
