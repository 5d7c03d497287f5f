// tests/http/secrets.test.mjs - secrets at rest (docs/reliability.md, "Secrets at rest"):
// a copy of the database holds no app secret, API token, password, event key or issued
// token, yet every issued token keeps working after a restart and the reuse rules hand
// the same tokens out again; the server key lives outside the database (secret_key_file,
// by default <db>.key for SQLite, required for PostgreSQL), a database refuses another
// key, and --copy-to carries the key to a SQLite target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_HEADERS, adminSeed, adminTenant, binPath, makeTempDir, request, startServer, waitFor, withRestartableServer } from './lib/server.mjs';
import { appTokenRes, assertOk, authorizeCode, chatPath, createChat, fs as call, oauthToken, tenantToken, userTokenRes, CHATS } from './lib/feishu.mjs';
import { getToken, kf, assertOk as wcOk } from './lib/wecom.mjs';
import { udesk, udJson } from './lib/udesk.mjs';
import { startReceiver } from './lib/receiver.mjs';

const PG = process.env.QUNZU_TEST_PG;

const S = {
    app_secret: 'fs-app-secret-Vq7x1',
    wecom: 'wc-corp-secret-Vq7x2',
    api_token: 'ud-api-token-Vq7x3',
    password: 'ud-admin-pass-Vq7x4',
    encrypt_key: 'ev-encrypt-key-Vq7x5',
    verification_token: 'ev-verify-token-Vq7x6',
};
const APP = { app_id: 'cli_vault01', app_secret: S.app_secret, name: 'Vault Bot' };
const CORP = { corpid: 'wwvault', secret: S.wecom };
const UD = { subdomain: 'vault', email: 'admin@vault.test', token: S.api_token, password: S.password };

function vaultSeed(callbackUrl) {
    return {
        tenants: [{
            name: 'Vault',
            users: [{ user_id: 'alice', name: 'Alice', udesk_agent_id: 7 }, { user_id: 'bob', name: 'Bob' }],
            feishu: {
                tenant_key: 'vault',
                apps: [{
                    ...APP,
                    event: { callback_url: callbackUrl, encrypt_key: S.encrypt_key, verification_token: S.verification_token, types: ['im.chat.updated_v1'] },
                }],
            },
            wecom: { corpid: CORP.corpid, secrets: [CORP.secret] },
            udesk: { subdomain: UD.subdomain, admin_email: UD.email, api_token: UD.token, admin_password: UD.password },
        }],
    };
}

const dbOf = (srv) => srv.args[srv.args.indexOf('--db') + 1];

// Everything the database holds, as text: the SQLite files' bytes (WAL included), or
// every row of every table of the PostgreSQL database.
function databaseText(srv) {
    if (!PG) {
        const files = fs.readdirSync(srv.dir).filter((f) => f.startsWith('q.db') && !f.endsWith('.key'));
        assert.ok(files.includes('q.db'), `no database file in ${srv.dir}: ${files}`);
        return files.map((f) => fs.readFileSync(path.join(srv.dir, f)).toString('latin1')).join('\n');
    }
    const url = dbOf(srv);
    const psql = (sql) => execFileSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
    const tables = psql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").split('\n').filter(Boolean);
    assert.ok(tables.includes('token'), `no token table among ${tables}`);
    return tables.map((t) => psql(`SELECT t::text FROM "${t}" t`)).join('\n');
}

const chatUpdated = (rx) => rx.accepted.filter((e) => e.handled_as === 'im.chat.updated_v1').length;

test('the database holds no secret and no issued token; after a restart every token works and is handed out again', { timeout: 180_000 }, async () => {
    const rx = await startReceiver({ encryptKey: S.encrypt_key, verificationToken: S.verification_token });
    try {
        await withRestartableServer({ seed: null }, async (srv) => {
            // The admin API still returns the credentials it was given.
            const seeded = (await adminSeed(srv, vaultSeed(rx.url))).tenants[0];
            assert.equal(seeded.feishu.apps[0].app_secret, S.app_secret);
            assert.deepEqual(seeded.feishu.apps[0].event, { ...vaultSeed(rx.url).tenants[0].feishu.apps[0].event, mode: 'webhook' });
            assert.deepEqual(seeded.wecom.secrets, [S.wecom]);
            assert.equal(seeded.udesk.api_token, S.api_token);
            assert.equal(seeded.udesk.admin_password, S.password);

            // Issue a token of every kind, a spare OAuth code and a share link.
            const wc = await getToken(srv, CORP);
            const tt = await tenantToken(srv, APP);
            const at = (await appTokenRes(srv, APP)).app_access_token;
            const pair = await userTokenRes(srv, APP, 'alice');
            const code = await authorizeCode(srv, APP, 'alice');
            const chat = await createChat(srv, tt, { name: 'vaulted' });
            const link = assertOk(await call(srv, 'POST', chatPath(chat.chat_id, '/link'), tt, { validity_period: 'permanently' }));
            const linkToken = new URL(link.share_link).searchParams.get('link_token');
            const login = udJson(await request(srv, 'POST', '/open_api_v1/log_in', { body: { email: UD.email, password: UD.password } }));
            assert.equal(login.open_api_auth_token, S.api_token);
            assertOk(await call(srv, 'PUT', chatPath(chat.chat_id), tt, { name: 'vaulted 1' }));
            assert.ok(await waitFor(() => chatUpdated(rx) === 1, { timeoutMs: 15000 }), 'the first event was not delivered');

            const stored = { ...S, wc, tt, at, user: pair.access_token, refresh: pair.refresh_token, code, linkToken };
            const ex = await srv.stop('SIGTERM');
            assert.equal(ex.code, 0, 'exit after SIGTERM');
            const text = databaseText(srv);
            for (const [what, v] of Object.entries(stored)) {
                assert.ok(typeof v === 'string' && v.length >= 8, `${what}: ${v}`);
                assert.ok(!text.includes(v), `${what} (${v}) is stored in the database`);
            }

            await srv.restart();
            // The reuse rules hand the same tokens out again, and they still work.
            assert.equal(await getToken(srv, CORP), wc);
            wcOk(await kf(srv, 'list_group', wc, {}));
            assert.equal(await tenantToken(srv, APP), tt);
            assert.equal((await appTokenRes(srv, APP)).app_access_token, at);
            assertOk(await call(srv, 'GET', CHATS, pair.access_token), 'user token after restart');
            const refreshed = await oauthToken(srv, { grant_type: 'refresh_token', client_id: APP.app_id, client_secret: APP.app_secret, refresh_token: pair.refresh_token });
            assert.equal(refreshed.json?.code, 0, `refresh after restart: ${refreshed.body}`);
            const exchanged = await oauthToken(srv, { grant_type: 'authorization_code', client_id: APP.app_id, client_secret: APP.app_secret, code });
            assert.equal(exchanged.json?.code, 0, `code after restart: ${exchanged.body}`);
            const joined = await srv.request('POST', '/admin/v1/feishu/join_by_link', { headers: ADMIN_HEADERS, body: { link_token: linkToken, user_id: 'bob' } });
            assert.deepEqual(joined.json, { chat_id: chat.chat_id, result: 'joined' });
            // The Udesk token still signs, log_in still returns it.
            assert.equal((await udesk(srv, UD).list('question', 0)).code, 1000);
            assert.equal(udJson(await request(srv, 'POST', '/open_api_v1/log_in', { body: { email: UD.email, password: UD.password } })).open_api_auth_token, S.api_token);
            // Events are still encrypted and carry the verification token the receiver checks.
            assertOk(await call(srv, 'PUT', chatPath(chat.chat_id), tt, { name: 'vaulted 2' }));
            assert.ok(await waitFor(() => chatUpdated(rx) === 2, { timeoutMs: 15000 }), 'no event delivered after the restart');
            const t = await adminTenant(srv, 'Vault');
            assert.equal(t.feishu.apps[0].app_secret, S.app_secret);
            assert.deepEqual(t.wecom.secrets, [S.wecom]);
            assert.equal(t.udesk.admin_password, S.password);
            assert.equal((await srv.stop('SIGTERM')).code, 0);
        });
    } finally {
        await rx.close();
    }
});

const SMALL_SEED = { tenants: [{ name: 'Vault', wecom: { corpid: CORP.corpid, secrets: [CORP.secret] } }] };

test('SQLite: the default key file <db>.key, a database that refuses another key, --copy-to carries the key', { skip: PG ? 'SQLite only' : false, timeout: 120_000 }, async () => {
    const dir = makeTempDir();
    try {
        let token;
        const keyFile = path.join(dir, 'q.db.key');
        await withRestartableServer({ dir, seed: SMALL_SEED, secretKeyFile: null }, async (srv) => {
            const st = fs.statSync(keyFile);
            assert.equal(st.mode & 0o777, 0o600, 'the key file is private');
            assert.match(fs.readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
            token = await getToken(srv, CORP);
            assert.equal((await srv.stop('SIGTERM')).code, 0);
            await srv.restart();
            assert.equal(await getToken(srv, CORP), token, 'the token is handed out again after a restart');
            assert.equal((await srv.stop('SIGTERM')).code, 0);
        });
        const key = fs.readFileSync(keyFile, 'utf8').trim();

        // Key material never shows in --print-config.
        const printed = spawnSync(binPath(), ['--db', `sqlite:${path.join(dir, 'q.db')}`, '--secret-key-file', keyFile, '--print-config'], { encoding: 'utf8' });
        assert.equal(printed.status, 0, printed.stderr);
        assert.match(printed.stdout, /^secret_key_file = /m);
        assert.ok(!printed.stdout.includes(key), 'the key was printed');

        // Another key does not open this database: a clear refusal at start.
        const other = path.join(dir, 'other.key');
        fs.writeFileSync(other, crypto.randomBytes(32).toString('hex'), { mode: 0o600 });
        await assert.rejects(startServer({ dir, seed: null, secretKeyFile: other }), /not the one this database was written with/);

        // --copy-to a SQLite file gives the copy the same key in its default key file.
        const copy = path.join(dir, 'copy', 'q.db');
        fs.mkdirSync(path.dirname(copy));
        const r = spawnSync(binPath(), ['--db', `sqlite:${path.join(dir, 'q.db')}`, '--copy-to', `sqlite:${copy}`], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(fs.readFileSync(`${copy}.key`, 'utf8').trim(), key);
        await withRestartableServer({ dir: path.dirname(copy), seed: null, secretKeyFile: null }, async (copied) => {
            assert.equal(await getToken(copied, CORP), token, 'the copy hands out the same token');
            assert.equal((await copied.stop('SIGTERM')).code, 0);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('PostgreSQL: a server without secret_key_file refuses to start, naming the key', { skip: PG ? false : 'needs PostgreSQL', timeout: 60_000 }, async () => {
    await assert.rejects(startServer({ seed: null, secretKeyFile: null }), /secret_key_file' is required with PostgreSQL/);
});
