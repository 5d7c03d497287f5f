// tests/http/lib/rawhttp.mjs - a raw HTTP/1.1 connection for tests that must control
// the bytes on one socket (keep-alive reuse, bodies on GET, slow uploads, oversized
// bodies). Only what those tests need: write bytes, read one complete response
// (Content-Length, chunked, or until close), see whether the peer closed.

import net from 'node:net';

export function connect(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
        const sock = net.connect({ port, host });
        sock.once('connect', () => {
            sock.off('error', reject);
            resolve(new RawConn(sock));
        });
        sock.once('error', reject);
    });
}

export class RawConn {
    constructor(sock) {
        this.sock = sock;
        this.buf = Buffer.alloc(0);
        this.closed = false;
        this.error = null;
        this.wake = null;
        sock.on('data', (d) => {
            this.buf = Buffer.concat([this.buf, d]);
            this._wake();
        });
        sock.on('end', () => {
            this.closed = true;
            this._wake();
        });
        sock.on('close', () => {
            this.closed = true;
            this._wake();
        });
        sock.on('error', (err) => {
            this.error = err;
            this.closed = true;
            this._wake();
        });
    }

    _wake() {
        const w = this.wake;
        this.wake = null;
        if (w) w();
    }

    // Wait until pred() returns a value other than undefined; fail on close or timeout.
    async _until(pred, deadline, what) {
        for (;;) {
            const v = pred();
            if (v !== undefined) return v;
            if (this.closed) {
                throw new Error(`connection closed while waiting for ${what}` +
                    (this.error ? ` (${this.error.message})` : '') +
                    (this.buf.length ? `; unread bytes: ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}` : ''));
            }
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`timed out waiting for ${what}`);
            await new Promise((r) => {
                const t = setTimeout(r, left);
                this.wake = () => {
                    clearTimeout(t);
                    r();
                };
            });
        }
    }

    write(data) {
        return new Promise((resolve, reject) => {
            if (this.closed) return reject(new Error('write on a closed connection'));
            this.sock.write(data, (err) => (err ? reject(err) : resolve()));
        });
    }

    // Read exactly one response. Returns {status, reason, headers, rawHeaders, body: Buffer,
    // text, json}: 'headers' by lower-cased name, 'rawHeaders' [name, value] as sent.
    async readResponse({ timeoutMs = 15000, method = 'GET' } = {}) {
        const deadline = Date.now() + timeoutMs;
        const headEnd = await this._until(() => {
            const i = this.buf.indexOf('\r\n\r\n');
            return i >= 0 ? i : undefined;
        }, deadline, 'response headers');
        const head = this.buf.subarray(0, headEnd).toString('latin1').split('\r\n');
        this.buf = this.buf.subarray(headEnd + 4);
        const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(head[0]);
        if (!m) throw new Error(`bad status line ${JSON.stringify(head[0])}`);
        const status = Number(m[1]);
        const headers = {};
        const rawHeaders = [];
        for (const l of head.slice(1)) {
            const i = l.indexOf(':');
            const k = l.slice(0, i).trim().toLowerCase();
            const v = l.slice(i + 1).trim();
            rawHeaders.push([l.slice(0, i), v]);
            headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
        }
        let body;
        if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) {
            body = Buffer.alloc(0);
        } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
            const parts = [];
            for (;;) {
                const lineEnd = await this._until(() => {
                    const i = this.buf.indexOf('\r\n');
                    return i >= 0 ? i : undefined;
                }, deadline, 'chunk size');
                const size = parseInt(this.buf.subarray(0, lineEnd).toString('latin1'), 16);
                if (!Number.isFinite(size)) throw new Error('bad chunk size line');
                this.buf = this.buf.subarray(lineEnd + 2);
                if (size === 0) {
                    // trailers, then an empty line
                    for (;;) {
                        const e = await this._until(() => {
                            const i = this.buf.indexOf('\r\n');
                            return i >= 0 ? i : undefined;
                        }, deadline, 'chunked trailer');
                        this.buf = this.buf.subarray(e + 2);
                        if (e === 0) break;
                    }
                    break;
                }
                await this._until(() => (this.buf.length >= size + 2 ? true : undefined), deadline, 'chunk data');
                parts.push(this.buf.subarray(0, size));
                this.buf = this.buf.subarray(size + 2);
            }
            body = Buffer.concat(parts);
        } else if (headers['content-length'] !== undefined) {
            const n = Number(headers['content-length']);
            await this._until(() => (this.buf.length >= n ? true : undefined), deadline, `${n} body bytes`);
            body = this.buf.subarray(0, n);
            this.buf = this.buf.subarray(n);
        } else {
            await this._until(() => (this.closed ? true : undefined), deadline, 'end of a close-delimited body')
                .catch(() => undefined);
            body = this.buf;
            this.buf = Buffer.alloc(0);
        }
        const text = body.toString('utf8');
        let json;
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
        return { status, reason: m[2], headers, rawHeaders, body, text, json };
    }

    // Resolves true if the peer closes within ms, false otherwise.
    async waitClosed(ms) {
        try {
            await this._until(() => (this.closed ? true : undefined), Date.now() + ms, 'close');
            return true;
        } catch (err) {
            return this.closed;
        }
    }

    close() {
        this.sock.destroy();
        this.closed = true;
    }
}

// Build request bytes. body: string | Buffer | undefined. Content-Length is added for
// a body unless headers already set Content-Length or Transfer-Encoding.
export function rawRequest(method, path, { headers = {}, body } = {}) {
    const h = { Host: '127.0.0.1', ...headers };
    const b = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const lower = Object.keys(h).map((k) => k.toLowerCase());
    if (b && !lower.includes('content-length') && !lower.includes('transfer-encoding')) h['Content-Length'] = String(b.length);
    const head = `${method} ${path} HTTP/1.1\r\n` + Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
    return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}
