// tests/http/feishu_uploads.test.mjs - images and files ("Upload an image", "Upload a file"
// and the downloads): multipart uploads as
// each official SDK sends them (Node Buffer, file stream, chunked Readable; Go's part order
// and "unknown-file"; Python's bare parts and empty fields), the limits and codes, the
// downloads' bytes and headers (ranges too), the resource of a message, and what a message
// may say about a key (the sender's own, of the right type); image resolution limits; the
// resources restricted mode withholds and the types that have none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
    APP1, APP2, assertErr, assertOk, createChat, fs as call, qs, tenantToken, userToken, withFeishuServer,
} from './lib/feishu.mjs';
import { sdkClient } from './lib/feishu_sdk.mjs';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), crypto.randomBytes(64)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(2000), Buffer.from('\r\n--x\r\n\0')]);
const MSGS = '/open-apis/im/v1/messages';

// A multipart body from [name, value, {filename, type}] parts (Buffer or string values).
function form(parts, boundary = crypto.randomBytes(16).toString('hex')) {
    const chunks = [];
    for (const [name, value, o = {}] of parts) {
        let h = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`;
        if (o.filename) h += `; filename="${o.filename}"`;
        if (o.type) h += `\r\nContent-Type: ${o.type}`;
        chunks.push(Buffer.from(`${h}\r\n\r\n`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

const upload = (srv, tok, what, parts, extraHeaders = {}) => {
    const f = form(parts);
    return srv.request('POST', `/open-apis/im/v1/${what}`, { body: f.body, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': f.type, ...extraHeaders } });
};

test('uploads as the SDKs send them; downloads with their headers', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const client = sdkClient(srv);
        const tok = await tenantToken(srv, APP1);

        // Node SDK: a Buffer (no filename), a file stream, a chunked Readable.
        const img = await client.im.image.create({ data: { image_type: 'message', image: PNG } });
        assert.match(img?.image_key, /^img_v3_02[0-9a-z]{2}_[0-9a-f-]{35}g$/, JSON.stringify(img));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qz-up-'));
        const p = path.join(dir, '季度报告.pdf');
        fs.writeFileSync(p, PDF);
        const f1 = await client.im.file.create({ data: { file_type: 'pdf', file_name: '季度报告.pdf', file: fs.createReadStream(p) } });
        assert.match(f1?.file_key, /^file_v3_00\d\dj_[0-9a-f-]{35}g$/, JSON.stringify(f1));
        const f2 = await client.im.file.create({ data: { file_type: 'opus', file_name: 'v.opus', duration: 3000, file: Readable.from(PDF) } });
        assert.match(f2?.file_key, /^file_v3_/);
        fs.rmSync(dir, { recursive: true });

        // Go: the file part first, "unknown-file"; Python: no filename, no type, an empty duration.
        let r = await upload(srv, tok, 'files', [['file', PDF, { filename: 'unknown-file', type: 'application/octet-stream' }], ['file_name', 'go.pdf'], ['file_type', 'pdf']]);
        assert.equal(r.json?.code, 0, r.body);
        r = await upload(srv, tok, 'files', [['file_type', 'mp4'], ['file_name', 'py.mp4'], ['duration', ''], ['file', PDF]]);
        const mp4 = r.json?.data?.file_key;
        assert.ok(mp4, r.body);
        r = await upload(srv, tok, 'images', [['image', PNG], ['image_type', 'message']]);
        assert.equal(r.json?.code, 0, r.body);

        // Downloads: the SDK's stream and headers; the same bytes.
        const got = await client.im.image.get({ path: { image_key: img.image_key } });
        assert.equal(got.headers['content-type'], 'image/png');
        assert.match(got.headers['content-disposition'], /^attachment; filename=".+\.png"$/);
        const bytes = [];
        for await (const c of got.getReadableStream()) bytes.push(c);
        assert.ok(Buffer.concat(bytes).equals(PNG));
        const raw = await srv.request('GET', `/open-apis/im/v1/files/${f1.file_key}`, { headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' }, raw: true });
        assert.equal(raw.status, 200);
        assert.ok(raw.raw.equals(PDF));
        assert.equal(raw.headers['content-type'], 'application/pdf');
        assert.equal(raw.headers['content-length'], String(PDF.length));
        assert.equal(Buffer.from(raw.headers['content-disposition'], 'latin1').toString('utf8'), 'attachment; filename="季度报告.pdf"');
        assert.match(raw.headers['x-tt-logid'], /^\d{14}/);
        // Without a JSON Content-Type: no Content-Disposition. A range: 206.
        const part = await srv.request('GET', `/open-apis/im/v1/files/${f1.file_key}`, { headers: { Authorization: `Bearer ${tok}`, Range: 'bytes=0-99' }, raw: true });
        assert.equal(part.status, 206);
        assert.equal(part.headers['content-range'], `bytes 0-99/${PDF.length}`);
        assert.ok(part.raw.equals(PDF.subarray(0, 100)));
        assert.equal(part.headers['content-disposition'], undefined);
        const past = await srv.request('GET', `/open-apis/im/v1/files/${f1.file_key}`, { headers: { Authorization: `Bearer ${tok}`, Range: `bytes=${PDF.length}-` } });
        assert.equal(past.status, 416);
        assert.equal(past.headers['content-range'], `bytes */${PDF.length}`);

        // Refusals.
        const t2 = await tenantToken(srv, APP2);
        assertErr(await call(srv, 'GET', `/open-apis/im/v1/images/${img.image_key}`, t2), 234008, 'another app', { msg: 'The app is not the resource sender' });
        assertErr(await call(srv, 'GET', '/open-apis/im/v1/images/img_v3_02ab_00000000-0000-0000-0000-00000000000g', tok), 234005, 'unknown', { msg: 'Image has been deleted' });
        assertErr(await upload(srv, tok, 'images', [['image_type', 'message'], ['image', Buffer.alloc(0)]]), 234010, 'empty', { msg: "File's size can't be 0." });
        assertErr(await upload(srv, tok, 'images', [['image_type', 'message'], ['image', PDF]]), 234011, 'not an image', { msg: "Can't regonnize the image format." });
        assertErr(await upload(srv, tok, 'images', [['image_type', 'sticker'], ['image', PNG]]), 234001, 'image_type', { msg: 'Invalid request param.' });
        assertErr(await upload(srv, tok, 'images', [['image', PNG]]), 99992402, 'no image_type', { msg: 'field validation failed' });
        assertErr(await upload(srv, tok, 'images', [['image_type', 'message']]), 99992402, 'no image', { msg: 'field validation failed' });
        assertErr(await upload(srv, tok, 'files', [['file_type', 'pdf'], ['file', PDF]]), 99992402, 'no file_name');
        assertErr(await upload(srv, tok, 'files', [['file_type', 'pdf'], ['file_name', 'x.pdf'], ['duration', 'long'], ['file', PDF]]), 234001, 'duration');
        const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
        assertErr(await upload(srv, tok, 'images', [['image_type', 'message'], ['image', big]]), 234006, 'over 10 MiB', { msg: 'The file size exceed the max value.' });
        // An upload route takes 30 MiB; every other route keeps body_limit.
        assertErr(await call(srv, 'POST', '/open-apis/im/v1/chats', tok, { name: 'x'.repeat(2 * 1024 * 1024) }), 232001, 'big JSON body elsewhere');
        const ut = await userToken(srv, APP1, 'wangwu');
        assertErr(await upload(srv, ut, 'images', [['image_type', 'message'], ['image', PNG]]), 99991668, 'user token');
        const notForm = await srv.request('POST', '/open-apis/im/v1/images', { body: { image_type: 'message' }, headers: { Authorization: `Bearer ${tok}` } });
        assertErr(notForm, 99992402, 'JSON instead of a form');
        void mp4;
    });
});

test('messages refer to keys: the sender\'s own, of the right type; a message\'s resources', { timeout: 180_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const tok = await tenantToken(srv, APP1);
        const chat = await createChat(srv, tok, { name: 'media', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const key = async (t, what, parts) => {
            const r = await upload(srv, t, what, parts);
            assert.equal(r.json?.code, 0, r.body);
            return r.json.data.image_key || r.json.data.file_key;
        };
        const image = await key(tok, 'images', [['image_type', 'message'], ['image', PNG]]);
        const avatar = await key(tok, 'images', [['image_type', 'avatar'], ['image', PNG]]);
        const pdf = await key(tok, 'files', [['file_type', 'pdf'], ['file_name', 'plan.pdf'], ['file', PDF]]);
        const opus = await key(tok, 'files', [['file_type', 'opus'], ['file_name', 'v.opus'], ['duration', '2500'], ['file', PDF]]);
        const t2 = await tenantToken(srv, APP2);
        const theirs = await key(t2, 'images', [['image_type', 'message'], ['image', PNG]]);
        const send = (msg_type, content, t = tok) => call(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), t, { receive_id: chat.chat_id, msg_type, content: JSON.stringify(content) });

        const im = assertOk(await send('image', { image_key: image }));
        const fm = assertOk(await send('file', { file_key: pdf }));
        assert.deepEqual(JSON.parse(fm.body.content), { file_key: pdf, file_name: 'plan.pdf' });
        const am = assertOk(await send('audio', { file_key: opus }));
        assert.deepEqual(JSON.parse(am.body.content), { file_key: opus, duration: 2500 });
        const pm = assertOk(await send('post', { zh_cn: { title: 't', content: [[{ tag: 'img', image_key: image }]] } }));
        assertErr(await send('image', { image_key: theirs }), 230017, 'another app\'s', { msg: 'Bot is NOT the owner of the resource.' });
        assertErr(await send('audio', { file_key: pdf }), 230055, 'pdf as audio', { msg: 'The type of file upload does not match the type of message being sent.' });
        assertErr(await send('image', { image_key: avatar }), 230055, 'avatar as image');
        assertErr(await send('image', { image_key: 'img_v3_02zz_nope' }), 230001, 'unknown key', { msg: 'Your request contains an invalid request parameter, ext=invalid image_key' });

        // The resource of a message: the bot, a member with a user token.
        const res = (id, k, type, t = tok) => srv.request('GET', `${MSGS}/${id}/resources/${k}${type ? `?type=${type}` : ''}`, { headers: { Authorization: `Bearer ${t}` }, raw: true });
        let r = await res(im.message_id, image, 'image');
        assert.equal(r.status, 200);
        assert.ok(r.raw.equals(PNG));
        const ww = await userToken(srv, APP1, 'wangwu');
        r = await res(fm.message_id, pdf, 'file', ww);
        assert.equal(r.status, 200);
        assert.ok(r.raw.equals(PDF));
        r = await res(pm.message_id, image, 'image');
        assert.equal(r.status, 200, 'an img node of a post');
        assertErr(await res(im.message_id, pdf, 'file'), 234003, 'not in the message', { msg: 'File not in message.' });
        assertErr(await res(im.message_id, image, undefined), 99992402, 'no type');
        const zl = await userToken(srv, APP1, 'zhaoliu');
        assertErr(await res(im.message_id, image, 'image', zl), 234004, 'not in the chat', { msg: 'App not in chat.' });
        assertErr(await res('bad', image, 'image'), 99992354, 'malformed message id');
        assertOk(await call(srv, 'DELETE', `${MSGS}/${im.message_id}`, tok));
        assertErr(await res(im.message_id, image, 'image'), 230110, 'recalled', { msg: 'Action unavailable as the message has been deleted.' });
    });
});

// Image headers of a given size (the rest of the bytes do not matter to the check).
function pngOf(w, h) {
    const b = Buffer.concat([PNG.subarray(0, 33), crypto.randomBytes(16)]);
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    return b;
}
function gifOf(w, h) {
    const b = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(7), crypto.randomBytes(16)]);
    b.writeUInt16LE(w, 6);
    b.writeUInt16LE(h, 8);
    return b;
}
function jpegOf(w, h) {
    // SOI, an APP0 segment of 16 bytes, then SOF0 with the size.
    const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(9)]);
    const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03]);
    sof.writeUInt16BE(h, 5);
    sof.writeUInt16BE(w, 7);
    return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, crypto.randomBytes(16)]);
}
function bmpOf(w, h) {
    const b = Buffer.concat([Buffer.from('BM'), Buffer.alloc(24), crypto.randomBytes(16)]);
    b.writeUInt32LE(40, 14); // BITMAPINFOHEADER
    b.writeInt32LE(w, 18);
    b.writeInt32LE(h, 22);
    return b;
}
function webpOf(w, h) {
    const b = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8X'), Buffer.alloc(10), crypto.randomBytes(16)]);
    b.writeUIntLE(w - 1, 24, 3);
    b.writeUIntLE(h - 1, 27, 3);
    return b;
}

test('image resolution limits (234039); restricted mode and unsupported types for message resources', { timeout: 120_000 }, async () => {
    await withFeishuServer(async (srv) => {
        const tok = await tenantToken(srv, APP1);
        const img = (bytes, type = 'message') => upload(srv, tok, 'images', [['image_type', type], ['image', bytes]]);
        const over = { msg: 'Image resolution exceeds limit.' };
        // At the limit: taken. One pixel over on either side: 234039.
        for (const [what, bytes] of [['png 12000', pngOf(12000, 12000)], ['gif 2000', gifOf(2000, 2000)], ['jpeg 12000', jpegOf(12000, 1)],
            ['bmp 12000', bmpOf(1, -12000)], ['webp 12000', webpOf(12000, 12000)]]) {
            assert.equal((await img(bytes)).json?.code, 0, what);
        }
        for (const [what, bytes] of [['png wide', pngOf(12001, 1)], ['png tall', pngOf(1, 12001)], ['gif', gifOf(2001, 10)], ['jpeg', jpegOf(100, 13000)],
            ['bmp', bmpOf(1, -12001)], ['webp', webpOf(12001, 1)]]) {
            assertErr(await img(bytes), 234039, what, over);
        }
        // An avatar: 4096 at most.
        assert.equal((await img(pngOf(4096, 4096), 'avatar')).json?.code, 0);
        assertErr(await img(pngOf(4097, 10), 'avatar'), 234039, 'avatar', over);
        // The order: empty, too large and not an image come first.
        assertErr(await img(Buffer.from('nope')), 234011, 'format before resolution');
        // A header cut short says no size: not held to one.
        assert.equal((await img(Buffer.from('GIF89aAcme'))).json?.code, 0, 'a GIF without its screen descriptor');

        // Message resources: cards and stickers are not served (234043); a chat in
        // restricted mode that forbids downloads: 234038 for every member.
        const chat = await createChat(srv, tok, { name: 'secret', user_id_list: ['wangwu'] }, { user_id_type: 'user_id' });
        const key = (await img(PNG)).json.data.image_key;
        const send = (msg_type, content) => call(srv, 'POST', MSGS + qs({ receive_id_type: 'chat_id' }), tok, { receive_id: chat.chat_id, msg_type, content: JSON.stringify(content) });
        const im = assertOk(await send('image', { image_key: key }));
        const card = assertOk(await send('interactive', { elements: [{ tag: 'img', img_key: key }] }));
        const res = (id, k, t = tok) => srv.request('GET', `${MSGS}/${id}/resources/${k}?type=image`, { headers: { Authorization: `Bearer ${t}` }, raw: true });
        assertErr(await res(card.message_id, key), 234043, 'a card', { msg: 'Unsupported message type.' });
        assert.equal((await res(im.message_id, key)).status, 200);
        assertOk(await call(srv, 'PUT', `/open-apis/im/v1/chats/${chat.chat_id}`, tok, { restricted_mode_setting: { status: true, download_has_permission_setting: 'not_anyone' } }));
        const restricted = { msg: 'Do not allow downloading of message resources in restricted mode.' };
        assertErr(await res(im.message_id, key), 234038, 'the bot', restricted);
        assertErr(await res(im.message_id, key, await userToken(srv, APP1, 'wangwu')), 234038, 'a member', restricted);
        assertOk(await call(srv, 'PUT', `/open-apis/im/v1/chats/${chat.chat_id}`, tok, { restricted_mode_setting: { status: true, download_has_permission_setting: 'all_members', screenshot_has_permission_setting: 'not_anyone' } }));
        assert.equal((await res(im.message_id, key)).status, 200, 'downloads allowed again');
    });
});
