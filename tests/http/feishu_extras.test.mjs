// tests/http/feishu_extras.test.mjs - announcement, chat tabs and chat menus
// (the announcement, chat tab and chat menu pages): every endpoint's success and documented failures, explicit order
// under concurrent writes, and the document operations of announcement patches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    APP1, APP2, assertErr, assertOk, chatPath, createChat, fs, ids, qs, tenantToken, userToken,
    withFeishuServer,
} from './lib/feishu.mjs';
import { ADMIN_HEADERS } from './lib/server.mjs';

const op = (o) => JSON.stringify(o);
const insertBlocks = (text, location) => op({
    requestType: 'InsertBlocksRequestType',
    insertBlocksRequest: {
        payload: op({ blocks: [{ type: 'paragraph', paragraph: { elements: [{ type: 'textRun', textRun: { text, style: {} } }], style: {} } }] }),
        location: { zoneId: '0', ...location },
    },
});
const deleteRange = (startIndex, endIndex) => op({
    requestType: 'DeleteContentRangeRequestType',
    deleteContentRangeRequest: { deleteRange: { zoneId: '0', startIndex, endIndex } },
});
const updateTitle = (text) => op({
    requestType: 'UpdateTitleRequestType',
    updateTitleRequest: { payload: op({ elements: [{ type: 'textRun', textRun: { text, style: {} } }], style: {} }) },
});
const lines = (doc) => doc.body.blocks.map((b) => (b.paragraph?.elements || []).map((e) => e.textRun?.text ?? '').join(''));

test('announcement: document operations, revisions, who may edit, ids', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const p = (await ids(srv)).acme;
        const zs = await userToken(srv, APP1, 'zhangsan');
        const ww = await userToken(srv, APP1, 'wangwu');
        const chat = await createChat(srv, zs, { name: 'ann', user_id_list: [p.wangwu.open(APP1)] });
        const path = chatPath(chat.chat_id, '/announcement');

        let a = assertOk(await fs(srv, 'GET', path + qs({ user_id_type: 'user_id' }), zs));
        assert.equal(a.revision, '1');
        assert.equal(a.owner_id_type, 'user_id');
        assert.equal(a.owner_id, 'zhangsan');
        assert.match(a.create_time, /^\d+$/);
        assert.deepEqual(lines(JSON.parse(a.content)), ['']);

        assertOk(await fs(srv, 'PATCH', path, zs, {
            revision: '1',
            requests: [updateTitle('Notice'), insertBlocks('Hello world', { startOfZone: true })],
        }));
        a = assertOk(await fs(srv, 'GET', path, zs));
        assert.equal(a.revision, '2');
        let doc = JSON.parse(a.content);
        assert.equal(doc.title.elements[0].textRun.text, 'Notice');
        assert.deepEqual(lines(doc), ['Hello world', '']);
        // Title "Notice" is 0..6; the first line starts after its break.
        assert.deepEqual(doc.body.blocks[0].paragraph.location, { zoneId: '0', startIndex: 7, endIndex: 18 });

        // Delete " world" ([12, 18)) and, in the same patch, join the two lines.
        assertOk(await fs(srv, 'PATCH', path, ww, { revision: '2', requests: [deleteRange(12, 18)] }));
        doc = JSON.parse(assertOk(await fs(srv, 'GET', path, zs)).content);
        assert.deepEqual(lines(doc), ['Hello', '']);
        assertOk(await fs(srv, 'PATCH', path, zs, { revision: '3', requests: [insertBlocks('second', { index: 13 })] }));
        doc = JSON.parse(assertOk(await fs(srv, 'GET', path, zs)).content);
        assert.deepEqual(lines(doc), ['Hello', 'second', '']);
        assertOk(await fs(srv, 'PATCH', path, zs, { revision: '4', requests: [deleteRange(12, 14)] }));
        doc = JSON.parse((a = assertOk(await fs(srv, 'GET', path + qs({ user_id_type: 'union_id' }), zs))).content);
        assert.deepEqual(lines(doc), ['Helloecond', '']);
        assert.equal(a.modifier_id_type, 'union_id');
        assert.equal(a.modifier_id, p.zhangsan.union_id);

        // Revisions: a future one, or one more than 100 behind, fails (232018).
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: '99', requests: [updateTitle('x')] }), 232018, 'future', { msg: 'Updating announcement failed.' });
        for (let r = 6; r <= 107; r++) assertOk(await fs(srv, 'PATCH', path, zs, { revision: String(r - 1), requests: [updateTitle(`t${r}`)] }));
        assert.equal(assertOk(await fs(srv, 'GET', path, zs)).revision, '107');
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: '6', requests: [updateTitle('old')] }), 232018);
        assertOk(await fs(srv, 'PATCH', path, zs, { revision: '7', requests: [updateTitle('lagging')] }));
        // Malformed or unsupported requests change nothing.
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: '108', requests: ['not json'] }), 232018);
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: '108', requests: [op({ requestType: 'MergeTableCellsRequestType' })] }), 232018);
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: '108', requests: [insertBlocks('x', { index: 3 })] }), 232018);
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: 'abc', requests: [updateTitle('x')] }), 232001);
        assertErr(await fs(srv, 'PATCH', path, zs, { revision: '108' }), 232001);
        assert.equal(assertOk(await fs(srv, 'GET', path, zs)).revision, '108');

        // edit_permission only_owner: a member gets 232002; a non-member 232011.
        assertOk(await fs(srv, 'PUT', chatPath(chat.chat_id), zs, { edit_permission: 'only_owner' }));
        assertErr(await fs(srv, 'PATCH', path, ww, { revision: '108', requests: [updateTitle('x')] }), 232002);
        const sq = await userToken(srv, APP1, 'sunqi');
        assertErr(await fs(srv, 'GET', path, sq), 232011);
        assertErr(await fs(srv, 'GET', chatPath('oc_00000000000000000000000000000000', '/announcement'), zs), 232006);
    });
});

test('chat tabs: message tab, custom doc/url tabs, limits, sort, delete', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'tabs' });
        const base = chatPath(chat.chat_id, '/chat_tabs');
        const ok = (res) => {
            assert.equal(res.json.msg, 'ok', JSON.stringify(res.json));
            return assertOkMsg(res);
        };
        let tabs = ok(await fs(srv, 'GET', base + '/list_tabs', t1)).chat_tabs;
        assert.equal(tabs.length, 1);
        assert.deepEqual(Object.keys(tabs[0]).sort(), ['tab_id', 'tab_type']);
        assert.equal(tabs[0].tab_type, 'message');
        assert.match(tabs[0].tab_id, /^\d{19}$/);
        const msgId = tabs[0].tab_id;

        tabs = ok(await fs(srv, 'POST', base, t1, { chat_tabs: [
            { tab_name: '文档', tab_type: 'doc', tab_content: { doc: 'https://example.feishu.cn/wiki/x' } },
            { tab_name: 'site', tab_type: 'url', tab_content: { url: 'https://www.test.cn' }, tab_config: { icon_key: 'img_v2_k', is_built_in: true } },
        ] })).chat_tabs;
        assert.deepEqual(tabs.map((t) => t.tab_type), ['message', 'doc', 'url']);
        assert.deepEqual(tabs[2].tab_config, { icon_key: 'img_v2_k', is_built_in: true });
        assert.equal(tabs[1].tab_config, undefined, 'tab_config only for url tabs');

        // Errors: type, content, name length, built-in tabs.
        assertErr(await fs(srv, 'POST', base, t1, { chat_tabs: [{ tab_type: 'pin' }] }), 232001);
        assertErr(await fs(srv, 'POST', base, t1, { chat_tabs: [{ tab_type: 'url', tab_content: { url: 'ftp://x' } }] }), 232048);
        assertErr(await fs(srv, 'POST', base, t1, { chat_tabs: [{ tab_type: 'doc' }] }), 232048);
        assertErr(await fs(srv, 'POST', base, t1, { chat_tabs: [{ tab_type: 'url', tab_name: 'x'.repeat(61), tab_content: { url: 'https://a' } }] }), 232047);
        assertErr(await fs(srv, 'POST', chatPath(chat.chat_id, '/chat_tabs/update_tabs'), t1, { chat_tabs: [{ tab_id: msgId, tab_type: 'message', tab_name: 'x' }] }), 232049);
        assertErr(await fs(srv, 'DELETE', base + '/delete_tabs', t1, { tab_ids: [msgId] }), 232049);

        // Update changes only what it names.
        tabs = ok(await fs(srv, 'POST', base + '/update_tabs', t1, { chat_tabs: [{ tab_id: tabs[2].tab_id, tab_type: 'url', tab_name: 'renamed' }] })).chat_tabs;
        assert.equal(tabs[2].tab_name, 'renamed');
        assert.deepEqual(tabs[2].tab_content, { url: 'https://www.test.cn' });

        // Sort: every id, message first.
        const [m, d, u] = tabs.map((t) => t.tab_id);
        assertErr(await fs(srv, 'POST', base + '/sort_tabs', t1, { tab_ids: [m, u] }), 232001);
        assertErr(await fs(srv, 'POST', base + '/sort_tabs', t1, { tab_ids: [u, m, d] }), 232001);
        assertErr(await fs(srv, 'POST', base + '/sort_tabs', t1, { tab_ids: [m, u, u] }), 232001);
        tabs = ok(await fs(srv, 'POST', base + '/sort_tabs', t1, { tab_ids: [m, u, d] })).chat_tabs;
        assert.deepEqual(tabs.map((t) => t.tab_id), [m, u, d]);

        // 20 custom tabs at most; parallel creates never lose or duplicate a position.
        const adds = Array.from({ length: 24 }, (_, i) => fs(srv, 'POST', base, t1, { chat_tabs: [{ tab_type: 'url', tab_name: `t${i}`, tab_content: { url: `https://e.test/${i}` } }] }));
        const results = await Promise.all(adds);
        assert.equal(results.filter((r) => r.json.code === 0).length, 18);
        for (const r of results.filter((x) => x.json.code !== 0)) assertErr(r, 232046);
        tabs = ok(await fs(srv, 'GET', base + '/list_tabs', t1)).chat_tabs;
        assert.equal(tabs.length, 21);
        assert.equal(new Set(tabs.map((t) => t.tab_id)).size, 21);
        assert.equal(tabs[0].tab_type, 'message');

        // Delete closes the gap; the rest keep their order.
        const keep = tabs.filter((t, i) => i % 2 === 0).map((t) => t.tab_id);
        tabs = ok(await fs(srv, 'DELETE', base + '/delete_tabs', t1, { tab_ids: tabs.filter((t, i) => i % 2 === 1).map((t) => t.tab_id) })).chat_tabs;
        assert.deepEqual(tabs.map((t) => t.tab_id), keep);

        // Topic chats have no tabs; non-members get 232011.
        const topic = await createChat(srv, t1, { name: 'topic', chat_mode: 'topic' });
        assertErr(await fs(srv, 'GET', chatPath(topic.chat_id, '/chat_tabs/list_tabs'), t1), 232050);
        const t2 = await tenantToken(srv, APP2);
        assertErr(await fs(srv, 'GET', base + '/list_tabs', t2), 232011);
    });
});

// Reading tabs never writes: list_tabs shows the built-in message tab without storing
// it, so it never joins a group-commit batch (nor waits for its fsync); the first
// write stores the message tab under the id the reads showed.
test('chat tabs: list_tabs is a read; the message tab keeps the id reads showed', { timeout: 60_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'tab reads' });
        const base = chatPath(chat.chat_id, '/chat_tabs');
        const groupStats = async () => (await srv.request('GET', '/admin/v1/stats', { headers: ADMIN_HEADERS })).json.group_commit;
        const before = await groupStats();
        const reads = [];
        for (let i = 0; i < 3; i++) reads.push(assertOkMsg(await fs(srv, 'GET', base + '/list_tabs', t1)).chat_tabs);
        assert.deepEqual(await groupStats(), before, 'list_tabs went through the write path');
        assert.equal(new Set(reads.map((t) => t[0].tab_id)).size, 1);
        const msgId = reads[0][0].tab_id;
        const tabs = assertOkMsg(await fs(srv, 'POST', base, t1, { chat_tabs: [
            { tab_name: 'site', tab_type: 'url', tab_content: { url: 'https://www.test.cn' } },
        ] })).chat_tabs;
        assert.deepEqual(tabs.map((t) => t.tab_id), [msgId, tabs[1].tab_id]);
        assert.deepEqual(assertOkMsg(await fs(srv, 'GET', base + '/list_tabs', t1)).chat_tabs, tabs);
    });
});

function assertOkMsg(res) {
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.code, 0, res.body);
    return res.json.data;
}

test('chat menus: append, limits, patch, sort, delete, tenant token only', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const t1 = await tenantToken(srv, APP1);
        const chat = await createChat(srv, t1, { name: 'menus' });
        const tree = chatPath(chat.chat_id, '/menu_tree');
        const item = (name, extra = {}) => ({ chat_menu_item: { action_type: 'NONE', name, ...extra } });
        const link = (name) => ({ chat_menu_item: { action_type: 'REDIRECT_LINK', name, redirect_link: { common_url: 'https://open.feishu.cn/' } } });

        let t = assertOk(await fs(srv, 'GET', tree, t1)).menu_tree;
        assert.deepEqual(t, { chat_menu_top_levels: [] });
        t = assertOk(await fs(srv, 'POST', tree, t1, { menu_tree: { chat_menu_top_levels: [
            { ...item('菜单', { i18n_names: { zh_cn: '菜单', en_us: 'Menu' } }), children: [link('报名'), link('b')] },
        ] } })).menu_tree;
        assert.equal(t.chat_menu_top_levels.length, 1);
        assert.match(t.chat_menu_top_levels[0].chat_menu_top_level_id, /^\d{19}$/);
        assert.equal(t.chat_menu_top_levels[0].children.length, 2);
        // Create appends.
        t = assertOk(await fs(srv, 'POST', tree, t1, { menu_tree: { chat_menu_top_levels: [link('two'), link('three')] } })).menu_tree;
        assert.deepEqual(t.chat_menu_top_levels.map((x) => x.chat_menu_item.name), ['菜单', 'two', 'three']);
        assert.deepEqual(t.chat_menu_top_levels[1].children, []);
        assertErr(await fs(srv, 'POST', tree, t1, { menu_tree: { chat_menu_top_levels: [link('four')] } }), 232070);

        // Illegal menus: bad URL, NONE parent with an icon, a redirecting parent, 6 children.
        const c2 = await createChat(srv, t1, { name: 'menus2' });
        const tree2 = chatPath(c2.chat_id, '/menu_tree');
        assertErr(await fs(srv, 'POST', tree2, t1, { menu_tree: { chat_menu_top_levels: [{ chat_menu_item: { action_type: 'REDIRECT_LINK', name: 'x', redirect_link: { common_url: 'javascript:1' } } }] } }), 232078);
        assertErr(await fs(srv, 'POST', tree2, t1, { menu_tree: { chat_menu_top_levels: [{ ...item('p', { image_key: 'img' }), children: [link('c')] }] } }), 232078);
        assertErr(await fs(srv, 'POST', tree2, t1, { menu_tree: { chat_menu_top_levels: [{ ...link('p'), children: [link('c')] }] } }), 232078);
        assertErr(await fs(srv, 'POST', tree2, t1, { menu_tree: { chat_menu_top_levels: [{ ...item('p'), children: Array.from({ length: 6 }, (_, i) => link(`c${i}`)) }] } }), 232071);
        assertErr(await fs(srv, 'POST', tree2, t1, { menu_tree: { chat_menu_top_levels: [{ chat_menu_item: { action_type: 'NONE', name: '' } }] } }), 232078);
        assert.deepEqual(assertOk(await fs(srv, 'GET', tree2, t1)).menu_tree, { chat_menu_top_levels: [] }, 'nothing half-created');

        // Patch: listed fields only; action_type never changes.
        const [top1, top2, top3] = t.chat_menu_top_levels;
        const child = top1.children[0];
        let d = assertOk(await fs(srv, 'PATCH', chatPath(chat.chat_id, `/menu_items/${child.chat_menu_second_level_id}`), t1, {
            update_fields: ['NAME'], chat_menu_item: { name: 'renamed', redirect_link: { common_url: 'https://ignored.test/' } },
        }));
        assert.deepEqual(d.chat_menu_item, { action_type: 'REDIRECT_LINK', redirect_link: { common_url: 'https://open.feishu.cn/' }, name: 'renamed' });
        assertErr(await fs(srv, 'PATCH', chatPath(chat.chat_id, `/menu_items/${top2.chat_menu_top_level_id}`), t1, {
            update_fields: ['NAME'], chat_menu_item: { action_type: 'NONE', name: 'x' },
        }), 232078);
        assertErr(await fs(srv, 'PATCH', chatPath(chat.chat_id, `/menu_items/${top1.chat_menu_top_level_id}`), t1, {
            update_fields: ['ICON'], chat_menu_item: { image_key: 'img_v2_x' },
        }), 232078);
        assertErr(await fs(srv, 'PATCH', chatPath(chat.chat_id, '/menu_items/123'), t1, { update_fields: ['NAME'], chat_menu_item: { name: 'x' } }), 232001);

        // Sort: exactly the top-level ids.
        const ids3 = [top3, top1, top2].map((x) => x.chat_menu_top_level_id);
        assertErr(await fs(srv, 'POST', tree + '/sort', t1, { chat_menu_top_level_ids: ids3.slice(0, 2) }), 232072);
        assertErr(await fs(srv, 'POST', tree + '/sort', t1, { chat_menu_top_level_ids: [ids3[0], ids3[0], ids3[1]] }), 232072);
        assertErr(await fs(srv, 'POST', tree + '/sort', t1, { chat_menu_top_level_ids: [ids3[0], ids3[1], child.chat_menu_second_level_id] }), 232072);
        t = assertOk(await fs(srv, 'POST', tree + '/sort', t1, { chat_menu_top_level_ids: ids3 })).menu_tree;
        assert.deepEqual(t.chat_menu_top_levels.map((x) => x.chat_menu_top_level_id), ids3);

        // Delete takes top levels with their children.
        t = assertOk(await fs(srv, 'DELETE', tree, t1, { chat_menu_top_level_ids: [top1.chat_menu_top_level_id] })).menu_tree;
        assert.deepEqual(t.chat_menu_top_levels.map((x) => x.chat_menu_top_level_id), [ids3[0], ids3[2]]);
        assertErr(await fs(srv, 'DELETE', tree, t1, { chat_menu_top_level_ids: [child.chat_menu_second_level_id] }), 232001);

        // Tenant token only; group chats only.
        const zs = await userToken(srv, APP1, 'zhangsan');
        assertErr(await fs(srv, 'GET', tree, zs), 99991668);
        const topic = await createChat(srv, t1, { name: 'topic', chat_mode: 'topic' });
        assertErr(await fs(srv, 'GET', chatPath(topic.chat_id, '/menu_tree'), t1), 232008);
    });
});
