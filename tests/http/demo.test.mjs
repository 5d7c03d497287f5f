// --demo on: a fresh database gets a demo tenant, and the server prints its
// credentials (admin token, WeCom corpid and secret), which work at once.

import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, withLog, waitFor } from './lib/server.mjs';
import { getToken, kf, assertOk } from './lib/wecom.mjs';

function credentials(stdout) {
    const pick = (re) => (re.exec(stdout) || [])[1];
    return {
        admin: pick(/^\s*admin token:\s*(\S+)\s*$/m),
        corpid: pick(/^\s*wecom corpid:\s*(\S+)\s*$/m),
        secret: pick(/^\s*wecom secret:\s*(\S+)\s*$/m),
    };
}

test('--demo on prints working demo credentials', { timeout: 120_000 }, async () => {
    const srv = await startServer({ seed: null, adminToken: null, demo: 'on' });
    try {
        await waitFor(() => {
            const c = credentials(srv.stdoutText());
            return c.admin && c.corpid && c.secret;
        }, { timeoutMs: 5000 });
        const c = credentials(srv.stdoutText());
        assert.ok(c.admin, `no 'admin token:' line on stdout:\n${srv.stdoutText()}`);
        assert.ok(c.corpid, `no 'wecom corpid:' line on stdout:\n${srv.stdoutText()}`);
        assert.ok(c.secret, `no 'wecom secret:' line on stdout:\n${srv.stdoutText()}`);
        assert.match(c.corpid, /^w[wx]/, 'corpid should look like a WeCom corpid');

        const token = await getToken(srv, { corpid: c.corpid, secret: c.secret });
        const j = await kf(srv, 'list_group', token, {});
        assertOk(j);
        assert.equal(j.group_list[0].name, '默认分组');
        assert.equal(j.group_list[0].is_default, 1);

        let r = await srv.request('GET', '/admin/v1/clock', { headers: { Authorization: `Bearer ${c.admin}` } });
        assert.equal(r.status, 200, `admin token from the banner rejected: ${r.body}`);
        // The banner names the console, which answers there.
        const con = /^web console: (http:\/\/\S+)/m.exec(srv.stdoutText());
        assert.ok(con, `no 'web console:' line on stdout:\n${srv.stdoutText()}`);
        assert.equal(con[1], `${srv.url}/console/`);
        assert.equal((await srv.request('GET', new URL(con[1]).pathname)).status, 200);
        assert.ok(Number.isInteger(r.json.now));
        r = await srv.request('GET', '/admin/v1/clock', { headers: { Authorization: `Bearer ${c.admin}x` } });
        assert.equal(r.status, 401);
        // The fixture's tenants are not there: no --seed was given.
        r = await srv.request('GET', '/cgi-bin/gettoken?corpid=wwacme&corpsecret=acme-kf-secret');
        assert.equal(r.json.errcode, 40013);

        // The demo tenant is stored: its WeCom credentials still work after a restart.
        const ex = await srv.stop('SIGTERM');
        assert.equal(ex.code, 0, 'exit after SIGTERM');
        // The admin token is kept as a digest only: not in the database, not printed
        // again, still accepted after the restart.
        if (!process.env.QUNZU_TEST_PG) {
            for (const f of fs.readdirSync(srv.dir).filter((x) => x.startsWith('q.db'))) {
                assert.ok(!fs.readFileSync(path.join(srv.dir, f)).includes(c.admin), `the admin token is stored in ${f}`);
            }
        }
        const printed = srv.stdoutLines.length;
        await srv.restart();
        assert.equal(await getToken(srv, { corpid: c.corpid, secret: c.secret }), token);
        assert.ok(!srv.stdoutLines.slice(printed).join('\n').includes(c.admin), 'the admin token was printed again');
        r = await srv.request('GET', '/admin/v1/clock', { headers: { Authorization: `Bearer ${c.admin}` } });
        assert.equal(r.status, 200, `admin token rejected after a restart: ${r.body}`);
        const ex2 = await srv.stop('SIGTERM');
        assert.equal(ex2.code, 0, 'exit after SIGTERM');
    } catch (err) {
        throw withLog(err, srv);
    } finally {
        await srv.cleanup();
    }
});
