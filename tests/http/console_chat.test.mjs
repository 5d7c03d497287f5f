// The web console in a real browser (headless Chromium, playwright-core): log in with
// /console/#token=..., open a tenant and one of its chats, write as a person and see the
// bot under test answer in the timeline, without a reload; react with a thumbs up and see
// who did. The bot is real: a webhook receiver answering im.message.receive_v1 through the
// Open API with its tenant token (lib/echobot.mjs). Found by the accessible names issue 20 fixes: the tenant list's
// links named by the tenant, the tenant page's "Chats", a chat's link named by the chat,
// the chat page's select "Act as", text box "Message" and button "Send".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, waitFor } from './lib/server.mjs';
import { withFeishuServer, tenantToken, createChat, APP1 } from './lib/feishu.mjs';
import { startEchoBot } from './lib/echobot.mjs';
import { browserSkip, withConsole } from './lib/browser.mjs';

const CHAT = 'Console talk';

test('console: log in, open a tenant and a chat, write as a person, see the bot answer', { skip: browserSkip, timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await startEchoBot(srv);
        try {
            const token = await tenantToken(srv, APP1);
            const chat = await createChat(srv, token, { name: CHAT, user_id_list: ['wangwu', 'zhaoliu'] }, { user_id_type: 'user_id' });
            await withConsole(srv, async (c) => {
                const page = c.page;
                // The tenant list: a link for each tenant, named by it.
                await page.getByRole('link', { name: 'Acme', exact: true }).waitFor();
                await page.getByRole('link', { name: 'Globex', exact: true }).waitFor();
                await c.follow('Acme');
                await c.follow('Chats');
                await c.follow(CHAT);

                await c.actAs('Wang Wu');
                const box = page.getByRole('textbox', { name: 'Message' });
                await box.fill('hello from the console');
                await page.getByRole('button', { name: 'Send', exact: true }).click();

                // The person's message, then the bot's answer, appear in the timeline.
                await c.see('hello from the console');
                await c.see('echo: hello from the console');
                assert.equal(bot.replies.length, 1, `the bot answered once: ${JSON.stringify(bot.errors)}`);
                assert.equal(await box.inputValue(), '', 'the text box is empty after sending');

                // Another person, by keyboard only: type, Tab to "Send", Enter.
                await c.actAs('Zhao Liu');
                await box.focus();
                await page.keyboard.type('and from the keyboard');
                let onSend = false;
                for (let i = 0; i < 6 && !onSend; i++) {
                    await page.keyboard.press('Tab');
                    onSend = await page.evaluate(() => {
                        const el = document.activeElement;
                        return !!el && el.tagName === 'BUTTON' && (el.textContent || '').trim() === 'Send';
                    });
                }
                assert.ok(onSend, '"Send" is reached with Tab from "Message"');
                await page.keyboard.press('Enter');
                await c.see('echo: and from the keyboard');

                // A thumbs up as Zhao Liu, then as Wang Wu, on Wang Wu's first message: the
                // timeline shows who reacted so, without a reload.
                const first = page.getByRole('log', { name: 'Messages' }).getByRole('listitem')
                    .filter({ has: page.getByText('hello from the console', { exact: true }) }).first();
                await first.getByRole('button', { name: 'Thumbs up', exact: true }).click();
                const reactions = first.getByRole('list', { name: 'Reactions' });
                await c.see('THUMBSUP 1: Zhao Liu', reactions);
                await c.actAs('Wang Wu');
                await first.getByRole('button', { name: 'Thumbs up', exact: true }).click();
                await c.see('THUMBSUP 2: Zhao Liu, Wang Wu', reactions);
                const hello = (await srv.request('GET', `/admin/v1/feishu/chats/${chat.chat_id}/messages`, { headers: ADMIN_HEADERS })).json.items
                    .find((m) => m.body.content === JSON.stringify({ text: 'hello from the console' }));
                assert.deepEqual(hello.reactions.map((r) => [r.emoji_type, r.operator.id]), [['THUMBSUP', 'zhaoliu'], ['THUMBSUP', 'wangwu']]);

                // What the page showed is what the server holds: the messages of the chat,
                // the person's as the person's, through the Open API.
                const list = await srv.request('GET', `/open-apis/im/v1/messages?container_id_type=chat&container_id=${chat.chat_id}&page_size=50`, {
                    headers: { Authorization: `Bearer ${token}` },
                });
                assert.equal(list.status, 200, list.body);
                const texts = list.json.data.items.map((m) => [m.sender.sender_type, JSON.parse(m.body.content).text]);
                for (const want of [['user', 'hello from the console'], ['app', 'echo: hello from the console'],
                    ['user', 'and from the keyboard'], ['app', 'echo: and from the keyboard']]) {
                    assert.ok(texts.some((t) => t[0] === want[0] && t[1] === want[1]), `${want}: ${JSON.stringify(texts)}`);
                }
                c.assertClean('chat');
            });
            assert.ok(await waitFor(() => bot.replies.length === 2), `two answers: ${JSON.stringify(bot.errors)}`);
        } finally {
            await bot.stop();
        }
    });
});
