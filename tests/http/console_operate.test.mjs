// Operating the emulator from the web console in a real browser (headless Chromium,
// playwright-core): reset a tenant and see it empty, add a fault rule and see it fire
// (and remove it), take a snapshot and restore it, set an app's delivery rehearsals,
// advance the clock, redeliver an event. Each destructive step is confirmed as a person
// would (a confirm() or a dialog in the page). Found by the names issue 20 fixes: the
// tenant page's button "Reset tenant" and links "Chats", "People", "Faults", "Requests",
// "Snapshots"; the text box "Snapshot name" and the buttons "Take snapshot" and
// "Restore"; the button "Advance clock". The fault rule's form fields, an event's link
// (named by its type) and its "Redeliver", and an app's delivery rehearsals form are the
// console's own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, makeTempDir, waitFor } from './lib/server.mjs';
import { withFeishuServer, tenantToken, createChat, fs, APP1 } from './lib/feishu.mjs';
import { startEchoBot } from './lib/echobot.mjs';
import { browserSkip, withConsole } from './lib/browser.mjs';

const T = { skip: browserSkip, timeout: 180_000 };

async function acmeCounts(srv) {
    const res = await srv.request('GET', '/admin/v1/tenants?limit=200', { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, res.body);
    return res.json.items.find((t) => t.name === 'Acme').counts;
}

// A chat of Acme's bot with Wang Wu in it, who has said 'text' there.
async function chatSaid(srv, name, text) {
    const token = await tenantToken(srv, APP1);
    const chat = await createChat(srv, token, { name, user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
    const said = await srv.request('POST', '/admin/v1/feishu/say', {
        headers: ADMIN_HEADERS,
        body: { chat_id: chat.chat_id, user_id: 'wangwu', msg_type: 'text', content: JSON.stringify({ text }) },
    });
    assert.equal(said.status, 200, said.body);
    return chat;
}

test('console: reset a tenant, and it is empty', T, async () => {
    await withFeishuServer(async (srv) => {
        await chatSaid(srv, 'Before the reset', 'soon gone');
        assert.ok((await acmeCounts(srv)).fs_chat >= 1);
        await withConsole(srv, async (c) => {
            const page = c.page;
            await c.openTenant('Acme', 'Chats');
            await page.getByRole('link', { name: 'Before the reset', exact: true }).waitFor();

            await c.openTenant('Acme');
            await c.clickConfirmed('Reset tenant');
            assert.ok(await waitFor(async () => (await acmeCounts(srv)).fs_chat === 0, { timeoutMs: 15000 }), 'the reset reached the server');

            await c.openTenant('Acme', 'Chats');
            assert.equal(await page.getByRole('link', { name: 'Before the reset', exact: true }).count(), 0, 'no chat left');
            // The seed's people stay.
            await c.openTenant('Acme', 'People');
            await c.see('Wang Wu');
            const counts = await acmeCounts(srv);
            for (const table of ['fs_chat', 'fs_chat_member', 'outbox']) assert.equal(counts[table], 0, `${table}: ${JSON.stringify(counts)}`);
            c.assertClean('reset');
        });
    });
});

test('console: add a fault rule, see it fire, remove it', T, async () => {
    await withFeishuServer(async (srv) => {
        const token = await tenantToken(srv, APP1);
        await withConsole(srv, async (c) => {
            const page = c.page;
            await c.openTenant('Acme', 'Faults');
            // The rule: the next call of Acme's chat creation answers Feishu's 99991400.
            // (The form's own labels: the issue names none.)
            await page.getByLabel('Dialect', { exact: true }).selectOption('feishu');
            await page.getByLabel('Route', { exact: true }).fill('POST /open-apis/im/v1/chats');
            await page.getByLabel('Applies to', { exact: true }).selectOption({ label: 'calls of Acme' });
            await page.getByLabel(/^Times/).fill('1');
            await page.getByLabel('Code', { exact: true }).fill('99991400');
            await page.getByRole('button', { name: 'Add fault rule', exact: true }).click();
            await c.settle();
            await c.see('POST /open-apis/im/v1/chats');
            const rules = (await srv.request('GET', '/admin/v1/faults', { headers: ADMIN_HEADERS })).json.items;
            assert.equal(rules.length, 1, JSON.stringify(rules));
            assert.equal(rules[0].route, 'POST /open-apis/im/v1/chats');
            assert.equal(rules[0].tenant, 'Acme');

            // It fires: the bot's call is refused as the rule says, once.
            const hit = await fs(srv, 'POST', '/open-apis/im/v1/chats', token, { name: 'faulted' });
            assert.equal(hit.status, 429, hit.body);
            assert.equal(hit.json.code, 99991400);
            const next = await fs(srv, 'POST', '/open-apis/im/v1/chats', token, { name: 'fine' });
            assert.equal(next.json.code, 0, next.body);

            // The console shows it fired once (the page polls) ...
            await c.openTenant('Acme', 'Faults');
            assert.ok(await waitFor(async () => (await c.cell('POST /open-apis/im/v1/chats', '^Fired')) === '1', { timeoutMs: 10000 }),
                `the rule fired once: ${await c.cell('POST /open-apis/im/v1/chats', '^Fired')}`);
            // ... and the request inspector shows the refused call.
            await c.openTenant('Acme', 'Requests');
            await c.see(/429\s*POST \/open-apis\/im\/v1\/chats\b/);

            // Removed, it is gone on the server too.
            await c.openTenant('Acme', 'Faults');
            await c.clickConfirmed(/^Remove rule/);
            assert.ok(await waitFor(async () => (await srv.request('GET', '/admin/v1/faults', { headers: ADMIN_HEADERS })).json.items.length === 0));
            c.assertClean('faults');
        });
    });
});

test('console: take a snapshot and restore it', T, async () => {
    const dir = makeTempDir('qunzu-snap-');
    await withFeishuServer(async (srv) => {
        const token = await tenantToken(srv, APP1);
        await withConsole(srv, async (c) => {
            const page = c.page;
            await c.openTenant('Acme', 'Snapshots');
            await page.getByRole('textbox', { name: 'Snapshot name' }).fill('before-the-chat');
            await page.getByRole('button', { name: 'Take snapshot', exact: true }).click();
            await c.settle();
            await c.see('before-the-chat');
            const list = await srv.request('GET', '/admin/v1/snapshots', { headers: ADMIN_HEADERS });
            assert.deepEqual(list.json.items.map((s) => s.name), ['before-the-chat']);

            await createChat(srv, token, { name: 'After the snapshot' });
            assert.equal((await acmeCounts(srv)).fs_chat, 1);
            await c.openTenant('Acme', 'Snapshots');
            await page.getByRole('textbox', { name: 'Snapshot name' }).fill('before-the-chat');
            await c.clickConfirmed('Restore');
            assert.ok(await waitFor(async () => (await acmeCounts(srv)).fs_chat === 0, { timeoutMs: 15000 }), 'the restore reached the server');
            await c.openTenant('Acme', 'Chats');
            assert.equal(await page.getByRole('link', { name: 'After the snapshot', exact: true }).count(), 0);
            c.assertClean('snapshots');
        });
    }, { args: ['--snapshot_dir', dir] });
});

test('console: set an app\'s delivery rehearsals, and they stay set', T, async () => {
    await withFeishuServer(async (srv) => {
        const path = `/admin/v1/feishu/apps/${APP1.app_id}/delivery`;
        await withConsole(srv, async (c) => {
            const page = c.page;
            await c.openTenant('Acme');
            const form = page.getByRole('group', { name: `Delivery rehearsals of ${APP1.name}`, exact: true });
            const duplicate = form.getByRole('checkbox', { name: 'Duplicate every event', exact: true });
            const delay = form.getByRole('spinbutton', { name: 'Delay (ms)', exact: true });
            assert.equal(await duplicate.isChecked(), false, 'none set at first');
            assert.equal(await delay.inputValue(), '0');
            await duplicate.check();
            await delay.fill('500');
            await form.getByRole('button', { name: 'Save delivery rehearsals', exact: true }).click();
            await c.see('Now: every event twice, 500 ms late.', form);
            const set = await srv.request('GET', path, { headers: ADMIN_HEADERS });
            assert.deepEqual(set.json, { app_id: APP1.app_id, duplicate: true, delay_ms: 500 });

            // Shown as set after a reload.
            await c.navigate(page.url());
            await c.settle();
            await c.see('Now: every event twice, 500 ms late.', form);
            assert.equal(await duplicate.isChecked(), true);
            assert.equal(await delay.inputValue(), '500');

            // A delay out of range is not sent; unset, it is as before.
            await delay.fill('60001');
            await form.getByRole('button', { name: 'Save delivery rehearsals', exact: true }).click();
            await c.settle();
            assert.deepEqual((await srv.request('GET', path, { headers: ADMIN_HEADERS })).json.delay_ms, 500);
            await duplicate.uncheck();
            await delay.fill('0');
            await form.getByRole('button', { name: 'Save delivery rehearsals', exact: true }).click();
            await c.see('Now: delivered once, on time.', form);
            assert.deepEqual((await srv.request('GET', path, { headers: ADMIN_HEADERS })).json, { app_id: APP1.app_id, duplicate: false, delay_ms: 0 });
            await c.assertAccessible('tenant overview with delivery rehearsals');
            c.assertClean('delivery');
        });
    });
});

test('console: advance the clock', T, async () => {
    await withFeishuServer(async (srv) => {
        const before = (await srv.request('GET', '/admin/v1/clock', { headers: ADMIN_HEADERS })).json;
        await withConsole(srv, async (c) => {
            const page = c.page;
            const button = page.getByRole('button', { name: 'Advance clock', exact: true });
            await button.waitFor();
            // An amount, when the console asks for one.
            const amount = page.getByLabel(/^seconds/i);
            if (await amount.count()) await amount.first().fill('3600');
            await c.clickConfirmed('Advance clock');
            assert.ok(await waitFor(async () => (await srv.request('GET', '/admin/v1/clock', { headers: ADMIN_HEADERS })).json.offset_seconds > before.offset_seconds),
                'the clock moved on');
            c.assertClean('clock');
        });
    });
});

test('console: redeliver an event, and the bot gets it again', T, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await startEchoBot(srv);
        try {
            await chatSaid(srv, 'Redelivered', 'once more');
            assert.ok(await waitFor(() => bot.replies.length === 1, { timeoutMs: 15000 }), JSON.stringify(bot.errors));
            const pushes = () => bot.rx.raw.filter((r) => r.body.includes('im.message.receive_v1')).length;
            assert.equal(pushes(), 1);
            await withConsole(srv, async (c) => {
                await c.openTenant('Acme', 'Events');
                await c.follow('im.message.receive_v1');
                await c.see('once more');
                await c.clickConfirmed('Redeliver');
                assert.ok(await waitFor(() => pushes() === 2, { timeoutMs: 15000 }), 'the event was pushed again');
                // The page shows the second attempt without a reload (it polls).
                assert.ok(await waitFor(async () => (await c.rowCount('^Attempt$')) === 2, { timeoutMs: 10000 }),
                    `two attempts shown: ${await c.rowCount('^Attempt$')}`);
                assert.ok(await waitFor(() => bot.replies.length === 2), 'the bot answered the redelivered event');
                c.assertClean('redeliver');
            });
        } finally {
            await bot.stop();
        }
    });
});
