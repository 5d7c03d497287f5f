// tests/http/feishu_sdk_extras.test.mjs - the chat extras (the announcement, chat tab and chat menu pages) through the
// official SDK, changed only by `domain`: client.im.chatAnnouncement.*,
// client.im.chatTab.*, client.im.chatMenuTree.* and client.im.chatMenuItem.*.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFeishuServer } from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';

test('SDK: announcement get and patch, tabs, menus, menu items', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const c = sdkClient(srv);
        const chat = await c.im.chat.create({ data: { name: 'sdk extras' } });
        assert.equal(chat.code, 0);
        const chat_id = chat.data.chat_id;

        // Announcement.
        let a = await c.im.chatAnnouncement.get({ path: { chat_id } });
        assert.equal(a.code, 0);
        assert.equal(a.data.revision, '1');
        const insert = JSON.stringify({
            requestType: 'InsertBlocksRequestType',
            insertBlocksRequest: {
                payload: JSON.stringify({ blocks: [{ type: 'paragraph', paragraph: { elements: [{ type: 'textRun', textRun: { text: 'from the SDK', style: {} } }], style: {} } }] }),
                location: { zoneId: '0', startOfZone: true },
            },
        });
        const p = await c.im.chatAnnouncement.patch({ path: { chat_id }, data: { revision: a.data.revision, requests: [insert] } });
        assert.equal(p.code, 0);
        a = await c.im.chatAnnouncement.get({ path: { chat_id } });
        assert.equal(a.data.revision, '2');
        assert.match(a.data.content, /from the SDK/);

        // Tabs.
        let t = await c.im.chatTab.create({ path: { chat_id }, data: { chat_tabs: [
            { tab_name: 'doc', tab_type: 'doc', tab_content: { doc: 'https://example.feishu.cn/docx/x' } },
            { tab_name: 'site', tab_type: 'url', tab_content: { url: 'https://example.test' } },
        ] } });
        assert.equal(t.code, 0);
        assert.deepEqual(t.data.chat_tabs.map((x) => x.tab_type), ['message', 'doc', 'url']);
        const [msg, doc, url] = t.data.chat_tabs.map((x) => x.tab_id);
        t = await c.im.chatTab.updateTabs({ path: { chat_id }, data: { chat_tabs: [{ tab_id: url, tab_type: 'url', tab_name: 'renamed' }] } });
        assert.equal(t.data.chat_tabs[2].tab_name, 'renamed');
        t = await c.im.chatTab.sortTabs({ path: { chat_id }, data: { tab_ids: [msg, url, doc] } });
        assert.deepEqual(t.data.chat_tabs.map((x) => x.tab_id), [msg, url, doc]);
        t = await c.im.chatTab.listTabs({ path: { chat_id } });
        assert.equal(t.data.chat_tabs.length, 3);
        t = await c.im.chatTab.deleteTabs({ path: { chat_id }, data: { tab_ids: [doc] } });
        assert.deepEqual(t.data.chat_tabs.map((x) => x.tab_id), [msg, url]);

        // Menus.
        let m = await c.im.chatMenuTree.create({ path: { chat_id }, data: { menu_tree: { chat_menu_top_levels: [
            { chat_menu_item: { action_type: 'NONE', name: 'Menu' }, children: [
                { chat_menu_item: { action_type: 'REDIRECT_LINK', name: 'Docs', redirect_link: { common_url: 'https://open.feishu.cn/' } } }] },
            { chat_menu_item: { action_type: 'REDIRECT_LINK', name: 'Site', redirect_link: { common_url: 'https://example.test/' } } },
        ] } } });
        assert.equal(m.code, 0);
        const tops = m.data.menu_tree.chat_menu_top_levels;
        assert.equal(tops.length, 2);
        const child = tops[0].children[0].chat_menu_second_level_id;
        const item = await c.im.chatMenuItem.patch({ path: { chat_id, menu_item_id: child }, data: { update_fields: ['NAME'], chat_menu_item: { name: 'Handbook' } } });
        assert.equal(item.code, 0);
        assert.equal(item.data.chat_menu_item.name, 'Handbook');
        m = await c.im.chatMenuTree.sort({ path: { chat_id }, data: { chat_menu_top_level_ids: [tops[1].chat_menu_top_level_id, tops[0].chat_menu_top_level_id] } });
        assert.deepEqual(m.data.menu_tree.chat_menu_top_levels.map((x) => x.chat_menu_item.name), ['Site', 'Menu']);
        m = await c.im.chatMenuTree.get({ path: { chat_id } });
        assert.equal(m.data.menu_tree.chat_menu_top_levels[1].children[0].chat_menu_item.name, 'Handbook');
        m = await c.im.chatMenuTree.delete({ path: { chat_id }, data: { chat_menu_top_level_ids: [tops[1].chat_menu_top_level_id] } });
        assert.deepEqual(m.data.menu_tree.chat_menu_top_levels.map((x) => x.chat_menu_item.name), ['Menu']);
    });
});
