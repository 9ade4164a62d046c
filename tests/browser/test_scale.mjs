/*
 * test_scale.mjs - a declarant's list and an officer's worklist with
 * 10,000 declarations in the store.
 *
 * The declarations are lodged through the API (16 clients at once, as a
 * busy port would), then the trader's list and customs' worklist are
 * opened in the browser, each three ways: a fresh page load, the menu link
 * (the screen's module already loaded), and the next page. The time from
 * the click (or from the start of the page load) until the page's rows are
 * in the document is measured in the page itself (performance.now() and a
 * MutationObserver, so the test driver's own delays are not counted) and
 * printed with the API's own time for the request (the browser's resource
 * timing); the median of three runs is reported. These are figures, not pass marks:
 * the test checks what is shown (100 rows, the paging, oldest tasks
 * first), never how fast.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import { checkClean, login, open, seaImport, settled, suite, visit } from './kouan_browser.mjs';

const COUNT = Number(process.env.KOUAN_SCALE_DECLARATIONS || 10000);
const CLIENTS = 16;
const figures = [];

/** Lodge COUNT declarations of the trader through the API. */
async function seed() {
	const token = await server.token('trader');
	const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
	const url = new URL(server.url);
	/* a voyage whose carrier has lodged no manifest yet: each declaration is
	 * accepted and waits for its line (docs/transport.md), so that none
	 * needs a manifest amendment of its own; no containers, which a live
	 * declaration claims */
	const base = { ...seaImport({ containers: [] }), conveyance: { name: 'COSCO SHIPPING ARIES', voyage: '051E', imo: '9321378' } };
	const post = (i) => new Promise((resolve, reject) => {
		const data = Buffer.from(JSON.stringify({ ...base, bill_of_lading: `SCALE-${i}` }));
		const req = http.request({
			host: url.hostname, port: url.port, path: '/v1/declarations', method: 'POST', agent,
			headers: { 'Content-Type': 'application/json', 'Content-Length': data.length,
				Authorization: `Bearer ${token}`, 'Idempotency-Key': `scale-${i}` },
		}, (res) => {
			res.resume();
			res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`lodging ${i}: ${res.statusCode}`))));
		});
		req.on('error', reject);
		req.end(data);
	});
	let next = 0;
	const t0 = Date.now();
	await Promise.all(Array.from({ length: CLIENTS }, async () => {
		while (next < COUNT) await post(next++);
	}));
	agent.destroy();
	const s = (Date.now() - t0) / 1000;
	figures.push(`seeded ${COUNT} declarations through the API in ${s.toFixed(1)} s (${Math.round(COUNT / s)} a second, ${CLIENTS} clients)`);
}

/* the server's own settings: the page's long-poll waits parked, holding no
 * thread, so it does not slow the list it is measured beside */
const env = suite('scale', { setUp: () => seed() });
const { server } = env;

after(() => {
	process.stdout.write(`\n# figures (${COUNT} declarations; ASan builds are several times slower than Release)\n`);
	for (const f of figures) process.stdout.write(`# ${f}\n`);
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/* In the page: when the first page of rows arrived in the document
 * (performance.now(), from the page's navigation start), watched by a
 * MutationObserver installed before the app runs. */
function watchRows() {
	window.kouanRowsAt = null;
	window.kouanRowsNot = null;
	window.kouanStart = 0;
	document.addEventListener('click', (e) => {
		window.kouanStart = e.timeStamp;
	}, true);
	new MutationObserver(() => {
		const first = document.querySelector('tbody tr th a');
		if (window.kouanRowsAt === null && document.querySelectorAll('tbody tr th a').length === 100 &&
		    first.textContent !== window.kouanRowsNot)
			window.kouanRowsAt = performance.now();
	}).observe(document, { childList: true, subtree: true });
}

/** ms from the click (or the start of the page load) until 100 rows are
 * in the page after `act`, and the API's time for the request to `api`. */
async function timed(page, act, api) {
	await page.evaluate(() => {
		window.kouanRowsAt = null;
		window.kouanRowsNot = document.querySelector('tbody tr th a')?.textContent ?? null;
		performance.clearResourceTimings();
	});
	await act();
	await page.waitForFunction(() => window.kouanRowsAt !== null);
	return page.evaluate((p) => {
		const e = performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname === p).pop();
		return { shown: Math.round(window.kouanRowsAt - window.kouanStart), api: e ? e.responseEnd - e.requestStart : null };
	}, api);
}

function report(what, runs) {
	figures.push(`${what}: first page on screen in ${median(runs.map((r) => r.shown))} ms ` +
		`(median of ${runs.length}; the API request ${Math.round(median(runs.map((r) => r.api)))} ms of it)`);
}

test(`a declarant's list with ${COUNT} declarations`, async () => {
	const page = await open(env.browser, server, { lang: 'zh' });
	await page.context().addInitScript(watchRows);
	await login(page, 'trader');
	const load = [];
	const menu = [];
	const paging = [];
	for (let i = 0; i < 3; i++) {
		load.push(await timed(page, () => page.goto(`${server.url}/declarations`), '/v1/declarations'));
		await visit(page, '/drafts');
		menu.push(await timed(page, () => page.getByRole('link', { name: '报关单查询' }).click(), '/v1/declarations'));
		await settled(page);
		paging.push(await timed(page, () => page.getByRole('button', { name: '下一页' }).click(), '/v1/declarations'));
	}
	report('declarant\'s list, page load', load);
	report('declarant\'s list, from the menu', menu);
	report('declarant\'s list, next page', paging);
	assert.equal(await page.locator('tbody th a').count(), 100);
	assert.equal(await page.getByRole('button', { name: '上一页' }).isEnabled(), true);
	checkClean(page);
	await page.context().close();
});

test(`an officer's worklist with ${COUNT} declarations`, async () => {
	const page = await open(env.browser, server, { lang: 'zh' });
	await page.context().addInitScript(watchRows);
	await login(page, 'customs');
	const load = [];
	const menu = [];
	for (let i = 0; i < 3; i++) {
		load.push(await timed(page, () => page.goto(`${server.url}/worklist`), '/v1/tasks'));
		await visit(page, '/live');
		menu.push(await timed(page, () => page.getByRole('link', { name: '待办任务' }).click(), '/v1/tasks'));
		await settled(page);
	}
	report('customs\' worklist, page load', load);
	report('customs\' worklist, from the menu', menu);
	assert.match(await page.locator('.count').innerText(), /共 100 项/);
	/* oldest first */
	const opened = await page.locator('tbody tr td.time:not(.num)').allInnerTexts();
	assert.deepEqual([...opened].sort(), opened);
	checkClean(page);
	await page.context().close();
});
