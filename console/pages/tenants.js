// console/pages/tenants.js - every tenant, a page at a time (the control room's list):
// links named by the tenant.

import { api, qs } from '../api.js';
import { h, fill, when } from '../dom.js';
import { pagedList, tenantHref } from './common.js';

const dialects = (t) => [t.feishu ? 'Feishu' : null, t.wecom ? 'WeCom' : null, t.udesk ? 'Udesk' : null].filter(Boolean).join(', ') || '—';

export async function tenantsPage(ctx) {
    ctx.title('Tenants');
    const body = h('tbody');
    const list = pagedList({
        load: (after) => api('GET', `/admin/v1/tenants${qs({ after: after || undefined, limit: 50 })}`),
        render: (t) => body.append(h('tr', {},
            h('th', { scope: 'row' }, h('a', { href: tenantHref(t.name) }, t.name), t.demo ? h('span', { class: 'tag' }, 'demo') : null),
            h('td', {}, dialects(t)),
            h('td', { class: 'num' }, String(t.counts.person ?? 0)),
            h('td', { class: 'num' }, String(t.counts.fs_chat ?? 0)),
            h('td', { class: 'num' }, String(t.counts.fs_message ?? 0)),
            h('td', { class: 'num' }, String(t.counts.outbox ?? 0)),
            h('td', {}, when(t.created_at)))),
        more: 'More tenants',
        empty: 'No tenants yet: seed one (POST /admin/v1/seed).',
    });
    fill(ctx.main,
        h('h1', { tabindex: -1 }, 'Tenants'),
        h('nav', { 'aria-label': 'Server', class: 'sections' }, h('ul', {},
            h('li', {}, h('a', { href: '#/requests' }, 'All requests')),
            h('li', {}, h('a', { href: '#/faults' }, 'All fault rules')),
            h('li', {}, h('a', { href: '#/snapshots' }, 'All snapshots')))),
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('caption', {}, 'Tenants, in creation order'),
            h('thead', {}, h('tr', {}, ['Tenant', 'Dialects', 'People', 'Chats', 'Messages', 'Events', 'Created'].map((x) => h('th', { scope: 'col' }, x)))),
            body)),
        list.status, list.button);
    await list.first();
}
