// The web console's files as the server serves them (no browser): every file under
// console/ at /console/<path> with its bytes, content type, ETag and the security
// headers; HEAD; 304 on If-None-Match; /console redirected to /console/; 404 and 405
// under /console/; no authentication; and the console's requests kept out of the
// request inspector while counted in /metrics under their own series.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withServer, repoRoot, ADMIN_HEADERS } from './lib/server.mjs';

const consoleDir = path.join(repoRoot, 'console');

const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.txt': 'text/plain; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.gif': 'image/gif',
    '.webp': 'image/webp',
    '.woff': 'font/woff',
    '.woff2': 'font/woff2',
    '.map': 'application/json; charset=utf-8',
};

// The files the build compiles in (tools/embed_console.cmake skips dot files and ~).
function consoleFiles(dir = consoleDir, rel = '') {
    const out = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.name.startsWith('.') || e.name.endsWith('~')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) out.push(...consoleFiles(path.join(dir, e.name), r));
        else out.push(r);
    }
    return out.sort();
}

function assertSecurityHeaders(res, what) {
    const csp = res.headers['content-security-policy'] || '';
    assert.match(csp, /(^|; )default-src 'self'(;|$)/, `${what}: CSP ${csp}`);
    assert.match(csp, /(^|; )script-src 'self'(;|$)/, `${what}: CSP ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${what}: CSP ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP ${csp}`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
    assert.equal(res.headers['x-frame-options'], 'DENY', what);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
}

test('every console file is served with its bytes, content type, ETag and security headers', async () => {
    const files = consoleFiles();
    assert.ok(files.includes('index.html'), 'console/index.html exists');
    await withServer({ seed: null }, async (srv) => {
        for (const f of files) {
            const want = fs.readFileSync(path.join(consoleDir, f));
            const res = await srv.request('GET', `/console/${f}`, { raw: true });
            assert.equal(res.status, 200, `/console/${f}`);
            assert.ok(res.raw.equals(want), `/console/${f}: the bytes of console/${f}`);
            assert.equal(res.headers['content-type'], TYPES[path.extname(f).toLowerCase()], `/console/${f}`);
            assert.equal(res.headers['content-length'], String(want.length), `/console/${f}`);
            const etag = `"${crypto.createHash('sha256').update(want).digest('hex').slice(0, 20)}"`;
            assert.equal(res.headers.etag, etag, `/console/${f}: ETag`);
            assert.equal(res.headers['cache-control'], 'no-cache', `/console/${f}`);
            assertSecurityHeaders(res, `/console/${f}`);
        }
        // The console's root is its index page.
        const root = await srv.request('GET', '/console/', { raw: true });
        assert.equal(root.status, 200);
        assert.ok(root.raw.equals(fs.readFileSync(path.join(consoleDir, 'index.html'))));
        assert.equal(root.headers['content-type'], 'text/html; charset=utf-8');
        assertSecurityHeaders(root, '/console/');
    });
});

test('HEAD, conditional GET, redirect, 404 and 405 under /console/', async () => {
    await withServer({ seed: null }, async (srv) => {
        const get = await srv.request('GET', '/console/');
        const head = await srv.request('HEAD', '/console/');
        assert.equal(head.status, 200);
        assert.equal(head.body, '');
        assert.equal(head.headers['content-length'], get.headers['content-length']);
        assert.equal(head.headers.etag, get.headers.etag);
        assert.equal(head.headers['content-type'], 'text/html; charset=utf-8');

        for (const inm of [get.headers.etag, `W/${get.headers.etag}`, `"nope", ${get.headers.etag}`, '*']) {
            const res = await srv.request('GET', '/console/index.html', { headers: { 'If-None-Match': inm } });
            assert.equal(res.status, 304, `If-None-Match: ${inm}`);
            assert.equal(res.body, '');
            assert.equal(res.headers.etag, get.headers.etag);
            assert.equal(res.headers['content-length'], undefined, '304 carries no Content-Length');
        }
        const stale = await srv.request('GET', '/console/', { headers: { 'If-None-Match': '"0123456789abcdef0123"' } });
        assert.equal(stale.status, 200);
        assert.equal(stale.body, get.body);

        for (const [p, loc] of [['/console', '/console/'], ['/console?x=1', '/console/?x=1']]) {
            const res = await srv.request('GET', p);
            assert.equal(res.status, 301, p);
            assert.equal(res.headers.location, loc, p);
            assertSecurityHeaders(res, p);
        }

        for (const p of ['/console/nope.js', '/console/index.html/', '/console//index.html', '/console/../healthz',
            '/console/%69ndex.html', '/console/tenants/Acme']) {
            const res = await srv.request('GET', p);
            assert.equal(res.status, 404, p);
            assertSecurityHeaders(res, p);
        }
        // Not the console's: the plain 404 of a path outside every prefix.
        for (const p of ['/consolex', '/console.html', '/Console/']) {
            const res = await srv.request('GET', p);
            assert.equal(res.status, 404, p);
            assert.equal(res.headers['content-security-policy'], undefined, p);
        }
        for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
            const res = await srv.request(m, '/console/');
            assert.equal(res.status, 405, `${m} /console/`);
            assert.equal(res.headers.allow, 'GET, HEAD');
            assertSecurityHeaders(res, `${m} /console/`);
        }
    });
});

test('the console needs no token; its requests reach /metrics, not the request inspector', async () => {
    await withServer({}, async (srv) => {
        // No Authorization, and a wrong one: the files hold no data.
        assert.equal((await srv.request('GET', '/console/')).status, 200);
        assert.equal((await srv.request('GET', '/console/', { headers: { Authorization: 'Bearer wrong' } })).status, 200);
        await srv.request('GET', '/console/nope');
        // A vendor call the inspector keeps, to show it is on.
        await srv.request('GET', '/cgi-bin/gettoken?corpid=x&corpsecret=y');
        const ins = await srv.request('GET', '/admin/v1/requests?limit=1000', { headers: ADMIN_HEADERS });
        assert.equal(ins.status, 200);
        assert.ok(ins.json.items.some((i) => i.path === '/cgi-bin/gettoken'), ins.body);
        assert.ok(!ins.json.items.some((i) => i.path.startsWith('/console')), ins.body);
        const m = await srv.request('GET', '/metrics');
        assert.match(m.body, /qunzu_http_requests_total\{dialect="console",method="any",route="\/console\/",status="200"\} 2/);
        assert.match(m.body, /qunzu_http_requests_total\{dialect="console",method="any",route="\/console\/",status="404"\} 1/);
    });
});
