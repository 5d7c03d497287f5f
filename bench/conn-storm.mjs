// bench/conn-storm.mjs - more connections than the server may hold, under a low
// descriptor limit: the server's CPU while they stay open, health probes meanwhile,
// and how soon a probe is served once connections close (docs/reliability.md). Each
// connection sends GET /healthz every 5 s (a keep-alive client: it never idles out).
// Usage: node bench/conn-storm.mjs [NOFILE [CONNS [SECONDS [server args...]]]]
//   defaults: 1024 1100 30; the server is QUNZU_BIN or build-asan/qunzu.
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { startServer, sleep } from '../tests/http/lib/server.mjs';
import { connect, rawRequest } from '../tests/http/lib/rawhttp.mjs';

const [nofile = 1024, conns = 1100, seconds = 30] = process.argv.slice(2, 5).map(Number);
const extra = process.argv.slice(5);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
}

// GET /healthz on a new connection: milliseconds to the answer, or null after ms.
async function probe(port, ms) {
    const t0 = Date.now();
    let c;
    try {
        c = await connect(port);
        await c.write(rawRequest('GET', '/healthz'));
        const r = await c.readResponse({ timeoutMs: ms });
        return r.status === 200 ? Date.now() - t0 : null;
    } catch {
        return null;
    } finally {
        c?.close();
    }
}

const srv = await startServer({ nofile, args: extra });
try {
    const held = [];
    for (let i = 0; i < conns; i++) {
        const s = await new Promise((resolve) => {
            const k = net.connect({ port: srv.port, host: '127.0.0.1' }, () => resolve(k));
            k.on('error', () => resolve(k));
        });
        s.on('data', () => {});
        s.timer = setInterval(() => s.writable && s.write(rawRequest('GET', '/healthz')), 5000);
        held.push(s);
    }
    // Nine probes spread over the period, each given 3 s, as in the probe.
    const c0 = cpuSeconds(srv.pid);
    const t0 = Date.now();
    const probes = [];
    for (let i = 0; i < 9; i++) {
        probes.push(await probe(srv.port, 3000));
        const next = t0 + ((i + 1) * seconds * 1000) / 9;
        if (Date.now() < next) await sleep(next - Date.now());
    }
    const cpu = (cpuSeconds(srv.pid) - c0) / ((Date.now() - t0) / 1000);
    for (const s of held) {
        clearInterval(s.timer);
        s.destroy();
    }
    await sleep(200);
    const after = await probe(srv.port, 10000);
    const lines = srv.logText().split('\n').filter((l) => /not accepting|accepting up to/.test(l));
    console.log(JSON.stringify({
        nofile, conns, seconds, args: extra,
        cpu_share: Number(cpu.toFixed(3)),
        probes_answered: probes.filter((p) => p !== null).length,
        probe_ms: probes,
        probe_after_close_ms: after,
        log: lines.slice(0, 3),
    }, null, 1));
} finally {
    await srv.stop('SIGTERM').catch(() => {});
    await srv.cleanup();
}
