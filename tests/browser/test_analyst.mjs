/*
 * test_analyst.mjs - the port office analyst in the browser, in Chinese
 * and in English, against a real kouan:
 *   * the dashboard's figures are those of the real data, counted here
 *     independently from the API (declarations lodged per direction, the
 *     lanes of the assessments, releases and their median time, statuses);
 *   * each chart is really drawn (its canvas has ink) and has its numbers
 *     in a table;
 *   * a declaration lodged meanwhile is counted without a reload;
 *   * any agency's worklist can be read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T, checkClean, login, open, seaImport, shot, suite, visit } from './kouan_browser.mjs';

/* some traffic: reviewed and released, returned, a red lane */
const env = suite('analyst', {
	setUp: async (server) => {
		for (let i = 0; i < 3; i++) {
			const d = await server.lodge('trader', seaImport({ bl: `DASH-${i}` }));
			if (i < 2) await server.decide('customs', d.number, 'cleared');
			else await server.decide('customs', d.number, 'return', 'wrong weight');
		}
		await server.lodge('trader', seaImport({ bl: 'DASH-RED', apples: true }));
	},
});
const { server } = env;

function shanghaiDay(iso) {
	return new Date(Date.parse(iso) + 8 * 3600000).toISOString().slice(0, 10);
}

/** The figures, counted from the API the hard way. */
async function expected() {
	const token = await server.token('analyst');
	const decls = (await server.must(200, 'GET', '/v1/declarations?limit=500', { token })).declarations;
	// the whole feed, page by page (the demo's parcels make it long)
	const events = [];
	for (let after = '0'; ;) {
		const page = await server.must(200, 'GET', `/v1/events?after=${after}&limit=500`, { token });
		events.push(...page.events);
		if (page.events.length === 0 || page.cursor === after) break;
		after = page.cursor;
	}
	const today = shanghaiDay(new Date().toISOString());
	const lodgedToday = decls.filter((d) => shanghaiDay(d.lodged_at) === today);
	const hours = decls.filter((d) => d.released_at && shanghaiDay(d.released_at) === today)
		.map((d) => (Date.parse(d.released_at) - Date.parse(d.lodged_at)) / 3600000).sort((a, b) => a - b);
	const lanes = { green: 0, blue: 0, yellow: 0, red: 0 };
	for (const e of events)
		if (e.type === 'declaration.assessed' && shanghaiDay(e.at) === today)
			for (const l of Object.values(e.data.lanes)) lanes[l]++;
	return {
		today,
		imports: lodgedToday.filter((d) => d.direction === 'import').length,
		exports: lodgedToday.filter((d) => d.direction === 'export').length,
		released: hours.length,
		median: hours.length ? hours[Math.ceil(hours.length / 2) - 1] : null,
		lanes,
		returned: lodgedToday.filter((d) => d.status === 'returned').length,
	};
}

/** The data table row of today in a chart's table. */
async function todayRow(page, chart, today) {
	const figure = page.locator('figure.chart').filter({ has: page.locator(`[data-chart="${chart}"]`) });
	await figure.locator('summary').click();
	const row = figure.locator('tbody tr').filter({ has: page.locator('th', { hasText: today }) });
	return (await row.locator('td').allInnerTexts()).map((x) => x.trim());
}

for (const lang of ['zh', 'en']) {
	test(`analyst's dashboard in ${lang}`, async (t) => {
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'analyst');
		const want = await expected();

		await t.test('the figures are those of the data', async () => {
			assert.equal(new URL(page.url()).pathname, '/dashboard');
			await page.locator('.charts[data-ready="true"]').waitFor();
			const tiles = await page.locator('.tile-value').allInnerTexts();
			assert.equal(tiles[0], String(want.imports + want.exports));
			assert.equal(tiles[1], String(want.released));
			assert.deepEqual(await todayRow(page, 'lodged', want.today), [String(want.imports), String(want.exports)]);
			assert.deepEqual(await todayRow(page, 'lanes', want.today),
				[want.lanes.green, want.lanes.blue, want.lanes.yellow, want.lanes.red].map(String));
			const release = await todayRow(page, 'release', want.today);
			assert.equal(release[0], String(want.released));
			assert.equal(release[1], new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 1 }).format(want.median));
			const status = page.locator('figure.chart').filter({ has: page.locator('[data-chart="status"]') });
			await status.locator('summary').click();
			const returned = status.locator('tbody tr').filter({ hasText: L('已退单', 'Returned') });
			assert.equal((await returned.locator('td').innerText()).trim(), String(want.returned));
		});

		await t.test('every chart is drawn', async () => {
			const inked = await page.evaluate(() => [...document.querySelectorAll('.chart-canvas canvas')].map((c) => {
				const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
				let n = 0;
				for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
				return n;
			}));
			assert.equal(inked.length, 4);
			for (const n of inked) assert.ok(n > 2000, `a chart has only ${n} pixels of ink`);
			await page.evaluate(() => document.querySelectorAll('details[open]').forEach((d) => { d.open = false; }));
			await shot(page, 'dashboard');
		});

		await t.test('a declaration lodged meanwhile is counted', async () => {
			const before = Number(await page.locator('.tile-value').first().innerText());
			await server.lodge('trader', seaImport({ bl: `DASH-LIVE-${lang}` }));
			await page.waitForFunction((n) => document.querySelector('.tile-value')?.textContent === String(n), before + 1, { timeout: 30000 });
		});

		await t.test('any agency\'s worklist', async () => {
			await visit(page, '/worklist');
			await page.getByLabel(L('单位', 'Agency')).selectOption('quarantine');
			await page.getByLabel(L('任务状态', 'Task status')).selectOption('inspecting');
			await page.locator('tbody th a').first().waitFor();
			const rows = await page.locator('tbody .badge').allInnerTexts();
			assert.ok(rows.includes(L('查验中', 'Inspecting')));
		});

		checkClean(page);
		await page.context().close();
	});
}
