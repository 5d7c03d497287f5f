// console/pages/common.js - what every tenant page shares: the heading, the way back,
// the tenant's navigation (links named "Chats", "People", ...), paged lists.

import { h, fill } from '../dom.js';
import { enc } from '../api.js';

const SECTIONS = [
    ['', 'Overview'],
    ['chats', 'Chats'],
    ['people', 'People'],
    ['events', 'Events'],
    ['requests', 'Requests'],
    ['faults', 'Faults'],
    ['snapshots', 'Snapshots'],
    ['knowledge', 'Knowledge'],
];

export const tenantHref = (name, section = '') => `#/tenants/${enc(name)}${section ? `/${section}` : ''}`;

/**
 * The top of a page: where it is (Tenants / tenant / here), its heading, and, under a
 * tenant, the tenant's sections. 'section' is the current one ('' the overview).
 */
export function pageHead(ctx, title, { tenant, section, trail = [] } = {}) {
    ctx.title(tenant ? `${title} · ${tenant}` : title);
    const crumbs = [h('li', {}, h('a', { href: '#/' }, 'Tenants'))];
    if (tenant) crumbs.push(h('li', {}, h('a', { href: tenantHref(tenant) }, tenant)));
    for (const t of trail) crumbs.push(h('li', {}, t));
    const nodes = [h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('ol', {}, crumbs))];
    if (tenant) {
        nodes.push(h('nav', { 'aria-label': 'Tenant', class: 'sections' }, h('ul', {},
            SECTIONS.map(([s, label]) => h('li', {}, h('a', {
                href: tenantHref(tenant, s),
                'aria-current': s === section ? 'page' : null,
            }, label))))));
    }
    nodes.push(h('h1', { tabindex: -1 }, title));
    return nodes;
}

/**
 * A list read a page at a time: load(after) resolves to {items, next?}; each item
 * becomes rows through render(item). The "More" button (named by 'more') reads the next.
 */
export function pagedList({ load, render, more, empty, container }) {
    const box = container || h('div');
    const status = h('p', { class: 'status', role: 'status' });
    const btn = h('button', { type: 'button', class: 'more', hidden: true }, more);
    let next = 0;
    let count = 0;
    const step = async () => {
        btn.disabled = true;
        const page = await load(next);
        for (const it of page.items) { render(it); count++; }
        next = page.next;
        btn.hidden = next === undefined || next === null;
        btn.disabled = false;
        fill(status, count === 0 ? empty : '');
    };
    btn.addEventListener('click', () => step().catch((e) => fill(status, e.message)));
    return { status, button: btn, first: step, reset: () => { next = 0; count = 0; } };
}

/** A button that asks first ('question', with the browser's confirm dialog) then runs 'act'. */
export function confirmButton(label, question, act, status) {
    return h('button', { type: 'button', class: 'danger', onclick: async (ev) => {
        if (!window.confirm(question)) return;
        const b = ev.currentTarget;
        b.disabled = true;
        try { await act(); } catch (e) { if (status) fill(status, e.message); } finally { b.disabled = false; }
    } }, label);
}
