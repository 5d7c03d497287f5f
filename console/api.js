// console/api.js - the admin API (and the dialects' own) with the admin token, which
// the browser session keeps (sessionStorage: gone when the tab closes).

const KEY = 'qunzu.adminToken';

export const token = {
    get: () => sessionStorage.getItem(KEY),
    set: (t) => sessionStorage.setItem(KEY, t),
    clear: () => sessionStorage.removeItem(KEY),
};

/** An answer other than 2xx: the admin envelope's code and message. */
export class ApiError extends Error {
    constructor(status, code, message, field) {
        super(message || code || `HTTP ${status}`);
        this.status = status;
        this.code = code;
        this.field = field;
    }
}

let onUnauthenticated = () => {};
/** What to do when the token is refused (the app shows the login form). */
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

/** Calls the admin API: method, path (with query), JSON body; resolves to the JSON answer. */
export async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${token.get() || ''}` };
    const init = { method, headers };
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!res.ok) {
        const err = json && json.error ? json.error : {};
        if (res.status === 401) onUnauthenticated();
        throw new ApiError(res.status, err.code, err.message || text.slice(0, 200), err.field);
    }
    return json;
}

/** A query string of the defined values: qs({after: 3, limit: 50}) → "?after=3&limit=50". */
export function qs(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
    const s = p.toString();
    return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

// Tenant descriptions, read once per visit of a tenant (names of people and apps).
const tenants = new Map();
export async function tenantInfo(name, fresh = false) {
    if (fresh || !tenants.has(name)) tenants.set(name, await api('GET', `/admin/v1/tenants/${enc(name)}`));
    return tenants.get(name);
}
export function forgetTenant(name) { tenants.delete(name); }
export function forgetTenants() { tenants.clear(); }
