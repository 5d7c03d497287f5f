// The HTTP layer, below any dialect: keep-alive, bodies on GET/DELETE, the body size
// limit, request ids, the access log, graceful shutdown with requests in flight.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, startServer, withLog, waitFor, sleep } from './lib/server.mjs';
import { connect, rawRequest } from './lib/rawhttp.mjs';
import { ACME, getToken, kf, listAll, assertOk, assertErr } from './lib/wecom.mjs';
import { wecomErrRegex } from './lib/cases.mjs';

const MiB = 1024 * 1024;
const nameBody = (total) => {
    // A JSON object of exactly 'total' bytes: {"name":"xxx..."}
    const overhead = '{"name":""}'.length;
    return `{"name":"${'x'.repeat(total - overhead)}"}`;
};

test('keep-alive: 50 requests on one socket', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const c = await connect(srv.port);
        try {
            for (let i = 0; i < 50; i++) {
                const path = i % 2 ? '/healthz' : '/readyz';
                await c.write(rawRequest('GET', path));
                const r = await c.readResponse();
                assert.equal(r.status, 200, `request ${i}`);
                assert.deepEqual(r.json, i % 2 ? { status: 'ok' } : { status: 'ready' });
                assert.ok(!/close/i.test(r.headers.connection || ''), `server asked to close after request ${i}`);
            }
            assert.equal(c.closed, false);
        } finally {
            c.close();
        }
    });
});

test('GET and DELETE with a body do not break the next request on the connection', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const c = await connect(srv.port);
        try {
            // Like the Feishu SDK: a JSON body even on GET.
            await c.write(rawRequest('GET', '/healthz', { headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }));
            let r = await c.readResponse();
            assert.equal(r.status, 200);
            assert.deepEqual(r.json, { status: 'ok' });

            await c.write(rawRequest('GET', '/readyz'));
            r = await c.readResponse();
            assert.equal(r.status, 200, 'request after a GET with a body');
            assert.deepEqual(r.json, { status: 'ready' });

            // DELETE with a body on a path without DELETE: any complete answer will do.
            await c.write(rawRequest('DELETE', '/healthz', { body: '{"b":[1,2,3]}' }));
            r = await c.readResponse();
            assert.ok(r.status >= 200 && r.status < 500, `DELETE /healthz: ${r.status}`);

            // A WeCom GET with a body is 43002; the body must not leak into the next request.
            await c.write(rawRequest('GET', `/cgi-bin/kf/knowledge/add_group?access_token=${encodeURIComponent(token)}`, { body: '{"name":"via GET"}' }));
            r = await c.readResponse();
            assert.equal(r.status, 200);
            assertErr(r.json, 43002, 'require POST method');

            await c.write(rawRequest('POST', `/cgi-bin/kf/knowledge/list_group?access_token=${encodeURIComponent(token)}`, { body: '{}' }));
            r = await c.readResponse();
            assert.equal(r.status, 200);
            assertOk(r.json);
            assert.equal(r.json.group_list.length, 1, 'GET with a body created a group');
        } finally {
            c.close();
        }
    });
});

test('body over 1 MiB: clean 40058, connection still usable', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const path = `/cgi-bin/kf/knowledge/add_group?access_token=${encodeURIComponent(token)}`;
        const c = await connect(srv.port);
        try {
            // Exactly the limit passes the size check (and fails the name rule).
            await c.write(rawRequest('POST', path, { body: nameBody(MiB) }));
            let r = await c.readResponse();
            assert.equal(r.status, 200);
            assertErr(r.json, 40058, 'invalid parameter: name too long', 'body of exactly 1 MiB');

            for (const size of [MiB + 1, 2 * MiB]) {
                await c.write(rawRequest('POST', path, { body: nameBody(size) }));
                r = await c.readResponse();
                assert.equal(r.status, 200, `body of ${size} bytes: HTTP ${r.status} ${r.text.slice(0, 200)}`);
                assertErr(r.json, 40058, 'invalid parameter: request body too large', `body of ${size} bytes`);

                await c.write(rawRequest('GET', '/healthz'));
                r = await c.readResponse();
                assert.equal(r.status, 200, `request after a ${size}-byte body`);
                assert.deepEqual(r.json, { status: 'ok' });
            }

            // The same with a chunked body.
            const big = Buffer.from(nameBody(MiB + 100));
            const chunks = [];
            for (let off = 0; off < big.length; off += 64 * 1024) {
                const part = big.subarray(off, off + 64 * 1024);
                chunks.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
            }
            chunks.push(Buffer.from('0\r\n\r\n'));
            await c.write(rawRequest('POST', path, { headers: { 'Transfer-Encoding': 'chunked' }, body: Buffer.concat(chunks) }));
            r = await c.readResponse();
            assert.equal(r.status, 200, `chunked oversized body: HTTP ${r.status}`);
            assertErr(r.json, 40058, 'invalid parameter: request body too large', 'chunked body');
            await c.write(rawRequest('GET', '/healthz'));
            r = await c.readResponse();
            assert.equal(r.status, 200, 'request after a chunked oversized body');
        } finally {
            c.close();
        }
        // Nothing was stored.
        assert.equal((await listAll(srv, token)).groups.length, 1);
    });
});

test('--body-limit 100 rejects a 200-byte body', { timeout: 60_000 }, async () => {
    await withServer({ args: ['--body-limit', '100'] }, async (srv) => {
        const token = await getToken(srv);
        let j = await kf(srv, 'add_group', token, nameBody(200));
        assertErr(j, 40058, 'invalid parameter: request body too large', '200-byte body');
        j = await kf(srv, 'add_group', token, nameBody(101));
        assertErr(j, 40058, 'invalid parameter: request body too large', '101-byte body');
        j = await kf(srv, 'add_group', token, '{"name":"small"}');
        assertOk(j, 'small body');
        j = await kf(srv, 'add_group', token, `{"name":"ok", "pad":"${'y'.repeat(100 - '{"name":"ok", "pad":""}'.length)}"}`);
        assertOk(j, 'body of exactly 100 bytes');
    });
});

test('x-request-id on every response, distinct per request', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const reqs = [
            ['GET', '/healthz'],
            ['GET', '/readyz'],
            ['GET', '/nope'],
            ['GET', '/cgi-bin/unknown'],
            ['GET', '/cgi-bin/gettoken'],
            ['POST', `/cgi-bin/kf/knowledge/list_group?access_token=${token}`, {}],
            ['POST', '/cgi-bin/kf/knowledge/list_group?access_token=bad', {}],
            ['GET', '/admin/v1/clock'],
            ['GET', '/admin/v1/clock', undefined, { Authorization: 'Bearer test-admin-token' }],
        ];
        const ids = [];
        for (let round = 0; round < 3; round++) {
            for (const [method, path, body, headers] of reqs) {
                const r = await srv.request(method, path, { body, headers });
                const rid = r.headers['x-request-id'];
                assert.ok(typeof rid === 'string' && rid.length > 0, `${method} ${path} (${r.status}): no x-request-id`);
                ids.push(rid);
            }
        }
        assert.equal(new Set(ids).size, ids.length, `request ids repeat: ${ids.join(' ')}`);
    });
});

test('access log: one line per request with rid, method, path without query, status, code, duration', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const r = await srv.request('POST', `/cgi-bin/kf/knowledge/add_group?access_token=${token}`, { body: { name: 'logged' } });
        assertOk(r.json);
        const rid = r.headers['x-request-id'];
        await srv.request('POST', `/cgi-bin/kf/knowledge/add_group?access_token=${token}`, { body: { name: 'logged' } });
        await srv.request('GET', '/nope');
        await srv.request('GET', '/healthz');

        const re = {
            add: /\baccess\b.*\brid=\S+.*\bPOST \/cgi-bin\/kf\/knowledge\/add_group 200 code=0 \d+us\b/,
            dup: /\baccess\b.*\bPOST \/cgi-bin\/kf\/knowledge\/add_group 200 code=40058 \d+us\b/,
            nope: /\baccess\b.*\bGET \/nope 404 code=\S*\s+\d+us\b/,
            health: /\baccess\b.*\bGET \/healthz 200 code=\S*\s+\d+us\b/,
            token: /\baccess\b.*\bGET \/cgi-bin\/gettoken 200 code=0 \d+us\b/,
        };
        const found = await waitFor(() => Object.values(re).every((x) => x.test(srv.stderrText())), { timeoutMs: 3000 });
        for (const [k, x] of Object.entries(re)) assert.match(srv.stderrText(), x, `access log line for '${k}'`);
        assert.ok(found);
        const addLine = srv.stderrLines.find((l) => re.add.test(l));
        assert.ok(addLine.includes(`rid=${rid}`), `access log rid should be the x-request-id ${rid}: ${addLine}`);
        // The path is logged without its query: no token in the log.
        for (const l of srv.stderrLines) {
            assert.ok(!l.includes(token), `a log line contains the access token: ${l}`);
            assert.ok(!l.includes('corpsecret=') && !l.includes(ACME.secret), `a log line contains a secret: ${l}`);
        }
        const accessLines = srv.stderrLines.filter((l) => /\baccess\b.*\brid=/.test(l));
        assert.equal(accessLines.length, 5, `expected 5 access lines, got:\n${accessLines.join('\n')}`);
    });
});

test('SIGTERM with requests in flight: each one completes, then exit code 0', { timeout: 120_000 }, async () => {
    const srv = await startServer();
    try {
        const token = await getToken(srv);
        const path = `/cgi-bin/kf/knowledge/add_group?access_token=${encodeURIComponent(token)}`;
        // Five uploads that have sent their headers and half of their body.
        const conns = [];
        for (let i = 0; i < 5; i++) {
            const body = Buffer.from(JSON.stringify({ name: `inflight${i}` }));
            const c = await connect(srv.port);
            const head = rawRequest('POST', path, { headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } });
            await c.write(Buffer.concat([head, body.subarray(0, 8)]));
            conns.push({ c, rest: body.subarray(8), name: `inflight${i}` });
        }
        // A keep-alive connection that is idle: it may be closed by the shutdown.
        const idle = await connect(srv.port);
        await idle.write(rawRequest('GET', '/healthz'));
        assert.equal((await idle.readResponse()).status, 200);

        await sleep(300); // the server has read the partial requests by now
        const exited = srv.stop('SIGTERM');
        await sleep(200);
        for (const { c, rest } of conns) await c.write(rest);
        for (const { c, name } of conns) {
            const r = await c.readResponse({ timeoutMs: 10_000 });
            assert.equal(r.status, 200, `${name}: HTTP ${r.status}`);
            assertOk(r.json, name);
            c.close();
        }
        const ex = await exited;
        assert.deepEqual({ code: ex.code, signal: ex.signal }, { code: 0, signal: null }, 'exit after SIGTERM');
        assert.ok(await idle.waitClosed(1000), 'idle keep-alive connection left open after exit');

        // The acknowledged in-flight writes are stored.
        await srv.restart();
        const names = (await listAll(srv, token)).groups.map((g) => g.name);
        for (let i = 0; i < 5; i++) assert.ok(names.includes(`inflight${i}`), `inflight${i} missing after restart`);
        const ex2 = await srv.stop('SIGTERM');
        assert.equal(ex2.code, 0);
    } catch (err) {
        throw withLog(err, srv);
    } finally {
        await srv.cleanup();
    }
});

test('SIGTERM while concurrent requests run: no truncated responses', { timeout: 120_000 }, async () => {
    const srv = await startServer();
    try {
        const token = await getToken(srv);
        const path = `/cgi-bin/kf/knowledge/list_group?access_token=${encodeURIComponent(token)}`;
        const conns = await Promise.all(Array.from({ length: 20 }, () => connect(srv.port)));
        // Send all requests, then SIGTERM at once: every response that starts must be
        // complete and valid; a connection may only be closed without any response.
        await Promise.all(conns.map((c) => c.write(rawRequest('POST', path, { body: '{}' }))));
        const exited = srv.stop('SIGTERM');
        let complete = 0;
        for (const c of conns) {
            try {
                const r = await c.readResponse({ timeoutMs: 10_000 });
                assert.equal(r.status, 200);
                assertOk(r.json);
                complete++;
            } catch (err) {
                assert.ok(c.closed && c.buf.length === 0, `truncated response: ${err.message}`);
            } finally {
                c.close();
            }
        }
        const ex = await exited;
        assert.deepEqual({ code: ex.code, signal: ex.signal }, { code: 0, signal: null }, `exit after SIGTERM (${complete}/20 answered)`);
    } catch (err) {
        throw withLog(err, srv);
    } finally {
        await srv.cleanup();
    }
});
