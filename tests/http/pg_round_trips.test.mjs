// tests/http/pg_round_trips.test.mjs - how many round trips to PostgreSQL a request
// costs, read from postgres.round_trips of GET /admin/v1/stats before and after it
// (issue 21: a read is bound by its statements; docs/performance.md). A count, not
// a timing. Runs only when QUNZU_TEST_PG names a PostgreSQL server. The answer cache
// is off here: these are the reads rendered; a kept answer's one round trip is
// answer_cache.test.mjs's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminSeed, dbOf, withServer } from './lib/server.mjs';
import { ACME, addGroupOk, getToken, kf } from './lib/wecom.mjs';
import { udesk } from './lib/udesk.mjs';
import { APP1, OWNER_SCOPES, assertOk, chatPath, createChat, fs as call, tenantToken, withFeishuServer } from './lib/feishu.mjs';

const PG = process.env.QUNZU_TEST_PG;
const pgOnly = PG ? false : 'needs PostgreSQL (QUNZU_TEST_PG, set by scripts/test.sh)';

const trips = async (srv) => (await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS })).json.postgres.round_trips;

// The round trips of one call of 'fn' (the stats request itself costs none), the
// lowest of five: the counter is the process's, and a background pass (the event
// delivery's) may run during one. 'setup', when given, runs before each call,
// uncounted.
async function cost(srv, fn, setup = null) {
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
        if (setup) await setup();
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
        let n = 0;
        const member = async (method, who) => assertOk(await call(srv, method, chatPath(chat, '/members?member_id_type=user_id'), token, { id_list: [who] }), `${method} member`);
        await member('POST', 'wujiu');
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
            'create chat': await cost(srv, async () => assertOk(await call(srv, 'POST', '/open-apis/im/v1/chats', token, { name: 'made' }), 'create chat')),
            'update chat': await cost(srv, async () => assertOk(await call(srv, 'PUT', chatPath(chat), token, { name: `renamed ${n++}` }), 'update chat')),
            'add a member': await cost(srv, () => member('POST', 'zhaoliu'), () => member('DELETE', 'zhaoliu')),
            'remove a member': await cost(srv, () => member('DELETE', 'zhaoliu'), () => member('POST', 'zhaoliu')),
            'add a member already in': await cost(srv, () => member('POST', 'wujiu')),
            'remove a member not in': await cost(srv, () => member('DELETE', 'zhaoliu')),
        };
        // At most: a token handed out again costs the data version's read (the
        // node's grant cache holds it under that version; svc_gcache.c);
        // a Feishu call one statement for the app's access row (read once per
        // request: it also names the bot that sent a message), one for the chat with
        // its counts, its tenant's key and the caller's membership, then what the
        // request itself reads (get chat: its managers, and its owner's open_id when a
        // person owns it; docs/performance.md, "Round 2, PostgreSQL").
        // A write (docs/performance.md, "Round 3: PostgreSQL writes"): what it reads
        // before it decides, each statement whose rows nobody reads sent with the next
        // one, its event's outbox row with the COMMIT.
        const bounds = { 'wecom gettoken': 1, 'feishu tenant token': 1, 'get chat': 3, 'get chat a person owns': 4, 'list members': 4, 'get message': 3, 'list messages': 3, 'send text': 5,
            'create chat': 4, 'update chat': 4, 'add a member': 10, 'remove a member': 9, 'add a member already in': 5, 'remove a member not in': 4 };
        for (const [what, max] of Object.entries(bounds)) {
            assert.ok(counts[what] <= max, `${what}: ${counts[what]} round trips, at most ${max} expected (${JSON.stringify(counts)})`);
        }
    }, { args: ['--retention-interval-ms', '0', '--answer-cache-bytes', '0'] });
});

// The knowledge writes the bench measures: WeCom's add_group and del_group, Udesk's
// create catalog (a signed request: its nonce is claimed in the same transaction).
test('round trips per knowledge write on PostgreSQL', { skip: pgOnly, timeout: 120_000 }, async () => {
    await withServer({ args: ['--retention-interval-ms', '0'] }, async (srv) => {
        const token = await getToken(srv, ACME);
        const ud = udesk(srv);
        let n = 0, group = null;
        const del = async () => assert.equal((await kf(srv, 'del_group', token, { group_id: group })).errcode, 0);
        const counts = {
            'wecom add_group': await cost(srv, async () => { group = await addGroupOk(srv, token, `trips ${n++}`); }, async () => { if (group) await del(); }),
            'wecom del_group': await cost(srv, del, async () => { group = await addGroupOk(srv, token, `trips ${n++}`); }),
            'udesk create catalog': await cost(srv, async () => {
                const res = await ud.call('POST', '/open_api_v1/knowledge_catalogs', { body: { knowledge_catalog: { knowledge_type_name: 'useful_link', name: `trips ${n++}`, parent_id: 0, agent_id: 0 } } });
                assert.equal(res.json?.code, 1000, res.body);
            }),
        };
        // At most (docs/performance.md, "Round 3: PostgreSQL writes"): add_group the
        // tenant's lock with the name and the count in one statement, the insert, the
        // commit; del_group the lock with the group's lookup, then its items' and its
        // own delete with the commit; a Udesk create the company's lookup, the nonce's
        // claim (the expired ones' purge sent with it), the lock with the insert, the
        // commit.
        const bounds = { 'wecom add_group': 2, 'wecom del_group': 2, 'udesk create catalog': 4 };
        for (const [what, max] of Object.entries(bounds)) {
            assert.ok(counts[what] <= max, `${what}: ${counts[what]} round trips, at most ${max} expected (${JSON.stringify(counts)})`);
        }
    });
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
