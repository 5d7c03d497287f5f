// tests/http/feishu_messages_copy.test.mjs - messages and uploads survive a restart and
// `--copy-to` into the other backend (and back): history, threads, uuid keys, recalled
// messages, reactions and pins, upload keys with their bytes (the copy shares upload_dir),
// a merged message's parts, read receipts and buzzes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_HEADERS, binPath, dbOf, freshPgDatabase, keyArgs, makeTempDir, withServer } from './lib/server.mjs';
import { APP1, assertOk, createChat, feishuSeed, fs as call, qs, tenantToken } from './lib/feishu.mjs';

const PG = process.env.QUNZU_TEST_PG;
const MSGS = '/open-apis/im/v1/messages';
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00copied bytes');

async function history(srv, tok, chat) {
    const d = assertOk(await call(srv, 'GET', MSGS + qs({ container_id_type: 'chat', container_id: chat, page_size: 50 }), tok));
    return d.items.map((m) => ({ id: m.message_id, type: m.msg_type, deleted: m.deleted, thread: m.thread_id, body: m.body }));
}

// A message's reactions and its chat's pins.
async function marksOf(srv, tok, chat, message) {
    return {
        reactions: assertOk(await call(srv, 'GET', `${MSGS}/${message}/reactions`, tok)).items,
        pins: assertOk(await call(srv, 'GET', '/open-apis/im/v1/pins' + qs({ chat_id: chat }), tok)).items,
    };
}

// A merged message with its parts, who read a message and who was buzzed about it.
async function extras(srv, tok, merged, read) {
    const buzzes = await srv.request('GET', `/admin/v1/feishu/messages/${read}/buzzes`, { headers: ADMIN_HEADERS });
    return {
        parts: assertOk(await call(srv, 'GET', `${MSGS}/${merged}`, tok)).items,
        readers: assertOk(await call(srv, 'GET', `${MSGS}/${read}/read_users?user_id_type=user_id`, tok)).items,
        buzzes: buzzes.json.items,
    };
}

test('messages and uploads survive a restart and --copy-to the other backend and back', { timeout: 180_000 }, async () => {
    const dir = makeTempDir();
    const uploads = path.join(dir, 'shared-uploads');
    const args = ['--upload-dir', uploads];
    try {
        let src, chat, before, first, image, merged, kept, marks;
        await withServer({ dir, seed: feishuSeed(), args }, async (srv) => {
            src = dbOf(srv);
            const tok = await tenantToken(srv, APP1);
            chat = (await createChat(srv, tok, { name: 'copied talk', user_id_list: ['wangwu', 'zhaoliu'] }, { user_id_type: 'user_id' })).chat_id;
            first = assertOk(await call(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat, msg_type: 'text', content: '{"text":"one"}', uuid: 'k1' }));
            assertOk(await call(srv, 'POST', `${MSGS}/${first.message_id}/reply`, tok, { msg_type: 'text', content: '{"text":"in thread"}', reply_in_thread: true }));
            const b = 'bnd';
            const body = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="image_type"\r\n\r\nmessage\r\n--${b}\r\nContent-Disposition: form-data; name="image"\r\n\r\n`), GIF, Buffer.from(`\r\n--${b}--\r\n`)]);
            image = (await srv.request('POST', '/open-apis/im/v1/images', { body, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': `multipart/form-data; boundary=${b}` } })).json.data.image_key;
            assertOk(await call(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat, msg_type: 'image', content: JSON.stringify({ image_key: image }) }));
            const gone = assertOk(await call(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat, msg_type: 'text', content: '{"text":"oops"}' }));
            assertOk(await call(srv, 'DELETE', `${MSGS}/${gone.message_id}`, tok));
            assertOk(await call(srv, 'POST', `${MSGS}/${first.message_id}/reactions`, tok, { reaction_type: { emoji_type: 'DONE' } }));
            assertOk(await call(srv, 'POST', '/open-apis/im/v1/pins', tok, { message_id: first.message_id }));
            merged = assertOk(await call(srv, 'POST', `${MSGS}/merge_forward?receive_id_type=chat_id`, tok, { receive_id: chat, message_id_list: [first.message_id] })).message.message_id;
            const r = await srv.request('POST', '/admin/v1/feishu/read', { headers: ADMIN_HEADERS, body: { message_id: first.message_id, user_id: 'wangwu' } });
            assert.equal(r.status, 200, r.body);
            assertOk(await call(srv, 'PATCH', `${MSGS}/${first.message_id}/urgent_app?user_id_type=user_id`, tok, { user_id_list: ['zhaoliu'] }));
            before = await history(srv, tok, chat);
            kept = await extras(srv, tok, merged, first.message_id);
            marks = await marksOf(srv, tok, chat, first.message_id);
            assert.equal(marks.reactions.length, 1);
            assert.equal(marks.pins.length, 1);
            assert.equal(before.length, 4);
            assert.equal(kept.parts.length, 2);
            assert.equal(kept.readers.length, 1);
            assert.equal(kept.buzzes.length, 1);
            await srv.stop('SIGTERM');
            await srv.restart();
            assert.deepEqual(await history(srv, await tenantToken(srv, APP1), chat), before, 'after a restart');
            assert.deepEqual(await extras(srv, await tenantToken(srv, APP1), merged, first.message_id), kept, 'after a restart');
            assert.deepEqual(await marksOf(srv, await tenantToken(srv, APP1), chat, first.message_id), marks, 'reactions and pins after a restart');
        });
        const middle = PG ? freshPgDatabase(PG) : `sqlite:${path.join(dir, 'middle.db')}`;
        const back = `sqlite:${path.join(dir, 'back.db')}`;
        for (const [from, to] of [[src, middle], [middle, back]]) {
            const r = spawnSync(binPath(), ['--db', from, '--copy-to', to, ...keyArgs()], { encoding: 'utf8' });
            assert.equal(r.status, 0, `copy ${from} -> ${to} failed: ${r.stderr}`);
            assert.match(r.stdout, /copied \d+ rows of fs_message\b/);
            assert.match(r.stdout, /copied \d+ rows of fs_resource\b/);
            assert.match(r.stdout, /copied 1 rows of fs_reaction\b/);
            assert.match(r.stdout, /copied 1 rows of fs_pin\b/);
            assert.match(r.stdout, /copied 1 rows of fs_message_read\b/);
            assert.match(r.stdout, /copied 1 rows of fs_message_buzz\b/);
        }
        for (const db of [middle, back]) {
            await withServer({ db, dir: makeTempDir(), seed: false, args }, async (srv) => {
                const tok = await tenantToken(srv, APP1);
                assert.deepEqual(await history(srv, tok, chat), before, `history on ${db}`);
                assert.deepEqual(await extras(srv, tok, merged, first.message_id), kept, `parts, readers, buzzes on ${db}`);
                assert.deepEqual(await marksOf(srv, tok, chat, first.message_id), marks, `reactions and pins on ${db}`);
                // The uuid key still answers the first message; the image downloads.
                const again = assertOk(await call(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat, msg_type: 'text', content: '{"text":"one"}', uuid: 'k1' }));
                assert.equal(again.message_id, first.message_id);
                const r = await srv.request('GET', `/open-apis/im/v1/images/${image}`, { headers: { Authorization: `Bearer ${tok}` }, raw: true });
                assert.equal(r.status, 200);
                assert.ok(r.raw.equals(GIF));
            });
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
