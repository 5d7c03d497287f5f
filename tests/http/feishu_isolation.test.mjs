// Tenant isolation for Feishu (CONTRIBUTING.md: tenancy is the security boundary): Acme and
// Globex never see each other's chats in list or search (not even public ones), every
// per-chat operation across tenants → 232010, and one tenant's people cannot be named
// by the other's app (→ 232043).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    APP1, GAPP, ACME_KEY, GLOBEX_KEY, withFeishuServer, ids, tenantToken, userToken, call, assertOk,
    assertErr, createChat, getChat, updateChat, disbandChat, chatPath, CHATS, listAll, qs,
} from './lib/feishu.mjs';

const T = { timeout: 180_000 };

describe('feishu tenant isolation', () => {
    it('lists, searches and per-chat operations never cross tenants', T, async () => {
        await withFeishuServer(async (srv) => {
            const who = await ids(srv);
            const acme = await tenantToken(srv, APP1);
            const globex = await tenantToken(srv, GAPP);
            const zs = await userToken(srv, APP1, 'zhangsan');
            const ls = await userToken(srv, GAPP, 'lisi');

            const aPub = await createChat(srv, acme, { name: 'Shared Name', chat_type: 'public', owner_id: 'zhangsan' }, { user_id_type: 'user_id' });
            const aPriv = await createChat(srv, acme, { name: 'Shared Name private' });
            const gPub = await createChat(srv, globex, { name: 'Shared Name', chat_type: 'public', owner_id: 'lisi' }, { user_id_type: 'user_id' });
            const gPriv = await createChat(srv, globex, { name: 'Shared Name private', user_id_list: ['chenyi'] }, { user_id_type: 'user_id' });
            assert.equal(aPub.tenant_key, ACME_KEY);
            assert.equal(gPub.tenant_key, GLOBEX_KEY);
            assert.equal(new Set([aPub, aPriv, gPub, gPriv].map((c) => c.chat_id)).size, 4);

            const acmeIds = [aPub.chat_id, aPriv.chat_id];
            const globexIds = [gPub.chat_id, gPriv.chat_id];
            const idsOf = async (tk, path, params) => (await listAll(srv, tk, path, params)).items.map((i) => i.chat_id);
            const sorted = (a) => [...a].sort();

            // Lists.
            assert.deepEqual(sorted(await idsOf(acme, CHATS)), sorted(acmeIds));
            assert.deepEqual(sorted(await idsOf(globex, CHATS)), sorted(globexIds));
            assert.deepEqual(await idsOf(ls, CHATS), [gPub.chat_id]);
            assert.deepEqual(await idsOf(zs, CHATS), [aPub.chat_id]);
            // Search: same names, own tenant only (public chats included, but only one's own).
            assert.deepEqual(sorted(await idsOf(acme, `${CHATS}/search`, { query: 'shared' })), sorted(acmeIds));
            assert.deepEqual(sorted(await idsOf(globex, `${CHATS}/search`, { query: 'shared' })), sorted(globexIds));
            assert.deepEqual(await idsOf(ls, `${CHATS}/search`, { query: 'shared' }), [gPub.chat_id]);
            assert.deepEqual(await idsOf(zs, `${CHATS}/search`, { query: 'shared' }), [aPub.chat_id]);
            // Member names of the other tenant do not match either.
            assert.deepEqual(await idsOf(acme, `${CHATS}/search`, { query: 'chen yi' }), []);
            for (const item of (await listAll(srv, globex, CHATS)).items) assert.equal(item.tenant_key, GLOBEX_KEY);

            // Every per-chat operation, both directions, bot and user.
            const ops = [
                ['get', (tk, id) => getChat(srv, tk, id)],
                ['update', (tk, id) => updateChat(srv, tk, id, { name: 'Hijacked' })],
                ['get moderation', (tk, id) => call(srv, 'GET', chatPath(id, '/moderation'), tk)],
                ['update moderation', (tk, id) => call(srv, 'PUT', chatPath(id, '/moderation'), tk, { moderation_setting: 'only_owner' })],
                ['link', (tk, id) => call(srv, 'POST', chatPath(id, '/link'), tk, { validity_period: 'week' })],
                ['put top notice', (tk, id) => call(srv, 'POST', chatPath(id, '/top_notice/put_top_notice'), tk, { chat_top_notice: [{ action_type: '2' }] })],
                ['delete top notice', (tk, id) => call(srv, 'POST', chatPath(id, '/top_notice/delete_top_notice'), tk)],
                ['disband', (tk, id) => disbandChat(srv, tk, id)],
            ];
            const pairs = [
                ['Globex bot on Acme chats', globex, acmeIds],
                ['Globex user on Acme chats', ls, acmeIds],
                ['Acme bot on Globex chats', acme, globexIds],
                ['Acme user on Globex chats', zs, globexIds],
            ];
            for (const [label, tk, chats] of pairs) {
                for (const id of chats) {
                    for (const [op, fn] of ops) assertErr(await fn(tk, id), 232010, `${label}: ${op}`);
                }
            }
            // Nothing changed.
            for (const [tk, id, name] of [[acme, aPub.chat_id, 'Shared Name'], [globex, gPriv.chat_id, 'Shared Name private']]) {
                const g = assertOk(await getChat(srv, tk, id), 'unchanged');
                assert.equal(g.name, name);
                assert.equal(g.chat_status, 'normal');
                const m = assertOk(await call(srv, 'GET', chatPath(id, '/moderation'), tk), 'moderation unchanged');
                assert.equal(m.moderation_setting, 'all_members');
            }

            // The other tenant's people and bots cannot be named.
            const lisiOpen = who.globex.lisi.open(GAPP);
            assertErr(await call(srv, 'POST', CHATS, acme, { user_id_list: [lisiOpen] }), 232043, 'Acme app, Globex open_id');
            assertErr(await call(srv, 'POST', CHATS, acme, { owner_id: lisiOpen }), 232043, 'Acme app, Globex owner');
            const zsOpen = who.acme.zhangsan.open(APP1);
            assertErr(await call(srv, 'POST', CHATS, globex, { user_id_list: [zsOpen] }), 232043, 'Globex app, Acme open_id');
            const viaUnion = await call(srv, 'POST', CHATS + qs({ user_id_type: 'union_id' }), acme, { user_id_list: [who.globex.lisi.union_id] });
            assert.equal(viaUnion.status, 400, `Globex union_id in an Acme chat: ${viaUnion.body}`);
            assert.ok([232043, 232032, 232024].includes(viaUnion.json?.code), viaUnion.body);
            const viaUserId = await call(srv, 'POST', CHATS + qs({ user_id_type: 'user_id' }), acme, { user_id_list: ['lisi'] });
            assert.equal(viaUserId.status, 400, `Globex user_id in an Acme chat: ${viaUserId.body}`);
            const foreignBot = await call(srv, 'POST', CHATS, acme, { bot_id_list: [GAPP.app_id] });
            assert.equal(foreignBot.status, 400, `Globex bot in an Acme chat: ${foreignBot.body}`);
            assert.ok([232021, 232033, 232043].includes(foreignBot.json?.code), foreignBot.body);
            // Only the four chats exist.
            assert.equal((await listAll(srv, acme, CHATS)).items.length, 2);
            assert.equal((await listAll(srv, globex, CHATS)).items.length, 2);
        });
    });

    it('ownership cannot be transferred to another tenant', T, async () => {
        await withFeishuServer(async (srv) => {
            const who = await ids(srv);
            const acme = await tenantToken(srv, APP1);
            const c = await createChat(srv, acme, { name: 'Stay home', owner_id: 'zhangsan' }, { user_id_type: 'user_id' });
            const res = await updateChat(srv, acme, c.chat_id, { owner_id: who.globex.lisi.union_id }, { user_id_type: 'union_id' });
            assert.equal(res.status, 400, res.body);
            assert.ok([232031, 232012, 232043, 232035].includes(res.json?.code), res.body);
            const g = assertOk(await getChat(srv, acme, c.chat_id, { user_id_type: 'user_id' }), 'get');
            assert.equal(g.owner_id, 'zhangsan');
        });
    });
});
