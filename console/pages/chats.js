// console/pages/chats.js - a tenant's Feishu chats (every one, p2p and disbanded too), a
// page at a time: links named by the chat. Joining a chat by its share link as a person.

import { api, enc, qs } from '../api.js';
import { h, fill, field, when, status as statusLine } from '../dom.js';
import { pageHead, pagedList } from './common.js';

/** What a chat is called on a page: its name, else what it is. */
export const chatLabel = (c) => c.name || (c.chat_mode === 'p2p' ? `p2p chat ${c.chat_id}` : c.chat_id);

export async function chatsPage(ctx) {
    const name = ctx.params.name;
    const msg = statusLine();
    const body = h('tbody');
    const list = pagedList({
        load: (after) => api('GET', `/admin/v1/tenants/${enc(name)}/feishu/chats${qs({ after: after || undefined, limit: 50 })}`),
        render: (c) => body.append(h('tr', {},
            h('th', { scope: 'row' }, h('a', { href: `#/tenants/${enc(name)}/chats/${enc(c.chat_id)}` }, chatLabel(c))),
            h('td', {}, `${c.chat_mode} · ${c.chat_type}`),
            h('td', {}, c.status === 'normal' ? 'live' : c.status),
            h('td', { class: 'num' }, String(c.user_count)),
            h('td', { class: 'num' }, String(c.bot_count)),
            h('td', {}, when(c.active_at)))),
        more: 'More chats',
        empty: 'No chats yet.',
    });
    const linkToken = h('input', { type: 'text', required: true, autocomplete: 'off' });
    const userId = h('input', { type: 'text', required: true, autocomplete: 'off' });
    const join = h('form', { class: 'inline', onsubmit: async (ev) => {
        ev.preventDefault();
        try {
            const r = await api('POST', '/admin/v1/feishu/join_by_link', { link_token: linkToken.value.trim(), user_id: userId.value.trim() });
            fill(msg, `${userId.value}: ${r.result.replace(/_/g, ' ')}.`);
            if (r.result !== 'pending_approval') location.hash = `#/tenants/${enc(name)}/chats/${enc(r.chat_id)}`;
        } catch (e) { fill(msg, e.message); }
    } }, field('Link token', linkToken, 'the link_token of a share link'), field('As person (user_id)', userId), h('button', { type: 'submit' }, 'Join by link'));
    fill(ctx.main,
        pageHead(ctx, 'Chats', { tenant: name, section: 'chats' }),
        msg,
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('caption', {}, `Feishu chats of ${name}, oldest first`),
            h('thead', {}, h('tr', {}, ['Chat', 'Mode', 'State', 'People', 'Bots', 'Last active'].map((x) => h('th', { scope: 'col' }, x)))),
            body)),
        list.status, list.button,
        h('section', { 'aria-labelledby': 'join-h' }, h('h2', { id: 'join-h' }, 'Join a chat by its share link'), join));
    await list.first();
}
