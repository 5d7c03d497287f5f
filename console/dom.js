// console/dom.js - building the page without innerHTML: h('p', {class: 'x'}, 'text', child)
// makes an element; text is always text (nothing a tenant stored is parsed as HTML).

/** An element: attributes (on* as listeners, booleans as presence) and children. */
export function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === null || v === undefined || v === false) continue;
        if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'class') el.className = v;
        else if (k === 'for') el.htmlFor = v;
        else if (k === 'value') el.value = v;
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        if (Array.isArray(c)) append(el, c);
        else el.append(c instanceof Node ? c : String(c));
    }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}

let uid = 0;
/** A labelled form control: [label, control]; the control gets an id. */
export function field(label, control, hint) {
    control.id = control.id || `f${++uid}`;
    const hintEl = hint ? h('span', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
    if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
    return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** Unix seconds (or milliseconds when ms) as "YYYY-MM-DD HH:MM:SS UTC". */
export function when(t, ms = false) {
    if (t === undefined || t === null || t === '' || Number(t) === 0) return '—';
    const d = new Date(ms ? Number(t) : Number(t) * 1000);
    if (Number.isNaN(d.getTime())) return String(t);
    return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A table: headers and rows of cells (each a node or text). */
export function table(caption, headers, rows) {
    return h('div', { class: 'table-wrap', tabindex: 0 },
        h('table', {},
            caption ? h('caption', {}, caption) : null,
            h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

/** Pretty JSON in a <pre>. */
export function jsonBlock(v, label) {
    return h('pre', { class: 'json', tabindex: 0, 'aria-label': label || 'JSON' },
        typeof v === 'string' ? v : JSON.stringify(v, null, 2));
}

/** A status line that screen readers announce. */
export function status() {
    return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}
