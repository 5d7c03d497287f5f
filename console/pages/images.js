// console/pages/images.js - the images of a chat's messages, read as a bot of the chat
// reads them ("Get resources in a message", with the app's tenant token) and shown from
// memory (blob: URLs, released when the page is left). Without a bot of the tenant in
// the chat, the image's key is shown instead.

import { h, fill } from '../dom.js';

export function chatImages(apps, chatId) {
    const urls = [];
    const tokens = new Map(); // app_id -> Promise<token>
    let bots = () => [];

    const tenantToken = (app) => {
        if (!tokens.has(app.app_id)) {
            tokens.set(app.app_id, fetch('/open-apis/auth/v3/tenant_access_token/internal', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json; charset=utf-8' },
                body: JSON.stringify({ app_id: app.app_id, app_secret: app.app_secret }),
            }).then((r) => r.json()).then((j) => j.tenant_access_token));
        }
        return tokens.get(app.app_id);
    };

    const load = async (m, key, box) => {
        const app = apps.find((a) => bots().includes(a.app_id));
        if (!app) return;
        const tok = await tenantToken(app);
        if (!tok) return;
        const res = await fetch(`/open-apis/im/v1/messages/${encodeURIComponent(m.message_id)}/resources/${encodeURIComponent(key)}?type=image`,
            { headers: { Authorization: `Bearer ${tok}` } });
        if (!res.ok || !(res.headers.get('content-type') || '').startsWith('image/')) return;
        const url = URL.createObjectURL(await res.blob());
        urls.push(url);
        fill(box, h('img', { src: url, alt: `Image ${key} sent by ${m.sender_name || m.sender.id}`, loading: 'lazy' }));
    };

    return {
        /** Which app_ids have their bot in the chat (the members read so far). */
        knowBots: (fn) => { bots = fn; },
        render: (m, key) => {
            const box = h('figure', { class: 'image' }, h('span', { class: 'attachment' }, `[image ${key}]`));
            load(m, key, box).catch(() => {});
            return box;
        },
        release: () => { for (const u of urls) URL.revokeObjectURL(u); },
    };
}
