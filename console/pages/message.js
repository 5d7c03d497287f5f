// console/pages/message.js - one message's content as a chat client shows it: text with
// its @-mentions, rich text (post), cards as their title, text and buttons, images,
// files, and whatever else as its JSON. Nothing is parsed as HTML.

import { h } from '../dom.js';

function parse(content) {
    try { return JSON.parse(content); } catch { return null; }
}

// "@_user_1" keys of the text become the mentioned names.
function withMentions(text, mentions) {
    if (!mentions || !mentions.length) return [text];
    const out = [];
    const keys = new Map(mentions.map((m) => [m.key, m]));
    const re = /@_user_\d+|@_all/g;
    let at = 0;
    for (const m of text.matchAll(re)) {
        out.push(text.slice(at, m.index));
        const who = keys.get(m[0]);
        out.push(h('span', { class: 'mention' }, m[0] === '@_all' ? '@all' : `@${who ? who.name || who.id : m[0]}`));
        at = m.index + m[0].length;
    }
    out.push(text.slice(at));
    return out;
}

function postNode(el, mentions) {
    switch (el.tag) {
    case 'text': return h('span', { class: el.style && el.style.includes('bold') ? 'b' : null }, withMentions(el.text || '', mentions));
    case 'a': return h('a', { href: /^https?:\/\//.test(el.href || '') ? el.href : null, rel: 'noopener noreferrer', target: '_blank' }, el.text || el.href);
    case 'at': return h('span', { class: 'mention' }, `@${el.user_name || el.user_id || ''}`);
    case 'img': return h('span', { class: 'attachment' }, `[image ${el.image_key || ''}]`);
    case 'media': return h('span', { class: 'attachment' }, `[video ${el.file_key || ''}]`);
    case 'emotion': return h('span', { class: 'emoji' }, `:${el.emoji_type}:`);
    case 'code_block': return h('pre', { class: 'code' }, el.text || '');
    case 'hr': return h('hr');
    case 'md': return h('span', {}, el.text || '');
    default: return h('span', {}, el.text || '');
    }
}

function post(c, mentions) {
    const body = c.content ? c : (c.zh_cn || c.en_us || c.ja_jp || Object.values(c)[0] || {});
    return h('div', { class: 'post' },
        body.title ? h('p', { class: 'title' }, body.title) : null,
        (body.content || []).map((para) => h('p', {}, (para || []).map((el) => postNode(el, mentions)))));
}

// A card as read back: {"title", "elements": [[{tag, text}...]...]}; as sent, a card
// JSON with header and elements: both shown by their texts.
function cardText(x) {
    if (!x) return '';
    if (typeof x === 'string') return x;
    return x.content || x.text || '';
}

function card(c) {
    const title = c.title || (c.header && c.header.title && cardText(c.header.title));
    const rows = (c.elements || []).map((row) => {
        const items = Array.isArray(row) ? row : [row];
        return h('div', { class: 'card-row' }, items.map((it) => {
            if (it.tag === 'button') return h('span', { class: 'card-button' }, cardText(it.text));
            if (it.tag === 'action') return (it.actions || []).map((a) => h('span', { class: 'card-button' }, cardText(a.text)));
            if (it.tag === 'div') return h('span', {}, cardText(it.text));
            if (it.tag === 'hr') return h('hr');
            if (it.tag === 'img') return h('span', { class: 'attachment' }, `[image ${it.img_key || it.image_key || ''}]`);
            return h('span', {}, cardText(it.text) || cardText(it));
        }));
    });
    return h('div', { class: 'card-msg' }, title ? h('p', { class: 'title' }, title) : null, rows);
}

/** The body of message 'm' (the admin API's message object). */
export function messageBody(m, images) {
    const raw = m.body && m.body.content;
    if (m.deleted) return h('p', { class: 'recalled' }, 'This message was recalled');
    const c = parse(raw);
    if (!c) return h('p', {}, raw || '');
    switch (m.msg_type) {
    case 'text': return h('p', { class: 'text' }, withMentions(c.text || '', m.mentions));
    case 'post': return post(c, m.mentions);
    case 'interactive': return card(c);
    case 'image': return images ? images(m, c.image_key) : h('p', { class: 'attachment' }, `[image ${c.image_key}]`);
    case 'file': return h('p', { class: 'attachment' }, `[file ${c.file_name || c.file_key}]`);
    case 'audio': return h('p', { class: 'attachment' }, `[audio ${c.file_key}]`);
    case 'media': return h('p', { class: 'attachment' }, `[video ${c.file_name || c.file_key}]`);
    case 'sticker': return h('p', { class: 'attachment' }, `[sticker ${c.file_key}]`);
    case 'share_chat': return h('p', { class: 'attachment' }, `[shared chat ${c.chat_id}]`);
    case 'share_user': return h('p', { class: 'attachment' }, `[shared contact ${c.user_id}]`);
    case 'system': return h('p', { class: 'system' }, c.template || raw);
    default: return h('pre', { class: 'json' }, JSON.stringify(c, null, 2));
    }
}

/** A short text of a message (a reply's "in reply to"). */
export function messageGist(m) {
    if (!m) return '';
    if (m.deleted) return 'a recalled message';
    const c = parse(m.body && m.body.content) || {};
    if (m.msg_type === 'text') {
        const names = new Map((m.mentions || []).map((x) => [x.key, x.name || x.id]));
        return (c.text || '').replace(/@_user_\d+/g, (k) => `@${names.get(k) || k}`).slice(0, 80);
    }
    if (m.msg_type === 'post') return (c.title || 'rich text').slice(0, 80);
    if (m.msg_type === 'interactive') return (c.title || 'card').slice(0, 80);
    return m.msg_type;
}
