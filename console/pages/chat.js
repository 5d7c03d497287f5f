// console/pages/chat.js - one chat: its timeline as a chat client shows it (new messages
// appear by polling), its members, settings, announcement, tabs and menus, and acting as
// a person of the tenant: write (with @-mentions), reply, reply in a thread, recall,
// react, mark read, leave. Every action is a simulated user action of the admin API, so
// the bots in the chat receive the same events as from a real client.

import { api, enc, qs, tenantInfo, ApiError } from '../api.js';
import { h, fill, field, when, jsonBlock, status as statusLine } from '../dom.js';
import { pageHead, pagedList } from './common.js';
import { chatLabel } from './chats.js';
import { messageBody, messageGist } from './message.js';
import { chatImages } from './images.js';

const PAGE = 30;
const POLL_MS = 1500;

/** The chat's details: facts, settings, announcement, top notice, tabs, menus. */
function details(chat) {
    const facts = [
        ['Chat ID', h('code', {}, chat.chat_id)],
        ['Mode', `${chat.chat_mode} · ${chat.chat_type}`],
        ['State', chat.status === 'normal' ? 'live' : chat.status],
        ['Owner', chat.owner.id ? `${chat.owner.name} (${chat.owner.id})` : '—'],
        ['Created', when(chat.created_at)],
        ['Description', chat.description || '—'],
    ];
    const settings = chat.settings && typeof chat.settings === 'object' ? Object.entries(chat.settings) : [];
    return h('section', { 'aria-labelledby': 'about-h', class: 'card' },
        h('h2', { id: 'about-h' }, 'About this chat'),
        h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        h('details', {}, h('summary', {}, 'Settings'),
            h('dl', { class: 'facts' }, settings.map(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))]))),
        chat.announcement ? h('details', {}, h('summary', {}, `Announcement (revision ${chat.announcement.revision})`), jsonBlock(chat.announcement.content, 'Announcement')) : null,
        chat.top_notice ? h('details', {}, h('summary', {}, 'Top notice'), jsonBlock(chat.top_notice, 'Top notice')) : null,
        chat.tabs.length ? h('details', {}, h('summary', {}, `Tabs (${chat.tabs.length})`),
            h('ul', {}, chat.tabs.map((t) => h('li', {}, `${t.tab_name || t.tab_type} `, h('code', {}, t.tab_type), t.tab_content ? ` ${JSON.stringify(t.tab_content)}` : '')))) : null,
        chat.menus.length ? h('details', {}, h('summary', {}, `Menus (${chat.menus.length})`),
            h('ul', {}, chat.menus.map((m) => h('li', { class: m.top ? null : 'sub' }, (m.item && (m.item.name || (m.item.chat_menu_item && m.item.chat_menu_item.name))) || m.item_id)))) : null);
}

function membersSection(chatId, onMembers) {
    const body = h('tbody');
    const list = pagedList({
        load: async (after) => {
            const page = await api('GET', `/admin/v1/feishu/chats/${enc(chatId)}/members${qs({ after: after || undefined, limit: 100 })}`);
            onMembers(page.items);
            return page;
        },
        render: (m) => body.append(h('tr', {}, h('th', { scope: 'row' }, m.name || m.id), h('td', {}, m.type), h('td', {}, h('code', {}, m.id)), h('td', {}, m.role))),
        more: 'More members',
        empty: 'No members.',
    });
    const sec = h('section', { 'aria-labelledby': 'members-h', class: 'card' },
        h('h2', { id: 'members-h' }, 'Members'),
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('thead', {}, h('tr', {}, ['Name', 'Kind', 'ID', 'Role'].map((x) => h('th', { scope: 'col' }, x)))), body)),
        list.status, list.button);
    const reload = async () => { body.replaceChildren(); list.reset(); await list.first(); };
    return { sec, first: list.first, reload };
}

/** A message's reactions, one entry per emoji type ("Emoji types" names) with who reacted so, in the order added. */
function reactionList(m) {
    if (!m.reactions || !m.reactions.length) return null;
    const byType = new Map();
    for (const r of m.reactions) {
        if (!byType.has(r.emoji_type)) byType.set(r.emoji_type, []);
        byType.get(r.emoji_type).push(r.operator.name || r.operator.id);
    }
    return h('ul', { class: 'reactions', 'aria-label': 'Reactions' }, [...byType].map(([type, who]) =>
        h('li', { class: 'tag' }, `${type} ${who.length}: ${who.join(', ')}`)));
}

export async function chatPage(ctx) {
    const { name, chat: chatId } = ctx.params;
    const [chat, tenant] = await Promise.all([api('GET', `/admin/v1/feishu/chats/${enc(chatId)}`), tenantInfo(name)]);
    const apps = (tenant.feishu && tenant.feishu.apps) || [];
    const msg = statusLine();
    const images = chatImages(apps, chatId);

    // --- acting as a person ---
    const actAs = h('select', { name: 'act-as' });
    const members = new Map(); // id -> member
    const memberGroup = h('optgroup', { label: 'Members' });
    const othersGroup = h('optgroup', { label: 'Not in this chat' });
    actAs.append(memberGroup, othersGroup);
    const mention = h('select', { name: 'mention' }, h('option', { value: '' }, 'Choose someone…'));
    const addMembers = (items) => {
        for (const m of items) {
            members.set(m.id, m);
            if (m.type === 'user') {
                const other = othersGroup.querySelector(`option[value="${CSS.escape(m.id)}"]`);
                if (other) other.remove();
                const asked = invitee.querySelector(`option[value="${CSS.escape(m.id)}"]`);
                if (asked) asked.remove();
                memberGroup.append(h('option', { value: m.id }, `${m.name} (${m.id})`));
                mention.append(h('option', { value: m.id }, `${m.name}`));
            } else {
                const app = apps.find((a) => a.app_id === m.id);
                if (app) mention.append(h('option', { value: app.bot_open_id }, `${m.name} (bot)`));
            }
        }
    };
    const membersBox = membersSection(chatId, addMembers);
    // After a join, leave or invite: the members again, and who can act and be mentioned.
    const reloadMembers = async () => {
        const keep = actAs.value;
        members.clear();
        memberGroup.replaceChildren();
        mention.replaceChildren(mention.firstChild);
        await membersBox.reload();
        if ([...actAs.options].some((o) => o.value === keep)) actAs.value = keep;
    };
    images.knowBots(() => [...members.values()].filter((m) => m.type === 'bot').map((m) => m.id));

    const invitee = h('select', { name: 'invitee' }, h('option', { value: '' }, 'Choose someone…'));
    // A person of the tenant not in the chat: they may still act (join) or be invited.
    const notMember = (p) => {
        othersGroup.append(h('option', { value: p.user_id }, `${p.name} (${p.user_id})`));
        invitee.append(h('option', { value: p.user_id }, `${p.name} (${p.user_id})`));
    };
    const text = h('textarea', { name: 'message', rows: 2 });
    const replyInThread = h('input', { type: 'checkbox', name: 'thread' });
    const replyBox = h('div', { class: 'replying', hidden: true });
    let replyTo = null;
    const setReply = (m, thread) => {
        replyTo = m;
        replyInThread.checked = Boolean(thread || (m && m.thread_id));
        replyBox.hidden = !m;
        if (m) fill(replyBox, h('span', {}, `Replying to ${m.sender_name || m.sender.id}: “${messageGist(m)}”`),
            h('label', {}, replyInThread, ' in its thread'),
            h('button', { type: 'button', onclick: () => setReply(null) }, 'Cancel reply'));
        text.focus();
    };
    const actor = () => actAs.value;
    const run = async (what, fn) => {
        try { await fn(); await refresh(); } catch (e) {
            // An optional action this server has no route for ("no such api", no field).
            const missing = e instanceof ApiError && e.status === 404 && !e.field && /no such api/.test(e.message);
            fill(msg, what.optional && missing ? `${what.label} is not available on this server.` : `${what.label}: ${e.message}`);
        }
    };
    const send = async () => {
        const body = { chat_id: chatId, user_id: actor(), msg_type: 'text', content: JSON.stringify({ text: text.value }) };
        if (replyTo) { body.reply_to = replyTo.message_id; if (replyInThread.checked) body.reply_in_thread = true; }
        await api('POST', '/admin/v1/feishu/say', body);
        text.value = '';
        setReply(null);
        fill(msg, 'Sent.');
        stickToEnd = true;
    };
    const compose = h('form', { class: 'compose', onsubmit: (ev) => { ev.preventDefault(); if (text.value.trim()) run({ label: 'Send' }, send); } },
        field('Act as', actAs),
        replyBox,
        field('Message', text, 'Ctrl+Enter sends. Mention someone with the list below.'),
        h('div', { class: 'row' },
            field('Mention', mention),
            h('button', { type: 'button', onclick: () => {
                if (!mention.value) return;
                const tag = `<at user_id="${mention.value}"></at> `;
                const at = text.selectionStart ?? text.value.length;
                text.value = text.value.slice(0, at) + tag + text.value.slice(at);
                text.focus();
            } }, 'Insert mention'),
            h('button', { type: 'submit', class: 'primary' }, 'Send')),
        h('div', { class: 'row person-actions' },
            h('button', { type: 'button', onclick: () => run({ label: 'Leave' }, async () => {
                const who = actor();
                const r = await api('POST', '/admin/v1/feishu/leave', { chat_id: chatId, user_id: who });
                await reloadMembers();
                notMember({ user_id: who, name: who });
                actAs.value = who;
                fill(msg, `${who} ${r.result}.`);
            }) }, 'Leave chat'),
            field('Person to invite', invitee),
            h('button', { type: 'button', onclick: () => run({ label: 'Invite' }, async () => {
                if (!invitee.value) return;
                const r = await api('POST', '/admin/v1/feishu/invite', { chat_id: chatId, inviter_user_id: actor(), user_id: invitee.value });
                fill(msg, `${invitee.value}: ${r.result.replace(/_/g, ' ')}.`);
                if (r.result === 'joined') await reloadMembers();
            }) }, 'Invite'),
            apps.map((a) => h('button', { type: 'button', onclick: () => run({ label: 'p2p' }, async () => {
                const r = await api('POST', '/admin/v1/feishu/p2p_enter', { app_id: a.app_id, user_id: actor() });
                location.hash = `#/tenants/${enc(name)}/chats/${enc(r.chat_id)}`;
            }) }, `Open ${a.name} p2p chat`))));
    text.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); compose.requestSubmit(); }
    });

    // --- the timeline ---
    const list = h('ol', { class: 'timeline' });
    const log = h('div', { class: 'log', role: 'log', 'aria-label': 'Messages', tabindex: 0 }, list);
    const earlier = h('button', { type: 'button', class: 'more', hidden: true }, 'Earlier messages');
    const shown = new Map(); // message_id -> { m, li, key }
    let order = []; // message ids, oldest first
    let before = null;
    let stickToEnd = true;
    const byId = (id) => (shown.get(id) || {}).m;

    const msgActions = (m) => {
        const gist = `msg-${m.message_id}`;
        const b = (label, fn, extra = {}) => h('button', { type: 'button', class: 'small', 'aria-describedby': gist, onclick: fn, ...extra }, label);
        if (m.deleted) return null;
        return h('div', { class: 'msg-actions' },
            b('Reply', () => setReply(m)),
            m.thread_id ? null : b('Reply in thread', () => setReply(m, true)),
            b('Recall', () => run({ label: 'Recall' }, () => api('POST', '/admin/v1/feishu/recall', { message_id: m.message_id, user_id: actor() }))),
            b('Thumbs up', () => run({ label: 'Reactions', optional: true }, () => api('POST', '/admin/v1/feishu/react', { message_id: m.message_id, user_id: actor(), emoji_type: 'THUMBSUP' }))),
            b('Mark read', () => run({ label: 'Read receipts', optional: true }, () => api('POST', '/admin/v1/feishu/read', { message_id: m.message_id, user_id: actor() }))));
    };

    // Threads shown open (root message_id -> its box), kept open across re-renders and
    // refreshed with the timeline.
    const openThreads = new Map();
    const threadSeen = new WeakMap(); // box -> the page it shows
    const threadBox = (m) => {
        if (!m.thread_id || m.root_id) return null;
        const box = h('div', { class: 'thread', hidden: true });
        const toggle = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', onclick: async () => {
            const open = toggle.getAttribute('aria-expanded') !== 'true';
            toggle.setAttribute('aria-expanded', String(open));
            box.hidden = !open;
            if (open) { openThreads.set(m.message_id, { m, box }); await loadThread(m, box); } else openThreads.delete(m.message_id);
        } }, 'Show thread');
        if (openThreads.has(m.message_id)) {
            toggle.setAttribute('aria-expanded', 'true');
            box.hidden = false;
            openThreads.set(m.message_id, { m, box });
            loadThread(m, box).catch((e) => fill(msg, e.message));
        }
        return [toggle, box];
    };

    const loadThread = async (root, box) => {
        const page = await api('GET', `/admin/v1/feishu/chats/${enc(chatId)}/messages${qs({ thread_id: root.thread_id, limit: 50 })}`);
        const key = JSON.stringify(page);
        if (threadSeen.get(box) === key) return;
        threadSeen.set(box, key);
        const replies = page.items.filter((x) => x.message_id !== root.message_id).reverse();
        fill(box, replies.length ? h('ol', { class: 'timeline nested', 'aria-label': 'Thread replies' }, replies.map((x) => item(x))) : h('p', {}, 'No replies yet.'),
            page.next ? h('p', { class: 'hint' }, 'Older replies are not shown.') : null);
    };

    function item(m) {
        const parent = m.parent_id ? byId(m.parent_id) : null;
        return h('li', { class: `msg${m.sender.sender_type === 'app' ? ' bot' : ''}${m.deleted ? ' gone' : ''}`, 'data-id': m.message_id },
            h('div', { class: 'msg-head' },
                h('span', { class: 'who' }, m.sender_name || m.sender.id), m.sender.sender_type === 'app' ? h('span', { class: 'tag' }, 'bot') : null,
                h('time', { datetime: new Date(Number(m.create_time)).toISOString() }, when(m.create_time, true)),
                m.updated ? h('span', { class: 'tag' }, 'edited') : null,
                m.deleted ? h('span', { class: 'tag' }, 'recalled') : null,
                msgActions(m)),
            m.parent_id ? h('p', { class: 'reply-to' }, `↳ in reply to ${parent ? `${parent.sender_name}: “${messageGist(parent)}”` : m.parent_id}`) : null,
            h('div', { class: 'msg-body', id: `msg-${m.message_id}` }, messageBody(m, images.render)),
            reactionList(m),
            threadBox(m));
    }

    const place = () => {
        const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
        const ids = order;
        list.replaceChildren(...ids.map((id) => shown.get(id).li));
        if (stickToEnd || atEnd) log.scrollTop = log.scrollHeight;
        stickToEnd = false;
    };

    // Merges a page (newest first) into what is shown; 'older' pages go before.
    const merge = (items, older) => {
        let changed = false;
        const fresh = [];
        for (const m of items) {
            const key = JSON.stringify(m);
            const had = shown.get(m.message_id);
            if (had && had.key === key) continue;
            if (had) { const li = item(m); had.li.replaceWith(li); Object.assign(had, { m, li, key }); changed = true; continue; }
            shown.set(m.message_id, { m, key, li: null });
            fresh.push(m.message_id);
        }
        if (fresh.length) {
            fresh.reverse();
            order = older ? [...fresh, ...order] : [...order, ...fresh];
            for (const id of fresh) { const s = shown.get(id); s.li = item(s.m); }
            changed = true;
        }
        if (changed) place();
    };

    const refresh = async () => {
        const page = await api('GET', `/admin/v1/feishu/chats/${enc(chatId)}/messages${qs({ limit: PAGE })}`);
        if (!ctx.alive()) return;
        // More new messages than a page since the last look: start again from the newest.
        if (order.length && page.next && !page.items.some((m) => shown.has(m.message_id))) {
            shown.clear(); order = []; before = page.next; earlier.hidden = false;
        }
        if (!order.length) { before = page.next || null; earlier.hidden = !before; }
        merge(page.items, false);
        fill(empty, order.length ? '' : 'No messages yet.');
        for (const { m, box } of openThreads.values()) if (box.isConnected) await loadThread(m, box);
    };
    const empty = h('p', { class: 'status', role: 'status' });
    earlier.addEventListener('click', async () => {
        try {
            const page = await api('GET', `/admin/v1/feishu/chats/${enc(chatId)}/messages${qs({ before, limit: PAGE })}`);
            const top = list.firstChild;
            merge(page.items, true);
            before = page.next || null;
            earlier.hidden = !before;
            if (top) top.scrollIntoView();
        } catch (e) { fill(msg, e.message); }
    });

    fill(ctx.main,
        pageHead(ctx, chatLabel(chat), { tenant: name, section: 'chats', trail: ['Chats'] }),
        msg,
        h('div', { class: 'chat-layout' },
            h('section', { 'aria-labelledby': 'timeline-h', class: 'chat-main' },
                h('h2', { id: 'timeline-h' }, 'Timeline'),
                h('div', { class: 'actions' }, earlier,
                    h('button', { type: 'button', class: 'link', onclick: () => text.focus() }, 'Go to the message box')),
                log, empty, compose),
            h('aside', { class: 'chat-side', 'aria-label': 'Chat details' }, details(chat), membersBox.sec)));
    await membersBox.first();
    // People not in the chat, to join them or act otherwise (first page).
    const people = await api('GET', `/admin/v1/tenants/${enc(name)}/people${qs({ limit: 200 })}`);
    for (const p of people.items) if (!members.has(p.user_id)) notMember(p);
    await refresh();
    ctx.every(POLL_MS, refresh);
    ctx.onLeave(images.release);
}
