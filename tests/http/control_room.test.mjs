// The emulator's control room: fault rules, the request inspector, /metrics.
// Both backends (fault rules live in the database; the inspector and the metrics are
// this node's).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ADMIN_HEADERS, withRestartableServer, withServer } from './lib/server.mjs';
import { APP1, tenantToken } from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';
import { ACME, getToken, kf } from './lib/wecom.mjs';
import { ACME as UD_ACME, SEED as UD_SEED, udesk } from './lib/udesk.mjs';

async function admin(srv, method, path, body) {
    return srv.request(method, path, { body, headers: ADMIN_HEADERS });
}

async function addFault(srv, rule) {
    const res = await admin(srv, 'POST', '/admin/v1/faults', rule);
    assert.equal(res.status, 200, res.body);
    assert.ok(Number.isInteger(res.json.id), res.body);
    return res.json;
}

async function faults(srv) {
    const res = await admin(srv, 'GET', '/admin/v1/faults');
    assert.equal(res.status, 200, res.body);
    return res.json.items;
}

function createChatRaw(srv, token, name) {
    return srv.request('POST', '/open-apis/im/v1/chats', { body: { name }, headers: { Authorization: `Bearer ${token}` } });
}

test('fault rules: the platform answer through the official SDK, then the real one; narrowed by tenant; survive a restart', { timeout: 120_000 }, async () => {
    await withRestartableServer({}, async (srv) => {
        const client = sdkClient(srv);
        const rule = await addFault(srv, {
            dialect: 'feishu', route: 'POST /open-apis/im/v1/chats', tenant: 'Acme', count: 1,
            answer: { code: 99991400 },
        });
        assert.equal(rule.fired, 0);
        // The SDK sees the gateway's rate-limit answer: HTTP 429 with the platform body.
        await assert.rejects(client.im.chat.create({ data: { name: 'first' } }), (err) => {
            assert.equal(err.response?.status, 429, String(err));
            assert.equal(err.response.data.code, 99991400);
            assert.equal(err.response.data.msg, 'request trigger frequency limit');
            assert.ok(err.response.headers['x-ogw-ratelimit-reset'] !== undefined, 'rate-limit headers');
            return true;
        });
        // count 1: the next call is the real one.
        const ok = await client.im.chat.create({ data: { name: 'second' } });
        assert.equal(ok.code, 0);
        let items = await faults(srv);
        assert.equal(items.length, 1);
        assert.equal(items[0].fired, 1);
        assert.equal(items[0].tenant, 'Acme');
        assert.equal(items[0].route, 'POST /open-apis/im/v1/chats');

        // A rule for Globex does not touch Acme; a 5xx with its own status does touch Globex.
        await addFault(srv, { dialect: 'feishu', route: 'POST /open-apis/im/v1/chats', tenant: 'Globex', answer: { code: 55001, status: 503 } });
        const acme = await createChatRaw(srv, await tenantToken(srv, APP1), 'acme-ok');
        assert.equal(acme.status, 200, acme.body);
        const globex = await createChatRaw(srv, await tenantToken(srv, { app_id: 'cli_globex01', app_secret: 'globex-app-secret' }), 'globex');
        assert.equal(globex.status, 503, globex.body);
        assert.equal(globex.json.code, 55001);
        assert.ok(globex.json.error?.log_id, 'the Feishu error envelope');

        // Rules are in the database: after a restart they still apply (fired counts restart).
        await srv.stop('SIGTERM');
        await srv.restart();
        const again = await createChatRaw(srv, await tenantToken(srv, { app_id: 'cli_globex01', app_secret: 'globex-app-secret' }), 'globex2');
        assert.equal(again.status, 503, again.body);
        items = await faults(srv);
        assert.equal(items.length, 2);
        // Deleted, it no longer fires.
        for (const it of items) assert.equal((await admin(srv, 'DELETE', `/admin/v1/faults/${it.id}`)).status, 200);
        const after = await createChatRaw(srv, await tenantToken(srv, { app_id: 'cli_globex01', app_secret: 'globex-app-secret' }), 'globex3');
        assert.equal(after.status, 200, after.body);
        assert.equal((await admin(srv, 'DELETE', `/admin/v1/faults/${items[0].id}`)).status, 404);
        await srv.stop('SIGTERM');
    });
});

test('fault rules: WeCom and Udesk codes in their envelopes, a slow answer, a dropped connection, bad rules', { timeout: 120_000 }, async () => {
    await withServer({ seed: UD_SEED }, async (srv) => {
        const token = await getToken(srv, ACME);
        await addFault(srv, { dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/add_group', count: 2, answer: { code: 45009 } });
        for (let i = 0; i < 2; i++) {
            const j = await kf(srv, 'add_group', token, { name: `f${i}` });
            assert.equal(j.errcode, 45009, JSON.stringify(j));
            assert.match(j.errmsg, /^api freq out of limit/);
        }
        assert.equal((await kf(srv, 'add_group', token, { name: 'f2' })).errcode, 0);
        await addFault(srv, { dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/list_group', count: 1, answer: { code: -1 } });
        assert.equal((await kf(srv, 'list_group', token, {})).errcode, -1);

        const ud = udesk(srv, UD_ACME);
        await addFault(srv, { dialect: 'udesk', route: 'GET /open_api_v1/knowledge_catalogs', count: 1, answer: { code: 2000, msg: '请求过于频繁' } });
        const refused = await ud.list('question', 0);
        assert.deepEqual(refused, { code: 2000, message: '请求过于频繁' });
        assert.equal((await ud.list('question', 0)).code, 1000);

        // A slow answer: the call runs and its answer comes no sooner than the delay.
        await addFault(srv, { dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/list_group', count: 1, answer: { delay_ms: 400 } });
        const t0 = Date.now();
        const slow = await kf(srv, 'list_group', token, {});
        assert.equal(slow.errcode, 0);
        assert.ok(Date.now() - t0 >= 380, `answered after ${Date.now() - t0} ms`);

        // No answer at all: the connection is closed under the client.
        await addFault(srv, { dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/list_group', count: 1, answer: { drop: true } });
        const agent = new http.Agent({ keepAlive: false });
        await assert.rejects(srv.request('POST', `/cgi-bin/kf/knowledge/list_group?access_token=${token}`, { body: {}, agent }),
            (err) => /ECONNRESET|socket hang up|EPIPE/.test(String(err.code || err.message)));
        agent.destroy();
        assert.equal((await kf(srv, 'list_group', token, {})).errcode, 0, 'the server still serves');

        // Rules that cannot apply are refused with a reason.
        const bad = [
            [{ dialect: 'nope', route: 'POST /x', answer: { code: 1 } }, 400],
            [{ dialect: 'wecom', route: 'POST /cgi-bin/nope', answer: { code: 1 } }, 404],
            [{ dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/add_group', answer: { code: 1, drop: true } }, 400],
            [{ dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/add_group', count: 1, ratio: 0.5, answer: { code: 1 } }, 400],
            [{ dialect: 'wecom', route: 'POST /cgi-bin/kf/knowledge/add_group', tenant: 'Nobody', answer: { code: 1 } }, 404],
        ];
        for (const [rule, status] of bad) {
            const res = await admin(srv, 'POST', '/admin/v1/faults', rule);
            assert.equal(res.status, status, `${JSON.stringify(rule)}: ${res.body}`);
            assert.ok(res.json.error.message, res.body);
        }
    });
});

test('the request inspector shows what was called and no secret the seed holds', { timeout: 60_000 }, async () => {
    const seed = {
        tenants: [{
            name: 'Acme',
            users: [{ user_id: 'zhangsan', name: 'Zhang San', udesk_agent_id: 101 }],
            feishu: { tenant_key: 'acme', apps: [{ app_id: 'cli_acme01', app_secret: 'acme-app-secret-0123' }] },
            wecom: { corpid: 'wwacme', secrets: ['acme-kf-secret-4567'] },
            udesk: { subdomain: 'acme', admin_email: 'admin@acme.test', api_token: 'acme-udesk-token-89ab', admin_password: 'acme-admin-pass-cdef' },
        }],
    };
    await withServer({ seed }, async (srv) => {
        const wc = await getToken(srv, { corpid: 'wwacme', secret: 'acme-kf-secret-4567' });
        assert.equal((await kf(srv, 'add_group', wc, { name: 'inspected' })).errcode, 0);
        const tt = await tenantToken(srv, { app_id: 'cli_acme01', app_secret: 'acme-app-secret-0123' });
        assert.equal((await createChatRaw(srv, tt, 'seen')).status, 200);
        const ud = udesk(srv, { subdomain: 'acme', email: 'admin@acme.test', token: 'acme-udesk-token-89ab' });
        assert.equal((await ud.list('question', 0)).code, 1000);
        const login = await srv.request('POST', '/open_api_v1/log_in', { body: { email: 'admin@acme.test', password: 'acme-admin-pass-cdef' } });
        assert.equal(login.json.code, 1000, login.body);

        const res = await admin(srv, 'GET', '/admin/v1/requests?limit=1000');
        assert.equal(res.status, 200, res.body);
        const items = res.json.items;
        const paths = items.map((i) => `${i.method} ${i.path}`);
        for (const p of ['GET /cgi-bin/gettoken', 'POST /cgi-bin/kf/knowledge/add_group',
            'POST /open-apis/auth/v3/tenant_access_token/internal', 'POST /open-apis/im/v1/chats',
            'GET /open_api_v1/knowledge_catalogs', 'POST /open_api_v1/log_in']) {
            assert.ok(paths.includes(p), `${p} not in ${paths}`);
        }
        const chat = items.find((i) => i.path === '/open-apis/im/v1/chats');
        assert.equal(chat.status, 200);
        assert.equal(chat.code, 0);
        assert.ok(chat.latency_us >= 0);
        assert.match(chat.response, /"chat_id":"oc_/);
        // Every secret of the seed and every credential issued: none is shown.
        const text = JSON.stringify(res.json);
        for (const secret of ['acme-app-secret-0123', 'acme-kf-secret-4567', 'acme-udesk-token-89ab', 'acme-admin-pass-cdef', wc, tt]) {
            assert.ok(!text.includes(secret), `the inspector shows ${secret}`);
        }
        assert.ok(!paths.some((p) => p.includes('/admin/')), 'the admin API is not inspected');
        // Per tenant, and paged.
        const acme = await admin(srv, 'GET', '/admin/v1/requests?tenant=Acme&limit=2');
        assert.equal(acme.json.items.length, 2);
        assert.ok(Number.isInteger(acme.json.next));
        const rest = await admin(srv, 'GET', `/admin/v1/requests?tenant=Acme&after=${acme.json.next}`);
        assert.ok(rest.json.items.every((i) => i.seq > acme.json.next));
        assert.equal((await admin(srv, 'GET', '/admin/v1/requests?tenant=Nobody')).status, 404);
    });
});

test('/metrics: Prometheus text a real parser reads, requests by endpoint and status, latency histograms, counters', { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv, ACME);
        assert.equal((await kf(srv, 'add_group', token, { name: 'm1' })).errcode, 0);
        assert.equal((await kf(srv, 'add_group', token, { name: 'm1' })).errcode, 40058);
        await srv.request('GET', '/open-apis/no/such/path');
        const res = await srv.request('GET', '/metrics');
        assert.equal(res.status, 200);
        assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
        const families = Object.fromEntries(parsePrometheusTextFormat(res.body).map((f) => [f.name, f]));
        const reqs = families.qunzu_http_requests_total;
        assert.equal(reqs.type, 'COUNTER');
        const add = reqs.metrics.find((m) => m.labels.route === '/cgi-bin/kf/knowledge/add_group' && m.labels.status === '200');
        assert.deepEqual({ ...add.labels }, { dialect: 'wecom', method: 'POST', route: '/cgi-bin/kf/knowledge/add_group', status: '200' });
        assert.equal(Number(add.value), 2, 'both add_group calls answer HTTP 200 (WeCom errors are 200)');
        assert.ok(reqs.metrics.some((m) => m.labels.route === 'unmatched' && m.labels.dialect === 'feishu' && m.labels.status === '404'));
        const hist = families.qunzu_http_request_duration_seconds;
        assert.equal(hist.type, 'HISTOGRAM');
        assert.ok(hist.metrics.length > 0 && hist.metrics[0].buckets['+Inf'] !== undefined);
        // The parser folds a labelled histogram's series into one: read one series' lines
        // here (cumulative buckets ending at +Inf = _count).
        const series = res.body.split('\n').filter((l) => l.startsWith('qunzu_http_request_duration_seconds')
            && l.includes('route="/cgi-bin/kf/knowledge/add_group"'));
        const buckets = series.filter((l) => l.includes('_bucket')).map((l) => Number(l.split(' ').pop()));
        assert.equal(buckets.length, 15);
        for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], 'cumulative');
        assert.equal(buckets.at(-1), 2);
        assert.ok(series.some((l) => /_count\{.*\} 2$/.test(l)));
        assert.ok(series.some((l) => /_sum\{.*\} [0-9.]+$/.test(l)));
        for (const name of ['qunzu_rate_limited_total', 'qunzu_busy_total', 'qunzu_store_errors_total', 'qunzu_fault_rules_fired_total',
            'qunzu_token_cache_hits_total', 'qunzu_group_commit_batches_total', 'qunzu_write_queue_requests', 'qunzu_outbox_events']) {
            assert.ok(families[name], `${name} missing`);
        }
        assert.deepEqual(families.qunzu_outbox_events.metrics.map((m) => m.labels.state).sort(), ['delivered', 'failed', 'pending', 'skipped']);
        // Group commit's batch sizes and event delivery times as histograms; open connections.
        assert.equal(families.qunzu_group_commit_batch_size?.type, 'HISTOGRAM');
        assert.equal(families.qunzu_event_delivery_duration_seconds?.type, 'HISTOGRAM');
        assert.equal(families.qunzu_http_open_connections?.type, 'GAUGE');
        assert.ok(Number(families.qunzu_http_open_connections.metrics[0].value) >= 1, 'the scrape is an open connection');
        if (!process.env.QUNZU_TEST_PG) {
            const sizes = res.body.split('\n').filter((l) => l.startsWith('qunzu_group_commit_batch_size_'));
            // Both add_group calls went through the group (a token issued while the
            // group's connection was busy goes there too).
            const sum = Number(sizes.find((l) => l.startsWith('qunzu_group_commit_batch_size_sum '))?.split(' ')[1]);
            assert.ok(sum >= 2 && sum <= 3, sizes.join('\n'));
        }
    });
    await withServer({ args: ['--metrics-require-admin', 'on'] }, async (srv) => {
        assert.equal((await srv.request('GET', '/metrics')).status, 401);
        assert.equal((await srv.request('GET', '/metrics', { headers: ADMIN_HEADERS })).status, 200);
    });
});
