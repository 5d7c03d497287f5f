// tests/http/lib/crash.mjs - crash trials (reliability issue, item 3): write load on
// every dialect at once, SIGKILL at a random moment, restart on the same database, and
// check that every acknowledged write is there and nothing unacknowledged is half
// there. Used by crash_trials.test.mjs (a few trials, in the test command) and by
// scripts/crash-trials.sh (100 trials, counts printed).
//
// One trial, on a fresh database seeded with Acme (WeCom, Udesk and Feishu at once):
//   WeCom   2 clients add knowledge groups          (acknowledged: errcode 0 + group_id)
//   Udesk   2 clients create catalogs               (acknowledged: code 1000 + id)
//   Feishu  2 clients create chats with 2 members   (acknowledged: code 0 + chat_id)
//           and set each one's description           (writes im.chat.updated_v1)
//           and a member says something in it        (admin say: a message and its
//                                                     im.message.receive_v1)
//   WeCom   2 clients add intents to the default group, each with a similar question
//           and a link attachment                   (acknowledged: errcode 0 + intent_id)
//   Udesk   2 clients create questions (uncategorized) (acknowledged: code 1000 + id)
// After the restart:
//   - every acknowledged object is there with its id (lost = 0);
//   - every object there was sent by a client (none invented), names are unique;
//   - every intent and question there is whole (its similar question, answer and
//     attachment; its answer);
//   - every chat there, acknowledged or not, is whole: exactly its owner-bot's two
//     requested members, and user_count agrees (half = 0);
//   - a description is there exactly when its im.chat.updated_v1 event is (the
//     change and its outbox row commit together), and acknowledged ones are there;
//   - likewise a message is there exactly when its im.message.receive_v1 is, at most
//     one per chat, and acknowledged ones are there;
//   - each dialect takes a write again.
//
// faultTrial() runs the same load with store_fault_every (or sqlite_fault_every)
// instead of SIGKILL: every
// answer is a success or the dialect's own store error, and after a restart without
// faults the same checks hold.

import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents, sleep, withServer } from './server.mjs';
import { feishuSeed, tenantToken } from './feishu.mjs';
import { ACME as WC, getToken, kf, listAll } from './wecom.mjs';
import { ACME as UD, udesk, flatten } from './udesk.mjs';

const MEMBERS = ['wangwu', 'zhaoliu'];
const WECOM_MAX_ADDS = 45; // two clients stay under the 100-group cap
const INTENT_MAX_ADDS = 95; // two clients stay under the 200-intent cap of a group
const KINDS = ['wecom', 'udesk', 'feishu', 'intent', 'item'];
const LOAD_LIMIT_MS = 20_000;

function fsHeaders(tok) {
    return { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json; charset=utf-8' };
}

async function fsGet(srv, tok, path) {
    const res = await srv.request('GET', path, { headers: fsHeaders(tok) });
    assert.equal(res.json?.code, 0, `GET ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return res.json.data;
}

// Every page of a Feishu list endpoint (bounded).
async function fsAll(srv, tok, path) {
    const items = [];
    let token = '';
    for (let i = 0; i < 500; i++) {
        const sep = path.includes('?') ? '&' : '?';
        const d = await fsGet(srv, tok, `${path}${sep}page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
        items.push(...(d.items || []));
        if (!d.has_more) return items;
        token = d.page_token;
    }
    throw new Error(`${path}: more than 500 pages`);
}

// The three kinds of write, each returning the id on acknowledgement, null when the
// server answered with an error, and throwing when the connection broke.
function writers(srv, t) {
    const ud = udesk(srv, UD);
    return {
        async wecom(name) {
            const j = await kf(srv, 'add_group', t.wecom, { name }, { timeout: 10_000 });
            return j.errcode === 0 ? j.group_id : { error: j };
        },
        async udesk(name) {
            const j = await ud.create({ name, knowledge_type_name: 'question', agent_id: 0 });
            return j.code === 1000 ? j.id : { error: j };
        },
        async intent(name) {
            const j = await kf(srv, 'add_intent', t.wecom, {
                group_id: t.defaultGroup,
                question: { text: { content: name } },
                similar_questions: { items: [{ text: { content: `s-${name}` } }] },
                answers: [{ text: { content: `a-${name}` }, attachments: [{ msgtype: 'link', link: { title: name, url: 'https://crash.test/' } }] }],
            }, { timeout: 10_000 });
            return j.errcode === 0 ? j.intent_id : { error: j };
        },
        async item(name) {
            const j = await ud.json('POST', '/open_api_v1/knowledge_questions', { body: { knowledge_question: { title: name, content: `a-${name}`, agent_id: 0 } } });
            return j.code === 1000 ? j.id : { error: j };
        },
        async feishu(name) {
            const res = await srv.request('POST', '/open-apis/im/v1/chats?user_id_type=user_id', {
                headers: fsHeaders(t.feishu),
                body: JSON.stringify({ name, user_id_list: MEMBERS }),
                timeout: 10_000,
            });
            return res.json?.code === 0 ? res.json.data.chat_id : { error: res.json || res.body };
        },
        async say(chatId, text) {
            const res = await srv.request('POST', '/admin/v1/feishu/say', {
                headers: ADMIN_HEADERS,
                body: JSON.stringify({ chat_id: chatId, user_id: MEMBERS[0], msg_type: 'text', content: JSON.stringify({ text }) }),
                timeout: 10_000,
            });
            return res.status === 200 && res.json?.message_id ? res.json.message_id : { error: res.json || res.body };
        },
        async describe(chatId, description) {
            const res = await srv.request('PUT', `/open-apis/im/v1/chats/${chatId}`, {
                headers: fsHeaders(t.feishu),
                body: JSON.stringify({ description }),
                timeout: 10_000,
            });
            return res.json?.code === 0 ? chatId : { error: res.json || res.body };
        },
    };
}

// The load: two clients per dialect, each until 'max' writes, the deadline, or
// state.stop. A broken connection ends a client quietly once state.stop is set; an
// error answer is passed to onError (return true to go on, false to end the client).
async function runLoad(srv, t, state, onError) {
    const w = writers(srv, t);
    const deadline = Date.now() + LOAD_LIMIT_MS;
    const attempted = Object.fromEntries(KINDS.map((k) => [k, new Set()]));
    const acked = Object.fromEntries(KINDS.map((k) => [k, new Map()]));
    const described = new Map(); // chat name -> acknowledged description
    const said = new Map(); // chat name -> acknowledged message_id
    const max = state.max || 1000;
    const load = { attempted, acked, described, said, describes: 0, says: 0 };

    async function once(fn, what) {
        let r;
        try {
            r = await fn();
        } catch (err) {
            if (state.stop) return undefined;
            throw err;
        }
        if (r && typeof r === 'object' && 'error' in r) return onError(what, r.error) ? null : undefined;
        return r;
    }
    async function client(kind, n) {
        const cap = kind === 'wecom' ? Math.min(max, WECOM_MAX_ADDS) : kind === 'intent' ? Math.min(max, INTENT_MAX_ADDS) : max;
        for (let i = 0; i < cap && !state.stop && Date.now() < deadline; i++) {
            const name = `${kind}-${n}-${i}`;
            attempted[kind].add(name);
            const id = await once(() => w[kind](name), name);
            if (id === undefined) return;
            if (id === null) continue;
            acked[kind].set(name, id);
            if (kind !== 'feishu') continue;
            load.describes++;
            const ok = await once(() => w.describe(id, `d-${name}`), `describe ${name}`);
            if (ok === undefined) return;
            if (ok !== null) described.set(name, `d-${name}`);
            load.says++;
            const msg = await once(() => w.say(id, `m-${name}`), `say ${name}`);
            if (msg === undefined) return;
            if (msg !== null) said.set(name, msg);
        }
    }
    const clients = [];
    for (const kind of KINDS) for (let n = 0; n < 2; n++) clients.push(client(kind, n));
    load.done = Promise.all(clients);
    const sum = (o) => KINDS.reduce((n, k) => n + o[k].size, 0);
    load.ackCount = () => sum(acked) + described.size + said.size;
    load.sentCount = () => sum(attempted) + load.describes + load.says;
    return load;
}

// Under injected faults a token call may meet one; a few tries get past it.
async function retried(fn) {
    for (let i = 1; ; i++) {
        try {
            return await fn();
        } catch (err) {
            if (i === 20) throw err;
        }
    }
}

// Runs body(srv, t, out) on a fresh server with tokens; withServer checks the clean
// exit and the sanitizers and attaches the log to a failure.
async function trial(serverOpts, body) {
    const out = { acked: 0, attempted: 0, lost: [], half: [], unexpected: [], delayMs: 0, errors: 0 };
    await withServer({ seed: feishuSeed(), ...serverOpts }, async (srv) => {
        const t = { wecom: await retried(() => getToken(srv, WC)), feishu: await retried(() => tenantToken(srv)) };
        t.defaultGroup = (await retried(() => listAll(srv, t.wecom))).groups.find((g) => g.is_default === 1).group_id;
        await body(srv, t, out);
    });
    return out;
}

/**
 * One crash trial. Returns {acked, attempted, lost: [...], half: [...],
 * unexpected: [...], delayMs}. Throws only on harness trouble.
 */
export function crashTrial(opts = {}) {
    return trial(opts.server || {}, async (srv, t, out) => {
        const state = { stop: false };
        const load = await runLoad(srv, t, state, (what, error) => {
            if (!state.stop) out.unexpected.push(`${what}: ${JSON.stringify(error)}`);
            return false;
        });
        const t0 = Date.now();
        while (load.ackCount() < 6 && Date.now() - t0 < LOAD_LIMIT_MS) await sleep(2);
        out.delayMs = Math.floor(Math.random() * (opts.maxDelayMs ?? 400));
        await sleep(out.delayMs);
        state.stop = true;
        const ex = await srv.kill9();
        assert.equal(ex.signal, 'SIGKILL', `not killed by SIGKILL: ${JSON.stringify(ex)}`);
        await load.done;
        out.acked = load.ackCount();
        out.attempted = load.sentCount();
        await srv.restart();
        await verify(srv, t, load, out);
    });
}

// The store error of each dialect (WeCom, Feishu, Udesk): what a request may answer
// while faults are injected.
function isStoreError(e) {
    return e?.errcode === -1 || e?.code === 55001 || (e?.code === 2000 && e.message === '服务器错误，请稍后重试')
        || e?.error?.code === 'store';
}

/**
 * One fault trial: the load with every Nth store call failing, then a restart
 * without faults and the same checks. out.errors counts the injected errors seen.
 */
export function faultTrial(every, opts = {}) {
    const flag = opts.flag || '--store-fault-every';
    return trial({ ...(opts.server || {}), args: [flag, String(every)] }, async (srv, t, out) => {
        const state = { stop: false, max: opts.writes || 30 };
        const load = await runLoad(srv, t, state, (what, error) => {
            out.errors++;
            if (!isStoreError(error)) out.unexpected.push(`${what}: not a store error: ${JSON.stringify(error)}`);
            return true;
        });
        await load.done;
        out.acked = load.ackCount();
        out.attempted = load.sentCount();
        const ex = await srv.stop('SIGTERM');
        if (ex.code !== 0) out.unexpected.push(`exit after SIGTERM under faults: ${JSON.stringify(ex)}`);
        srv.args.splice(srv.args.indexOf(flag), 2); // lift the fault
        await srv.restart();
        await verify(srv, t, load, out);
    });
}

// Compares what is in the database with what the clients were told.
function checkSet(kind, present, attempted, acked, out) {
    const seen = new Set();
    for (const [name] of present) {
        if (seen.has(name)) out.half.push(`${kind}: ${name} twice`);
        seen.add(name);
        if (!attempted.has(name)) out.half.push(`${kind}: ${name} was never sent`);
    }
    for (const [name, id] of acked) {
        if (!present.has(name)) out.lost.push(`${kind}: acknowledged ${name} (${id}) is gone`);
        else if (String(present.get(name)) !== String(id)) out.lost.push(`${kind}: ${name} has id ${present.get(name)}, acknowledged ${id}`);
    }
}

// The tenant's outbox, every page: the bodies of im.chat.updated_v1, as text (and of
// im.message.receive_v1 in 'received').
async function updatedEvents(srv, received = []) {
    const out = [];
    let after = 0;
    for (let i = 0; i < 1000; i++) {
        const page = await adminEvents(srv, { after });
        for (const e of page.items) {
            assert.ok(e.body && typeof e.body === 'object', `event without a body: ${JSON.stringify(e)}`);
            if (e.event_type === 'im.chat.updated_v1') out.push(JSON.stringify(e.body));
            if (e.event_type === 'im.message.receive_v1') received.push(e.body.event.message);
        }
        if (page.next === undefined) return out;
        after = page.next;
    }
    throw new Error('events: more than 1000 pages');
}

async function verify(srv, t, load, out) {
    const { attempted, acked, described, said } = load;
    // The tokens were acknowledged too: they must still work.
    const groups = (await listAll(srv, t.wecom, 1000)).groups.filter((g) => !g.is_default);
    checkSet('wecom', new Map(groups.map((g) => [g.name, g.group_id])), attempted.wecom, acked.wecom, out);

    const ud = udesk(srv, UD);
    const cats = flatten(await ud.listOk('question', 0));
    checkSet('udesk', new Map(cats.map((c) => [c.name, c.id])), attempted.udesk, acked.udesk, out);

    const intents = await kf(srv, 'list_intent', t.wecom, { limit: 1000 });
    assert.equal(intents.errcode, 0, JSON.stringify(intents).slice(0, 300));
    assert.equal(intents.has_more, 0);
    checkSet('intent', new Map(intents.intent_list.map((i) => [i.question.text.content, i.intent_id])), attempted.intent, acked.intent, out);
    for (const i of intents.intent_list) {
        const q = i.question.text.content;
        const whole = { similar: [`s-${q}`], answer: `a-${q}`, attachments: [{ msgtype: 'link', link: { title: q, url: 'https://crash.test/' } }] };
        const got = { similar: i.similar_questions.items.map((x) => x.text.content), answer: i.answers[0]?.text.content, attachments: i.answers[0]?.attachments };
        if (JSON.stringify(got) !== JSON.stringify(whole)) out.half.push(`intent: ${q} is ${JSON.stringify(got)}`);
    }
    const items = [];
    for (let page = 1; page <= 50; page++) {
        const j = await ud.json('GET', '/open_api_v1/knowledge_questions', { query: { catalog_id: 0, agent_id: 0, per_page: 100, page } });
        assert.equal(j.code, 1000, JSON.stringify(j));
        items.push(...j.knowledge_questions);
        if (page >= j.meta.total_pages) break;
    }
    checkSet('item', new Map(items.map((x) => [x.title, x.id])), attempted.item, acked.item, out);
    for (const x of items) if (x.content !== `a-${x.title}`) out.half.push(`item: ${x.title} has content ${JSON.stringify(x.content)}`);

    const chats = await fsAll(srv, t.feishu, '/open-apis/im/v1/chats');
    const received = [];
    const events = await updatedEvents(srv, received);
    out.events = events.length;
    out.messages = received.length;
    checkSet('feishu', new Map(chats.map((c) => [c.name, c.chat_id])), attempted.feishu, acked.feishu, out);
    const known = new Set(chats.map((c) => c.chat_id));
    for (const c of chats) {
        const members = await fsAll(srv, t.feishu, `/open-apis/im/v1/chats/${c.chat_id}/members?member_id_type=user_id`);
        const ids = members.map((m) => m.member_id).sort();
        if (JSON.stringify(ids) !== JSON.stringify(MEMBERS)) out.half.push(`feishu: ${c.name} has members ${ids.join(',')}`);
        const d = await fsGet(srv, t.feishu, `/open-apis/im/v1/chats/${c.chat_id}?user_id_type=user_id`);
        if (String(d.user_count) !== String(MEMBERS.length)) out.half.push(`feishu: ${c.name} user_count ${d.user_count}`);
        const evs = events.filter((b) => b.includes(c.chat_id)).length;
        const want = `d-${c.name}`;
        if (described.has(c.name) && d.description !== want) out.lost.push(`feishu: acknowledged description of ${c.name} is ${JSON.stringify(d.description)}`);
        if (d.description !== '' && d.description !== want) out.half.push(`feishu: ${c.name} description ${JSON.stringify(d.description)}`);
        if ((d.description === want) !== (evs === 1)) out.half.push(`feishu: ${c.name} description ${JSON.stringify(d.description)} with ${evs} update events`);
        // The member's message: there with its receive event, or neither.
        const msgs = (await fsGet(srv, t.feishu, `/open-apis/im/v1/messages?container_id_type=chat&container_id=${c.chat_id}&page_size=50`)).items;
        const got = received.filter((m) => m.chat_id === c.chat_id);
        if (said.has(c.name) && !msgs.some((m) => m.message_id === said.get(c.name))) out.lost.push(`feishu: acknowledged message ${said.get(c.name)} of ${c.name} is gone`);
        if (msgs.length > 1) out.half.push(`feishu: ${c.name} has ${msgs.length} messages`);
        for (const m of msgs) if (JSON.parse(m.body.content).text !== `m-${c.name}`) out.half.push(`feishu: ${c.name} has message ${m.body.content}`);
        if (JSON.stringify(msgs.map((m) => m.message_id)) !== JSON.stringify(got.map((m) => m.message_id))) {
            out.half.push(`feishu: ${c.name} messages ${msgs.map((m) => m.message_id)} but receive events for ${got.map((m) => m.message_id)}`);
        }
    }
    for (const m of received) if (!known.has(m.chat_id)) out.half.push(`outbox: a receive event for a chat that is not there: ${m.chat_id}`);
    for (const b of events) {
        const m = /oc_[0-9a-f]{32}/.exec(b);
        if (!m || !known.has(m[0])) out.half.push(`outbox: an update event for a chat that is not there: ${b.slice(0, 200)}`);
    }

    // Each dialect writes again after the crash.
    const w = writers(srv, t);
    for (const kind of KINDS) {
        const r = await w[kind](`${kind}-after`);
        if (r && typeof r === 'object') out.unexpected.push(`${kind} write after restart: ${JSON.stringify(r.error)}`);
    }
}

/** n trials of one(i); calls onTrial(i, result) after each. Returns the totals. */
export async function trials(n, one, onTrial = () => {}) {
    const total = { trials: 0, acked: 0, attempted: 0, errors: 0, lost: [], half: [], unexpected: [] };
    for (let i = 1; i <= n; i++) {
        const r = await one(i);
        total.trials++;
        total.acked += r.acked;
        total.attempted += r.attempted;
        total.errors += r.errors;
        for (const k of ['lost', 'half', 'unexpected']) total[k].push(...r[k].map((s) => `trial ${i}: ${s}`));
        onTrial(i, r);
    }
    return total;
}
