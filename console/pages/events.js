// console/pages/events.js - a tenant's event log (its outbox, oldest first, a page at a
// time; new events appear by polling) and one event: its body, every delivery attempt
// (status, latency, response) and redelivery.

import { api, enc, qs } from '../api.js';
import { h, fill, when, table, jsonBlock, status as statusLine } from '../dom.js';
import { pageHead } from './common.js';

const STATE = { pending: 'pending', delivered: 'delivered', failed: 'failed', skipped: 'skipped' };

function summary(e) {
    const ev = e.body && e.body.event;
    if (!ev) return '';
    if (ev.message) return `${ev.message.message_type} in ${ev.message.chat_id}`;
    if (ev.chat_id) return ev.chat_id;
    return '';
}

export async function eventsPage(ctx) {
    const name = ctx.params.name;
    const body = h('tbody');
    const msg = statusLine();
    const rows = new Map(); // event_id -> tr (its state is refreshed while shown)
    let after = 0;
    const row = (e) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/tenants/${enc(name)}/events/${enc(e.event_id)}` }, e.event_type)),
        h('td', { class: 'num' }, String(e.seq)),
        h('td', {}, h('code', {}, e.app_id)),
        h('td', {}, summary(e)),
        h('td', {}, h('span', { class: `state ${e.state}` }, STATE[e.state] || e.state)),
        h('td', { class: 'num' }, String(e.attempts)),
        h('td', {}, when(e.created_at)));
    const more = h('button', { type: 'button', class: 'more', hidden: true }, 'More events');
    const pending = new Map(); // event_id -> seq of the shown events not yet settled
    // Reads up to 'max' pages after 'from'; shown events are replaced (their state moved).
    const load = async (max, from = after) => {
        let at = from;
        for (let i = 0; i < max; i++) {
            const page = await api('GET', `/admin/v1/tenants/${enc(name)}/events${qs({ after: at, limit: 100 })}`);
            if (!ctx.alive()) return;
            for (const e of page.items) {
                const tr = row(e);
                if (rows.has(e.event_id)) rows.get(e.event_id).replaceWith(tr);
                else body.append(tr);
                rows.set(e.event_id, tr);
                if (e.state === 'pending') pending.set(e.event_id, e.seq); else pending.delete(e.event_id);
                at = e.seq;
                if (e.seq > after) after = e.seq;
            }
            if (at >= after) more.hidden = page.next === undefined;
            fill(msg, rows.size ? '' : 'No events yet.');
            if (page.next === undefined) return;
        }
    };
    // New events, and the state of those still pending (from the oldest of them).
    const poll = () => {
        if (!more.hidden) return Promise.resolve();
        const oldest = Math.min(...pending.values());
        return load(3, Number.isFinite(oldest) ? Math.min(oldest - 1, after) : after);
    };
    more.addEventListener('click', () => load(1).catch((e) => fill(msg, e.message)));
    fill(ctx.main,
        pageHead(ctx, 'Events', { tenant: name, section: 'events' }),
        h('p', {}, 'Every event the tenant\'s apps were sent, oldest first; new ones appear as they are written.'),
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('caption', {}, `Event log of ${name}`),
            h('thead', {}, h('tr', {}, ['Event', 'Seq', 'App', 'About', 'State', 'Attempts', 'Written'].map((x) => h('th', { scope: 'col' }, x)))),
            body)),
        msg, more);
    await load(1);
    ctx.every(2000, poll);
}

export async function eventPage(ctx) {
    const { name, event: id } = ctx.params;
    const msg = statusLine();
    let seen = '';
    const show = async () => {
        const e = await api('GET', `/admin/v1/events/${enc(id)}`);
        const key = JSON.stringify(e);
        if (key === seen || !ctx.alive()) return;
        seen = key;
        fill(ctx.main,
            pageHead(ctx, e.event_type, { tenant: name, section: 'events', trail: ['Events'] }),
            msg,
            h('dl', { class: 'facts' },
                h('dt', {}, 'Event ID'), h('dd', {}, h('code', {}, e.event_id)),
                h('dt', {}, 'App'), h('dd', {}, h('code', {}, e.app_id)),
                h('dt', {}, 'State'), h('dd', {}, h('span', { class: `state ${e.state}` }, e.state)),
                h('dt', {}, 'Written'), h('dd', {}, when(e.created_at)),
                e.delivered_at ? [h('dt', {}, 'Delivered'), h('dd', {}, when(e.delivered_at))] : null,
                e.next_attempt_at ? [h('dt', {}, 'Next attempt'), h('dd', {}, when(e.next_attempt_at))] : null),
            h('div', { class: 'actions' }, h('button', { type: 'button', onclick: async () => {
                try { await api('POST', `/admin/v1/events/${enc(id)}/redeliver`); await show(); fill(ctx.main.querySelector('.status'), 'Due again now.'); } catch (err) { fill(msg, err.message); }
            } }, 'Redeliver')),
            h('h2', {}, 'Delivery attempts'),
            e.deliveries.length ? table(null, ['Attempt', 'At', 'Status', 'Latency', 'Error', 'Response', 'Connection'],
                e.deliveries.map((d) => [String(d.attempt), when(d.at), String(d.http_status || 'no answer'), `${(d.latency_us / 1000).toFixed(1)} ms`,
                    d.error || '—', d.response ? h('code', {}, d.response) : '—', d.connection || '—']))
                : h('p', {}, 'Not attempted yet.'),
            h('h2', {}, 'Body'),
            jsonBlock(e.body, 'Event body'));
    };
    await show();
    ctx.every(2000, show);
}
