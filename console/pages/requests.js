// console/pages/requests.js - the request inspector: this node's last calls of the vendor
// APIs (redacted), a tenant's or all, newest at the bottom; new ones appear by polling.

import { api, qs } from '../api.js';
import { h, fill, jsonBlock, status as statusLine } from '../dom.js';
import { pageHead } from './common.js';

function pretty(text) {
    if (!text) return '';
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

export async function requestsPage(ctx) {
    const name = ctx.params.name;
    const list = h('ol', { class: 'requests' });
    const msg = statusLine();
    let after = 0;
    const load = async () => {
        for (let i = 0; i < 5; i++) {
            const page = await api('GET', `/admin/v1/requests${qs({ tenant: name, after, limit: 100 })}`);
            if (!ctx.alive()) return;
            for (const r of page.items) {
                after = r.seq;
                list.append(h('li', {}, h('details', {},
                    h('summary', {}, h('span', { class: `http s${String(r.status)[0]}` }, String(r.status)), ` ${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`,
                        r.code !== null && r.code !== undefined ? ` · code ${r.code}` : '', ` · ${(r.latency_us / 1000).toFixed(1)} ms · ${new Date(r.at).toISOString().slice(11, 23)}`),
                    h('h3', {}, 'Request'), jsonBlock(pretty(r.request) || '(no body)', 'Request body'),
                    h('h3', {}, 'Response'), jsonBlock(pretty(r.response) || '(no body)', 'Response body'))));
            }
            // The page keeps the last 500, as a long-open page would otherwise grow.
            while (list.children.length > 500) list.firstChild.remove();
            fill(msg, list.children.length ? '' : 'No requests recorded yet.');
            if (page.next === undefined) return;
        }
    };
    fill(ctx.main,
        pageHead(ctx, name ? 'Requests' : 'All requests', name ? { tenant: name, section: 'requests' } : {}),
        h('p', {}, name ? `Calls of the vendor APIs authenticated as ${name}, as this node saw them (secrets read ***).`
            : 'Calls of the vendor APIs this node saw (secrets read ***).'),
        list, msg);
    await load();
    ctx.every(2000, load);
}
