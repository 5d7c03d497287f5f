// tests/http/feishu_reactions_pins.test.mjs - reactions on messages
// (/open-apis/im/v1/messages/:message_id/reactions) and pins (/open-apis/im/v1/pins), raw HTTP:
// the reaction object and its emoji types, one reaction per person and type, lists by type
// and in pages, who may delete which, the 231xxx codes; people reacting with a user token
// and through the admin API; im.message.reaction.created_v1 / deleted_v1 to the bots whose
// apps read reactions; pins (once per message, pin_manage_setting, a time range newest
// first in pages, recalled messages' pins gone, 23004x, the per-message and list limits);
// all of it after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_HEADERS, adminEvents } from './lib/server.mjs';
import {
    APP1, APP2, APP3, assertErr, assertOk, createChat, feishuSeed, fs, ids, qs, tenantToken, userToken, withFeishuServer,
} from './lib/feishu.mjs';

const MSGS = '/open-apis/im/v1/messages';
const PINS = '/open-apis/im/v1/pins';
const rpath = (id, rid) => `${MSGS}/${encodeURIComponent(id)}/reactions${rid ? `/${encodeURIComponent(rid)}` : ''}`;
const text = (t) => JSON.stringify({ text: t });
const send = async (srv, tok, chat, t) => assertOk(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat, msg_type: 'text', content: text(t) }), `send ${t}`);
const react = (srv, tok, id, emoji) => fs(srv, 'POST', rpath(id), tok, { reaction_type: { emoji_type: emoji } });
const admin = (srv, what, body) => srv.request('POST', `/admin/v1/feishu/${what}`, { headers: ADMIN_HEADERS, body });
const REACTION_ID_RE = /^[A-Za-z0-9_-]{40,80}$/;

// An app that reads messages but not reactions (no reaction event for it).
const NO_REACT = { app_id: 'cli_noreact01', app_secret: 'no-react-secret', name: 'No React' };
function seed() {
    const s = feishuSeed();
    s.tenants.find((t) => t.name === 'Acme').feishu.apps.push({ ...NO_REACT, scopes: ['im:chat', 'im:message'] });
    return s;
}

test('reactions: add, list, delete, the codes, people, events', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const chat = (await createChat(srv, bot, { name: 'reacts', user_id_list: ['wangwu', 'zhaoliu'], bot_id_list: [APP2.app_id, NO_REACT.app_id] }, { user_id_type: 'user_id' })).chat_id;
        const m = await send(srv, bot, chat, 'deploy done');
        const before = (await adminEvents(srv)).items.length;

        // the bot reacts: the reaction object
        const r1 = assertOk(await react(srv, bot, m.message_id, 'THUMBSUP'), 'bot reacts');
        assert.deepEqual(Object.keys(r1).sort(), ['action_time', 'operator', 'reaction_id', 'reaction_type']);
        assert.match(r1.reaction_id, REACTION_ID_RE);
        assert.deepEqual(r1.operator, { operator_id: APP1.app_id, operator_type: 'app' });
        assert.deepEqual(r1.reaction_type, { emoji_type: 'THUMBSUP' });
        assert.match(r1.action_time, /^\d{13}$/);
        // the same type again answers the reaction there is
        assert.equal(assertOk(await react(srv, bot, m.message_id, 'THUMBSUP')).reaction_id, r1.reaction_id);
        // a person with a user token, a person through the admin API (case-sensitive types)
        const ww = await userToken(srv, APP1, 'wangwu');
        const r2 = assertOk(await react(srv, ww, m.message_id, 'OnIt'), 'user reacts');
        assert.deepEqual(r2.operator, { operator_id: p.wangwu.open(APP1), operator_type: 'user' });
        let res = await admin(srv, 'react', { message_id: m.message_id, user_id: 'zhaoliu', emoji_type: 'THUMBSUP' });
        assert.equal(res.status, 200, res.body);
        assert.deepEqual(res.json.operator, { operator_id: 'zhaoliu', operator_type: 'user' });
        const r3 = res.json;

        // list: all, one type, user_id_type, pages
        const list = async (q = {}, tok = bot) => assertOk(await fs(srv, 'GET', rpath(m.message_id) + qs(q), tok), `list ${JSON.stringify(q)}`);
        let d = await list();
        assert.deepEqual(d.items.map((i) => i.reaction_id), [r1.reaction_id, r2.reaction_id, r3.reaction_id]);
        assert.equal(d.has_more, false);
        assert.ok(!('page_token' in d));
        d = await list({ reaction_type: 'THUMBSUP', user_id_type: 'user_id' });
        assert.deepEqual(d.items.map((i) => i.operator.operator_id), [APP1.app_id, 'zhaoliu']);
        d = await list({ page_size: 2 });
        assert.equal(d.items.length, 2);
        assert.equal(d.has_more, true);
        const d2 = await list({ page_size: 2, page_token: d.page_token });
        assert.deepEqual(d2.items.map((i) => i.reaction_id), [r3.reaction_id]);
        assert.equal(d2.has_more, false);
        assertErr(await fs(srv, 'GET', rpath(m.message_id) + qs({ page_size: 2, page_token: d.page_token, reaction_type: 'OK' }), bot), 231012, 'token of another list', { msg: 'The request has an invalid pageToken.' });
        assertErr(await fs(srv, 'GET', rpath(m.message_id) + qs({ user_id_type: 'email' }), bot), 231014, 'id type', { msg: 'user_id_type is invalid.' });
        assertErr(await fs(srv, 'GET', rpath(m.message_id) + qs({ reaction_type: 'thumbsup' }), bot), 231001, 'list type', { msg: 'reaction type is invalid.' });

        // events: created for each new reaction, to the bots whose apps read reactions
        const ev = (await adminEvents(srv)).items.slice(before).filter((e) => e.event_type.startsWith('im.message.reaction.'));
        assert.deepEqual(ev.map((e) => e.event_type), Array(6).fill('im.message.reaction.created_v1'));
        assert.deepEqual([...new Set(ev.map((e) => e.app_id))].sort(), [APP1.app_id, APP2.app_id].sort());
        const byApp1 = ev.filter((e) => e.app_id === APP1.app_id).map((e) => e.body.event);
        assert.deepEqual(byApp1[0], { message_id: m.message_id, reaction_type: { emoji_type: 'THUMBSUP' }, operator_type: 'app', app_id: APP1.app_id, action_time: r1.action_time });
        assert.equal(byApp1[1].operator_type, 'user');
        assert.equal(byApp1[1].user_id.open_id, p.wangwu.open(APP1));
        assert.ok(!('app_id' in byApp1[1]));
        const byApp2 = ev.find((e) => e.app_id === APP2.app_id && e.body.event.operator_type === 'user');
        assert.equal(byApp2.body.event.user_id.open_id, p.wangwu.open(APP2), 'ids as the receiving app sees them');
        assert.equal(byApp2.body.header.event_type, 'im.message.reaction.created_v1');

        // delete: only one's own, of that message, known ids
        assertErr(await fs(srv, 'DELETE', rpath(m.message_id, r2.reaction_id), bot), 231007, 'someone else\'s', { msg: 'The operator has no permission to delete this reaction.' });
        const other = await send(srv, bot, chat, 'other');
        assertErr(await fs(srv, 'DELETE', rpath(other.message_id, r1.reaction_id), bot), 231010, 'another message', { msg: 'The reaction does not belong to the message.' });
        assertErr(await fs(srv, 'DELETE', rpath(m.message_id, 'nope'), bot), 231011, 'unknown', { msg: 'The request has an invalid reaction_id.' });
        const gone = assertOk(await fs(srv, 'DELETE', rpath(m.message_id, r2.reaction_id), ww), 'own');
        assert.deepEqual(gone, r2);
        assertErr(await fs(srv, 'DELETE', rpath(m.message_id, r2.reaction_id), ww), 231011, 'twice');
        res = await admin(srv, 'unreact', { message_id: m.message_id, user_id: 'zhaoliu', emoji_type: 'THUMBSUP' });
        assert.equal(res.status, 200, res.body);
        assert.equal(res.json.reaction_id, r3.reaction_id);
        res = await admin(srv, 'unreact', { message_id: m.message_id, user_id: 'zhaoliu', emoji_type: 'THUMBSUP' });
        assert.equal(res.status, 404, res.body);
        assert.deepEqual((await list()).items.map((i) => i.reaction_id), [r1.reaction_id]);
        const dev = (await adminEvents(srv)).items.filter((e) => e.event_type === 'im.message.reaction.deleted_v1' && e.app_id === APP1.app_id);
        assert.equal(dev.length, 2);
        assert.equal(dev[0].body.event.reaction_type.emoji_type, 'OnIt');
        assert.equal(dev[0].body.event.operator_type, 'user');

        // the codes
        assertErr(await react(srv, bot, m.message_id, 'thumbsup'), 231001, 'case', { msg: 'reaction type is invalid.' });
        assertErr(await react(srv, bot, m.message_id, 'NOPE'), 231001, 'unknown type');
        assertErr(await fs(srv, 'POST', rpath(m.message_id), bot, {}), 99992402, 'no reaction_type', { msg: 'field validation failed' });
        assertErr(await fs(srv, 'POST', rpath(m.message_id), bot, { reaction_type: {} }), 99992402, 'no emoji_type', { msg: 'field validation failed' });
        assertErr(await react(srv, bot, 'nope', 'OK'), 99992354, 'malformed id', { msg: 'The request you send is not a valid {open_message_id} or not exists' });
        assertErr(await react(srv, bot, 'om_00000000000000000000000000000000', 'OK'), 231003, 'unknown message', { msg: 'The message is not found, maybe not exist or deleted.' });
        const app3 = await tenantToken(srv, APP3);
        assertErr(await react(srv, app3, m.message_id, 'OK'), 231002, 'bot outside', { msg: 'The operator has no permission to react on the specific message.' });
        assertErr(await fs(srv, 'GET', rpath(m.message_id), app3), 231008, 'list outside', { msg: 'The operator has no access to the message.' });
        assertErr(await fs(srv, 'DELETE', rpath(m.message_id, r1.reaction_id), app3), 231008, 'delete outside');
        res = await admin(srv, 'react', { message_id: m.message_id, user_id: 'sunqi', emoji_type: 'OK' });
        assert.equal(res.status, 403, res.body);
        // a recalled message takes no reactions and lists none
        assertOk(await fs(srv, 'DELETE', `${MSGS}/${m.message_id}`, bot), 'recall');
        assertErr(await react(srv, bot, m.message_id, 'OK'), 231003, 'recalled');
        assertErr(await fs(srv, 'GET', rpath(m.message_id), bot), 231003, 'recalled list');
        // a system message takes none
        const p2p = assertOk(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'user_id' }), bot, { receive_id: 'wangwu', msg_type: 'text', content: text('hi') }));
        const sys = assertOk(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), bot, { receive_id: p2p.chat_id, msg_type: 'system', content: JSON.stringify({ type: 'divider', params: { divider_text: { text: 'New' } } }) }));
        assertErr(await react(srv, bot, sys.message_id, 'OK'), 231017, 'system', { msg: 'This operation is not supported for this message type.' });
        // a disbanded chat
        const c2 = (await createChat(srv, bot, { name: 'short' })).chat_id;
        const m2 = await send(srv, bot, c2, 'x');
        assertOk(await fs(srv, 'DELETE', `/open-apis/im/v1/chats/${c2}`, bot));
        assertErr(await react(srv, bot, m2.message_id, 'OK'), 232009, 'disbanded');
    }, { seed: seed() });
});

test('pins: pin, unpin, list by time newest first, pin_manage_setting, recalled messages, the codes', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const bot = await tenantToken(srv, APP1);
        const chat = (await createChat(srv, bot, { name: 'pins', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' })).chat_id;
        const ms = [];
        for (let i = 0; i < 5; i++) ms.push(await send(srv, bot, chat, `m${i}`));
        const pin = (tok, id) => fs(srv, 'POST', PINS, tok, { message_id: id });
        const pins = [];
        for (const m of ms) {
            const d = assertOk(await pin(bot, m.message_id), 'pin');
            pins.push(d.pin);
        }
        assert.deepEqual(Object.keys(pins[0]).sort(), ['chat_id', 'create_time', 'message_id', 'operator_id', 'operator_id_type']);
        assert.deepEqual({ ...pins[0], create_time: 'x' }, { message_id: ms[0].message_id, chat_id: chat, operator_id: APP1.app_id, operator_id_type: 'app_id', create_time: 'x' });
        assert.match(pins[0].create_time, /^\d{13}$/);
        // pinned again: the pin there is
        assert.deepEqual(assertOk(await pin(bot, ms[0].message_id)).pin, pins[0]);
        // a person pins with a user token
        const ww = await userToken(srv, APP1, 'wangwu');
        const mine = await send(srv, ww, chat, 'from a person');
        const up = assertOk(await pin(ww, mine.message_id)).pin;
        assert.deepEqual([up.operator_id, up.operator_id_type], [p.wangwu.open(APP1), 'open_id']);

        // list: newest first, pages, time range (ms, inclusive)
        const list = async (q, tok = bot) => assertOk(await fs(srv, 'GET', PINS + qs({ chat_id: chat, ...q }), tok), `list ${JSON.stringify(q)}`);
        const all = [...pins, up].reverse().map((x) => x.message_id);
        let d = await list({});
        assert.deepEqual(d.items.map((x) => x.message_id), all);
        assert.equal(d.has_more, false);
        const seen = [];
        let token;
        for (let guard = 0; guard < 10; guard++) {
            d = await list({ page_size: 2, ...(token ? { page_token: token } : {}) });
            seen.push(...d.items.map((x) => x.message_id));
            if (!d.has_more) break;
            token = d.page_token;
        }
        assert.deepEqual(seen, all);
        const t0 = Number(pins[1].create_time), t1 = Number(pins[3].create_time);
        d = await list({ start_time: t0, end_time: t1 });
        assert.deepEqual(d.items.map((x) => x.message_id), [...pins, up].filter((x) => Number(x.create_time) >= t0 && Number(x.create_time) <= t1).reverse().map((x) => x.message_id));
        assert.ok(d.items.length >= 3);
        assertErr(await fs(srv, 'GET', PINS + qs({ chat_id: chat, start_time: 20, end_time: 10 }), bot), 230001, 'range', { msg: /^Your request contains an invalid request parameter/ });
        assertErr(await fs(srv, 'GET', PINS + qs({ chat_id: chat, page_token: 'junk' }), bot), 230001, 'token', { msg: /^Your request contains an invalid request parameter/ });
        assertErr(await fs(srv, 'GET', PINS, bot), 99992402, 'no chat_id', { msg: 'field validation failed' });
        assertErr(await fs(srv, 'GET', PINS + qs({ chat_id: 'oc_00000000000000000000000000000000' }), bot), 230045, 'unknown chat', { msg: 'The chat not exist.' });
        const app2 = await tenantToken(srv, APP2);
        assertErr(await fs(srv, 'GET', PINS + qs({ chat_id: chat }), app2), 230002, 'outside', { msg: 'The bot can not be outside the group.' });
        assertErr(await pin(app2, ms[0].message_id), 230002, 'pin outside');

        // unpin: gone from the list; not pinned is no error
        assertOk(await fs(srv, 'DELETE', `${PINS}/${ms[4].message_id}`, bot), 'unpin');
        assertOk(await fs(srv, 'DELETE', `${PINS}/${ms[4].message_id}`, bot), 'unpin again');
        // a recalled message's pin is gone; pinning it is 230011; unpinning it succeeds
        assertOk(await fs(srv, 'DELETE', `${MSGS}/${ms[3].message_id}`, bot), 'recall');
        d = await list({});
        assert.deepEqual(d.items.map((x) => x.message_id), all.filter((id) => id !== ms[4].message_id && id !== ms[3].message_id));
        assertErr(await pin(bot, ms[3].message_id), 230011, 'recalled', { msg: 'The message is recalled.' });
        assertOk(await fs(srv, 'DELETE', `${PINS}/${ms[3].message_id}`, bot), 'unpin recalled');

        // pin_manage_setting only_owner: the owner and managers only
        assertOk(await fs(srv, 'PUT', `/open-apis/im/v1/chats/${chat}`, bot, { pin_manage_setting: 'only_owner' }), 'only_owner');
        assertErr(await pin(ww, ms[4].message_id), 230046, 'member pins', { msg: 'No Permission to Pin/Unpin messages in the chat.' });
        assertErr(await fs(srv, 'DELETE', `${PINS}/${ms[0].message_id}`, ww), 230046, 'member unpins');
        assertOk(await pin(bot, ms[4].message_id), 'the creator bot may');
        assertOk(await fs(srv, 'GET', PINS + qs({ chat_id: chat }), ww), 'a member still lists');

        // the codes
        assertErr(await fs(srv, 'POST', PINS, bot, {}), 99992402, 'no message_id', { msg: 'field validation failed' });
        assertErr(await pin(bot, 'nope'), 99992354, 'malformed', { msg: 'The request you send is not a valid {open_message_id} or not exists' });
        assertErr(await pin(bot, 'om_00000000000000000000000000000000'), 230001, 'unknown', { msg: 'Your request contains an invalid request parameter, ext=invalid message_id' });
        assertErr(await fs(srv, 'DELETE', `${PINS}/om_00000000000000000000000000000000`, bot), 230001, 'unknown unpin');
        const p2p = assertOk(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'user_id' }), bot, { receive_id: 'wangwu', msg_type: 'text', content: text('hi') }));
        const sys = assertOk(await fs(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), bot, { receive_id: p2p.chat_id, msg_type: 'system', content: JSON.stringify({ type: 'divider', params: { divider_text: { text: 'New' } } }) }));
        assertErr(await pin(bot, sys.message_id), 230054, 'system', { msg: 'This operation is not supported for this message type.' });
        assertOk(await fs(srv, 'DELETE', `/open-apis/im/v1/chats/${chat}`, bot));
        assertErr(await pin(bot, ms[1].message_id), 232009, 'disbanded');
    });
});

test('pins: five a second per message (230047), the list budget per app (230048)', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const bot = await tenantToken(srv, APP1);
        const chat = (await createChat(srv, bot, { name: 'busy pins' })).chat_id;
        const m = await send(srv, bot, chat, 'hot');
        // Pins and unpins of one message: at least one refusal in 12 (the window may roll over).
        let refused = 0;
        for (let i = 0; i < 12; i++) {
            const r = await fs(srv, i % 2 ? 'DELETE' : 'POST', i % 2 ? `${PINS}/${m.message_id}` : PINS, bot, i % 2 ? undefined : { message_id: m.message_id });
            if (r.json.code === 230047) {
                refused++;
                assertErr(r, 230047, 'per message', { msg: 'Pin/Unpin message trigger message_id limit.' });
            } else assertOk(r, 'pin or unpin');
        }
        assert.ok(refused > 0, 'the per-message limit refuses');
        // Another message has its own budget.
        const other = await send(srv, bot, chat, 'cold');
        assertOk(await fs(srv, 'POST', PINS, bot, { message_id: other.message_id }), 'another message');
        refused = 0;
        for (let i = 0; i < 8; i++) {
            const r = await fs(srv, 'GET', PINS + qs({ chat_id: chat }), bot);
            if (r.json.code === 230048) {
                refused++;
                assertErr(r, 230048, 'list', { msg: 'Get chat pins trigger app_id limit.' });
            } else assertOk(r, 'list');
        }
        assert.ok(refused > 0, 'the list budget refuses');
    }, { rateLimit: true, args: ['--rate-feishu-pin-list-per-second', '2', '--rate-feishu-chat-per-second', '0'] });
});

test('reactions and pins survive a restart', { timeout: 120_000 }, async () => {
    const { withRestartableServer } = await import('./lib/server.mjs');
    await withRestartableServer({ seed: feishuSeed() }, async (srv) => {
        const bot = await tenantToken(srv, APP1);
        const chat = (await createChat(srv, bot, { name: 'kept' })).chat_id;
        const m = await send(srv, bot, chat, 'keep me');
        const r = assertOk(await react(srv, bot, m.message_id, 'Fire'));
        const pin = assertOk(await fs(srv, 'POST', PINS, bot, { message_id: m.message_id })).pin;
        const read = async (tok) => ({
            reactions: assertOk(await fs(srv, 'GET', rpath(m.message_id), tok)).items,
            pins: assertOk(await fs(srv, 'GET', PINS + qs({ chat_id: chat }), tok)).items,
        });
        const before = await read(bot);
        assert.deepEqual(before, { reactions: [r], pins: [pin] });
        await srv.stop('SIGTERM');
        await srv.restart();
        const tok = await tenantToken(srv, APP1);
        assert.deepEqual(await read(tok), before);
        // and they still act: the reaction deletes, the pin answers again
        assertOk(await fs(srv, 'DELETE', rpath(m.message_id, r.reaction_id), tok));
        assert.deepEqual(assertOk(await fs(srv, 'POST', PINS, tok, { message_id: m.message_id })).pin, pin);
        await srv.stop('SIGTERM');
    });
});
