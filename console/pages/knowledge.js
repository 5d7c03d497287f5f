// console/pages/knowledge.js - a tenant's knowledge content as its own APIs read it: WeCom's
// knowledge groups and their Q&A intents (gettoken with the corp's first secret, then
// list_group and list_intent, a page at a time) and Udesk's catalog trees per type (signed
// calls as the company's administrator).

import { api, enc, tenantInfo } from '../api.js';
import { h, fill, status as statusLine } from '../dom.js';
import { pageHead } from './common.js';

async function wecomCall(path, body) {
    const res = await fetch(path, body === undefined ? {} : {
        method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(body),
    });
    const j = await res.json();
    if (j.errcode !== 0) throw new Error(`${path.split('?')[0]}: ${j.errcode} ${j.errmsg}`);
    return j;
}

function wecomSection(corp) {
    const box = h('section', { 'aria-labelledby': 'wc-h' }, h('h2', { id: 'wc-h' }, `WeCom knowledge (corp ${corp.corpid})`));
    const msg = statusLine();
    const list = h('ul', { class: 'tree' });
    const more = h('button', { type: 'button', class: 'more', hidden: true }, 'More groups');
    box.append(msg, list, more);
    let token = null;
    let cursor = '';
    const call = async (op, body) => {
        if (!token) token = (await wecomCall(`/cgi-bin/gettoken?corpid=${enc(corp.corpid)}&corpsecret=${enc(corp.secrets[0])}`)).access_token;
        return wecomCall(`/cgi-bin/kf/knowledge/${op}?access_token=${enc(token)}`, body);
    };
    const intents = (g) => {
        const out = h('ul', {});
        const btn = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false' }, `Intents of ${g.name}`);
        let next = '';
        let loaded = false;
        const load = async () => {
            const j = await call('list_intent', next ? { group_id: g.group_id, cursor: next, limit: 100 } : { group_id: g.group_id, limit: 100 });
            for (const it of j.intent_list) {
                const q = it.question || {};
                const text = (q.text && q.text.content) || '';
                const answer = ((it.answers || q.answers || [])[0] || {}).text;
                out.append(h('li', {}, h('strong', {}, text), answer ? ` — ${answer.content}` : ''));
            }
            next = j.has_more ? j.next_cursor : '';
            if (next) out.append(h('li', {}, h('button', { type: 'button', class: 'small', onclick: (ev) => { ev.currentTarget.parentElement.remove(); load().catch((e) => fill(msg, e.message)); } }, `More intents of ${g.name}`)));
            if (!out.children.length) out.append(h('li', {}, 'No intents.'));
        };
        btn.addEventListener('click', async () => {
            const open = btn.getAttribute('aria-expanded') !== 'true';
            btn.setAttribute('aria-expanded', String(open));
            out.hidden = !open;
            if (open && !loaded) { loaded = true; await load().catch((e) => fill(msg, e.message)); }
        });
        out.hidden = true;
        return [btn, out];
    };
    const page = async () => {
        const j = await call('list_group', cursor ? { cursor, limit: 100 } : { limit: 100 });
        for (const g of j.group_list) list.append(h('li', {}, h('span', {}, g.name), g.is_default ? h('span', { class: 'tag' }, 'default') : null, ' ', intents(g)));
        cursor = j.has_more ? j.next_cursor : '';
        more.hidden = !cursor;
        if (!list.children.length) fill(msg, 'No knowledge groups.');
    };
    more.addEventListener('click', () => page().catch((e) => fill(msg, e.message)));
    return { box, load: () => page().catch((e) => fill(msg, e.message)) };
}

async function sha256hex(text) {
    const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const UDESK_TYPES = [['question', 'Questions'], ['useful_expression', 'Useful expressions'], ['useful_link', 'Useful links'], ['attachment', 'Attachments']];

function udeskSection(co) {
    const box = h('section', { 'aria-labelledby': 'ud-h' }, h('h2', { id: 'ud-h' }, `Udesk knowledge (${co.subdomain})`));
    const msg = statusLine();
    box.append(msg);
    const tree = (nodes) => h('ul', { class: 'tree' }, nodes.map((n) => h('li', {}, n.name, n.children ? tree(n.children) : null)));
    const load = async () => {
        for (const [type, label] of UDESK_TYPES) {
            // Signed by the server clock (the emulator's, which may have been moved on).
            const { now } = await api('GET', '/admin/v1/clock');
            const nonce = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, '0')).join('');
            const sign = await sha256hex(`${co.admin_email}&${co.api_token}&${now}&${nonce}&v2`);
            const q = new URLSearchParams({ email: co.admin_email, timestamp: String(now), nonce, sign, sign_version: 'v2', knowledge_type_name: type });
            const res = await fetch(`/open_api_v1/knowledge_catalogs?${q}`);
            const j = await res.json();
            if (j.code !== 1000) throw new Error(`Udesk catalogs (${type}): ${j.code} ${j.message}`);
            box.append(h('h3', {}, label), j.catalogs.length ? tree(j.catalogs) : h('p', {}, 'No catalogs.'));
        }
    };
    return { box, load: () => load().catch((e) => fill(msg, e.message)) };
}

export async function knowledgePage(ctx) {
    const name = ctx.params.name;
    const t = await tenantInfo(name);
    const wc = t.wecom && t.wecom.secrets && t.wecom.secrets.length ? wecomSection(t.wecom) : null;
    const ud = t.udesk ? udeskSection(t.udesk) : null;
    fill(ctx.main,
        pageHead(ctx, 'Knowledge', { tenant: name, section: 'knowledge' }),
        h('p', {}, 'Read through the dialects\' own APIs, as a client of the tenant reads it.'),
        wc ? wc.box : h('p', {}, 'No WeCom corp.'),
        ud ? ud.box : h('p', {}, 'No Udesk company.'));
    await Promise.all([wc && wc.load(), ud && ud.load()]);
}
