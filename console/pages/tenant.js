// console/pages/tenant.js - a tenant's overview: its identities in each dialect, its Feishu
// apps (event mode and subscription, open long connections, delivery rehearsals), what it
// holds (row counts), and the operator's buttons: "Reset tenant" (back to its seed) and
// delete.

import { api, enc, qs, tenantInfo, forgetTenant } from '../api.js';
import { h, fill, field, when, table, status as statusLine } from '../dom.js';
import { pageHead, confirmButton } from './common.js';

async function counts(name) {
    // The list is paged by creation order; walk it until the tenant shows up.
    let after;
    for (;;) {
        const page = await api('GET', `/admin/v1/tenants${qs({ after, limit: 200 })}`);
        const t = page.items.find((x) => x.name === name);
        if (t || page.next === undefined) return t ? t.counts : {};
        after = page.next;
    }
}

const narrow = (el) => { el.classList.add('narrow'); return el; };

function connections(app, msg) {
    const box = h('div', { class: 'conns' });
    const load = async () => {
        const c = await api('GET', `/admin/v1/feishu/apps/${enc(app.app_id)}/connections`);
        if (!c.items.length) return fill(box, h('p', {}, 'No open long connection.'));
        const act = (id, what) => h('button', { type: 'button', onclick: async () => {
            try { await api('POST', `/admin/v1/feishu/apps/${enc(app.app_id)}/connections/${enc(id)}/${what}`); await load(); fill(msg, `${what}: ${id}`); } catch (e) { fill(msg, e.message); }
        } }, `${what[0].toUpperCase()}${what.slice(1)} ${id}`);
        fill(box, table(`Open long connections of ${app.name}`, ['Connection', 'Since', 'Last ping', 'Delivered', 'Unacked', 'Node', 'Actions'],
            c.items.map((x) => [x.id, when(x.since), when(x.last_ping), String(x.delivered), String(x.unacked), x.node,
                h('span', { class: 'actions' }, act(x.id, 'kick'), x.silenced ? act(x.id, 'resume') : act(x.id, 'silence'))])));
    };
    return { box, load };
}

// The app's delivery rehearsals (every event pushed twice, or late), read and set through
// GET/PUT /admin/v1/feishu/apps/ID/delivery.
function deliveryForm(app, msg) {
    const duplicate = h('input', { type: 'checkbox', name: 'duplicate' });
    const delay = h('input', { type: 'number', name: 'delay_ms', min: 0, max: 60000, step: 1, value: '0' });
    const shown = h('p', { class: 'hint' });
    const show = (d) => {
        duplicate.checked = d.duplicate;
        delay.value = String(d.delay_ms);
        fill(shown, d.duplicate || d.delay_ms ? `Now: ${[d.duplicate ? 'every event twice' : null, d.delay_ms ? `${d.delay_ms} ms late` : null].filter(Boolean).join(', ')}.`
            : 'Now: delivered once, on time.');
    };
    const path = `/admin/v1/feishu/apps/${enc(app.app_id)}/delivery`;
    const form = h('form', { class: 'delivery', onsubmit: async (ev) => {
        ev.preventDefault();
        if (!delay.reportValidity()) return;
        try {
            show(await api('PUT', path, { duplicate: duplicate.checked, delay_ms: Number(delay.value || 0) }));
            fill(msg, `Delivery rehearsals of ${app.name} saved.`);
        } catch (e) { fill(msg, e.message); }
    } },
    h('fieldset', {},
        h('legend', {}, `Delivery rehearsals of ${app.name}`),
        h('p', { class: 'hint' }, 'Every event delivered twice (one event_id), or held back: by long connection and by webhook alike.'),
        h('div', { class: 'row' },
            h('label', {}, duplicate, ' Duplicate every event'),
            field('Delay (ms)', delay, '0 to 60000'),
            h('button', { type: 'submit' }, 'Save delivery rehearsals')),
        shown));
    return { form, load: async () => show(await api('GET', path)) };
}

function appSection(app, msg) {
    const ev = app.event;
    const conns = ev && ev.mode === 'long_connection' ? connections(app, msg) : null;
    const delivery = deliveryForm(app, msg);
    const scopes = h('dd', {}, '…');
    const range = h('dd', {}, '…');
    const access = async () => {
        const a = await api('GET', `/admin/v1/feishu/apps/${enc(app.app_id)}`);
        fill(scopes, a.scopes.map((x) => (x === '*' ? 'the default (every scope but im:chat:operate_as_owner)' : x)).join(', '));
        fill(range, a.contact_range === 'all' ? 'the whole directory'
            : `departments ${(a.contact_range.departments || []).join(', ') || '—'}; people ${(a.contact_range.users || []).join(', ') || '—'}`);
    };
    const sec = h('section', { class: 'card', 'aria-labelledby': `app-${app.app_id}` },
        h('h3', { id: `app-${app.app_id}` }, app.name),
        h('dl', { class: 'facts' },
            h('dt', {}, 'App ID'), h('dd', {}, h('code', {}, app.app_id)),
            h('dt', {}, 'Bot open_id'), h('dd', {}, h('code', {}, app.bot_open_id || '—')),
            h('dt', {}, 'Scopes'), scopes,
            h('dt', {}, 'Contact range'), range,
            h('dt', {}, 'Events'), h('dd', {}, ev ? `${ev.mode === 'long_connection' ? 'long connection' : `webhook to ${ev.callback_url}`}` : 'no subscription'),
            ev ? [h('dt', {}, 'Event types'), h('dd', {}, (ev.types || []).join(', ') || '—')] : null),
        h('details', {}, h('summary', {}, 'Credentials'),
            h('dl', { class: 'facts' },
                h('dt', {}, 'App secret'), h('dd', {}, h('code', {}, app.app_secret)),
                ev ? [h('dt', {}, 'Encrypt key'), h('dd', {}, h('code', {}, ev.encrypt_key || '—')),
                    h('dt', {}, 'Verification token'), h('dd', {}, h('code', {}, ev.verification_token || '—'))] : null)),
        conns ? conns.box : null,
        delivery.form);
    return { sec, load: () => Promise.all([access(), conns && conns.load(), delivery.load()]) };
}

export async function tenantPage(ctx) {
    const name = ctx.params.name;
    const [t, n] = await Promise.all([tenantInfo(name, true), counts(name)]);
    const msg = statusLine();
    const apps = ((t.feishu && t.feishu.apps) || []).map((a) => appSection(a, msg));
    const held = Object.entries(n).filter(([, v]) => v > 0);
    fill(ctx.main,
        pageHead(ctx, name, { tenant: name, section: '' }),
        msg,
        h('section', { 'aria-labelledby': 'who' },
            h('h2', { id: 'who' }, 'Identities'),
            h('dl', { class: 'facts' },
                h('dt', {}, 'People'), h('dd', {}, String((t.users || []).length)),
                t.feishu ? [h('dt', {}, 'Feishu tenant_key'), h('dd', {}, h('code', {}, t.feishu.tenant_key))] : null,
                t.wecom ? [h('dt', {}, 'WeCom corpid'), h('dd', {}, h('code', {}, t.wecom.corpid))] : null,
                t.udesk ? [h('dt', {}, 'Udesk subdomain'), h('dd', {}, h('code', {}, t.udesk.subdomain)),
                    h('dt', {}, 'Udesk admin'), h('dd', {}, t.udesk.admin_email)] : null)),
        apps.length ? h('section', { 'aria-labelledby': 'apps' }, h('h2', { id: 'apps' }, 'Feishu apps'), apps.map((a) => a.sec)) : null,
        h('section', { 'aria-labelledby': 'holds' },
            h('h2', { id: 'holds' }, 'What it holds'),
            held.length ? narrow(table('Rows per table', ['Table', 'Rows'], held.map(([k, v]) => [h('code', {}, k), String(v)])))
                : h('p', {}, 'Nothing yet.')),
        h('section', { 'aria-labelledby': 'ops', class: 'ops' },
            h('h2', { id: 'ops' }, 'Operate'),
            h('p', {}, 'Reset takes the tenant back to what its seed declared: chats, messages, tokens, events and its fault rules go; people and apps stay.'),
            h('div', { class: 'actions' },
                confirmButton('Reset tenant', `Reset ${name}? Its chats, messages, tokens, events and fault rules are deleted.`, async () => {
                    await api('POST', `/admin/v1/tenants/${enc(name)}/reset`);
                    forgetTenant(name);
                    await tenantPage(ctx);
                    fill(ctx.main.querySelector('.status'), `${name} was reset.`);
                }, msg),
                confirmButton('Delete tenant', `Delete ${name} and everything it holds? This cannot be undone.`, async () => {
                    await api('DELETE', `/admin/v1/tenants/${enc(name)}`);
                    forgetTenant(name);
                    location.hash = '#/';
                }, msg))));
    await Promise.all(apps.map((a) => a.load().catch((e) => fill(msg, e.message))));
}
