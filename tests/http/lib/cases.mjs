// tests/http/lib/cases.mjs - parser and runner for tests/http/**/*.case files.
//
// A .case file is a list of steps. Each step is one HTTP request and the response it
// must get. It knows nothing of how the server is started: runSteps() takes a 'send'
// function, so the self-tests drive it with a fake server and cases.test.mjs with the
// real one (one fresh server per file, steps in order, variables shared by the steps).
//
// ---------------------------------------------------------------------------------
// FORMAT
//
//   # A line whose first character is '#' is a comment, wherever it is.
//   >>> METHOD PATH
//   Header-Name: value          request headers (optional, see "header block")
//
//   request body                every line up to the '<<<' line (optional)
//   <<< STATUS
//   Header-Name: value          expected response headers (optional)
//
//   expected body               every line up to the next '>>>' or the end (optional)
//
// Header block: the lines directly after a '>>>' or '<<<' line that look like
// 'Name: value' (Name = a letter, then letters, digits, '-') are headers. The block ends
// at the first line that does not look like that; if that line is blank it is dropped.
// Everything after it, up to the next marker, is the body. So a body that itself
// starts with 'Word: ...' needs one blank line before it (a blank first line means
// "no headers"). Leading and trailing blank lines of a body are dropped and its lines
// are joined with '\n'.
//
// A request without body lines has no body; POST/PUT/PATCH then send Content-Length: 0.
// A request body is sent with Content-Type: application/json unless a Content-Type
// header is given. A response section without body lines does not check the body.
//
// Request templates (in PATH, header values and body):
//   {{NAME}}        a variable: preset (presetVars) or captured by an earlier step.
//                   In PATH the value is percent-encoded; elsewhere it is inserted as
//                   is (numbers, objects as JSON text). An unknown name is an error.
//   {{bytes:N}}     N 'x' characters, e.g. {"name": "{{bytes:1048576}}"}
//   {{hex:C3 28}}   raw bytes given in hex (body only), e.g. invalid UTF-8
//
// Expected status: exact. Expected headers: the header must be present and the name
// matches case-insensitively; a literal value (after {{NAME}} interpolation) must be a
// case-insensitive prefix of the actual value (so 'Content-Type: application/json'
// matches 'application/json; charset=utf-8'). A value made of directives (below) is
// matched by them instead; '{{absent}}' means the header must not be sent.
//
// Expected body: if the expected text parses as JSON, the response must be JSON and
// equal to it structurally and exactly: objects have the same key set (order is
// irrelevant), values the same JSON types (1 is not true, "1" is not 1), arrays the
// same length and order. Inside the expected JSON:
//   a string made only of directives matches by them (all must hold):
//     {{any}}              any value, null included
//     {{string}}           any string
//     {{int}}              any integer;  {{int:MIN..MAX}} an integer in range, either
//                          bound may be left out ({{int:1..}}, {{int:..7200}})
//     {{capture:NAME}}     any value, stored in variable NAME for later steps
//     {{NAME}}             deep-equal to variable NAME
//     {{not:NAME}}         not deep-equal to variable NAME
//     {{re:REGEX}}         a string matching the JavaScript REGEX (not anchored unless
//                          written with ^ $; it cannot contain '}}')
//     {{wecom_err:CODE:HEAD}}  a WeCom error message: "HEAD, hint: [25 digits], from ip:
//                          127.0.0.1, more info at https://open.work.weixin.qq.com/
//                          devtool/query?e=CODE"; {{wecom_err:CODE}} accepts any HEAD
//     e.g. "{{capture:t2}}{{not:t1}}" stores t2 and checks it differs from t1
//   any other string containing {{NAME}} is interpolated, then compared exactly
//   an object key "{{...}}" (any value) allows keys that the object does not list
// Otherwise the body is text and must equal the expected text (after {{NAME}}
// interpolation), trailing whitespace ignored on both sides.
// ---------------------------------------------------------------------------------

import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

export class CaseError extends Error {
    constructor(message) {
        super(message);
        this.name = 'CaseError';
    }
}

const HEADER_RE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*?)\s*$/;
const REQ_RE = /^>>> ([A-Z]+) (\S+)$/;
const RESP_RE = /^<<< (\d{3})$/;
const VAR_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DIRECTIVES_ONLY_RE = /^(?:\{\{(?:(?!\}\}).)*\}\})+$/s;
const DIRECTIVE_RE = /\{\{((?:(?!\}\}).)*)\}\}/gs;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Parse the text of one .case file. 'name' is used in error messages.
 * Returns {name, steps: [{line, method, path, headers: [[name, value]], body: string|null,
 *          expect: {line, status, headers: [[name, value]], body: string|null}}]}.
 * Throws CaseError on a malformed file.
 */
export function parseCase(text, name = '<case>') {
    const lines = text.replace(/\r\n/g, '\n').split('\n');
    const steps = [];
    let i = 0;
    const fail = (ln, msg) => {
        throw new CaseError(`${name}:${ln}: ${msg}`);
    };
    const isComment = (l) => l.startsWith('#');
    const isMarker = (l) => l.startsWith('>>>') || l.startsWith('<<<');

    // Read a header block then a body, stopping at the next marker line.
    function section() {
        const headers = [];
        while (i < lines.length && !isComment(lines[i]) && HEADER_RE.test(lines[i])) {
            const m = HEADER_RE.exec(lines[i]);
            headers.push([m[1], m[2]]);
            i++;
        }
        const body = [];
        while (i < lines.length && !isMarker(lines[i])) {
            if (!isComment(lines[i])) body.push(lines[i]);
            i++;
        }
        while (body.length && body[0].trim() === '') body.shift();
        while (body.length && body[body.length - 1].trim() === '') body.pop();
        return { headers, body: body.length ? body.join('\n') : null };
    }

    while (i < lines.length) {
        const l = lines[i];
        if (l.trim() === '' || isComment(l)) {
            i++;
            continue;
        }
        const m = REQ_RE.exec(l.trimEnd());
        if (!m) fail(i + 1, `expected '>>> METHOD PATH', got ${JSON.stringify(l)}`);
        const step = { line: i + 1, method: m[1], path: m[2] };
        i++;
        const req = section();
        step.headers = req.headers;
        step.body = req.body;
        if (i >= lines.length) fail(step.line, `request has no '<<< STATUS' section`);
        const r = RESP_RE.exec(lines[i].trimEnd());
        if (!r) fail(i + 1, `expected '<<< STATUS' (3 digits), got ${JSON.stringify(lines[i])}`);
        const expect = { line: i + 1, status: Number(r[1]) };
        i++;
        const resp = section();
        expect.headers = resp.headers;
        expect.body = resp.body;
        step.expect = expect;
        // The expected body is parsed once here so a JSON typo fails early and clearly.
        if (expect.body !== null && looksLikeJson(expect.body)) {
            try {
                expect.json = JSON.parse(expect.body);
            } catch (err) {
                fail(expect.line, `expected body looks like JSON but does not parse: ${err.message}`);
            }
        }
        steps.push(step);
    }
    if (!steps.length) throw new CaseError(`${name}: no steps`);
    return { name, steps };
}

function looksLikeJson(s) {
    try {
        JSON.parse(s);
        return true;
    } catch {
        return /^\s*[[{]/.test(s); // meant as JSON but broken: report it
    }
}

export function parseCaseFile(file, name = file) {
    return parseCase(fs.readFileSync(file, 'utf8'), name);
}

// Every *.case file under 'dir' (recursively, skipping node_modules), sorted.
export function findCaseFiles(dir) {
    const out = [];
    const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile() && e.name.endsWith('.case')) out.push(p);
        }
    };
    walk(dir);
    return out.sort();
}

/** Variables every case starts with, derived from the seed fixture document. */
export function presetVars(seed, adminToken) {
    const v = {
        admin_token: adminToken,
        seed_json: JSON.stringify(seed),
        default_group_name: '默认分组',
    };
    for (const t of seed.tenants || []) {
        const n = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
        if (t.wecom) {
            v[`${n}_corpid`] = t.wecom.corpid;
            (t.wecom.secrets || []).forEach((s, k) => (v[`${n}_secret${k ? k + 1 : ''}`] = s));
        }
        if (t.feishu) {
            v[`${n}_tenant_key`] = t.feishu.tenant_key;
            (t.feishu.apps || []).forEach((a, k) => {
                v[`${n}_app_id${k ? k + 1 : ''}`] = a.app_id;
                v[`${n}_app_secret${k ? k + 1 : ''}`] = a.app_secret;
            });
        }
        if (t.udesk) {
            v[`${n}_udesk_subdomain`] = t.udesk.subdomain;
            v[`${n}_udesk_email`] = t.udesk.admin_email;
            v[`${n}_udesk_token`] = t.udesk.api_token;
        }
    }
    return v;
}

// ----- request side -------------------------------------------------------------

function varText(vars, name, where) {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) {
        throw new CaseError(`${where}: unknown variable {{${name}}}`);
    }
    const v = vars[name];
    return typeof v === 'string' ? v : JSON.stringify(v);
}

// Substitute templates in a string. mode: 'path' (percent-encode variables), 'text'
// (variables and {{bytes}}), 'body' (also {{hex}}). Returns a Buffer for 'body',
// otherwise a string.
export function expandTemplate(s, vars, mode, where) {
    const parts = [];
    let last = 0;
    for (const m of s.matchAll(DIRECTIVE_RE)) {
        parts.push(Buffer.from(s.slice(last, m.index), 'utf8'));
        last = m.index + m[0].length;
        const d = m[1];
        let piece;
        if (VAR_RE.test(d)) {
            const t = varText(vars, d, where);
            piece = mode === 'path' ? encodeURIComponent(t) : t;
        } else if (d.startsWith('bytes:')) {
            const n = Number(d.slice(6));
            if (!Number.isInteger(n) || n < 0 || n > MAX_BYTES) {
                throw new CaseError(`${where}: bad {{${d}}} (want 0..${MAX_BYTES})`);
            }
            piece = 'x'.repeat(n);
        } else if (d.startsWith('hex:') && mode === 'body') {
            const hex = d.slice(4).replace(/\s+/g, '');
            if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new CaseError(`${where}: bad {{${d}}}`);
            parts.push(Buffer.from(hex, 'hex'));
            continue;
        } else {
            throw new CaseError(`${where}: unknown request template {{${d}}}`);
        }
        parts.push(Buffer.from(piece, 'utf8'));
    }
    parts.push(Buffer.from(s.slice(last), 'utf8'));
    const buf = Buffer.concat(parts);
    return mode === 'body' ? buf : buf.toString('utf8');
}

/** Build the request of one step: {method, path, headers: {}, body: Buffer|undefined}. */
export function buildRequest(step, vars, name = '<case>') {
    const where = `${name}:${step.line}`;
    const headers = {};
    for (const [k, v] of step.headers) headers[k] = expandTemplate(v, vars, 'text', where);
    let body;
    if (step.body !== null) {
        body = expandTemplate(step.body, vars, 'body', where);
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
            headers['Content-Type'] = 'application/json';
        }
    }
    return { method: step.method, path: expandTemplate(step.path, vars, 'path', where), headers, body };
}

// ----- response side ------------------------------------------------------------

const show = (v) => {
    if (v === undefined) return 'undefined';
    const s = JSON.stringify(v);
    return s.length > 300 ? `${s.slice(0, 300)}... (${s.length} chars)` : s;
};
const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function wecomErrRegex(code, head) {
    const h = head === undefined ? '.+' : escapeRe(head);
    return new RegExp(
        `^${h}, hint: \\[\\d{25}\\], from ip: 127\\.0\\.0\\.1, more info at ` +
            `https://open\\.work\\.weixin\\.qq\\.com/devtool/query\\?e=${escapeRe(String(code))}$`,
    );
}

function directivesOf(s) {
    if (typeof s !== 'string' || !DIRECTIVES_ONLY_RE.test(s)) return null;
    return [...s.matchAll(DIRECTIVE_RE)].map((m) => m[1]);
}

// Check one directive against 'act'. Returns an error string or null.
function checkDirective(d, act, ctx, isHeader) {
    const vars = ctx.vars;
    if (d === 'absent') {
        if (!isHeader) throw new CaseError('{{absent}} is for headers only');
        return act === undefined ? null : `must be absent, got ${show(act)}`;
    }
    if (isHeader && act === undefined) return 'header missing';
    if (d === 'any') return null;
    if (d === 'string') return typeof act === 'string' ? null : `expected a string, got ${typeName(act)} ${show(act)}`;
    if (d === 'int' || d.startsWith('int:')) {
        if (!Number.isInteger(act)) return `expected an integer, got ${typeName(act)} ${show(act)}`;
        if (d === 'int') return null;
        const m = /^int:(-?\d+)?\.\.(-?\d+)?$/.exec(d);
        if (!m) throw new CaseError(`bad directive {{${d}}} (want int:MIN..MAX)`);
        if (m[1] !== undefined && act < Number(m[1])) return `expected an integer >= ${m[1]}, got ${act}`;
        if (m[2] !== undefined && act > Number(m[2])) return `expected an integer <= ${m[2]}, got ${act}`;
        return null;
    }
    if (d.startsWith('capture:')) {
        const n = d.slice(8);
        if (!VAR_RE.test(n)) throw new CaseError(`bad capture name in {{${d}}}`);
        ctx.pending.push([n, act]);
        return null;
    }
    if (d.startsWith('not:')) {
        const n = d.slice(4);
        if (!Object.hasOwn(vars, n)) throw new CaseError(`unknown variable in {{${d}}}`);
        return isDeepStrictEqual(act, vars[n]) ? `expected a value different from {{${n}}} = ${show(vars[n])}` : null;
    }
    if (d.startsWith('re:')) {
        let re;
        try {
            re = new RegExp(d.slice(3));
        } catch (err) {
            throw new CaseError(`bad regex in {{${d}}}: ${err.message}`);
        }
        if (typeof act !== 'string') return `expected a string matching /${re.source}/, got ${typeName(act)} ${show(act)}`;
        return re.test(act) ? null : `expected a string matching /${re.source}/, got ${show(act)}`;
    }
    if (d.startsWith('wecom_err:')) {
        const m = /^wecom_err:(-?\d+)(?::(.*))?$/s.exec(d);
        if (!m) throw new CaseError(`bad directive {{${d}}} (want wecom_err:CODE:HEAD)`);
        const re = wecomErrRegex(m[1], m[2]);
        if (typeof act === 'string' && re.test(act)) return null;
        return `expected WeCom errmsg for errcode ${m[1]}${m[2] !== undefined ? ` with head ${show(m[2])}` : ''} ` +
            `("<head>, hint: [25 digits], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${m[1]}"), got ${show(act)}`;
    }
    if (VAR_RE.test(d)) {
        if (!Object.hasOwn(vars, d)) throw new CaseError(`unknown variable {{${d}}}`);
        return isDeepStrictEqual(act, vars[d]) ? null : `expected {{${d}}} = ${show(vars[d])}, got ${show(act)}`;
    }
    throw new CaseError(`unknown directive {{${d}}}`);
}

function interpolate(s, vars, where) {
    return s.replace(DIRECTIVE_RE, (_, d) => {
        if (!VAR_RE.test(d)) throw new CaseError(`${where}: only {{NAME}} may be mixed with other text, got {{${d}}}`);
        return varText(vars, d, where);
    });
}

/**
 * Compare 'act' with the expected JSON value 'exp' (which may hold directives).
 * Mismatches are pushed to ctx.errors as "$.path: message"; captures go to ctx.pending.
 */
export function matchJson(exp, act, where, ctx) {
    const err = (msg) => ctx.errors.push(`${where}: ${msg}`);
    if (typeof exp === 'string') {
        const ds = directivesOf(exp);
        if (ds) {
            for (const d of ds) {
                const e = checkDirective(d, act, ctx, false);
                if (e) err(e);
            }
            return;
        }
        const want = exp.includes('{{') ? interpolate(exp, ctx.vars, where) : exp;
        if (typeof act !== 'string') err(`expected string ${show(want)}, got ${typeName(act)} ${show(act)}`);
        else if (act !== want) err(`expected ${show(want)}, got ${show(act)}`);
        return;
    }
    if (exp === null || typeof exp !== 'object') {
        if (typeName(act) !== typeName(exp)) err(`expected ${typeName(exp)} ${show(exp)}, got ${typeName(act)} ${show(act)}`);
        else if (act !== exp) err(`expected ${show(exp)}, got ${show(act)}`);
        return;
    }
    if (Array.isArray(exp)) {
        if (!Array.isArray(act)) return err(`expected an array, got ${typeName(act)} ${show(act)}`);
        if (act.length !== exp.length) {
            err(`expected ${exp.length} element(s), got ${act.length}: ${show(act)}`);
        }
        for (let k = 0; k < Math.min(exp.length, act.length); k++) matchJson(exp[k], act[k], `${where}[${k}]`, ctx);
        return;
    }
    if (typeName(act) !== 'object') return err(`expected an object, got ${typeName(act)} ${show(act)}`);
    const open = Object.prototype.hasOwnProperty.call(exp, '{{...}}');
    for (const k of Object.keys(exp)) {
        if (k === '{{...}}') continue;
        const sub = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${where}.${k}` : `${where}[${JSON.stringify(k)}]`;
        if (!Object.prototype.hasOwnProperty.call(act, k)) err(`missing key ${JSON.stringify(k)}`);
        else matchJson(exp[k], act[k], sub, ctx);
    }
    if (!open) {
        const extra = Object.keys(act).filter((k) => !Object.prototype.hasOwnProperty.call(exp, k));
        if (extra.length) err(`unexpected key(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    }
}

/**
 * Check one response {status, headers (lower-case names), body (text)} against a
 * step's expectation. Returns a list of mismatch strings (empty = pass); successful
 * captures are stored in vars.
 */
export function checkResponse(expect, res, vars, name = '<case>') {
    const ctx = { vars, errors: [], pending: [] };
    if (res.status !== expect.status) ctx.errors.push(`status: expected ${expect.status}, got ${res.status}`);
    for (const [hn, hv] of expect.headers) {
        const act = res.headers[hn.toLowerCase()];
        const actStr = Array.isArray(act) ? act.join(', ') : act;
        const ds = directivesOf(hv);
        if (ds) {
            for (const d of ds) {
                const e = checkDirective(d, actStr, ctx, true);
                if (e) ctx.errors.push(`header ${hn}: ${e}`);
            }
            continue;
        }
        const want = interpolate(hv, vars, `${name}:${expect.line}`);
        if (actStr === undefined) ctx.errors.push(`header ${hn}: missing (expected ${show(want)})`);
        else if (!actStr.toLowerCase().startsWith(want.toLowerCase())) {
            ctx.errors.push(`header ${hn}: expected a value starting with ${show(want)}, got ${show(actStr)}`);
        }
    }
    if (expect.body !== null) {
        if (expect.json !== undefined) {
            let act;
            try {
                act = JSON.parse(res.body);
            } catch {
                ctx.errors.push(`body: expected JSON, got ${show(res.body)}`);
            }
            if (act !== undefined) matchJson(expect.json, act, '$', ctx);
        } else {
            const want = interpolate(expect.body, vars, `${name}:${expect.line}`).trimEnd();
            if (res.body.trimEnd() !== want) ctx.errors.push(`body: expected text ${show(want)}, got ${show(res.body)}`);
        }
    }
    if (!ctx.errors.length) for (const [k, v] of ctx.pending) vars[k] = v;
    return ctx.errors;
}

/**
 * Run parsed steps in order. send({method, path, headers, body}) must resolve to
 * {status, headers, body}. Throws CaseError describing the first failing step: its
 * line, the request, every mismatch and the full response.
 */
export async function runSteps(parsed, { send, vars }) {
    const name = parsed.name;
    for (let n = 0; n < parsed.steps.length; n++) {
        const step = parsed.steps[n];
        const req = buildRequest(step, vars, name);
        const label = `${name}:${step.line}: step ${n + 1} (${req.method} ${req.path})`;
        let res;
        try {
            res = await send(req);
        } catch (err) {
            throw new CaseError(`${label}: request failed: ${err.message}`);
        }
        let errors;
        try {
            errors = checkResponse(step.expect, res, vars, name);
        } catch (err) {
            if (err instanceof CaseError) throw new CaseError(`${name}:${step.expect.line}: ${err.message}`);
            throw err;
        }
        if (errors.length) {
            const reqBody = req.body === undefined ? '(none)' : clip(req.body.toString('utf8'));
            const hdrs = Object.entries(res.headers || {})
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n    ');
            throw new CaseError(
                `${label} failed (expectation at line ${step.expect.line}):\n` +
                    errors.map((e) => `  - ${e}`).join('\n') +
                    `\n  request body: ${reqBody}` +
                    `\n  response: ${res.status}\n    ${hdrs}\n  response body: ${clip(res.body)}`,
            );
        }
    }
}

function clip(s, n = 2000) {
    return s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s;
}
