// The permission matrix of the chat pages' permission notes ("创建群", "更新群信息",
// "解散群", "群发言权限", "获取群分享链接", "群置顶"), table-driven.
// Every cell gets a fresh chat created by app 1's bot (the creator bot) with
//   owner       Zhang San (user token of app 1)
//   manager     Sun Qi, made a manager by the owner through add_managers ("指定群管理员";
//               the manager cells are skipped while that endpoint answers 404)
//   member      Wang Wu (user token)
//   non-member  Zhao Liu (user token, same tenant)
//   creator bot app 1 (tenant token): owner-like powers (im:chat:operate_as_owner)
//   other bot   app 2 (tenant token), invited through bot_id_list: a plain member
//   outside bot app 3 (tenant token), not in the chat
// and the cell's action is tried as the role; an allowed action's effect is checked
// with a read by the creator bot, a refused one must leave the chat unchanged.
// Also here: share-link expiry times against the server clock.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    APP1, APP2, APP3, withFeishuServer, tenantToken, userToken, call, assertOk, assertErr,
    createChat, getChat, updateChat, disbandChat, chatPath, qs, serverNow, advanceClock,
} from './lib/feishu.mjs';

const ROLES = ['owner', 'manager', 'member', 'non-member', 'creator bot', 'other bot', 'outside bot'];

// Expected outcome per action and role: 0 = success, 'full'/'partial' for get, a code
// otherwise, 'refused' = any error (the pages leave the code open).
const F = 'full';
const P = 'partial';
const MATRIX = {
    //                          owner  manager   member  non-mem creator  other   outside
    'get':                      [F,     F,        F,      P,      F,       F,      P],
    'update basic info':        [0,     0,        0,      232011, 0,       0,      232011],
    'update basic, locked':     [0,     0,        232002, 232011, 0,       232002, 232011],
    'update settings':          [0,     0,        232016, 232011, 0,       232016, 232011],
    'update settings, locked':  [0,     0,        232002, 232011, 0,       232002, 232011],
    'transfer owner':           [0,     232017,   232016, 232011, 0,       232016, 232011],
    'get moderation':           [0,     0,        0,      232011, 0,       0,      232011],
    'update moderation':        [0,     232017,   232017, 232011, 0,       232017, 232011],
    'disband':                  [0,     232017,   232017, 232011, 0,       232017, 232011],
    'share link':               [0,     0,        0,      232011, 0,       0,      232011],
    'share link, restricted':   [0,     0,        232064, 232011, 0,       232064, 232011],
    'put top notice':           [0,     0,        0,      232011, 0,       0,      232011],
    'delete top notice':        [0,     0,        0,      232011, 0,       0,      232011],
};

const PARTIAL_KEYS = ['avatar', 'bot_count', 'chat_status', 'name', 'user_count'];

describe('feishu permission matrix (the chat pages\' permission notes)', () => {
    it('every role × action', { timeout: 300_000 }, async (t) => {
        await withFeishuServer(async (srv) => {
            const bot = await tenantToken(srv, APP1);
            const tok = {
                'owner': await userToken(srv, APP1, 'zhangsan'),
                'manager': await userToken(srv, APP1, 'sunqi'),
                'member': await userToken(srv, APP1, 'wangwu'),
                'non-member': await userToken(srv, APP1, 'zhaoliu'),
                'creator bot': bot,
                'other bot': await tenantToken(srv, APP2),
                'outside bot': await tenantToken(srv, APP3),
            };
            let managersSupported = null;
            let managersAnswer = '';

            // A fresh chat; opts.lockEdit: edit_permission only_owner; opts.restrictShare:
            // add_member_permission only_owner + share_card_permission not_allowed.
            async function setup(name, opts = {}) {
                const d = await createChat(srv, bot, {
                    name, owner_id: 'zhangsan', user_id_list: ['wangwu', 'sunqi'], bot_id_list: [APP2.app_id],
                }, { user_id_type: 'user_id' });
                const id = d.chat_id;
                const res = await call(srv, 'POST', chatPath(id, '/managers/add_managers') + qs({ member_id_type: 'user_id' }), tok.owner, { manager_ids: ['sunqi'] });
                const ok = res.status === 200 && res.json?.code === 0;
                if (managersSupported === null) {
                    managersSupported = ok;
                    managersAnswer = `HTTP ${res.status} ${res.body.slice(0, 200)}`;
                }
                if (opts.lockEdit) assertOk(await updateChat(srv, bot, id, { edit_permission: 'only_owner' }), 'lock editing');
                if (opts.restrictShare) {
                    assertOk(await updateChat(srv, bot, id, { add_member_permission: 'only_owner', share_card_permission: 'not_allowed' }), 'restrict sharing');
                }
                return id;
            }
            const readBack = async (id, q = { user_id_type: 'user_id' }) => assertOk(await getChat(srv, bot, id, q), 'read back by the creator bot');

            // Each action: {setup options, run(token, id) → response, check(id, allowed)}.
            const ACTIONS = {
                'get': {
                    run: (tk, id) => getChat(srv, tk, id, { user_id_type: 'user_id' }),
                },
                'update basic info': {
                    run: (tk, id) => updateChat(srv, tk, id, { name: 'Renamed', description: 'by someone' }),
                    check: async (id, allowed) => assert.equal((await readBack(id)).name, allowed ? 'Renamed' : 'Matrix'),
                },
                'update basic, locked': {
                    opts: { lockEdit: true },
                    run: (tk, id) => updateChat(srv, tk, id, { name: 'Renamed' }),
                    check: async (id, allowed) => assert.equal((await readBack(id)).name, allowed ? 'Renamed' : 'Matrix'),
                },
                'update settings': {
                    run: (tk, id) => updateChat(srv, tk, id, { join_message_visibility: 'only_owner' }),
                    check: async (id, allowed) => assert.equal((await readBack(id)).join_message_visibility, allowed ? 'only_owner' : 'all_members'),
                },
                'update settings, locked': {
                    opts: { lockEdit: true },
                    run: (tk, id) => updateChat(srv, tk, id, { join_message_visibility: 'only_owner' }),
                    check: async (id, allowed) => assert.equal((await readBack(id)).join_message_visibility, allowed ? 'only_owner' : 'all_members'),
                },
                'transfer owner': {
                    run: (tk, id) => updateChat(srv, tk, id, { owner_id: 'wangwu' }, { user_id_type: 'user_id' }),
                    check: async (id, allowed) => assert.equal((await readBack(id)).owner_id, allowed ? 'wangwu' : 'zhangsan'),
                },
                'get moderation': {
                    run: (tk, id) => call(srv, 'GET', chatPath(id, '/moderation'), tk),
                    checkOk: (d) => assert.equal(d.moderation_setting, 'all_members'),
                },
                'update moderation': {
                    run: (tk, id) => call(srv, 'PUT', chatPath(id, '/moderation'), tk, { moderation_setting: 'only_owner' }),
                    check: async (id, allowed) => {
                        const m = assertOk(await call(srv, 'GET', chatPath(id, '/moderation'), bot), 'moderation read back');
                        assert.equal(m.moderation_setting, allowed ? 'only_owner' : 'all_members');
                    },
                },
                'disband': {
                    run: (tk, id) => disbandChat(srv, tk, id),
                    check: async (id, allowed) => {
                        const res = await getChat(srv, bot, id);
                        if (allowed) assertErr(res, 232009, 'get after disband');
                        else assert.equal(assertOk(res, 'get after refused disband').chat_status, 'normal');
                    },
                },
                'share link': {
                    run: (tk, id) => call(srv, 'POST', chatPath(id, '/link'), tk, { validity_period: 'week' }),
                    checkOk: (d) => {
                        assert.deepEqual(Object.keys(d).sort(), ['expire_time', 'is_permanent', 'share_link']);
                        assert.match(d.expire_time, /^\d+$/);
                    },
                },
                'share link, restricted': {
                    opts: { restrictShare: true },
                    run: (tk, id) => call(srv, 'POST', chatPath(id, '/link'), tk, { validity_period: 'week' }),
                },
                'put top notice': {
                    run: (tk, id) => call(srv, 'POST', chatPath(id, '/top_notice/put_top_notice'), tk, { chat_top_notice: [{ action_type: '2' }] }),
                    checkOk: (d) => assert.deepEqual(d, {}),
                },
                'delete top notice': {
                    run: (tk, id) => call(srv, 'POST', chatPath(id, '/top_notice/delete_top_notice'), tk),
                    checkOk: (d) => assert.deepEqual(d, {}),
                },
            };

            // Probe add_managers once, so the manager cells know whether to run.
            await setup('probe');

            for (const [action, row] of Object.entries(MATRIX)) {
                const a = ACTIONS[action];
                for (let r = 0; r < ROLES.length; r++) {
                    const role = ROLES[r];
                    const want = row[r];
                    const name = `${action} as ${role} → ${typeof want === 'number' ? (want === 0 ? 'ok' : want) : want}`;
                    if (role === 'manager' && !managersSupported) {
                        await t.test(name, { skip: `add_managers not available (${managersAnswer})` }, () => {});
                        continue;
                    }
                    await t.test(name, async () => {
                        const id = await setup('Matrix', a.opts);
                        const res = await a.run(tok[role], id);
                        const what = `${action} as ${role}`;
                        if (want === F) {
                            const d = assertOk(res, what);
                            assert.equal(d.owner_id, 'zhangsan', `${what}: full data has the owner`);
                            assert.equal(d.user_count, '3', `${what}: user_count`);
                            assert.equal(d.bot_count, '2', `${what}: bot_count`);
                            assert.equal(d.chat_mode, 'group');
                        } else if (want === P) {
                            const d = assertOk(res, what);
                            assert.deepEqual(Object.keys(d).sort(), PARTIAL_KEYS, `${what}: partial data only: ${JSON.stringify(d)}`);
                            assert.equal(d.name, 'Matrix');
                            assert.equal(d.user_count, '3');
                            assert.equal(d.bot_count, '2');
                            assert.equal(d.chat_status, 'normal');
                        } else if (want === 0) {
                            const d = assertOk(res, what);
                            if (a.checkOk) a.checkOk(d);
                        } else if (want === 'refused') {
                            assert.equal(res.status, 400, `${what}: expected a refusal, got ${res.status} ${res.body}`);
                            assert.notEqual(res.json?.code, 0);
                        } else {
                            assertErr(res, want, what);
                        }
                        if (a.check) await a.check(id, want === 0);
                    });
                }
            }
        });
    });

    it('the creator bot keeps its powers after handing ownership to a user; a bot owner is not the creator', { timeout: 120_000 }, async () => {
        await withFeishuServer(async (srv) => {
            const bot1 = await tenantToken(srv, APP1);
            const bot2 = await tenantToken(srv, APP2);
            // Created and owned by app 1's bot; app 2's bot invited.
            const d = await createChat(srv, bot1, { name: 'Bot owned', bot_id_list: [APP2.app_id], user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
            // App 2's bot is a member only.
            assertErr(await updateChat(srv, bot2, d.chat_id, { membership_approval: 'approval_required' }), 232016, 'other bot changes a setting');
            assertErr(await disbandChat(srv, bot2, d.chat_id), 232017, 'other bot disbands');
            // The creator bot hands the chat to Wang Wu and can still manage it.
            assertOk(await updateChat(srv, bot1, d.chat_id, { owner_id: 'wangwu' }, { user_id_type: 'user_id' }), 'transfer to a user');
            const g = assertOk(await getChat(srv, bot1, d.chat_id, { user_id_type: 'user_id' }), 'get');
            assert.equal(g.owner_id, 'wangwu');
            assertOk(await updateChat(srv, bot1, d.chat_id, { membership_approval: 'approval_required' }), 'creator bot changes a setting');
            assertOk(await call(srv, 'PUT', chatPath(d.chat_id, '/moderation'), bot1, { moderation_setting: 'only_owner' }), 'creator bot moderation');
            // The user owner can disband, too.
            const u = await userToken(srv, APP1, 'wangwu');
            assertOk(await disbandChat(srv, u, d.chat_id), 'new owner disbands');
        });
    });

    it('share link expire_time: week = now + 7 days, year = now + 1 year, permanently "0"', { timeout: 120_000 }, async () => {
        await withFeishuServer(async (srv) => {
            const bot = await tenantToken(srv, APP1);
            const d = await createChat(srv, bot, { name: 'Links' });
            const link = async (body) => assertOk(await call(srv, 'POST', chatPath(d.chat_id, '/link'), bot, body), `link ${JSON.stringify(body)}`);
            const near = (act, want, what) => assert.ok(Math.abs(Number(act) - want) <= 5, `${what}: expire_time ${act}, want about ${want}`);

            let now = await serverNow(srv);
            let l = await link({ validity_period: 'week' });
            assert.equal(typeof l.expire_time, 'string');
            near(l.expire_time, now + 7 * 86400, 'week');
            assert.equal(l.is_permanent, false);
            assert.match(l.share_link, /^https?:\/\/\S+$/);
            l = await link({});
            near(l.expire_time, now + 7 * 86400, 'default');
            l = await link({ validity_period: 'year' });
            const y = Number(l.expire_time) - now;
            assert.ok(y >= 365 * 86400 - 5 && y <= 366 * 86400 + 5, `year: ${y} s`);
            l = await link({ validity_period: 'permanently' });
            assert.deepEqual([l.expire_time, l.is_permanent], ['0', true]);

            // The server clock, not the wall clock.
            await advanceClock(srv, 30 * 86400);
            const bot2 = await tenantToken(srv, APP1);
            now = await serverNow(srv);
            l = assertOk(await call(srv, 'POST', chatPath(d.chat_id, '/link'), bot2, { validity_period: 'week' }), 'link after a month');
            near(l.expire_time, now + 7 * 86400, 'week after moving the clock');
        });
    });
});
