// console/pages/snapshots.js - snapshots of the whole server state: take one under a
// name, restore one (after a confirmation: everything since is lost), delete one.

import { api, enc, forgetTenants } from '../api.js';
import { h, fill, field, when, status as statusLine } from '../dom.js';
import { pageHead } from './common.js';

const size = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

export async function snapshotsPage(ctx) {
    const name = ctx.params.name;
    const msg = statusLine();
    const body = h('tbody');
    const snapName = h('input', { type: 'text', name: 'snapshot', autocomplete: 'off', pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}', required: true });
    const load = async () => {
        const items = (await api('GET', '/admin/v1/snapshots')).items;
        if (!ctx.alive()) return;
        fill(body, items.length ? items.map((s) => h('tr', {},
            h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => { snapName.value = s.name; snapName.focus(); } }, `Choose ${s.name}`)),
            h('td', { class: 'num' }, size(s.size)),
            h('td', {}, when(s.created_at)),
            h('td', {}, h('button', { type: 'button', class: 'danger', onclick: async () => {
                if (!window.confirm(`Delete snapshot ${s.name}?`)) return;
                try { await api('DELETE', `/admin/v1/snapshots/${enc(s.name)}`); fill(msg, `Snapshot ${s.name} deleted.`); await load(); } catch (e) { fill(msg, e.message); }
            } }, `Delete snapshot ${s.name}`))))
            : h('tr', {}, h('td', { colspan: 4 }, 'No snapshots yet.')));
    };
    const take = async () => {
        const s = await api('POST', '/admin/v1/snapshots', { name: snapName.value.trim() });
        fill(msg, `Snapshot ${s.name} taken (${size(s.size)}).`);
        await load();
    };
    const restore = async () => {
        const n = snapName.value.trim();
        if (!n) { fill(msg, 'Name the snapshot to restore.'); return snapName.focus(); }
        if (!window.confirm(`Restore snapshot ${n}? The whole server state (every tenant) goes back to it; everything since is lost.`)) return;
        await api('POST', `/admin/v1/snapshots/${enc(n)}/restore`);
        forgetTenants();
        fill(msg, `Snapshot ${n} restored.`);
        document.dispatchEvent(new Event('qunzu:clock'));
    };
    const act = (fn) => async (ev) => {
        ev.preventDefault();
        const btns = ctx.main.querySelectorAll('.snap-actions button');
        btns.forEach((b) => { b.disabled = true; });
        try { await fn(); } catch (e) { fill(msg, e.message); } finally { btns.forEach((b) => { b.disabled = false; }); }
    };
    const form = h('form', { class: 'inline', onsubmit: act(take) },
        field('Snapshot name', snapName, '1 to 64 of A-Z a-z 0-9 _ . -, beginning with a letter or digit'),
        h('div', { class: 'snap-actions actions' },
            h('button', { type: 'submit', class: 'primary' }, 'Take snapshot'),
            h('button', { type: 'button', class: 'danger', onclick: act(restore) }, 'Restore')));
    fill(ctx.main,
        pageHead(ctx, name ? 'Snapshots' : 'All snapshots', name ? { tenant: name, section: 'snapshots' } : {}),
        h('p', {}, 'A snapshot holds the whole server state, every tenant\'s. Restoring one brings all of it back.'),
        msg, form,
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('caption', {}, 'Snapshots'),
            h('thead', {}, h('tr', {}, ['Snapshot', 'Size', 'Taken', 'Actions'].map((x) => h('th', { scope: 'col' }, x)))),
            body)));
    await load();
}
