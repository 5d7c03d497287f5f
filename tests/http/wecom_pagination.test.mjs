// WeCom list_group pagination and the 100-group cap ("知识库分组管理"), beyond what a
// .case file can express: keyset behaviour while groups change between pages, page
// boundaries, limit bounds, the exact cap, cursors across corps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer } from './lib/server.mjs';
import {
    ACME,
    GLOBEX,
    DEFAULT_GROUP_NAME,
    getToken,
    kf,
    addGroup,
    addGroupOk,
    listAll,
    assertOk,
    assertErr,
    checkListShape,
} from './lib/wecom.mjs';

const pad = (i) => String(i).padStart(2, '0');

test('keyset pagination: groups added, renamed and deleted between pages', { timeout: 120_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const first = await listAll(srv, token);
        assert.equal(first.groups.length, 1);
        const defaultId = first.groups[0].group_id;

        // The model: every group ever created, in creation order, default first.
        const all = [{ id: defaultId, name: DEFAULT_GROUP_NAME }];
        for (let i = 0; i < 30; i++) {
            const name = `g${pad(i)}`;
            all.push({ id: await addGroupOk(srv, token, name), name });
        }
        const deleted = new Set();
        const deletedUnseen = new Set();
        const renamed = new Map(); // id -> new name (renamed while not yet seen)
        const seen = [];
        let cursor = '';
        let lastPage = null;

        for (let page = 0; page < 40; page++) {
            const j = await kf(srv, 'list_group', token, cursor ? { cursor, limit: 7 } : { limit: 7 });
            assertOk(j, `page ${page}`);
            checkListShape(j);
            assert.ok(j.group_list.length <= 7, `page ${page} has ${j.group_list.length} groups, limit 7`);
            if (j.has_more === 1) assert.equal(j.group_list.length, 7, `page ${page}: has_more 1 on a short page`);
            seen.push(...j.group_list.map((g) => ({ id: g.group_id, name: g.name })));
            lastPage = j;
            if (j.has_more === 0) break;
            cursor = j.next_cursor;

            // Mutate between pages. Unseen groups lie after the last seen one.
            const anchor = j.group_list[j.group_list.length - 1].group_id;
            const at = all.findIndex((g) => g.id === anchor);
            assert.ok(at >= 0, `page ${page}: listed group ${anchor} was never created`);
            const unseen = all.slice(at + 1).filter((g) => !deleted.has(g.id));
            if (page % 2 === 0 && anchor !== defaultId) {
                // Delete the very group the cursor points after.
                assertOk(await kf(srv, 'del_group', token, { group_id: anchor }), `del anchor ${anchor}`);
                deleted.add(anchor);
            } else if (seen.length > 2) {
                const victim = seen[seen.length - 3].id;
                if (victim !== defaultId && !deleted.has(victim)) {
                    assertOk(await kf(srv, 'del_group', token, { group_id: victim }), `del seen ${victim}`);
                    deleted.add(victim);
                }
            }
            if (unseen.length > 2) {
                const v = unseen[2];
                assertOk(await kf(srv, 'del_group', token, { group_id: v.id }), `del unseen ${v.name}`);
                deleted.add(v.id);
                deletedUnseen.add(v.id);
            }
            if (unseen.length > 0 && !deleted.has(unseen[0].id)) {
                const newName = `r${pad(page)}`;
                assertOk(await kf(srv, 'mod_group', token, { group_id: unseen[0].id, name: newName }), `rename ${unseen[0].name}`);
                renamed.set(unseen[0].id, newName);
            }
            const name = `n${pad(page)}`;
            all.push({ id: await addGroupOk(srv, token, name), name });
        }
        assert.ok(lastPage && lastPage.has_more === 0, 'pagination did not end within 40 pages');

        // Seen exactly once each, in creation order: every group except those deleted
        // before their page came; renamed ones under the new name.
        const want = all
            .filter((g) => !deletedUnseen.has(g.id))
            .map((g) => ({ id: g.id, name: renamed.get(g.id) ?? g.name }));
        assert.deepEqual(seen, want);
        const ids = seen.map((g) => g.id);
        assert.equal(new Set(ids).size, ids.length, 'a group was listed twice');

        // A fresh listing shows exactly the groups that survive.
        const final = await listAll(srv, token, 1000);
        assert.equal(final.pages, 1);
        assert.deepEqual(
            final.groups.map((g) => ({ id: g.group_id, name: g.name })),
            all.filter((g) => !deleted.has(g.id)).map((g) => ({ id: g.id, name: renamed.get(g.id) ?? g.name })),
        );
        assert.deepEqual(final.groups.map((g) => g.is_default), final.groups.map((_, k) => (k === 0 ? 1 : 0)));
    });
});

test('page boundaries and limit bounds', { timeout: 120_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        for (let i = 0; i < 20; i++) await addGroupOk(srv, token, `b${pad(i)}`);
        const total = 21; // with the default group
        const everything = (await listAll(srv, token, 1000)).groups;
        assert.equal(everything.length, total);

        for (const limit of [1, 2, 7, 10, 20, 21, 22, 500, 1000]) {
            const { groups, pages } = await listAll(srv, token, limit, 100);
            assert.deepEqual(groups, everything, `limit ${limit}: pages do not add up to the full list`);
            assert.equal(pages, Math.max(1, Math.ceil(total / limit)), `limit ${limit}: page count (an empty trailing page?)`);
        }

        // limit 0 and absent mean the default (500): one page here.
        for (const body of [{}, { limit: 0 }, { cursor: '', limit: 0, group_id: '' }]) {
            const j = await kf(srv, 'list_group', token, body);
            assertOk(j);
            checkListShape(j);
            assert.equal(j.group_list.length, total, `body ${JSON.stringify(body)}`);
            assert.equal(j.has_more, 0);
        }
        for (const limit of [1001, 5000, -1, -1000]) {
            assertErr(await kf(srv, 'list_group', token, { limit }), 40058, 'invalid parameter: limit', `limit ${limit}`);
        }
        // A bad limit is rejected even with a good cursor.
        const p1 = await kf(srv, 'list_group', token, { limit: 5 });
        assertOk(p1);
        assertErr(await kf(srv, 'list_group', token, { cursor: p1.next_cursor, limit: 1001 }), 40058, 'invalid parameter: limit');
        // And a good cursor still works afterwards.
        const p2 = await kf(srv, 'list_group', token, { cursor: p1.next_cursor, limit: 5 });
        assertOk(p2);
        assert.deepEqual(p2.group_list, everything.slice(5, 10));
    });
});

test('the 100-group cap counts the default group: 99 adds succeed, the 100th fails', { timeout: 180_000 }, async () => {
    await withServer({}, async (srv) => {
        const token = await getToken(srv);
        const ids = [];
        for (let i = 0; i < 99; i++) ids.push(await addGroupOk(srv, token, `cap${pad(i)}`));
        assertErr(await addGroup(srv, token, 'one too many'), 40058, 'group count exceeds limit', '100th add');
        assertErr(await addGroup(srv, token, 'one too many'), 40058, 'group count exceeds limit', '100th add again');
        // A duplicate name at the cap: either error is acceptable, but it must fail.
        const dup = await addGroup(srv, token, 'cap00');
        assert.notEqual(dup.errcode, 0, 'duplicate add at the cap succeeded');

        let { groups } = await listAll(srv, token, 1000);
        assert.equal(groups.length, 100);
        assert.ok(!groups.some((g) => g.name === 'one too many'));
        ({ groups } = await listAll(srv, token, 30));
        assert.equal(groups.length, 100);

        // Renaming at the cap is fine; it does not add a group.
        assertOk(await kf(srv, 'mod_group', token, { group_id: ids[0], name: 'renamed' }), 'rename at cap');
        assertErr(await addGroup(srv, token, 'still full'), 40058, 'group count exceeds limit');

        // Another corp is not affected by Acme's count.
        const g = await getToken(srv, GLOBEX);
        await addGroupOk(srv, g, 'globex ok');

        // Deleting one group frees exactly one slot.
        assertOk(await kf(srv, 'del_group', token, { group_id: ids[50] }), 'del at cap');
        await addGroupOk(srv, token, 'fits again');
        assertErr(await addGroup(srv, token, 'full again'), 40058, 'group count exceeds limit');
        ({ groups } = await listAll(srv, token, 1000));
        assert.equal(groups.length, 100);
        assert.equal(groups[groups.length - 1].name, 'fits again');
    });
});

test("a corp cannot page through another corp's groups with its cursor", { timeout: 60_000 }, async () => {
    await withServer({}, async (srv) => {
        const acme = await getToken(srv, ACME);
        const globex = await getToken(srv, GLOBEX);
        const acmeIds = new Set();
        for (let i = 0; i < 5; i++) acmeIds.add(await addGroupOk(srv, acme, `a${i}`));
        await addGroupOk(srv, globex, 'globex-1');
        const p = await kf(srv, 'list_group', acme, { limit: 2 });
        assertOk(p);
        assert.equal(p.has_more, 1);
        const j = await kf(srv, 'list_group', globex, { cursor: p.next_cursor, limit: 1000 });
        if (j.errcode === 0) {
            checkListShape(j);
            for (const g of j.group_list) {
                assert.ok(!acmeIds.has(g.group_id), `Globex saw Acme group ${JSON.stringify(g)}`);
                assert.ok(!/^a\d$/.test(g.name), `Globex saw Acme group ${JSON.stringify(g)}`);
            }
        } else {
            assertErr(j, 50100, 'invalid cursor');
        }
    });
});
