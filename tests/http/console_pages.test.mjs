// Every main page of the web console in a real browser (headless Chromium,
// playwright-core), over a tenant that holds something of each kind: each loads with no
// console error, no uncaught exception and no failed or refused request; each is saved
// as a screenshot (tests/http/artifacts/console/<page>-<backend>.png, kept by CI as a
// test artifact); and axe-core finds no serious or critical accessibility violation on
// it. The chat page is also checked in a narrow window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, makeTempDir, waitFor } from './lib/server.mjs';
import { withFeishuServer, tenantToken, createChat, fs, APP1 } from './lib/feishu.mjs';
import { ACME, getToken, addGroupOk } from './lib/wecom.mjs';
import { startEchoBot } from './lib/echobot.mjs';
import { browserSkip, withConsole } from './lib/browser.mjs';

const CHAT = 'Everything chat';

// Acme with a chat and its timeline (a person's message, the bot's reply, a post, a
// recalled message), events with their deliveries, a fault rule, a snapshot, calls in
// the request inspector, and a WeCom knowledge group.
async function furnish(srv) {
    const bot = await startEchoBot(srv);
    try {
        const token = await tenantToken(srv, APP1);
        const chat = await createChat(srv, token, { name: CHAT, user_id_list: ['wangwu', 'zhaoliu'] }, { user_id_type: 'user_id' });
        const say = async (user, msg_type, content) => {
            const res = await srv.request('POST', '/admin/v1/feishu/say', {
                headers: ADMIN_HEADERS, body: { chat_id: chat.chat_id, user_id: user, msg_type, content: JSON.stringify(content) },
            });
            assert.equal(res.status, 200, res.body);
            return res.json;
        };
        const answered = async (n) => assert.ok(await waitFor(() => bot.replies.length >= n, { timeoutMs: 15000 }), `the bot answered: ${JSON.stringify(bot.errors)}`);
        await say('wangwu', 'text', { text: 'is the build green?' });
        await answered(1);
        await say('zhaoliu', 'post', { zh_cn: { title: 'Release notes', content: [[{ tag: 'text', text: 'Version 2 is out.' }]] } });
        // Recalled once the bot has answered it: the answer stays, quoting a recalled message.
        const gone = await say('zhaoliu', 'text', { text: 'oops, wrong chat' });
        await answered(2);
        const rc = await srv.request('POST', '/admin/v1/feishu/recall', { headers: ADMIN_HEADERS, body: { message_id: gone.message_id, user_id: 'zhaoliu' } });
        assert.equal(rc.status, 200, rc.body);
        const rule = await srv.request('POST', '/admin/v1/faults', {
            headers: ADMIN_HEADERS, body: { dialect: 'feishu', route: 'GET /open-apis/im/v1/chats/:chat_id', tenant: 'Acme', count: 1, answer: { code: 99991400 } },
        });
        assert.equal(rule.status, 200, rule.body);
        assert.equal((await fs(srv, 'GET', `/open-apis/im/v1/chats/${chat.chat_id}`, token)).status, 429);
        await addGroupOk(srv, await getToken(srv, ACME), 'Returns');
        const snap = await srv.request('POST', '/admin/v1/snapshots', { headers: ADMIN_HEADERS, body: { name: 'furnished' } });
        assert.equal(snap.status, 200, snap.body);
    } finally {
        await bot.stop();
    }
}

// Each page: how to reach it from the tenant list, and a text it shows once loaded.
const PAGES = [
    ['tenants', [], 'Globex'],
    ['tenant', ['Acme'], 'Reset tenant'],
    ['chats', ['Acme', 'Chats'], CHAT],
    ['chat', ['Acme', 'Chats', CHAT], 'is the build green?'],
    ['people', ['Acme', 'People'], 'Zhao Liu'],
    ['events', ['Acme', 'Events'], 'im.message.receive_v1'],
    ['event', ['Acme', 'Events', 'im.message.receive_v1'], 'is the build green?'],
    ['requests', ['Acme', 'Requests'], '/open-apis/im/v1/chats'],
    ['faults', ['Acme', 'Faults'], 'GET /open-apis/im/v1/chats/:chat_id'],
    ['snapshots', ['Acme', 'Snapshots'], 'furnished'],
    // The console's own section (issue 20 lists WeCom groups and Udesk trees, no name).
    ['knowledge', ['Acme', 'Knowledge'], 'Returns'],
];

test('console: every main page loads cleanly, is kept as a screenshot and passes axe-core', { skip: browserSkip, timeout: 300_000 }, async () => {
    const dir = makeTempDir('qunzu-snap-');
    await withFeishuServer(async (srv) => {
        await furnish(srv);
        await withConsole(srv, async (c) => {
            for (const [name, path, shows] of PAGES) {
                await c.go('');
                for (const link of path) await c.follow(link);
                await c.see(shows);
                await c.settle();
                await c.screenshot(name);
                await c.assertAccessible(name);
                c.assertClean(name);
            }
        });
        // A narrow window: the chat page still offers what it needs.
        await withConsole(srv, async (c) => {
            await c.openChat('Acme', CHAT);
            await c.see('is the build green?');
            for (const [role, name] of [['combobox', 'Act as'], ['textbox', 'Message'], ['button', 'Send']]) {
                const el = c.page.getByRole(role, { name, exact: true });
                assert.ok(await el.isVisible(), `${name} visible at 390 px`);
                const box = await el.boundingBox();
                assert.ok(box.x >= 0 && box.x + box.width <= 390 + 1, `${name} fits the width: ${JSON.stringify(box)}`);
            }
            await c.screenshot('chat-narrow');
            await c.assertAccessible('chat (narrow)');
            c.assertClean('chat (narrow)');
        }, { viewport: { width: 390, height: 800 } });
    }, { args: ['--snapshot_dir', dir] });
});
