/*
 * kouan_browser.mjs - shared helpers for the browser tests (Node's own
 * test runner; playwright-core and axe-core from web/node_modules, pinned
 * by web/package-lock.json).
 *
 *  * Server: a real kouan on 127.0.0.1 with an ephemeral port and a
 *    throw-away demo database in its own temporary directory (`kouan init
 *    --demo --pwhash min`, then `kouan serve --port 0`), as
 *    tests/e2e/kouan_e2e.py does; on PostgreSQL (KOUAN_TEST_STORE=postgres)
 *    a fresh database of the test cluster. stop() sends SIGTERM and
 *    requires exit status 0 and no sanitizer report; every server is killed
 *    when the process exits, whatever happened.
 *  * launch(): Debian's Chromium (/usr/bin/chromium) driven by
 *    playwright-core, headless, with a fresh profile directory (Playwright
 *    makes one per launch and removes it).
 *  * open(): a page in its own browser context (its own sessionStorage and
 *    localStorage), in a language, that fails the test on any page error,
 *    console error or Content-Security-Policy violation.
 *  * axe(): axe-core on the page; serious and critical violations fail.
 *  * shot(): a screenshot into KOUAN_SCREENSHOTS (the build directory),
 *    which scripts/screenshots.sh copies to docs/screenshots/.
 *
 * Environment: KOUAN_BIN (the kouan binary), KOUAN_SOURCE (the source
 * tree), KOUAN_SCREENSHOTS, KOUAN_TEST_STORE and KOUAN_TEST_PG_STATE.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE = process.env.KOUAN_SOURCE || path.resolve(HERE, '..', '..');
export const KOUAN_BIN = path.resolve(process.env.KOUAN_BIN || path.join(SOURCE, 'build-test', 'kouan'));
export const SCREENSHOTS = process.env.KOUAN_SCREENSHOTS || path.join(os.tmpdir(), 'kouan-screenshots');
export const PG = process.env.KOUAN_TEST_STORE === 'postgres';

const require = createRequire(path.join(SOURCE, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const SANITIZER_MARKS = ['ERROR: AddressSanitizer', 'LeakSanitizer', 'runtime error:'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const YEAR = new Date().getUTCFullYear();
export const DEMO = {
	apples: `5167${YEAR}1000000001`,
	laptops: `5141${YEAR}1000000001`,
	salmon: `5316${YEAR}1000000001`,
	tshirts: `5301${YEAR}0000000001`,
	fuel: `5338${YEAR}1000000001`,
	tableware: `5100${YEAR}1000000001`,
};

/* The demo's organisations (src/server/demo.c). */
export const ORG = {
	haitong: '91440101MA59TRAD00',
	suitong: '91440115MA5CBR0K1D',
	pengcheng: '91440300MA5E0THR7G',
};

const live = new Set();
function killAll() {
	for (const s of live) s.kill();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		killAll();
		process.exit(130);
	});
}

function pgUrl(dbname) {
	const state = process.env.KOUAN_TEST_PG_STATE;
	if (!state || !fs.existsSync(state))
		throw new Error('KOUAN_TEST_STORE=postgres needs KOUAN_TEST_PG_STATE (scripts/pg-cluster.sh start FILE)');
	return fs.readFileSync(state, 'utf8').split('\n')[0].trim().replace('%s', dbname);
}

function psql(url, sql) {
	const r = spawnSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8', timeout: 60000 });
	if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
	return r.stdout;
}

let pgCounter = 0;

export class Server {
	constructor(name = 'browser') {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `kouan-browser-${name}-`));
		this.keyArgs = [];
		if (PG) {
			pgCounter += 1;
			this.pgname = `kouan_browser_${process.pid}_${pgCounter}`;
			psql(pgUrl('postgres'), `CREATE DATABASE ${this.pgname}`);
			this.db = pgUrl(this.pgname);
			this.keyArgs = ['--release-key', path.join(this.dir, 'release.key')];
		} else {
			this.db = path.join(this.dir, 'kouan.db');
		}
		this.proc = null;
		this.url = null;
		live.add(this);
	}

	/**
	 * Initialise the demo database and serve it with the default settings
	 * (long-polls of up to 25 s: a waiting poll is parked and holds no
	 * worker thread); resolves when serving.
	 */
	async start(extra = []) {
		const init = spawnSync(KOUAN_BIN, ['init', '--demo', '--db', this.db, '--pwhash', 'min', ...this.keyArgs],
			{ encoding: 'utf8', timeout: 120000 });
		if (init.status !== 0) throw new Error(`kouan init --demo: ${init.stderr}`);
		this.checkSanitizer(init.stderr, 'kouan init');
		this.stderrPath = path.join(this.dir, 'stderr');
		const err = fs.openSync(this.stderrPath, 'w');
		this.proc = spawn(KOUAN_BIN, ['serve', '--db', this.db, '--listen', '127.0.0.1', '--port', '0',
			'--pwhash', 'min', '--access-log', 'off', ...this.keyArgs, ...extra],
		{ cwd: this.dir, stdio: ['ignore', 'pipe', err] });
		fs.closeSync(err);
		const proc = this.proc;
		proc.on('exit', (code, signal) => {
			if (this.proc === proc) {
				this.proc = null;
				process.stderr.write(`kouan serve exited by itself (${code ?? signal}):\n${this.stderr().slice(-4000)}\n`);
			}
		});
		this.url = await new Promise((resolve, reject) => {
			let out = '';
			const timer = setTimeout(() => reject(new Error('kouan serve did not say it was serving within 60 s')), 60000);
			this.proc.stdout.on('data', (d) => {
				out += d;
				const m = /kouan is serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
				if (m) {
					clearTimeout(timer);
					resolve(m[1]);
				}
			});
			this.proc.on('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`kouan serve exited ${code}: ${this.stderr()}`));
			});
		});
		return this;
	}

	stderr() {
		try {
			return fs.readFileSync(this.stderrPath, 'utf8');
		} catch {
			return '';
		}
	}

	checkSanitizer(text, what) {
		const mark = SANITIZER_MARKS.find((m) => text.includes(m));
		if (mark) throw new Error(`sanitizer report (${mark}) from ${what}:\n${text.slice(-6000)}`);
	}

	/** SIGTERM; the server must exit 0 with no sanitizer report. */
	async stop() {
		if (!this.proc) return;
		const p = this.proc;
		this.proc = null;
		const code = await new Promise((resolve) => {
			if (p.exitCode !== null) resolve(p.exitCode);
			p.once('exit', (c) => resolve(c));
			p.kill('SIGTERM');
			setTimeout(() => {
				p.kill('SIGKILL');
			}, 60000).unref();
		});
		const text = this.stderr();
		this.checkSanitizer(text, 'kouan serve');
		if (code !== 0) throw new Error(`kouan serve exited ${code} after SIGTERM:\n${text.slice(-4000)}`);
		this.cleanup();
	}

	kill() {
		if (this.proc) {
			this.proc.kill('SIGKILL');
			this.proc = null;
		}
		this.cleanup();
	}

	cleanup() {
		if (this.cleaned) return;
		this.cleaned = true;
		live.delete(this);
		if (process.env.KOUAN_E2E_KEEP) {
			process.stderr.write(`kept ${this.dir}\n`);
			return;
		}
		fs.rmSync(this.dir, { recursive: true, force: true });
		if (this.pgname) {
			try {
				psql(pgUrl('postgres'), `DROP DATABASE IF EXISTS ${this.pgname} WITH (FORCE)`);
			} catch (e) {
				process.stderr.write(`${e.message}\n`);
			}
		}
	}

	/** Run one SQL statement on the server's database (test set-up only:
	 * e.g. to let time pass for a booked slot). */
	sql(statement) {
		if (PG) return psql(this.db, statement);
		const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', this.db, statement], { encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`sqlite3 ${statement}: ${r.stderr}`);
		return r.stdout;
	}

	/** Call the API; resolves to {status, json, headers}. */
	async call(method, p, { body, token, headers } = {}) {
		const h = { ...(headers || {}) };
		if (token) h.Authorization = `Bearer ${token}`;
		if (body !== undefined) h['Content-Type'] = 'application/json';
		const r = await fetch(this.url + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await r.text();
		let json = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			json = null;
		}
		return { status: r.status, json, text, headers: r.headers };
	}

	/** Call and insist on a status. */
	async must(status, method, p, opts) {
		const r = await this.call(method, p, opts);
		if (r.status !== status) throw new Error(`${method} ${p}: ${r.status}, wanted ${status}: ${r.text.slice(0, 600)}`);
		return r.json;
	}

	/** A token of a demo user. */
	async token(user) {
		this.tokens = this.tokens || {};
		if (!this.tokens[user])
			this.tokens[user] = (await this.must(201, 'POST', '/v1/sessions', { body: { username: user, password: `${user}-demo-2026` } })).token;
		return this.tokens[user];
	}

	/**
	 * Lodge a declaration as a declarant; resolves to its view. The
	 * carrier's manifest line comes first (manifestLine), as goods are
	 * manifested before they are declared, unless `manifest` is false (an
	 * advance declaration, or one whose line is meant to be missing).
	 */
	async lodge(user, body, { key = `test-${process.pid}-${Math.random().toString(36).slice(2)}`, manifest = true } = {}) {
		if (manifest) await this.manifestLine(body);
		return this.must(201, 'POST', '/v1/declarations', { body, token: await this.token(user), headers: { 'Idempotency-Key': key } });
	}

	/**
	 * Make sure the carrier's manifest of the declaration's call (original
	 * for an import, pre-loading for an export) has a line that matches it
	 * (its bill, packages, weight and containers), lodging the manifest or
	 * amending it, as tests/e2e/kouan_e2e.py manifest_line does. Modes
	 * without manifests (rail, post) need none.
	 */
	async manifestLine(body) {
		const carrier = CARRIER_OF_MODE[body.transport_mode];
		if (!carrier) return;
		const token = await this.token(carrier);
		const kind = body.direction === 'import' ? 'original' : 'pre_loading';
		const key = callKey(body);
		const line = {
			bill_of_lading: body.bill_of_lading,
			consignor: { name: 'Shipper of the test goods' },
			consignee: { name: 'Consignee of the test goods' },
			goods_description: body.items[0].description.slice(0, 512),
			packages: body.packages, package_kind: 'CT', gross_weight_kg: body.gross_weight_kg,
		};
		if (body.containers?.length) line.containers = body.containers.map((c) => ({ number: c, seals: [`SL-${c.slice(4)}`] }));
		const found = (await this.must(200, 'GET', `/v1/manifests?kind=${kind}&call=${encodeURIComponent(key)}`, { token })).manifests;
		if (!found.length) {
			const m = { kind, transport_mode: body.transport_mode, conveyance: body.conveyance,
				port: body.entry_port || body.exit_port, carrier: 'Carrier of the test goods', bills: [line] };
			await this.must(201, 'POST', '/v1/manifests', { body: m, token, headers: { 'Idempotency-Key': `manifest-${process.pid}-${++serial}` } });
			return;
		}
		const p = `/v1/manifests/${found[0].id}`;
		const m = (await this.must(200, 'GET', p, { token })).manifest;
		m.bills = [...m.bills.filter((b) => b.bill_of_lading !== body.bill_of_lading), line];
		await this.must(200, 'PUT', p, { body: m, token });
	}

	/** An officer's decision through the API (every decision has a reason;
	 * `agency` defaults to the user's, for a supervisor such as customs.lead). */
	async decide(user, number, decision, reason = `${decision} in a test`, agency = user.split('.')[0]) {
		return this.must(200, 'POST', `/v1/declarations/${number}/tasks/${agency}/decision`,
			{ body: { decision, reason }, token: await this.token(user) });
	}

	/** A mandate (委托) from a consignee's declarant to an agent, for a
	 * year, through the API; resolves to the mandate. */
	async mandate(consigneeUser, agentUscc, scope = 'import') {
		const validTo = new Date(Date.now() + 365 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
		return this.must(201, 'POST', '/v1/mandates', { body: { agent_uscc: agentUscc, scope, valid_to: validTo },
			token: await this.token(consigneeUser) });
	}
}

/* --- declarations for tests: built from the demo's data --- */

let serial = 0;

/** An ISO 6346 container number: a 10-character prefix (owner, U, serial)
 * and its check digit (letters from A = 10 skipping multiples of 11;
 * position i weighs 2^i). */
export function containerNumber(prefix) {
	const values = {};
	let n = 10;
	for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
		if (n % 11 === 0) n += 1;
		values[ch] = n;
		n += 1;
	}
	const total = [...prefix].reduce((sum, c, i) => sum + (/[A-Z]/.test(c) ? values[c] : Number(c)) * 2 ** i, 0);
	return prefix + String(total % 11 % 10);
}

/** A container number no other declaration of this test process uses: a
 * container is claimed by the live declarations of one bill. */
export function freshContainer() {
	serial += 1;
	return containerNumber(`KTEU${String(process.pid % 100).padStart(2, '0')}${String(serial % 10000).padStart(4, '0')}`);
}

/* the carrier that manifests a declaration's transport mode (the demo's) */
const CARRIER_OF_MODE = { 2: 'carrier', 4: 'haulier', 5: 'airline' };

/** The call a declaration travels on (docs/transport.md): mode, the
 * conveyance's identity (IMO by water, else its name) and voyage without
 * case, spaces, hyphens or the middle dot, and the entry or exit port. */
export function callKey(body) {
	const conv = body.conveyance;
	const norm = (s) => s.replace(/[\s\-·]/g, '').toUpperCase();
	const ident = body.transport_mode === '2' ? conv.imo : conv.name;
	const port = body.direction === 'import' ? body.entry_port : body.exit_port;
	return [body.transport_mode, norm(ident), norm(conv.voyage), port].join('|');
}

/** Import by sea into Nansha (no risk profile there: customs draws yellow,
 * so an officer decides). `apples` adds US apples (quarantine: the demo
 * rule sends them to a red-lane inspection, 100%). */
export function seaImport({ bl, apples = false, laptops = true, containers = [freshContainer()] } = {}) {
	const items = [];
	if (apples) items.push({ hs_code: '0808100000', description: '鲜苹果 Fresh Gala apples', quantity: '18000', unit: '035', unit_price: '1.85', origin_country: 'US' });
	if (laptops || !items.length) items.push({ hs_code: '8471300000', description: '笔记本电脑 Notebook computers', quantity: '200', unit: '001', unit_price: '389.50', origin_country: 'VN' });
	return {
		direction: 'import', declaration_office: '5167', port_office: '5167',
		declarant_uscc: '91440101MA59TRAD00', consignee_uscc: '91440101MA59TRAD00',
		trade_mode: '0110', transport_mode: '2',
		conveyance: { name: 'COSCO SHIPPING ARIES', voyage: '046E', imo: '9321378' },
		bill_of_lading: bl || `TEST${Date.now()}`, trading_country: 'US', departure_country: 'US',
		entry_port: 'CNNSA', incoterm: 'CIF', currency: 'USD', packages: 120, gross_weight_kg: '2400.000',
		containers, items,
		documents: [{ type: 'invoice', number: 'INV-TEST-1' }],
	};
}

/** An aligned slot start (30-minute slots) `hours` from now, RFC 3339. */
export function slotIn(hours) {
	const t = Date.now() + hours * 3600000;
	const aligned = Math.ceil(t / 1800000) * 1800000;
	return new Date(aligned).toISOString().replace('.000Z', 'Z');
}

/** Let time pass for an inspection's booking: its slot began at least an
 * hour ago (a slot of its own, so that bookings moved back never meet). */
export function slotHasBegun(server, inspectionId) {
	const begun = (Math.floor((Date.now() - 3600000) / 1800000) - Number(inspectionId)) * 1800000;
	const past = new Date(begun).toISOString().replace('Z', '000Z');
	server.sql(`UPDATE inspection_bookings SET slot_start = '${past}' WHERE inspection_id = ${Number(inspectionId)}`);
}

/* --- the browser --- */

export async function launch() {
	return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A test file's server and browser: started before its tests, stopped
 * after them (the server must then exit cleanly). `before` runs once both
 * are up (set-up data). Returns {server, browser} (browser set once up).
 */
export function suite(name, { args, setUp } = {}) {
	const env = { server: new Server(name), browser: null };
	before(async () => {
		await env.server.start(args);
		env.browser = await launch();
		if (setUp) await setUp(env.server);
	});
	after(async () => {
		await env.browser?.close();
		await env.server.stop();
	});
	return env;
}

/**
 * A page in its own context, showing `lang` ('zh' or 'en') from the
 * start. page.problems collects page errors, console errors and CSP
 * violations; checkClean(page) fails on any.
 */
export async function open(browser, server, { lang = 'zh', width = 1280, height = 800 } = {}) {
	const context = await browser.newContext({ viewport: { width, height }, locale: lang === 'zh' ? 'zh-CN' : 'en-GB', acceptDownloads: true });
	await context.addInitScript((l) => {
		if (!localStorage.getItem('kouan.lang')) localStorage.setItem('kouan.lang', l);
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
		});
	}, lang);
	const page = await context.newPage();
	page.setDefaultTimeout(30000);
	page.problems = [];
	page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		/* refused requests are part of the flows under test; anything else is not */
		if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of'))
			page.problems.push(`console: ${m.text()}`);
	});
	page.server = server;
	page.lang = lang;
	return page;
}

/** Fail if the page had errors or CSP violations. */
export function checkClean(page) {
	if (page.problems.length) throw new Error(`the page reported:\n${page.problems.join('\n')}`);
}

/** The page's texts for a language: T(page, '中文', 'English'). */
export function T(page, zh, en) {
	return page.lang === 'zh' ? zh : en;
}

/** Log in through the login page; waits for the start page. */
export async function login(page, user) {
	await page.goto(`${page.server.url}/login`);
	await page.getByLabel(T(page, '用户名', 'User name')).fill(user);
	await page.getByLabel(T(page, '密码', 'Password')).fill(`${user}-demo-2026`);
	await page.getByRole('button', { name: T(page, '登录', 'Log in') }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/login'));
	await settled(page);
}

/** Wait until the screen at the current address has finished rendering
 * (the router marks <html data-rendered> with its path). */
export async function settled(page) {
	await page.waitForFunction(() => document.documentElement.dataset.rendered === location.pathname);
}

/** Go to a path of the app and wait for its screen. */
export async function visit(page, p) {
	await page.goto(page.server.url + p);
	await settled(page);
}

/**
 * Two reads of a screen answered out of order: `first()` makes the page
 * send a request that `held(url)` matches, whose answer is kept back;
 * `second()` asks for something else and must wait until the page shows
 * it. The held answer is then given to the page, last, and time left for
 * the page to take it in: the screen must still show what `second` chose.
 */
export async function answeredLate(page, held, first, second) {
	let release;
	const released = new Promise((resolve) => {
		release = resolve;
	});
	let reached;
	const asked = new Promise((resolve) => {
		reached = resolve;
	});
	await page.route(held, async (route) => {
		reached();
		await released;
		await route.continue();
	});
	await first();
	await asked;
	await second();
	const late = page.waitForEvent('requestfinished', (r) => held(new URL(r.url())));
	release();
	await late;
	await page.evaluate(() => new Promise((resolve) => {
		setTimeout(resolve, 300);
	}));
	await page.unroute(held);
}

/** A reference picker (combobox) by its label. */
export function picker(scope, name) {
	return scope.getByRole('combobox', { name, exact: true });
}

/** axe-core: no serious or critical violation. */
export async function axe(page, what) {
	await page.evaluate(AXE_SOURCE);
	const result = await page.evaluate(async () => {
		/* global axe */
		const r = await axe.run(document, { resultTypes: ['violations'] });
		return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
	});
	const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	if (bad.length) throw new Error(`axe found on ${what}:\n${bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join('; ')})`).join('\n')}`);
	return result;
}

/** A screenshot of the viewport into the screenshots directory. */
export async function shot(page, name) {
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${page.lang}.png`) });
}

/** The field (wrapper of label, control, hint and error) of a control. */
export function fieldOf(control) {
	return control.locator('xpath=ancestor::*[contains(concat(" ", @class, " "), " field ")][1]');
}

/** The text of the error shown at the text field named `label`. */
export async function fieldError(page, label) {
	const field = fieldOf(page.getByRole('textbox', { name: label, exact: true }));
	return (await field.locator('.field-error').innerText()).trim();
}
