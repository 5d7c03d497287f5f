// tests/http/lib/echobot.mjs - a bot under test for the console's browser tests: a
// webhook receiver (receiver.mjs, the official SDK's EventDispatcher) subscribed to
// im.message.receive_v1 for one app, which answers every person's text message by
// replying "echo: <text>" through the Open API with its own tenant token (the official
// SDK's client), as a real integration would.

import assert from 'node:assert/strict';
import { ADMIN_HEADERS } from './server.mjs';
import { startReceiver } from './receiver.mjs';
import { sdkClient } from './feishu_sdk.mjs';
import { APP1 } from './feishu.mjs';

/**
 * Subscribe 'app' of 'tenant' to the receiver and start answering. Returns
 * {replies: [{to, text, message_id}], errors: [...], stop()}.
 */
export async function startEchoBot(srv, { tenant = 'Acme', tenantKey = 'acme', app = APP1 } = {}) {
    const rx = await startReceiver({ verificationToken: 'vt-console' });
    const seeded = await srv.request('POST', '/admin/v1/seed', {
        headers: ADMIN_HEADERS,
        body: { tenants: [{ name: tenant, feishu: { tenant_key: tenantKey, apps: [{
            app_id: app.app_id, app_secret: app.app_secret, name: app.name,
            event: { callback_url: rx.url, verification_token: 'vt-console', types: ['im.message.receive_v1'] },
        }] } }] },
    });
    assert.equal(seeded.status, 200, `subscribe the echo bot: ${seeded.body}`);
    const client = sdkClient(srv, { appId: app.app_id, appSecret: app.app_secret });
    const replies = [];
    const errors = [];
    let handled = 0;
    let busy = false;
    const timer = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
            while (handled < rx.accepted.length) {
                const ev = rx.accepted[handled++];
                if (ev.handled_as !== 'im.message.receive_v1' || ev.sender?.sender_type !== 'user') continue;
                if (ev.message.message_type !== 'text') continue;
                const text = `echo: ${JSON.parse(ev.message.content).text}`;
                const res = await client.im.message.reply({
                    path: { message_id: ev.message.message_id },
                    data: { msg_type: 'text', content: JSON.stringify({ text }) },
                });
                if (res?.code === 0) replies.push({ to: ev.message.message_id, text, message_id: res.data.message_id });
                else errors.push(res);
            }
        } catch (err) {
            errors.push(err?.response?.data || err.message);
        } finally {
            busy = false;
        }
    }, 50);
    return {
        rx,
        replies,
        errors,
        async stop() {
            clearInterval(timer);
            await rx.close();
        },
    };
}
