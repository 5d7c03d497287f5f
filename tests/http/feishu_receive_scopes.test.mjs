// Which bots receive im.message.receive_v1 follows their apps' scopes ("Receive messages":
// a group's every user message needs im:message.group_msg(:readonly); one that @-mentions
// the bot needs im:message.group_at_msg(:readonly); another bot's message only with
// im:message.group_at_msg.include_bot:readonly). The default scope set holds them all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents, adminTenant } from './lib/server.mjs';
import { APP1, feishuSeed, tenantToken, withFeishuServer } from './lib/feishu.mjs';

const AT_ONLY = { app_id: 'cli_atonly01', app_secret: 'at-only-secret', name: 'At Only' };

function seed() {
    const s = feishuSeed();
    s.tenants.find((t) => t.name === 'Acme').feishu.apps.push({
        ...AT_ONLY, scopes: ['im:chat', 'im:message', 'im:message.group_at_msg:readonly'],
    });
    return s;
}

async function call(srv, method, path, token, body) {
    const res = await srv.request(method, path, { body, headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.json?.code, 0, `${method} ${path}: ${res.body}`);
    return res.json.data;
}

async function say(srv, chat, text) {
    const res = await srv.request('POST', '/admin/v1/feishu/say', {
        headers: ADMIN_HEADERS, body: { chat_id: chat, user_id: 'wangwu', msg_type: 'text', content: JSON.stringify({ text }) },
    });
    assert.equal(res.status, 200, res.body);
    return res.json.message_id;
}

// The receive_v1 records written for one message, by receiving app.
async function receivers(srv, messageId) {
    const items = (await adminEvents(srv, { tenant: 'Acme' })).items;
    return items.filter((e) => e.event_type === 'im.message.receive_v1' && e.body?.event?.message?.message_id === messageId)
        .map((e) => e.app_id).sort();
}

test('a bot without the all-messages scope receives only the group messages that mention it', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t = await tenantToken(srv, APP1);
        const chat = (await call(srv, 'POST', '/open-apis/im/v1/chats?user_id_type=user_id', t, { name: 'scoped', user_id_list: ['wangwu'] })).chat_id;
        await call(srv, 'POST', `/open-apis/im/v1/chats/${chat}/members?member_id_type=app_id`, t, { id_list: [AT_ONLY.app_id] });
        const atOnlyBot = (await adminTenant(srv, 'Acme')).feishu.apps.find((a) => a.app_id === AT_ONLY.app_id).bot_open_id;
        assert.match(atOnlyBot, /^ou_/);

        // A person's plain message: the default app (all scopes) gets it, the @-only app not.
        const plain = await say(srv, chat, 'anyone there?');
        assert.deepEqual(await receivers(srv, plain), [APP1.app_id]);

        // Mentioning the @-only bot: both get it.
        const at = await say(srv, chat, `<at user_id="${atOnlyBot}">At Only</at> are you there?`);
        assert.deepEqual(await receivers(srv, at), [APP1.app_id, AT_ONLY.app_id].sort());

        // Another bot's message that mentions it: only with the include-bot scope, which
        // the @-only app lacks.
        const fromBot = (await call(srv, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', t, {
            receive_id: chat, msg_type: 'text', content: JSON.stringify({ text: `<at user_id="${atOnlyBot}">At Only</at> ping` }),
        })).message_id;
        assert.deepEqual(await receivers(srv, fromBot), []);
    }, { seed: seed() });
});
