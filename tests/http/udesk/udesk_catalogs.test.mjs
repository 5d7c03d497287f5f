// Udesk knowledge catalogs ("Knowledge catalogs"): the four endpoints and
// their shapes, knowledge types, names, body and parameter errors, parent rules, the
// ownership matrix, nested trees and moves without cycles, subtree delete.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, request } from '../lib/server.mjs';
import { ACME, GLOBEX, SEED, TYPES, udesk, udJson, assertUdErr, flatten } from '../lib/udesk.mjs';

const LIST = '/open_api_v1/knowledge_catalogs';
const opts = { seed: SEED };
const q = (name, extra = {}) => ({ name, knowledge_type_name: 'question', agent_id: 0, ...extra });

test('create, list, modify and delete answer in the documented shapes', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        // The vendor's own example: parent_id "" and the misspelt content type.
        const res = await c.call('POST', LIST, {
            body: JSON.stringify({ knowledge_catalog: { knowledge_type_name: 'question', name: '问题库1', agent_id: 0, parent_id: '' } }),
            headers: { 'Content-Type': 'appliacation/json' },
        });
        const top = udJson(res);
        assert.deepEqual(Object.keys(top), ['code', 'id', 'name']);
        assert.equal(top.code, 1000);
        assert.equal(top.name, '问题库1');
        assert.ok(Number.isInteger(top.id));
        // The content type is never looked at.
        for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
            const j = udJson(await c.call('POST', LIST, { body: JSON.stringify({ knowledge_catalog: q(type) }), headers: { 'Content-Type': type } }));
            assert.equal(j.code, 1000, type);
            assert.equal((await c.remove(j.id, 0)).code, 1000);
        }
        // Top level also from 0, "0", null and an absent parent_id.
        const tops = [top.id];
        for (const parent of [0, '0', null, undefined]) tops.push(await c.createOk(q(`top ${parent}`, { parent_id: parent })));
        // Children from an integer and a numeric-string parent id, agent_id as a string.
        const child = await c.createOk(q('child', { parent_id: top.id }));
        const grandchild = await c.createOk(q('grandchild', { parent_id: String(child), agent_id: '0' }));
        assert.ok(grandchild > child && child > top.id, 'ids grow');

        const catalogs = await c.listOk('question', 0);
        assert.deepEqual(catalogs[0], {
            id: top.id, parent_id: 0, name: '问题库1',
            children: [{ id: child, parent_id: top.id, name: 'child', children: [{ id: grandchild, parent_id: child, name: 'grandchild' }] }],
        });
        assert.deepEqual(catalogs.map((n) => n.id), tops);
        assert.ok(catalogs.slice(1).every((n) => !('children' in n)), 'leaves have no children key');

        // Modify: {code, id (integer), name}.
        const mod = await c.update(child, { name: 'Frequently used links', agent_id: 0 });
        assert.deepEqual(mod, { code: 1000, id: child, name: 'Frequently used links' });
        assert.deepEqual(await c.update(child, { name: 'Frequently used links', agent_id: 0 }), mod, 'same name again');
        // Delete: {code, message, id (a string)}.
        const del = await c.remove(tops[1], 0);
        assert.deepEqual(del, { code: 1000, message: 'Category Delete Success', id: String(tops[1]) });
        assert.deepEqual(Object.keys(del), ['code', 'message', 'id']);
        assert.deepEqual((await c.listOk('question', 0)).map((n) => n.id), [top.id, ...tops.slice(2)]);
        // The list takes its parameters from a JSON body too (the docs call them "body").
        const viaBody = udJson(await c.call('GET', LIST, { body: { knowledge_type_name: 'question', agent_id: 0 } }));
        assert.equal(viaBody.code, 1000);
        assert.equal(viaBody.catalogs.length, 4);
        // agent_id defaults to the administrator on the list.
        assert.equal((await c.listOk('question')).length, 4);
    });
});

test('the four knowledge types, each its own trees; anything else is refused', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const ids = {};
        for (const t of TYPES) ids[t] = await c.createOk({ name: `${t} 1`, knowledge_type_name: t, agent_id: 0 });
        for (const t of TYPES) assert.deepEqual(await c.listOk(t, 0), [{ id: ids[t], parent_id: 0, name: `${t} 1` }]);

        for (const t of ['Question', 'questions', 'faq', ' question']) assertUdErr(await c.create({ name: 'x', knowledge_type_name: t, agent_id: 0 }), 2005, undefined, t);
        assertUdErr(await c.create({ name: 'x', knowledge_type_name: 1, agent_id: 0 }), 2005);
        assertUdErr(await c.create({ name: 'x', knowledge_type_name: '', agent_id: 0 }), 2000);
        assertUdErr(await c.create({ name: 'x', agent_id: 0 }), 2000, '参数缺失');
        assertUdErr(await c.list('faq', 0), 2005, '参数错误');
        assertUdErr(await c.list('', 0), 2000);
        assertUdErr(udJson(await c.call('GET', LIST, { query: { agent_id: 0 } })), 2000);
        for (const t of TYPES) assert.equal((await c.listOk(t, 0)).length, 1, `nothing else was created in ${t}`);
    });
});

test('names: at most 255 characters, required, repeatable', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const n255 = '知'.repeat(255);
        const id = await c.createOk(q(n255));
        assertUdErr(await c.create(q(`${n255}识`)), 2005, '参数错误');
        assertUdErr(await c.create(q('a'.repeat(256))), 2005);
        await c.createOk(q('a'.repeat(255)));
        assertUdErr(await c.create(q('')), 2000);
        assertUdErr(await c.create({ knowledge_type_name: 'question', agent_id: 0 }), 2000);
        assertUdErr(await c.create(q(null)), 2000);
        assertUdErr(await c.create(q(42)), 2005);
        assertUdErr(await c.create(q(['a'])), 2005);
        // Sibling names may repeat ("Knowledge catalogs": uniqueness is not enforced).
        const twin1 = await c.createOk(q('twin'));
        const twin2 = await c.createOk(q('twin'));
        assert.notEqual(twin1, twin2);
        assertUdErr(await c.update(id, { name: 'b'.repeat(256), agent_id: 0 }), 2005);
        assertUdErr(await c.update(id, { name: '', agent_id: 0 }), 2000);
        assertUdErr(await c.update(id, { agent_id: 0 }), 2000);
        assert.deepEqual((await c.update(id, { name: 'twin', agent_id: 0 })).code, 1000);
        const names = (await c.listOk('question', 0)).map((n) => n.name);
        assert.deepEqual(names, ['twin', 'a'.repeat(255), 'twin', 'twin']);
    });
});

test('bad bodies, wrong types and bad ids get 2000, 2005 or a 404', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const id = await c.createOk(q('kept'));
        const post = async (body, headers) => udJson(await c.call('POST', LIST, { body, headers }), `POST ${JSON.stringify(body)}`);

        assertUdErr(await post(undefined), 2000, '参数缺失');
        for (const bad of ['{"knowledge_catalog":', 'knowledge_catalog=1', '[1]', '"x"', 'null', '{"a":1} x',
            '{"knowledge_catalog":{"name":"a"},"knowledge_catalog":{}}']) {
            assertUdErr(await post(bad, { 'Content-Type': 'application/json' }), 2005, '参数错误', bad);
        }
        assertUdErr(await post(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])), 2005, undefined, 'invalid UTF-8');
        assertUdErr(await post({}), 2000);
        assertUdErr(await post({ knowledge_catalog: null }), 2000);
        assertUdErr(await post({ knowledge_catalog: 'x' }), 2005);
        assertUdErr(await post({ knowledge_catalog: [q('x')] }), 2005);
        // agent_id: required on create, modify and delete; an integer or digits.
        assertUdErr(await c.create({ name: 'x', knowledge_type_name: 'question' }), 2000);
        assertUdErr(await c.create(q('x', { agent_id: null })), 2000);
        for (const a of ['abc', '', -1, '-1', 1.5, true, {}, '1e2']) assertUdErr(await c.create(q('x', { agent_id: a })), 2005, undefined, `agent_id ${JSON.stringify(a)}`);
        assertUdErr(await c.create(q('x', { agent_id: 999 })), 2005, '客服不存在');
        assertUdErr(await c.list('question', 999), 2005, '客服不存在');
        assertUdErr(await c.list('question', 'x'), 2005);
        // parent_id: an integer or digits.
        for (const p of ['x', -3, 1.5, true, [1]]) assertUdErr(await c.create(q('x', { parent_id: p })), 2005, undefined, `parent_id ${JSON.stringify(p)}`);
        assertUdErr(await c.create(q('x', { parent_id: 987654321 })), 2005, '分类不存在');
        // Path ids.
        for (const p of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
            assertUdErr(await c.update(p, { name: 'x', agent_id: 0 }), 2005, '参数错误', `PUT ${p}`);
            assertUdErr(await c.remove(p, 0), 2005, '参数错误', `DELETE ${p}`);
        }
        assertUdErr(await c.update(987654321, { name: 'x', agent_id: 0 }), 2005, '分类不存在');
        assertUdErr(await c.remove(987654321, 0), 2005, '分类不存在');
        assertUdErr(await c.update(id, { name: 'x' }), 2000);
        assertUdErr(await c.remove(id), 2000, undefined, 'delete without agent_id');
        assertUdErr(udJson(await c.call('DELETE', `${LIST}/${id}`)), 2000, undefined, 'delete without a body');
        assertUdErr(udJson(await c.call('DELETE', `${LIST}/${id}`, { body: '{', headers: { 'Content-Type': 'application/json' } })), 2005);
        // What Udesk does not route is a 404 with code 2000.
        for (const [m, p] of [['PATCH', `${LIST}/${id}`], ['GET', `${LIST}/${id}`], ['POST', `${LIST}/${id}`], ['PUT', LIST], ['GET', '/open_api_v1/nope']]) {
            const res = await c.call(m, p, { body: m === 'GET' ? undefined : {} });
            assert.equal(res.status, 404, `${m} ${p}`);
            assert.deepEqual(res.json, { code: 2000, message: '接口不存在' });
        }
        // Over the body limit (1 MiB): 2005, and the connection serves on.
        assertUdErr(await post({ knowledge_catalog: q('x'.repeat(1 << 20)) }), 2005, '请求体过大');
        // Nothing above changed anything.
        assert.deepEqual(await c.listOk('question', 0), [{ id, parent_id: 0, name: 'kept' }]);
        // A plain request outside the prefix is not Udesk's.
        assert.equal((await request(srv, 'GET', '/open_api_v2/x')).status, 404);
    });
});

test('a parent must exist in the same company, with the same type and owner', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const g = udesk(srv, GLOBEX, { host: 'globex.udesk.cn' });
        const root = await c.createOk(q('root'));
        const agentRoot = await c.createOk(q('agent root', { agent_id: 101 }));
        const link = await c.createOk({ name: 'link', knowledge_type_name: 'useful_link', agent_id: 0 });
        const globexRoot = await g.createOk(q('globex root'));

        assertUdErr(await c.create({ name: 'x', knowledge_type_name: 'useful_link', agent_id: 0, parent_id: root }), 2005, undefined, 'another type');
        assertUdErr(await c.create(q('x', { parent_id: link })), 2005, undefined, 'another type');
        assertUdErr(await c.create(q('x', { parent_id: agentRoot })), 2015, '无权限操作该分类');
        assertUdErr(await c.create(q('x', { parent_id: root, agent_id: 101 })), 2015, '无权限操作该分类');
        assertUdErr(await c.create(q('x', { parent_id: root, agent_id: 102 })), 2015);
        assertUdErr(await c.create(q('x', { parent_id: globexRoot })), 2005, '分类不存在');
        assertUdErr(await g.create(q('x', { parent_id: root })), 2005, '分类不存在');
        // The right parent works.
        await c.createOk(q('ok', { parent_id: agentRoot, agent_id: 101 }));
        assert.equal(flatten(await c.listOk('question', 0)).length, 1);
        assert.equal(flatten(await c.listOk('question', 101)).length, 2);
        assert.equal(flatten(await c.listOk('useful_link', 0)).length, 1);
        assert.equal(flatten(await g.listOk('question', 0)).length, 1);
    });
});

test('ownership matrix: only the owner (0: the administrator) modifies or deletes', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const owners = [0, 101, 102];
        for (const owner of owners) {
            for (const actor of owners) {
                const id = await c.createOk(q(`of ${owner}`, { agent_id: owner }));
                const put = await c.update(id, { name: `by ${actor}`, agent_id: actor });
                const del = await c.remove(id, actor);
                if (actor === owner) {
                    assert.deepEqual(put, { code: 1000, id, name: `by ${actor}` }, `owner ${owner} renames`);
                    assert.equal(del.code, 1000, `owner ${owner} deletes`);
                } else {
                    assertUdErr(put, 2015, '无权限操作该分类', `agent ${actor} renames a catalog of ${owner}`);
                    assertUdErr(del, 2015, '无权限操作该分类', `agent ${actor} deletes a catalog of ${owner}`);
                    assertUdErr(await c.update(id, { name: 'x', agent_id: actor, parent_id: 0 }), 2015, undefined, 'move');
                    const mine = await c.listOk('question', owner);
                    assert.deepEqual(mine.map((n) => [n.id, n.name]), [[id, `of ${owner}`]], 'unchanged');
                    assert.equal((await c.remove(id, owner)).code, 1000);
                }
            }
        }
        // Lists are per owner.
        const ids = {};
        for (const owner of owners) ids[owner] = await c.createOk(q(`list ${owner}`, { agent_id: owner }));
        for (const owner of owners) assert.deepEqual((await c.listOk('question', owner)).map((n) => n.id), [ids[owner]]);
        // Agent 101 of Globex is another person: it sees and touches nothing of Acme's.
        const g = udesk(srv, GLOBEX, { host: 'globex.udesk.cn' });
        assert.deepEqual(await g.listOk('question', 101), []);
        assertUdErr(await g.update(ids[101], { name: 'x', agent_id: 101 }), 2005, '分类不存在');
        assertUdErr(await g.list('question', 102), 2005, '客服不存在');
    });
});

test('trees nest five and more levels; moves never make a cycle; 32 levels at most', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const chain = [];
        for (let i = 0; i < 6; i++) chain.push(await c.createOk(q(`level ${i + 1}`, { parent_id: chain[i - 1] || 0 })));
        let tree = await c.listOk('question', 0);
        assert.deepEqual(flatten(tree).map((n) => [n.id, n.depth]), chain.map((id, i) => [id, i + 1]));
        let node = tree[0];
        for (let i = 1; i < 6; i++) node = node.children[0];
        assert.equal(node.name, 'level 6');
        assert.ok(!('children' in node));

        // Under itself or below itself: refused, nothing moves.
        for (const target of [chain[0], chain[3], chain[5]]) {
            assertUdErr(await c.update(chain[0], { name: 'level 1', agent_id: 0, parent_id: target }), 2005, '不能移动到自身或子分类下');
        }
        assertUdErr(await c.update(chain[2], { name: 'x', agent_id: 0, parent_id: String(chain[4]) }), 2005);
        assert.deepEqual(await c.listOk('question', 0), tree);

        // Moving a subtree to the top ("") and back (digits); null or absent keeps it.
        assert.equal((await c.update(chain[3], { name: 'level 4', agent_id: 0, parent_id: '' })).code, 1000);
        tree = await c.listOk('question', 0);
        assert.deepEqual(tree.map((n) => n.id), [chain[0], chain[3]]);
        assert.deepEqual(flatten([tree[1]]).map((n) => n.id), chain.slice(3));
        assert.equal((await c.update(chain[3], { name: 'level 4', agent_id: 0, parent_id: null })).code, 1000);
        assert.equal((await c.update(chain[3], { name: 'level 4', agent_id: 0, knowledge_type_name: 'useful_link' })).code, 1000);
        assert.equal((await c.listOk('question', 0)).length, 2, 'neither moved nor retyped');
        assert.equal((await c.update(chain[3], { name: 'level 4', agent_id: 0, parent_id: String(chain[2]) })).code, 1000);
        assert.deepEqual(flatten(await c.listOk('question', 0)).map((n) => [n.id, n.depth]), chain.map((id, i) => [id, i + 1]));
        // Moves follow the parent rules of create.
        const other = await c.createOk(q('agent', { agent_id: 101 }));
        const link = await c.createOk({ name: 'link', knowledge_type_name: 'useful_link', agent_id: 0 });
        assertUdErr(await c.update(chain[1], { name: 'x', agent_id: 0, parent_id: other }), 2015);
        assertUdErr(await c.update(chain[1], { name: 'x', agent_id: 0, parent_id: link }), 2005);
        assertUdErr(await c.update(chain[1], { name: 'x', agent_id: 0, parent_id: 987654321 }), 2005, '分类不存在');

        // 32 levels fit; the 33rd does not, nor a move that would make 33.
        for (let i = 6; i < 32; i++) chain.push(await c.createOk(q(`level ${i + 1}`, { parent_id: chain[i - 1] })));
        assertUdErr(await c.create(q('level 33', { parent_id: chain[31] })), 2005, '分类层级超过上限');
        const side = await c.createOk(q('side'));
        const sideChild = await c.createOk(q('side child', { parent_id: side }));
        assertUdErr(await c.update(side, { name: 'side', agent_id: 0, parent_id: chain[30] }), 2005, '分类层级超过上限');
        assert.equal((await c.update(sideChild, { name: 'side child', agent_id: 0, parent_id: chain[30] })).code, 1000);
        const deepest = flatten(await c.listOk('question', 0)).filter((n) => n.depth === 32);
        assert.deepEqual(deepest.map((n) => n.id).sort((a, b) => a - b), [chain[31], sideChild]);
    });
});

test('deleting a catalog deletes its whole subtree and nothing else', { timeout: 60_000 }, async () => {
    await withServer(opts, async (srv) => {
        const c = udesk(srv);
        const a = await c.createOk(q('a'));
        const b = await c.createOk(q('b'));
        const a1 = await c.createOk(q('a1', { parent_id: a }));
        const a2 = await c.createOk(q('a2', { parent_id: a }));
        const a11 = await c.createOk(q('a11', { parent_id: a1 }));
        const a111 = await c.createOk(q('a111', { parent_id: a11 }));
        const b1 = await c.createOk(q('b1', { parent_id: b }));

        assert.deepEqual(await c.remove(a1, 0), { code: 1000, message: 'Category Delete Success', id: String(a1) });
        assert.deepEqual(flatten(await c.listOk('question', 0)).map((n) => n.id), [a, a2, b, b1]);
        for (const gone of [a1, a11, a111]) {
            assertUdErr(await c.remove(gone, 0), 2005, '分类不存在');
            assertUdErr(await c.update(gone, { name: 'x', agent_id: 0 }), 2005, '分类不存在');
            assertUdErr(await c.create(q('x', { parent_id: gone })), 2005, '分类不存在');
        }
        assert.equal((await c.remove(a, 0)).code, 1000);
        assert.deepEqual(flatten(await c.listOk('question', 0)).map((n) => n.id), [b, b1]);
    });
});
