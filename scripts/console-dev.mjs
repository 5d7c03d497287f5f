#!/usr/bin/env node
// scripts/console-dev.mjs - serves console/ from the work tree (edit, reload; no rebuild)
// on 127.0.0.1 and passes every other path to a running qunzu, so the pages can be tried
// before the binary that embeds them is built:
//   node scripts/console-dev.mjs [--port 8081] [--qunzu http://127.0.0.1:8080]
// then open http://127.0.0.1:8081/console/. Development only; qunzu serves the console
// itself at /console/ from the files compiled into it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const port = Number(arg('--port', 8081));
const upstream = new URL(arg('--qunzu', 'http://127.0.0.1:8080'));
const root = path.resolve(fileURLToPath(import.meta.url), '../../console');
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/console') { res.writeHead(301, { Location: '/console/' }); return res.end(); }
    if (url.pathname.startsWith('/console/')) {
        const rel = decodeURIComponent(url.pathname.slice('/console/'.length)) || 'index.html';
        const file = path.join(root, rel);
        if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); return res.end('not found'); }
        res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache',
            'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'" });
        return fs.createReadStream(file).pipe(res);
    }
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(up);
}).listen(port, '127.0.0.1', () => console.log(`console at http://127.0.0.1:${port}/console/ (qunzu: ${upstream.href})`));
