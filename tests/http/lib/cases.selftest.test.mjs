// Self-tests of the .case parser and matcher (lib/cases.mjs). No server needed: the
// runner is driven by a fake 'send'.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
    parseCase,
    buildRequest,
    checkResponse,
    runSteps,
    presetVars,
    findCaseFiles,
    CaseError,
    wecomErrRegex,
} from './cases.mjs';
import { testsDir, fixtureSeedPath, ADMIN_TOKEN } from './server.mjs';

const HINT = '1700000000123456789012345'; // 25 digits
const werr = (code, head) =>
    `${head}, hint: [${HINT}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;
const res = (status, body, headers = { 'content-type': 'application/json' }) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
});
const check = (caseText, response, vars = {}) => {
    const p = parseCase(caseText, 't.case');
    return checkResponse(p.steps[0].expect, response, vars, 't.case');
};

test('parse: headers, blank line, body, comments, line numbers', () => {
    const p = parseCase(
        [
            '# leading comment',
            '',
            '>>> POST /cgi-bin/kf/knowledge/add_group?access_token={{token}}',
            'X-Test: a b c',
            'Content-Type: application/json; charset=utf-8',
            '',
            '{"name":',
            '# comment inside a body is dropped',
            ' "FAQ"}',
            '',
            '<<< 200',
            'Content-Type: application/json',
            '{"errcode": 0, "errmsg": "ok", "group_id": "{{capture:g1}}"}',
            '',
            '>>> GET /healthz',
            '<<< 200',
            '',
        ].join('\n'),
        'x.case',
    );
    assert.equal(p.steps.length, 2);
    const [s1, s2] = p.steps;
    assert.equal(s1.line, 3);
    assert.equal(s1.method, 'POST');
    assert.equal(s1.path, '/cgi-bin/kf/knowledge/add_group?access_token={{token}}');
    assert.deepEqual(s1.headers, [
        ['X-Test', 'a b c'],
        ['Content-Type', 'application/json; charset=utf-8'],
    ]);
    assert.equal(s1.body, '{"name":\n "FAQ"}');
    assert.equal(s1.expect.line, 11);
    assert.equal(s1.expect.status, 200);
    assert.deepEqual(s1.expect.headers, [['Content-Type', 'application/json']]);
    assert.deepEqual(s1.expect.json, { errcode: 0, errmsg: 'ok', group_id: '{{capture:g1}}' });
    assert.equal(s2.body, null);
    assert.equal(s2.expect.body, null);
    assert.deepEqual(s2.headers, []);
});

test('parse: body directly after the marker, text body, header-looking body after a blank line', () => {
    const p = parseCase('>>> POST /x\n{"a":1}\n<<< 404\n404 page not found\n>>> GET /y\n\nWord: not a header\n<<< 200\n\nok: text\n');
    assert.equal(p.steps[0].body, '{"a":1}');
    assert.equal(p.steps[0].expect.body, '404 page not found');
    assert.equal(p.steps[0].expect.json, undefined);
    assert.deepEqual(p.steps[1].headers, []);
    assert.equal(p.steps[1].body, 'Word: not a header');
    assert.deepEqual(p.steps[1].expect.headers, []);
    assert.equal(p.steps[1].expect.body, 'ok: text');
});

test('parse: malformed files are rejected with a line number', () => {
    assert.throws(() => parseCase(''), /no steps/);
    assert.throws(() => parseCase('GET /x\n<<< 200\n', 'a.case'), /a\.case:1: expected '>>> METHOD PATH'/);
    assert.throws(() => parseCase('>>> GET /x\n', 'a.case'), /a\.case:1: request has no '<<< STATUS'/);
    assert.throws(() => parseCase('>>> get /x\n<<< 200\n'), /expected '>>> METHOD PATH'/);
    assert.throws(() => parseCase('>>> GET /x\n<<< 20\n'), /expected '<<< STATUS'/);
    assert.throws(() => parseCase('>>> GET /x\n<<< 200\n{"a": }\n', 'b.case'), /b\.case:2: expected body looks like JSON/);
});

test('request: variables, percent-encoding in the path, bytes, hex, default content type', () => {
    const p = parseCase(
        '>>> POST /p?access_token={{tok}}&n={{num}}\nAuthorization: Bearer {{tok}}\n\n{"name": "{{bytes:5}}", "t": "{{tok}}", "n": {{num}}}{{hex:C3 28}}\n<<< 200\n',
    );
    const r = buildRequest(p.steps[0], { tok: 'a+b/c', num: 7 });
    assert.equal(r.path, '/p?access_token=a%2Bb%2Fc&n=7');
    assert.equal(r.headers.Authorization, 'Bearer a+b/c');
    assert.equal(r.headers['Content-Type'], 'application/json');
    assert.deepEqual(r.body, Buffer.concat([Buffer.from('{"name": "xxxxx", "t": "a+b/c", "n": 7}'), Buffer.from([0xc3, 0x28])]));

    const big = buildRequest(parseCase('>>> POST /p\n{"name": "{{bytes:1048576}}"}\n<<< 200\n').steps[0], {});
    assert.equal(big.body.length, 1048576 + 12);

    const none = buildRequest(parseCase('>>> POST /p\n<<< 200\n').steps[0], {});
    assert.equal(none.body, undefined);
    assert.deepEqual(none.headers, {});

    const ct = buildRequest(parseCase('>>> POST /p\ncontent-type: text/plain\n\nhi\n<<< 200\n').steps[0], {});
    assert.deepEqual(ct.headers, { 'content-type': 'text/plain' });

    assert.throws(() => buildRequest(parseCase('>>> GET /p?t={{nope}}\n<<< 200\n', 'c.case').steps[0], {}, 'c.case'), /c\.case:1: unknown variable \{\{nope\}\}/);
    assert.throws(() => buildRequest(parseCase('>>> GET /p?t={{hex:00}}\n<<< 200\n').steps[0], {}), /unknown request template/);
});

test('match: exact key sets and JSON types', () => {
    const exp = '>>> GET /x\n<<< 200\n{"errcode": 0, "errmsg": "ok", "has_more": 0, "list": [{"id": "1"}]}\n';
    assert.deepEqual(check(exp, res(200, { errcode: 0, errmsg: 'ok', has_more: 0, list: [{ id: '1' }] })), []);
    // key order does not matter
    assert.deepEqual(check(exp, res(200, { list: [{ id: '1' }], has_more: 0, errmsg: 'ok', errcode: 0 })), []);
    const bad = (body) => check(exp, res(200, body)).join('\n');
    assert.match(bad({ errcode: 0, errmsg: 'ok', has_more: false, list: [{ id: '1' }] }), /\$\.has_more: expected number 0, got boolean false/);
    assert.match(bad({ errcode: '0', errmsg: 'ok', has_more: 0, list: [{ id: '1' }] }), /\$\.errcode: expected number 0, got string/);
    assert.match(bad({ errcode: 0, errmsg: 'ok', has_more: 0, list: [{ id: 1 }] }), /\$\.list\[0\]\.id: expected string "1", got number 1/);
    assert.match(bad({ errcode: 0, errmsg: 'ok', has_more: 0, list: [{ id: '1' }], extra: 1 }), /unexpected key\(s\) "extra"/);
    assert.match(bad({ errcode: 0, errmsg: 'ok', list: [{ id: '1' }] }), /missing key "has_more"/);
    assert.match(bad({ errcode: 0, errmsg: 'ok', has_more: 0, list: [{ id: '1' }, { id: '2' }] }), /\$\.list: expected 1 element\(s\), got 2/);
    assert.match(bad({ errcode: 0, errmsg: 'ok', has_more: 0, list: {} }), /\$\.list: expected an array, got object/);
    assert.match(bad({ errcode: 0, errmsg: 'ok', has_more: 0, list: [null] }), /\$\.list\[0\]: expected an object, got null/);
    assert.match(check(exp, res(200, 'not json')).join('\n'), /body: expected JSON/);
    assert.match(check(exp, res(500, { errcode: 0, errmsg: 'ok', has_more: 0, list: [{ id: '1' }] })).join('\n'), /status: expected 200, got 500/);
});

test('match: directives', () => {
    const vars = { t1: 'tok-1', n: 5 };
    const exp =
        '>>> GET /x\n<<< 200\n{"a": "{{any}}", "b": "{{capture:b}}", "c": "{{t1}}", "d": "{{re:^g_[0-9]+$}}", ' +
        '"e": "{{int:1..7200}}", "f": "{{capture:f}}{{not:t1}}", "g": "{{string}}", "h": "id-{{t1}}", "i": "{{n}}"}\n';
    const good = { a: null, b: [1, { x: 2 }], c: 'tok-1', d: 'g_42', e: 7200, f: 'tok-2', g: '', h: 'id-tok-1', i: 5 };
    assert.deepEqual(check(exp, res(200, good), vars), []);
    assert.deepEqual(vars.b, [1, { x: 2 }]);
    assert.equal(vars.f, 'tok-2');

    const v2 = { t1: 'tok-1', n: 5 };
    const errs = check(exp, res(200, { ...good, c: 'tok-x', d: 'g_x', e: 7201, f: 'tok-1', g: 1, h: 'id-x', i: '5' }), v2).join('\n');
    assert.match(errs, /\$\.c: expected \{\{t1\}\} = "tok-1", got "tok-x"/);
    assert.match(errs, /\$\.d: expected a string matching/);
    assert.match(errs, /\$\.e: expected an integer <= 7200, got 7201/);
    assert.match(errs, /\$\.f: expected a value different from \{\{t1\}\}/);
    assert.match(errs, /\$\.g: expected a string, got number/);
    assert.match(errs, /\$\.h: expected "id-tok-1", got "id-x"/);
    assert.match(errs, /\$\.i: expected \{\{n\}\} = 5, got "5"/);
    assert.equal(v2.b, undefined, 'no capture is stored when the step fails');

    assert.match(check('>>> GET /x\n<<< 200\n{"e": "{{int}}"}\n', res(200, { e: 1.5 })).join(''), /expected an integer/);
    assert.deepEqual(check('>>> GET /x\n<<< 200\n{"e": "{{int:..0}}"}\n', res(200, { e: -3 })), []);
    assert.throws(() => check('>>> GET /x\n<<< 200\n{"e": "{{bogus:1}}"}\n', res(200, { e: 1 })), /unknown directive/);
    assert.throws(() => check('>>> GET /x\n<<< 200\n{"e": "{{nope}}"}\n', res(200, { e: 1 })), /unknown variable/);
});

test('match: open objects with "{{...}}"', () => {
    const exp = '>>> GET /x\n<<< 200\n{"name": "Globex", "{{...}}": ""}\n';
    assert.deepEqual(check(exp, res(200, { name: 'Globex', feishu: null, other: 1 })), []);
    assert.match(check(exp, res(200, { other: 1 })).join(''), /missing key "name"/);
});

test('match: WeCom error template', () => {
    const exp = '>>> GET /x\n<<< 200\n{"errcode": 40058, "errmsg": "{{wecom_err:40058:invalid parameter: name}}"}\n';
    assert.deepEqual(check(exp, res(200, { errcode: 40058, errmsg: werr(40058, 'invalid parameter: name') })), []);
    const bad = (errmsg) => check(exp, res(200, { errcode: 40058, errmsg })).join('');
    assert.match(bad(werr(40058, 'invalid parameter: name too long')), /expected WeCom errmsg for errcode 40058/);
    assert.match(bad(werr(40059, 'invalid parameter: name')), /expected WeCom errmsg/);
    assert.match(bad(werr(40058, 'invalid parameter: name').replace(HINT, HINT.slice(1))), /expected WeCom errmsg/);
    assert.match(bad(werr(40058, 'invalid parameter: name').replace('127.0.0.1', '10.0.0.1')), /expected WeCom errmsg/);
    assert.match(bad(werr(40058, 'invalid parameter: name') + '.'), /expected WeCom errmsg/);
    const any = '>>> GET /x\n<<< 404\n{"errcode": 48001, "errmsg": "{{wecom_err:48001}}"}\n';
    assert.deepEqual(check(any, res(404, { errcode: 48001, errmsg: werr(48001, 'api unauthorized') })), []);
    assert.ok(wecomErrRegex(-1, 'system busy').test(werr(-1, 'system busy')));
});

test('match: headers and text bodies', () => {
    const exp = '>>> GET /nope\n<<< 404\nContent-Type: text/plain\nX-Request-Id: {{capture:rid}}\nX-Gone: {{absent}}\n\n404 page not found\n';
    const vars = {};
    assert.deepEqual(check(exp, res(404, '404 page not found\n', { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': 'r1' }), vars), []);
    assert.equal(vars.rid, 'r1');
    const errs = check(exp, res(404, '404 not found', { 'content-type': 'application/json', 'x-gone': '1' })).join('\n');
    assert.match(errs, /header Content-Type: expected a value starting with "text\/plain"/);
    assert.match(errs, /header X-Request-Id: header missing/);
    assert.match(errs, /header X-Gone: must be absent/);
    assert.match(errs, /body: expected text "404 page not found"/);
});

test('runSteps: captures flow into later requests; failures name file, line and response', async () => {
    const parsed = parseCase(
        [
            '>>> GET /cgi-bin/gettoken?corpid={{acme_corpid}}&corpsecret={{acme_secret}}',
            '<<< 200',
            '{"errcode": 0, "errmsg": "ok", "access_token": "{{capture:token}}", "expires_in": 7200}',
            '',
            '>>> POST /cgi-bin/kf/knowledge/add_group?access_token={{token}}',
            '{"name": "FAQ"}',
            '<<< 200',
            '{"errcode": 0, "errmsg": "ok", "group_id": "{{capture:g1}}"}',
            '',
            '>>> POST /cgi-bin/kf/knowledge/del_group?access_token={{token}}',
            '{"group_id": "{{g1}}"}',
            '<<< 200',
            '{"errcode": 0, "errmsg": "ok"}',
        ].join('\n'),
        'flow.case',
    );
    const seen = [];
    const send = async (req) => {
        seen.push(req);
        if (req.path.startsWith('/cgi-bin/gettoken')) return res(200, { errcode: 0, errmsg: 'ok', access_token: 'T/1', expires_in: 7200 });
        if (req.path.includes('add_group')) return res(200, { errcode: 0, errmsg: 'ok', group_id: 'G1' });
        return res(200, { errcode: 40058, errmsg: werr(40058, 'group not found') });
    };
    const seed = JSON.parse(fs.readFileSync(fixtureSeedPath, 'utf8'));
    const vars = presetVars(seed, ADMIN_TOKEN);
    await assert.rejects(
        runSteps(parsed, { send, vars }),
        (err) =>
            err instanceof CaseError &&
            /flow\.case:10: step 3 \(POST \/cgi-bin\/kf\/knowledge\/del_group\?access_token=T%2F1\) failed \(expectation at line 12\)/.test(err.message) &&
            /\$\.errcode: expected 0, got 40058/.test(err.message) &&
            /unexpected key|errmsg/.test(err.message) &&
            /response body: \{"errcode":40058/.test(err.message),
    );
    assert.equal(seen[0].path, '/cgi-bin/gettoken?corpid=wwacme&corpsecret=acme-kf-secret');
    assert.equal(seen[1].path, '/cgi-bin/kf/knowledge/add_group?access_token=T%2F1');
    assert.equal(seen[2].body.toString(), '{"group_id": "G1"}');
    assert.equal(vars.token, 'T/1');
});

test('presetVars come from the seed fixture', () => {
    const seed = JSON.parse(fs.readFileSync(fixtureSeedPath, 'utf8'));
    const v = presetVars(seed, ADMIN_TOKEN);
    assert.equal(v.admin_token, 'test-admin-token');
    assert.equal(v.acme_corpid, 'wwacme');
    assert.equal(v.acme_secret, 'acme-kf-secret');
    assert.equal(v.acme_secret2, 'acme-other-secret');
    assert.equal(v.globex_corpid, 'wwglobex');
    assert.equal(v.globex_secret, 'globex-kf-secret');
    assert.equal(v.acme_app_id, 'cli_acme01');
    assert.deepEqual(JSON.parse(v.seed_json), seed);
});

test('every .case file in the tree parses', () => {
    const files = findCaseFiles(testsDir);
    assert.ok(files.length > 0, 'no .case files found');
    for (const f of files) parseCase(fs.readFileSync(f, 'utf8'), path.relative(testsDir, f));
});
