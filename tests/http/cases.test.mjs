// Runs every tests/http/**/*.case file as one test against its own fresh server
// (format: lib/cases.mjs). QUNZU_CASE=substring runs only matching files;
// QUNZU_CASE_CONCURRENCY sets how many servers run at once (default 2).

import { describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { findCaseFiles, parseCaseFile, presetVars, runSteps } from './lib/cases.mjs';
import { withServer, request, testsDir, fixtureSeedPath, ADMIN_TOKEN } from './lib/server.mjs';

const seed = JSON.parse(fs.readFileSync(fixtureSeedPath, 'utf8'));
const only = process.env.QUNZU_CASE || '';
const files = findCaseFiles(testsDir).filter((f) => path.relative(testsDir, f).includes(only));
const concurrency = Number(process.env.QUNZU_CASE_CONCURRENCY || 2);

describe('cases', { concurrency }, () => {
    for (const file of files) {
        const name = path.relative(testsDir, file);
        it(name, { timeout: 180_000 }, async () => {
            const parsed = parseCaseFile(file, name);
            await withServer({}, async (srv) => {
                const send = (req) => request(srv, req.method, req.path, { headers: req.headers, body: req.body });
                await runSteps(parsed, { send, vars: presetVars(seed, ADMIN_TOKEN) });
            });
        });
    }
});
