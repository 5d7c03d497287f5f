// tests/http/pg_round_trips.test.mjs - how many round trips to PostgreSQL a request
// costs, read from postgres.round_trips of GET /admin/v1/stats before and after it
// (issue 21: a read is bound by its statements; docs/performance.md). A count, not
// a timing. Runs only when QUNZU_TEST_PG names a PostgreSQL server. The answer cache
// is off here: these are the reads rendered; a kept answer's one round trip is
// answer_cache.test.mjs's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminSeed, dbOf, withServer } from './lib/server.mjs';
import { ACME, getToken } from './lib/wecom.mjs';
import { APP1, OWNER_SCOPES, assertOk, chatPath, createChat, fs as call, tenantToken, withFeishuServer } from './lib/feishu.mjs';

const PG = process.env.QUNZU_TEST_PG;
const pgOnly = PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';

const trips = async (srv) => (await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS })).json.postgres.round_trips;

// The round trips of one call of 'fn' (the stats request itself costs none), the
// lowest of five: the counter is the process's, and a background pass (the event
// delivery's) may run during one.
async function cost(srv, fn) {
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
        const before = await trips(srv);
        await fn();
        best = Math.min(best, (await trips(srv)) - before);
    }
    return best;
}

test('round trips per request on PostgreSQL', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const token = await tenantToken(srv, APP1);
        const chat = (await createChat(srv, token, { name: 'trips' })).chat_id;
        const owned = (await createChat(srv, token, { name: 'owned', owner_id: 'zhangsan', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' })).chat_id;
        const sent = assertOk(await call(srv, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', token,
            { receive_id: chat, msg_type: 'text', content: JSON.stringify({ text: 'hi' }) }), 'send').message_id;
        const counts = {
            'wecom gettoken': await cost(srv, () => getToken(srv, ACME)),
            'feishu tenant token': await cost(srv, () => tenantToken(srv, APP1)),
            'get chat': await cost(srv, async () => assertOk(await call(srv, 'GET', chatPath(chat), token), 'get chat')),
            'get chat a person owns': await cost(srv, async () => assertOk(await call(srv, 'GET', chatPath(owned), token), 'get owned chat')),
            'list members': await cost(srv, async () => assertOk(await call(srv, 'GET', chatPath(chat, '/members'), token), 'members')),
            'get message': await cost(srv, async () => assertOk(await call(srv, 'GET', `/open-apis/im/v1/messages/${sent}`, token), 'get message')),
            'list messages': await cost(srv, async () => assertOk(await call(srv, 'GET', `/open-apis/im/v1/messages?container_id_type=chat&container_id=${chat}`, token), 'list messages')),
            'send text': await cost(srv, async () => assertOk(await call(srv, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', token,
                { receive_id: chat, msg_type: 'text', content: JSON.stringify({ text: 'again' }) }), 'send')),
        };
        // At most: a token costs its credential lookup (the corpid and the secret
        // in one statement), the tenant's lock with the live token, and the commit;
        // a Feishu call one statement for the app's access row (read once per
        // request: it also names the bot that sent a message), one for the chat with
        // its counts, its tenant's key and the caller's membership, then what the
        // request itself reads (get chat: its managers, and its owner's open_id when a
        // person owns it; docs/performance.md, "Round 2, PostgreSQL").
        const bounds = { 'wecom gettoken': 3, 'feishu tenant token': 3, 'get chat': 3, 'get chat a person owns': 4, 'list members': 4, 'get message': 3, 'list messages': 3, 'send text': 5 };
        for (const [what, max] of Object.entries(bounds)) {
            assert.ok(counts[what] <= max, `${what}: ${counts[what]} round trips, at most ${max} expected (${JSON.stringify(counts)})`);
        }
    }, { args: ['--retention-interval-ms', '0', '--answer-cache-bytes', '0'] });
});

// Fewer statements must never mean an older answer: what a request keeps of its app
// lives as long as the request, so a scope change acknowledged by one node holds for
// the very next call on another.
test('an app\'s scopes changed through one node hold at once on the other', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withFeishuServer(async (a) => {
        await withServer({ db: dbOf(a), seed: null }, async (b) => {
            const setScopes = (scopes) => adminSeed(a, { tenants: [{ name: 'Acme', feishu: { tenant_key: 'acme', apps: [{ app_id: APP1.app_id, scopes }] } }] });
            const token = await tenantToken(a, APP1);
            const chat = (await createChat(a, token, { name: 'scoped' })).chat_id;
            for (let round = 0; round < 3; round++) {
                assertOk(await call(b, 'GET', chatPath(chat), token), `round ${round}: get chat on B before`);
                await setScopes(['im:message']);
                const res = await call(b, 'GET', chatPath(chat), token);
                assert.equal(res.json?.code, 99991672, `round ${round}: B answered with the scopes A replaced: ${res.body}`);
                await setScopes(OWNER_SCOPES);
                assertOk(await call(b, 'GET', chatPath(chat), token), `round ${round}: get chat on B after the scopes came back`);
            }
        });
    });
});
