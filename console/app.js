// console/app.js - the console's shell: login with the admin token (kept for the browser
// session; /console/#token=... logs in directly), the server clock, and hash routes
// (#/tenants/NAME/chats/CHAT) to the pages under pages/. No framework: see docs/console.md.

import { api, token, whenUnauthenticated, ApiError } from './api.js';
import { h, fill, field, when } from './dom.js';
import { tenantsPage } from './pages/tenants.js';
import { tenantPage } from './pages/tenant.js';
import { chatsPage } from './pages/chats.js';
import { chatPage } from './pages/chat.js';
import { peoplePage } from './pages/people.js';
import { eventsPage, eventPage } from './pages/events.js';
import { requestsPage } from './pages/requests.js';
import { faultsPage } from './pages/faults.js';
import { snapshotsPage } from './pages/snapshots.js';
import { knowledgePage } from './pages/knowledge.js';

const main = document.getElementById('main');

// [pattern over the path's segments, page]. A page is async (ctx) => void; it renders
// into ctx.main and registers what to stop when it is left (ctx.onLeave).
const routes = [
    [[], tenantsPage],
    [['tenants', ':name'], tenantPage],
    [['tenants', ':name', 'chats'], chatsPage],
    [['tenants', ':name', 'chats', ':chat'], chatPage],
    [['tenants', ':name', 'people'], peoplePage],
    [['tenants', ':name', 'events'], eventsPage],
    [['tenants', ':name', 'events', ':event'], eventPage],
    [['tenants', ':name', 'requests'], requestsPage],
    [['tenants', ':name', 'faults'], faultsPage],
    [['tenants', ':name', 'snapshots'], snapshotsPage],
    [['tenants', ':name', 'knowledge'], knowledgePage],
    [['faults'], faultsPage],
    [['snapshots'], snapshotsPage],
    [['requests'], requestsPage],
];

function match(segments) {
    for (const [pattern, page] of routes) {
        if (pattern.length !== segments.length) continue;
        const params = {};
        if (pattern.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = segments[i]), true) : p === segments[i])))
            return { page, params };
    }
    return null;
}

let current = null; // the page shown: { leave: [fn] }

function leave() {
    if (current) for (const fn of current.leave) fn();
    current = null;
}

async function route() {
    const hash = location.hash;
    const m = /^#token=(.+)$/.exec(hash);
    if (m) {
        token.set(decodeURIComponent(m[1]));
        history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    }
    leave();
    if (!token.get()) return login();
    const path = (location.hash.startsWith('#/') ? location.hash.slice(2) : '').split('/').filter(Boolean);
    const segments = path.map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
    const found = match(segments);
    const me = { leave: [] };
    current = me;
    // Each page renders into a view of its own: a page left while it still loads fills a
    // view no longer shown, never the one that replaced it.
    const view = h('div', { class: 'view' });
    fill(main, view);
    const ctx = {
        main: view,
        params: found ? found.params : {},
        alive: () => current === me,
        onLeave: (fn) => me.leave.push(fn),
        // Polls 'fn' every 'ms' while the page is shown, one call at a time.
        every: (ms, fn) => {
            let timer = null;
            const tick = async () => {
                if (current !== me) return;
                try { await fn(); } catch (e) {
                    // Said on the page (its first status line), not in the browser's console.
                    const line = current === me && view.querySelector('.status');
                    if (line) fill(line, `Could not refresh: ${e.message}`);
                }
                if (current === me) timer = setTimeout(tick, ms);
            };
            timer = setTimeout(tick, ms);
            me.leave.push(() => clearTimeout(timer));
        },
        title: (t) => { document.title = `${t} · qunzu console`; },
    };
    session();
    clock();
    if (!found) {
        ctx.title('Not found');
        fill(view, h('h1', { tabindex: -1 }, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the tenants')));
        return focusHeading();
    }
    try {
        fill(view, h('p', { class: 'loading' }, 'Loading…'));
        await found.page(ctx);
        if (current === me) focusHeading();
    } catch (e) {
        if (current !== me) return;
        if (e instanceof ApiError && e.status === 401) return;
        ctx.title('Error');
        fill(view, h('h1', { tabindex: -1 }, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, e.message),
            h('p', {}, h('a', { href: '#/' }, 'Back to the tenants')));
        focusHeading();
    }
}

// After a route change, focus moves to the page's heading (a screen reader reads it).
let firstRoute = true;
function focusHeading() {
    const h1 = main.querySelector('h1');
    if (!h1) return;
    h1.setAttribute('tabindex', '-1');
    if (!firstRoute) h1.focus({ preventScroll: false });
    firstRoute = false;
}

function login(message) {
    leave();
    document.title = 'Log in · qunzu console';
    fill(document.getElementById('clock'));
    fill(document.getElementById('session'));
    const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true });
    const form = h('form', { class: 'login', onsubmit: (ev) => {
        ev.preventDefault();
        token.set(input.value.trim());
        if (location.hash.startsWith('#/')) route();
        else location.hash = '#/';
    } },
    field('Admin token', input, 'The admin_token of this server (printed at its first start). Kept for this browser tab only.'),
    h('button', { type: 'submit' }, 'Log in'));
    fill(main, h('h1', { tabindex: -1 }, 'Log in'), message ? h('p', { class: 'error', role: 'alert' }, message) : null, form);
    input.focus();
}

whenUnauthenticated(() => {
    token.clear();
    login('The admin token was refused. Enter it again.');
});

function session() {
    fill(document.getElementById('session'), h('button', { type: 'button', class: 'link', onclick: () => {
        token.clear();
        login();
    } }, 'Log out'));
}

// The server clock: now and its offset, and moving it forward.
let clockTimer = null;
async function clock() {
    const box = document.getElementById('clock');
    if (box.firstChild) return;
    const out = h('span', { class: 'now' }, '');
    const secs = h('input', { type: 'number', min: 0, step: 1, value: '3600', inputmode: 'numeric', class: 'secs' });
    const msg = h('span', { class: 'clock-msg', role: 'status' });
    const show = (c) => fill(out, `Server clock ${when(c.now)}`, c.offset_seconds ? ` (+${c.offset_seconds} s)` : '');
    const form = h('form', { class: 'advance', onsubmit: async (ev) => {
        ev.preventDefault();
        try {
            show(await api('POST', '/admin/v1/clock', { advance_seconds: Number(secs.value) }));
            fill(msg, 'Advanced.');
        } catch (e) { fill(msg, e.message); }
    } }, field('Seconds', secs), h('button', { type: 'submit' }, 'Advance clock'));
    fill(box, out, form, msg);
    const tick = async () => {
        try { if (token.get()) show(await api('GET', '/admin/v1/clock')); } catch { /* shown on the next tick */ }
    };
    document.addEventListener('qunzu:clock', tick);
    clearInterval(clockTimer);
    clockTimer = setInterval(tick, 10000);
    await tick();
}

document.querySelector('.skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    main.focus();
});
window.addEventListener('hashchange', route);
route();
