// bench/prepare.mjs - seeds a running qunzu for the benchmarks and prints, as JSON, what
// the scenarios need (tokens, ids). Also writes presigned Udesk request files: every
// signed request carries a single-use nonce, so wrk replays none of them twice.
// Usage: node bench/prepare.mjs http://127.0.0.1:PORT ADMIN_TOKEN OUTDIR
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [base, adminToken, outDir] = process.argv.slice(2);
const admin = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };

async function call(method, p, body, headers = {}) {
    const res = await fetch(base + p, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json;
    try {
        json = JSON.parse(text);
    } catch {
        json = undefined;
    }
    return { status: res.status, json, text };
}

function must(r, what) {
    const code = r.json?.code ?? r.json?.errcode ?? 0;
    if (r.status >= 300 || (code !== 0 && code !== 1000)) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.json;
}

const N_USERS = 50000;
const users = [{ user_id: 'owner', name: 'Owner' }];
for (let i = 0; i < 200; i++) users.push({ user_id: `bu${i}`, name: `Bench User ${i}` });
for (let i = 0; i < N_USERS; i++) users.push({ user_id: `m${i}`, name: `Member ${i}` });

must(await call('POST', '/admin/v1/seed', {
    tenants: [{
        name: 'Bench',
        users,
        feishu: { tenant_key: 'bench', member_limit: 50000, apps: [{ app_id: 'cli_bench', app_secret: 'bench-secret', name: 'Bench Bot' }] },
        wecom: { corpid: 'wwbench', secrets: ['bench-kf-secret'] },
        udesk: { subdomain: 'bench', admin_email: 'admin@bench.test', api_token: 'bench-udesk-token', admin_password: 'p' },
    }],
}, admin), 'seed');

// WeCom: a token and 50 groups; 1000 intents, 200 (the most a group holds) in each of
// the first five.
const wc = must(await call('GET', '/cgi-bin/gettoken?corpid=wwbench&corpsecret=bench-kf-secret'), 'gettoken');
const groupIds = [];
for (let i = 0; i < 50; i++) groupIds.push(must(await call('POST', `/cgi-bin/kf/knowledge/add_group?access_token=${wc.access_token}`, { name: `g${i}` }), 'add_group').group_id);
for (let i = 0; i < 1000; i++) {
    must(await call('POST', `/cgi-bin/kf/knowledge/add_intent?access_token=${wc.access_token}`, {
        group_id: groupIds[Math.floor(i / 200)],
        question: { text: { content: `question ${i}` } },
        similar_questions: { items: [{ text: { content: `similar ${i}` } }] },
        answers: [{ text: { content: `answer ${i}` }, attachments: [{ msgtype: 'link', link: { title: 'doc', url: `https://docs.test/${i}` } }] }],
    }), 'add_intent');
}

// Feishu: a tenant token, a 10-member chat, a 50,000-member chat.
const tt = (await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: 'cli_bench', app_secret: 'bench-secret' })).json.tenant_access_token;
const fsAuth = { Authorization: `Bearer ${tt}` };
const small = must(await call('POST', '/open-apis/im/v1/chats?user_id_type=user_id', { name: 'small', owner_id: 'owner', user_id_list: Array.from({ length: 9 }, (_, i) => `m${i}`) }, fsAuth), 'create small').data.chat_id;
const large = must(await call('POST', '/open-apis/im/v1/chats?user_id_type=user_id', { name: 'large', owner_id: 'owner' }, fsAuth), 'create large').data.chat_id;
// The owner and 49,999 members: a chat at the 50,000 cap.
const IN_LARGE = N_USERS - 1;
for (let i = 0; i < IN_LARGE; i += 50) {
    const ids = Array.from({ length: Math.min(50, IN_LARGE - i) }, (_, k) => `m${i + k}`);
    must(await call('POST', `/open-apis/im/v1/chats/${large}/members?member_id_type=user_id`, { id_list: ids }, fsAuth), 'add members');
}
const writeChat = must(await call('POST', '/open-apis/im/v1/chats', { name: 'writes' }, fsAuth), 'create writes').data.chat_id;
// A deep page of the large chat: walk 200 pages of 100 (20,000 members in).
let deepToken = '';
for (let i = 0; i < 200; i++) {
    const r = must(await call('GET', `/open-apis/im/v1/chats/${large}/members?page_size=100${deepToken ? `&page_token=${encodeURIComponent(deepToken)}` : ''}`, undefined, fsAuth), 'page');
    deepToken = r.data.page_token;
}

// Feishu messages: a chat with 100,000 messages (50 senders at once), the page token
// 100,000 messages deep (walked in pages of 50), and one message to get.
const N_MESSAGES = Number(process.env.QZ_MESSAGES || 100000);
const msgChat = must(await call('POST', '/open-apis/im/v1/chats', { name: 'messages' }, fsAuth), 'create messages').data.chat_id;
let sentMessages = 0;
let oneMessage = '';
async function sender() {
    while (sentMessages < N_MESSAGES) {
        const n = sentMessages++;
        const r = must(await call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: msgChat, msg_type: 'text', content: JSON.stringify({ text: `m${n}` }) }, fsAuth), 'send');
        oneMessage = r.data.message_id;
    }
}
await Promise.all(Array.from({ length: 50 }, sender));
let deepMessages = '';
for (let i = 0; i < Math.floor(N_MESSAGES / 50) - 1; i++) {
    const r = must(await call('GET', `/open-apis/im/v1/messages?container_id_type=chat&container_id=${msgChat}&page_size=50${deepMessages ? `&page_token=${encodeURIComponent(deepMessages)}` : ''}`, undefined, fsAuth), 'message page');
    deepMessages = r.data.page_token;
}

// Udesk: a 1000-catalog tree for the admin: the items catalog (below) and 10 top levels
// of up to 99 descendants in 3 levels.
const UD = { email: 'admin@bench.test', token: 'bench-udesk-token' };
function signed(method, p, extra = '') {
    const ts = Math.floor(Date.now() / 1000);
    const nonce = crypto.randomBytes(12).toString('hex');
    const sign = crypto.createHash('sha256').update(`${UD.email}&${UD.token}&${ts}&${nonce}&v2`).digest('hex');
    const sep = p.includes('?') ? '&' : '?';
    return `${p}${sep}email=${encodeURIComponent(UD.email)}&timestamp=${ts}&nonce=${nonce}&sign=${sign}&sign_version=v2${extra}`;
}
let made = 0;
async function cat(name, parent) {
    const r = must(await call('POST', signed('POST', '/open_api_v1/knowledge_catalogs'), { knowledge_catalog: { knowledge_type_name: 'question', name, parent_id: parent, agent_id: 0 } }), 'catalog');
    made++;
    return r.id;
}
// Udesk: 1000 questions in one catalog, the tree's first node.
const itemCatalog = await cat('items', 0);
for (let i = 0; i < 1000; i++) {
    must(await call('POST', signed('POST', '/open_api_v1/knowledge_questions'), { knowledge_question: { title: `q${i}`, content: `answer ${i}`, catalog_id: itemCatalog, agent_id: 0 } }), 'question');
}
for (let t = 0; t < 10 && made < 1000; t++) {
    const top = await cat(`top${t}`, 0);
    for (let c = 0; c < 9 && made < 1000; c++) {
        const mid = await cat(`mid${t}-${c}`, top);
        for (let g = 0; g < 10 && made < 1000; g++) await cat(`leaf${t}-${c}-${g}`, mid);
    }
}

// Presigned request files for wrk (each line "METHOD PATH [BODY]").
fs.mkdirSync(outDir, { recursive: true });
function writeUrls(file, count, make) {
    const lines = [];
    for (let i = 0; i < count; i++) lines.push(make(i));
    fs.writeFileSync(path.join(outDir, file), lines.join('\n') + '\n');
}
const PRESIGNED = Number(process.env.QZ_PRESIGNED || 200000);
writeUrls('udesk_list.txt', PRESIGNED, () => `GET ${signed('GET', '/open_api_v1/knowledge_catalogs', '&knowledge_type_name=question&agent_id=0')}`);
writeUrls('udesk_items.txt', PRESIGNED, (i) => `GET ${signed('GET', '/open_api_v1/knowledge_questions', `&catalog_id=${itemCatalog}&agent_id=0&per_page=100&page=${1 + (i % 10)}`)}`);
writeUrls('udesk_create.txt', PRESIGNED, (i) => `POST ${signed('POST', '/open_api_v1/knowledge_catalogs')} {"knowledge_catalog":{"knowledge_type_name":"useful_link","name":"b${i}","parent_id":0,"agent_id":0}}`);

console.log(JSON.stringify({ wecom_token: wc.access_token, tenant_token: tt, small, large, deep_token: deepToken, write_chat: writeChat, wecom_group: groupIds[0], msg_chat: msgChat, msg_deep_token: deepMessages, message: oneMessage, catalogs: made }));
