// tests/http/lib/receiver.mjs - an event callback endpoint for the delivery tests, built
// on the official SDK's EventDispatcher and adaptDefault (auto-challenge on), as an
// integration developer would build it. It records every raw request (headers, body)
// and every event the SDK accepted, and can be told to fail the next N pushes.
import http from 'node:http';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import * as lark from '@larksuiteoapi/node-sdk';

export const EVENT_TYPES = [
    'im.chat.updated_v1',
    'im.chat.disbanded_v1',
    'im.chat.member.user.added_v1',
    'im.chat.member.user.deleted_v1',
    'im.chat.member.user.withdrawn_v1',
    'im.chat.member.bot.added_v1',
    'im.chat.member.bot.deleted_v1',
    'im.chat.access_event.bot_p2p_chat_entered_v1',
    'p2p_chat_create',
    'im.message.receive_v1',
    'im.message.recalled_v1',
    'im.message.reaction.created_v1',
    'im.message.reaction.deleted_v1',
    'im.message.message_read_v1',
];

/**
 * startReceiver({encryptKey, verificationToken}) -> {url, raw, accepted, failNext(n),
 *   answerChallengeWrong(bool), close()}
 * raw: [{headers, body, at}] for every POST (challenges included; 'at' when it arrived);
 * accepted: [data] for every event the SDK dispatcher verified and handed to a handler,
 * with 'handled_as' naming the handler (the event type it routed on).
 */
export async function startReceiver({ encryptKey = '', verificationToken = '' } = {}) {
    const raw = [];
    const accepted = [];
    let failures = 0;
    let wrongChallenge = false;
    const dispatcher = new lark.EventDispatcher({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error });
    const handlers = {};
    for (const t of EVENT_TYPES) {
        handlers[t] = async (data) => {
            accepted.push({ ...data, handled_as: t });
            return 'ok';
        };
    }
    dispatcher.register(handlers);
    const sdk = lark.adaptDefault('/events', dispatcher, { autoChallenge: true });
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            raw.push({ headers: req.headers, body, at: Date.now() });
            if (wrongChallenge) {
                res.end('{"challenge":"wrong"}');
                return;
            }
            if (failures > 0 && !body.includes('url_verification') && !isChallenge(body, encryptKey)) {
                failures--;
                res.statusCode = 500;
                res.end('{"msg":"failing on purpose"}');
                return;
            }
            // Hand the same bytes to the SDK adapter, as if it had read them itself
            // (it uses only url, headers and the data/end events of the request).
            const replay = new Readable({ read() {} });
            replay.url = req.url;
            replay.method = req.method;
            replay.headers = req.headers;
            sdk(replay, res).catch(() => {
                res.statusCode = 500;
                res.end();
            });
            replay.push(body);
            replay.push(null);
        });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
        url: `http://127.0.0.1:${server.address().port}/events`,
        port: server.address().port,
        raw,
        accepted,
        failNext(n) {
            failures = n;
        },
        answerChallengeWrong(on) {
            wrongChallenge = on;
        },
        close: () => new Promise((r) => server.close(r)),
    };
}

function isChallenge(body, key) {
    try {
        const j = JSON.parse(body);
        if (!j.encrypt) return j.type === 'url_verification';
        return decrypt(key, j.encrypt).includes('"url_verification"');
    } catch {
        return false;
    }
}

/** AES-256-CBC decryption as the platform encrypts ("将事件发送至开发者服务器": Encrypt Key), with node:crypto. */
export function decrypt(key, b64) {
    const buf = Buffer.from(b64, 'base64');
    const k = crypto.createHash('sha256').update(key).digest();
    const d = crypto.createDecipheriv('aes-256-cbc', k, buf.subarray(0, 16));
    return Buffer.concat([d.update(buf.subarray(16)), d.final()]).toString('utf8');
}

/** lower-case hex sha256(timestamp + nonce + key + body) ("将事件发送至开发者服务器": signature). */
export function signature(ts, nonce, key, body) {
    return crypto.createHash('sha256').update(ts + nonce + key + body).digest('hex');
}
