// console/pages/faults.js - fault rules: every rule (or, under a tenant, those naming it
// or its apps) with how often each fired on this node, adding one, removing one.

import { api, enc, tenantInfo } from '../api.js';
import { h, fill, field, when, status as statusLine } from '../dom.js';
import { pageHead } from './common.js';

const EXAMPLES = {
    feishu: 'POST /open-apis/im/v1/messages',
    wecom: 'POST /cgi-bin/kf/add_intent',
    udesk: 'GET /open_api_v1/knowledge_questions',
};

function answerText(a) {
    if (!a) return '';
    if (a.drop) return 'drop the connection';
    if (a.delay_ms) return `hold the answer ${a.delay_ms} ms`;
    return `code ${a.code}${a.status ? `, HTTP ${a.status}` : ''}${a.msg ? `, “${a.msg}”` : ''}`;
}

export async function faultsPage(ctx) {
    const name = ctx.params.name;
    const t = name ? await tenantInfo(name) : null;
    const appIds = t && t.feishu ? t.feishu.apps.map((a) => a.app_id) : [];
    const msg = statusLine();
    const body = h('tbody');
    let seen = '';
    const load = async () => {
        const all = (await api('GET', '/admin/v1/faults')).items;
        const rules = name ? all.filter((r) => r.tenant === name || appIds.includes(r.app_id)) : all;
        const key = JSON.stringify(rules);
        if (key === seen || !ctx.alive()) return;
        seen = key;
        fill(body, rules.map((r) => h('tr', {},
            h('th', { scope: 'row' }, String(r.id)),
            h('td', {}, r.dialect),
            h('td', {}, h('code', {}, r.route)),
            h('td', {}, r.tenant || r.app_id || 'every call'),
            h('td', {}, r.count ? `next ${r.count}` : r.ratio ? `${Math.round(r.ratio * 100)} %` : 'every call'),
            h('td', {}, answerText(r.answer)),
            h('td', { class: 'num' }, String(r.fired)),
            h('td', {}, when(r.created_at)),
            h('td', {}, h('button', { type: 'button', onclick: async () => {
                try { await api('DELETE', `/admin/v1/faults/${enc(r.id)}`); fill(msg, `Rule ${r.id} removed.`); await load(); } catch (e) { fill(msg, e.message); }
            } }, `Remove rule ${r.id}`)))));
        if (!rules.length) fill(body, h('tr', {}, h('td', { colspan: 9 }, 'No fault rules.')));
    };

    const dialect = h('select', {}, ['feishu', 'wecom', 'udesk'].map((d) => h('option', { value: d }, d)));
    const route = h('input', { type: 'text', required: true, placeholder: EXAMPLES.feishu, autocomplete: 'off' });
    dialect.addEventListener('change', () => { route.placeholder = EXAMPLES[dialect.value]; });
    const scope = h('select', {},
        name ? h('option', { value: `tenant:${name}` }, `calls of ${name}`) : null,
        appIds.map((a) => h('option', { value: `app:${a}` }, `calls of app ${a}`)),
        h('option', { value: '' }, 'every call'));
    const times = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric' });
    const kind = h('select', {}, h('option', { value: 'code' }, 'an error code'), h('option', { value: 'delay' }, 'a held answer'), h('option', { value: 'drop' }, 'a dropped connection'));
    const code = h('input', { type: 'number', value: '99991400', inputmode: 'numeric' });
    const statusIn = h('input', { type: 'number', min: 100, max: 599, inputmode: 'numeric' });
    const delay = h('input', { type: 'number', min: 1, max: 600000, value: '1000', inputmode: 'numeric' });
    const codeBox = h('div', { class: 'row' }, field('Code', code), field('HTTP status (optional)', statusIn));
    const delayBox = h('div', { class: 'row', hidden: true }, field('Delay (ms)', delay));
    kind.addEventListener('change', () => { codeBox.hidden = kind.value !== 'code'; delayBox.hidden = kind.value !== 'delay'; });
    const form = h('form', { class: 'stack', onsubmit: async (ev) => {
        ev.preventDefault();
        const rule = { dialect: dialect.value, route: route.value.trim() };
        const [k, v] = scope.value.split(/:(.*)/s);
        if (k === 'tenant') rule.tenant = v;
        if (k === 'app') rule.app_id = v;
        if (times.value) rule.count = Number(times.value);
        if (kind.value === 'code') { rule.answer = { code: Number(code.value) }; if (statusIn.value) rule.answer.status = Number(statusIn.value); }
        if (kind.value === 'delay') rule.answer = { delay_ms: Number(delay.value) };
        if (kind.value === 'drop') rule.answer = { drop: true };
        try { const r = await api('POST', '/admin/v1/faults', rule); fill(msg, `Rule ${r.id} added.`); await load(); } catch (e) { fill(msg, e.message); }
    } },
    h('div', { class: 'row' }, field('Dialect', dialect), field('Route', route, 'method and path pattern, as the route tables write them')),
    h('div', { class: 'row' }, field('Applies to', scope), field('Times (empty: until removed)', times), field('Answer with', kind)),
    codeBox, delayBox,
    h('button', { type: 'submit', class: 'primary' }, 'Add fault rule'));

    fill(ctx.main,
        pageHead(ctx, name ? 'Faults' : 'All fault rules', name ? { tenant: name, section: 'faults' } : {}),
        msg,
        h('div', { class: 'table-wrap', tabindex: 0 }, h('table', {},
            h('caption', {}, name ? `Fault rules naming ${name} or its apps` : 'Every fault rule'),
            h('thead', {}, h('tr', {}, ['Rule', 'Dialect', 'Route', 'Applies to', 'How often', 'Answer', 'Fired here', 'Added', 'Actions'].map((x) => h('th', { scope: 'col' }, x)))),
            body)),
        h('section', { 'aria-labelledby': 'add-h' }, h('h2', { id: 'add-h' }, 'Add a fault rule'), form));
    await load();
    ctx.every(2000, load);
}
