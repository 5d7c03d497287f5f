// tests/http/lib/browser.mjs - the web console in a real browser: Debian's Chromium
// driven by playwright-core (which never downloads a browser), for the console_*.test.mjs
// files.
//
// Environment:
//   QUNZU_CHROMIUM   the browser (default /usr/bin/chromium, from Debian's `chromium`,
//                    which scripts/install-deps.sh --test installs)
//   CI               when set, a missing browser fails the tests instead of skipping them
//
// withConsole(srv, fn) opens a headless browser on a started server, logs in through
// /console/#token=..., and hands fn a Console: the page, the problems seen so far
// (console errors, uncaught exceptions, failed requests, HTTP errors), screenshots kept
// under tests/http/artifacts/console/, and an axe-core check. Only the accessible names
// issue 20 fixes are assumed here; the tests name the rest.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { ADMIN_TOKEN, testsDir, withLog } from './server.mjs';

export const CHROMIUM = process.env.QUNZU_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(testsDir, 'artifacts', 'console');

/**
 * The `skip` option of every browser test: false when the browser is there (or on CI,
 * where its absence must fail the run), else the reason, printed by the test runner.
 */
export const browserSkip =
    fs.existsSync(CHROMIUM) || process.env.CI
        ? false
        : `no Chromium at ${CHROMIUM}: install it with scripts/install-deps.sh --test (or set QUNZU_CHROMIUM); the console's browser tests are skipped`;

/** The backend a run is on, for artifact names. */
export const backend = () => (process.env.QUNZU_TEST_PG ? 'pg' : 'sqlite');

const WAIT_MS = 30000;

/**
 * Launch the browser, open the console on 'srv' logged in with the admin token, run
 * fn(c), close everything. A failure gets a screenshot (artifacts/console/failed-*.png),
 * the page's problems and the server's log attached.
 * opts.viewport  default 1280x800
 * opts.hash      where to go after the login (default: stay where the login lands)
 */
export async function withConsole(srv, fn, opts = {}) {
    const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        // As root (CI) Chromium's sandbox cannot start; the browser only loads our pages.
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    const context = await browser.newContext({ viewport: opts.viewport || { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const c = new Console(srv, page);
    try {
        await c.login();
        if (opts.hash) await c.go(opts.hash);
        await fn(c);
    } catch (err) {
        const shot = await c.screenshot(`failed-${Date.now()}`).catch(() => null);
        if (err instanceof Error) {
            err.message += `\n--- page ${page.url()}${shot ? `, screenshot ${shot}` : ''}; problems seen:\n${c.problems.join('\n') || '(none)'}`;
        }
        throw withLog(err, srv);
    } finally {
        await browser.close();
    }
}

export class Console {
    constructor(srv, page) {
        this.srv = srv;
        this.page = page;
        this.problems = [];
        this.inflight = new Set();
        this.lastActivity = Date.now();
        // Expected failures a test allows: predicates over the problem's text.
        this.allowed = [];
        page.on('console', (m) => {
            if (m.type() === 'error') this.problem(`console error: ${m.text()} (${m.location().url || '?'})`);
        });
        page.on('pageerror', (e) => this.problem(`uncaught exception: ${e.message}`));
        page.on('request', (r) => {
            this.inflight.add(r);
            this.lastActivity = Date.now();
        });
        const done = (r) => {
            this.inflight.delete(r);
            this.lastActivity = Date.now();
        };
        page.on('requestfinished', done);
        page.on('requestfailed', (r) => {
            done(r);
            const why = r.failure()?.errorText;
            if (this.navigating && why === 'net::ERR_ABORTED') return;
            this.problem(`request failed: ${r.method()} ${r.url()}: ${why}`);
        });
        page.on('response', (r) => {
            if (r.status() >= 400) this.problem(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
        });
    }

    problem(text) {
        if (!this.allowed.some((ok) => ok(text))) this.problems.push(text);
    }

    /** Allow problems whose text matches 're' while fn runs (a refusal a test provokes). */
    async allowing(re, fn) {
        const ok = (t) => re.test(t);
        this.allowed.push(ok);
        try {
            return await fn();
        } finally {
            this.allowed.splice(this.allowed.indexOf(ok), 1);
        }
    }

    /** No console error, uncaught exception, failed request or HTTP error so far. */
    assertClean(what) {
        assert.deepEqual(this.problems, [], `${what}: the page reported problems`);
    }

    /** Log in as a script does: /console/#token=<admin token>. */
    async login() {
        await this.navigate(`${this.srv.url}/console/#token=${encodeURIComponent(ADMIN_TOKEN)}`);
        await this.settle();
    }

    /**
     * Go to a route of the console ('#/...'; '' for its home). On a console page this
     * only changes the fragment, as the console's own links do (no reload, so no poll
     * in flight is cut off); elsewhere it loads the page.
     */
    async go(hash) {
        const base = `${this.srv.url}/console/`;
        if (this.page.url().startsWith(base)) {
            await this.page.evaluate((h) => {
                location.hash = h || '#/';
            }, hash);
        } else {
            await this.navigate(base + hash);
        }
        await this.settle();
    }

    /** Load 'url'; a request the navigation itself cuts off is not the page's fault. */
    async navigate(url) {
        this.navigating = true;
        try {
            await this.page.goto(url);
        } finally {
            this.navigating = false;
        }
    }

    /**
     * Wait until the page has had no request in flight for 'quietMs' (the console polls,
     * so "network idle" may never come: a quiet gap between polls is enough), at most
     * 'maxMs'; then until the fonts and layout are done.
     */
    async settle({ quietMs = 300, maxMs = 10000 } = {}) {
        const end = Date.now() + maxMs;
        await this.page.waitForLoadState('load');
        while (Date.now() < end) {
            if (this.inflight.size === 0 && Date.now() - this.lastActivity >= quietMs) break;
            await this.page.waitForTimeout(50);
        }
        await this.page.evaluate(() => document.fonts.ready.then(() => true));
    }

    /** Click a link by its accessible name and let the page settle. */
    async follow(name) {
        await this.page.getByRole('link', { name, exact: typeof name === 'string' }).first().click();
        await this.settle();
    }

    /** From the tenant list, open the tenant named 'name', then its link 'section' ("Chats", ...). */
    async openTenant(name, section) {
        await this.go(''); // the console's home: the tenant list (#/)
        await this.follow(name);
        if (section) await this.follow(section);
    }

    /** Open chat 'chat' of tenant 'tenant' from the tenant list, as a person would. */
    async openChat(tenant, chat) {
        await this.openTenant(tenant, 'Chats');
        await this.follow(chat);
    }

    /** Choose whom to act as: the option of the select "Act as" whose text names them. */
    async actAs(name) {
        const sel = this.page.getByRole('combobox', { name: 'Act as' });
        await sel.waitFor();
        const option = sel.locator('option', { hasText: name }).first();
        await option.waitFor({ state: 'attached' });
        await sel.selectOption({ value: await option.getAttribute('value') });
    }

    /**
     * Click a button that destroys state, and confirm: a native confirm() is accepted;
     * a confirmation dialog in the page is answered by its button named 'confirm'
     * (default: the button's own name, or OK/Yes/Confirm).
     */
    async clickConfirmed(button, confirm) {
        const page = this.page;
        const onDialog = (d) => d.accept();
        page.once('dialog', onDialog);
        await page.getByRole('button', { name: button, exact: typeof button === 'string' }).first().click();
        const dlg = page.getByRole('dialog').or(page.getByRole('alertdialog'));
        const own = typeof button === 'string' ? escapeRe(button) : button.source.replace(/^\^|\$$/g, '');
        const yes = dlg.getByRole('button', { name: confirm || new RegExp(`^(${own}|OK|Yes|Confirm)$`, 'i') });
        try {
            await yes.first().waitFor({ state: 'visible', timeout: 1500 });
            await yes.first().click();
        } catch {
            // No dialog in the page: a native confirm() (accepted above), or none.
        }
        page.off('dialog', onDialog);
        await this.settle();
    }

    /**
     * The text of the cell in column 'header' (a RegExp source matched against the
     * column headers) of the first table row containing 'rowText'; null when none.
     */
    async cell(rowText, header) {
        return this.page.evaluate(([rowText, header]) => {
            const re = new RegExp(header, 'i');
            for (const table of document.querySelectorAll('table')) {
                const i = [...table.querySelectorAll('thead th')].findIndex((th) => re.test(th.textContent.trim()));
                if (i < 0) continue;
                for (const tr of table.querySelectorAll('tbody tr')) {
                    if (tr.textContent.includes(rowText) && tr.children[i]) return tr.children[i].textContent.trim();
                }
            }
            return null;
        }, [rowText, header]);
    }

    /** The number of body rows of the first table with a column header matching 'header'. */
    async rowCount(header) {
        return this.page.evaluate((header) => {
            const re = new RegExp(header, 'i');
            for (const table of document.querySelectorAll('table')) {
                if ([...table.querySelectorAll('thead th')].some((th) => re.test(th.textContent.trim()))) return table.querySelectorAll('tbody tr').length;
            }
            return 0;
        }, header);
    }

    /** Save a full-page screenshot as artifacts/console/<name>-<backend>.png; returns the path. */
    async screenshot(name) {
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        const file = path.join(ARTIFACTS, `${name}-${backend()}.png`);
        await this.page.screenshot({ path: file, fullPage: true });
        return file;
    }

    /** axe-core on the page as it is: no serious or critical violation of WCAG 2.1 A/AA. */
    async assertAccessible(what) {
        const res = await new AxeBuilder({ page: this.page })
            .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
            .analyze();
        const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(
            bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`),
            [],
            `${what}: accessibility violations (axe-core)`,
        );
        return res;
    }

    /** Wait for 'text' to be visible in the page (or in 'within'). */
    async see(text, within = this.page) {
        await within.getByText(text, { exact: typeof text === 'string' ? false : undefined }).first().waitFor({ state: 'visible' });
    }
}

function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
