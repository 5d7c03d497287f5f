// console/pages/people.js - a tenant's people, a page at a time, and what one can do as
// them from here: open an app bot's p2p chat.

import { api, enc, qs, tenantInfo } from '../api.js';
import { h, fill, status as statusLine } from '../dom.js';
import { pageHead, pagedList } from './common.js';

export async function peoplePage(ctx) {
    const name = ctx.params.name;
    const t = await tenantInfo(name);
    const apps = (t.feishu && t.feishu.apps) || [];
    const msg = statusLine();
    const body = h('tbody');
    const p2p = (person) => apps.map((a) => h('button', { type: 'button', onclick: async () => {
        try {
            const r = await api('POST', '/admin/v1/feishu/p2p_enter', { app_id: a.app_id, user_id: person.user_id });
            location.hash = `#/tenants/${enc(name)}/chats/${enc(r.chat_id)}`;
        } catch (e) { fill(msg, e.message); }
    } }, `Open ${a.name} p2p chat as ${person.name}`));
    const list = pagedList({
        load: (after) => api('GET', `/admin/v1/tenants/${enc(name)}/people${qs({ after: after || undefined, limit: 50 })}`),
        render: (p) => body.append(h('tr', {},
            h('th', { scope: 'row' }, p.name),
            h('td', {}, h('code', {}, p.user_id)),
            h('td', {}, h('code', {}, p.union_id)),
            h('td', {}, p.email || '—'),
            h('td', {}, h('span', { class: 'actions' }, p2p(p))))),
        more: 'More people',
        empty: 'No people.',
    });
    const dbody = h('tbody');
    const depts = pagedList({
        load: (after) => api('GET', `/admin/v1/tenants/${enc(name)}/feishu/departments${qs({ after: after || undefined, limit: 50 })}`),
        render: (d) => dbody.append(h('tr', {},
            h('th', { scope: 'row' }, d.name || d.department_id),
            h('td', {}, h('code', {}, d.department_id)),
            h('td', {}, h('code', {}, d.open_department_id)),
            h('td', {}, d.parent_department_id === '0' ? 'the root' : h('code', {}, d.parent_department_id)),
            h('td', {}, d.leader_user_id || '—'))),
        more: 'More departments',
        empty: 'No departments: everyone sits under the root.',
    });
    fill(ctx.main,
        pageHead(ctx, 'People', { tenant: name, section: 'people' }),
        msg,
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('caption', {}, `People of ${name}`),
            h('thead', {}, h('tr', {}, ['Name', 'user_id', 'union_id', 'Email', 'Actions'].map((x) => h('th', { scope: 'col' }, x)))),
            body)),
        list.status, list.button,
        h('section', { 'aria-labelledby': 'depts-h' },
            h('h2', { id: 'depts-h' }, 'Departments'),
            h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
                h('caption', {}, `Feishu departments of ${name}, in creation order`),
                h('thead', {}, h('tr', {}, ['Department', 'department_id', 'open_department_id', 'Parent', 'Leader'].map((x) => h('th', { scope: 'col' }, x)))),
                dbody)),
            depts.status, depts.button));
    await Promise.all([list.first(), depts.first()]);
}
