/*
 * test_clearance.mjs - clearance time by stage in the browser, in Chinese
 * and in English, against a real kouan with the demo data and a few
 * declarations released here:
 *   * the analyst opens it from the dashboard; every figure shown (the
 *     totals, the share within the target, each stage's count, mean,
 *     median, p90, p95, maximum and share, the slowest stage, the
 *     outliers) equals GET /v1/statistics/clearance for the same
 *     selection, formatted here independently as hours and minutes;
 *   * the charts are drawn; the hour and weekday tables are the API's;
 *   * an outlier's link opens its declaration, whose clearance-time
 *     section equals GET /v1/declarations/{number}/clearance-time;
 *   * a narrower selection (lane) and a bad target (the server's problem
 *     at the target's field);
 *   * each CSV download is the API's CSV for the selection;
 *   * the declarant sees its own declaration's stages;
 *   * kept current: a declaration released while the screen is open is
 *     counted on it without a reload;
 *   * axe finds no serious or critical violation; a screenshot.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { T, axe, checkClean, login, open, seaImport, settled, shot, suite, visit } from './kouan_browser.mjs';

/* four imports released now (their totals are seconds), so that the
 * demo's import measured from its ship's arrival an hour earlier is an
 * outlier; the carrier first adds their bills to the call's manifest */
const BILLS = ['CT-BILL-0', 'CT-BILL-1', 'CT-BILL-2', 'CT-BILL-3'];

function body(bl) {
	const b = seaImport({ bl });
	delete b.containers;
	return b;
}

async function manifestLines(server, bills = BILLS) {
	const token = await server.token('carrier');
	const call = encodeURIComponent('2|9321378|046E|CNNSA');
	const [found] = (await server.must(200, 'GET', `/v1/manifests?kind=original&call=${call}`, { token })).manifests;
	const path = `/v1/manifests/${found.id}`;
	const m = (await server.must(200, 'GET', path, { token })).manifest;
	for (const bl of bills) {
		const b = body(bl);
		m.bills.push({ bill_of_lading: bl, consignor: { name: 'Shipper' }, consignee: { name: 'Consignee' },
			goods_description: b.items[0].description, packages: b.packages, package_kind: 'CT', gross_weight_kg: b.gross_weight_kg });
	}
	await server.must(200, 'PUT', path, { token, body: m });
}

const env = suite('clearance', {
	setUp: async (server) => {
		await manifestLines(server);
		for (const bl of BILLS) {
			const d = await server.lodge('trader', body(bl));
			await server.decide('customs', d.number, 'cleared', 'documents in order');
			const after = await server.must(200, 'GET', `/v1/declarations/${d.number}`, { token: await server.token('trader') });
			if (after.status !== 'released') throw new Error(`${d.number} is ${after.status}: ${JSON.stringify(after).slice(0, 600)}`);
		}
	},
});
const { server } = env;

const WORDS = {
	zh: {
		s: (s) => `${s}秒`, m: (m) => `${m}分`, hm: (h, m) => `${h}小时${m}分`,
		stage: {
			manifest: '舱单申报', lodgement: '报关单申报', acceptance: '受理', risk: '风险研判', document_review: '审单',
			inspection_booked: '预约查验', inspected: '查验', assessed: '税费核定', paid: '缴税或担保', released: '放行',
			gate_out: '提离', loading: '装船', departure: '离港', correction: '退单修改',
		},
		party: { trader: '企业', agency: '监管部门', terminal: '港口' },
	},
	en: {
		s: (s) => `${s} s`, m: (m) => `${m} min`, hm: (h, m) => `${h} h ${m} min`,
		stage: {
			manifest: 'Manifest', lodgement: 'Lodgement', acceptance: 'Acceptance', risk: 'Risk assessment', document_review: 'Document review',
			inspection_booked: 'Inspection booked', inspected: 'Inspection', assessed: 'Duties assessed', paid: 'Paid or guaranteed', released: 'Release',
			gate_out: 'Gate-out', loading: 'Loading', departure: 'Departure', correction: 'Correction',
		},
		party: { trader: 'Trader', agency: 'Agency', terminal: 'Terminal' },
	},
};

/** Seconds as the screen should show them (hand-written rule: seconds
 * under a minute, else hours and minutes rounded to the minute). */
function dur(lang, s) {
	const w = WORDS[lang];
	if (s < 60) return w.s(s);
	const min = Math.round(s / 60);
	const h = Math.floor(min / 60);
	const m = min % 60;
	return h ? w.hm(h.toLocaleString('en-GB'), String(m).padStart(2, '0')) : w.m(m);
}

function pct(share) {
	return `${(Math.round(Number(share) * 1000) / 10).toFixed(1)}%`;
}

async function api(user, path) {
	return server.must(200, 'GET', path, { token: await server.token(user) });
}

async function cells(row) {
	return (await row.locator('th, td').allInnerTexts()).map((x) => x.trim());
}

/** The stage table of a direction shown, against the API's figures. */
async function checkStages(page, dir, want) {
	const lang = page.lang;
	const rows = page.locator(`section[data-direction="${dir}"] .table-wrap`).first().locator('tbody tr');
	assert.equal(await rows.count(), want.stages.length + 1);
	for (let i = 0; i < want.stages.length; i++) {
		const s = want.stages[i];
		const got = await cells(rows.nth(i));
		const d = (v) => (s.count ? dur(lang, v) : '—');
		assert.deepEqual(got.slice(2), [String(s.count), d(s.mean_s), d(s.median_s), d(s.p90_s), d(s.p95_s), d(s.max_s), pct(s.share_of_time)],
			`${dir} stage ${s.stage}`);
		assert.equal(got[0], WORDS[lang].stage[s.stage]);
		assert.equal(got[1], WORDS[lang].party[s.party]);
	}
	const total = await cells(rows.nth(want.stages.length));
	const tt = want.total;
	assert.deepEqual(total.slice(2, 8), [String(tt.count), dur(lang, tt.mean_s), dur(lang, tt.median_s), dur(lang, tt.p90_s),
		dur(lang, tt.p95_s), dur(lang, tt.max_s)]);
}

for (const lang of ['zh', 'en']) {
	test(`clearance time in ${lang}`, async (t) => {
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		const tile = (dir, key) => page.locator(`section[data-direction="${dir}"] [data-tile="${key}"] .tile-value`);
		let query;
		let want;

		await t.test('opened from the dashboard, the figures are the API\'s', async () => {
			await login(page, 'analyst');
			await page.getByRole('link', { name: L('按环节的通关时效分析', 'Clearance time by stage') }).click();
			await settled(page);
			assert.equal(new URL(page.url()).pathname, '/clearance');
			await page.locator('.ct-results[data-ready="true"]').waitFor();
			const from = await page.getByLabel(L('申报日期自', 'Lodged from')).inputValue();
			const to = await page.getByLabel(L('申报日期至（不含）', 'Lodged before')).inputValue();
			/* the last 30 days of the port's calendar, today included */
			const shanghai = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
			assert.equal(to, shanghai(Date.now() + 86400000));
			assert.equal(from, shanghai(Date.now() - 29 * 86400000));
			query = `from=${from}&to=${to}&tz=%2B08:00`;
			want = await api('analyst', `/v1/statistics/clearance?${query}`);
			const imp = want.import;
			/* the demo's two released imports and the four released here */
			assert.equal(imp.total.count, 6);
			assert.equal(want.export.total.count, 0);

			assert.equal(await tile('import', 'count').innerText(), String(imp.total.count));
			assert.equal(await tile('import', 'median').innerText(), dur(lang, imp.total.median_s));
			assert.equal(await tile('import', 'p90').innerText(), dur(lang, imp.total.p90_s));
			assert.equal(await tile('import', 'mean').innerText(), dur(lang, imp.total.mean_s));
			assert.equal(imp.targets[0].target_s, 144000);
			assert.equal(await tile('import', 'target-144000').innerText(), pct(imp.targets[0].share));
			await checkStages(page, 'import', imp);
			const slowest = imp.stages.find((s) => s.stage === imp.slowest_stage);
			assert.equal(await page.locator('section[data-direction="import"] .ct-slowest-line').innerText(),
				L(`用时最长的环节：${WORDS.zh.stage[slowest.stage]}（${WORDS.zh.party[slowest.party]}，占 ${pct(slowest.share_of_time)}）`,
					`Slowest stage: ${WORDS.en.stage[slowest.stage]} (${WORDS.en.party[slowest.party]}, ${pct(slowest.share_of_time)} of the time)`));
			assert.equal(await tile('export', 'count').innerText(), '0');
		});

		await t.test('the charts are drawn and their tables are the API\'s', async () => {
			const inked = await page.evaluate(() => [...document.querySelectorAll('section[data-direction="import"] .chart-canvas canvas')].map((c) => {
				const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
				let n = 0;
				for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
				return n;
			}));
			assert.equal(inked.length, 3);
			for (const n of inked) assert.ok(n > 2000, `a chart has only ${n} pixels of ink`);
			const figure = (id) => page.locator('figure.chart').filter({ has: page.locator(`[data-chart="${id}"]`) });
			await figure('hours').locator('summary').click();
			const hours = want.import.hour_of_day.filter((g) => g.count);
			const rows = figure('hours').locator('tbody tr');
			assert.equal(await rows.count(), hours.length);
			for (let i = 0; i < hours.length; i++)
				assert.deepEqual(await cells(rows.nth(i)), [`${String(hours[i].hour).padStart(2, '0')}:00`, String(hours[i].count),
					dur(lang, hours[i].mean_s), dur(lang, hours[i].median_s)]);
			await figure('weekdays').locator('summary').click();
			const days = figure('weekdays').locator('tbody tr');
			assert.equal(await days.count(), 7);
			const monday = await cells(days.first());
			assert.equal(monday[0], L('星期一', 'Monday'));
			assert.equal(monday[1], String(want.import.weekday[0].count));
			await page.evaluate(() => {
				document.querySelectorAll('details[open]').forEach((d) => { d.open = false; });
				window.scrollTo(0, 0);
			});
			await axe(page, 'the clearance-time screen');
			await shot(page, 'clearance');
		});

		await t.test('an outlier opens its declaration, whose stages are its own', async () => {
			const out = want.import.outliers;
			assert.ok(out.count >= 1, 'the demo\'s import measured from arrival is an outlier');
			const section = page.locator('section[data-direction="import"] .ct-outliers');
			const first = out.listed[0];
			const row = section.locator('tbody tr').first();
			assert.deepEqual(await cells(row), [first.number, dur(lang, first.total_s), WORDS[lang].stage[first.slowest_stage],
				dur(lang, first.slowest_s)]);
			await row.getByRole('link', { name: first.number }).click();
			await settled(page);
			assert.equal(new URL(page.url()).pathname, `/declarations/${first.number}`);
			const m = await api('analyst', `/v1/declarations/${first.number}/clearance-time`);
			assert.equal(m.total_s, first.total_s);
			const ct = page.locator('.clearance-time');
			await ct.locator('tbody tr').first().waitFor();
			assert.equal(await ct.locator('.ct-total').getAttribute('data-s'), String(m.total_s));
			assert.ok((await ct.locator('.ct-total').innerText()).includes(dur(lang, m.total_s)));
			const rows = ct.locator('tbody tr');
			assert.equal(await rows.count(), m.stages.length);
			for (let i = 0; i < m.stages.length; i++) {
				const c = await cells(rows.nth(i));
				assert.equal(c[0], WORDS[lang].stage[m.stages[i].stage]);
				assert.equal(c[1], WORDS[lang].party[m.stages[i].party]);
				assert.equal(c[2], dur(lang, m.stages[i].seconds));
			}
			await axe(page, 'a declaration with its clearance time');
			await page.goBack();
			await settled(page);
			await page.locator('.ct-results[data-ready="true"]').waitFor();
		});

		await t.test('a narrower selection, and a bad target named at its field', async () => {
			await page.getByLabel(L('通道', 'Lane'), { exact: true }).selectOption('yellow');
			await page.getByLabel(L('进出口', 'Direction')).selectOption('import');
			await page.getByRole('button', { name: L('统计', 'Show') }).click();
			await page.waitForURL((u) => u.searchParams.get('lane') === 'yellow');
			await page.locator('.ct-results[data-ready="true"]').waitFor();
			const narrow = await api('analyst', `/v1/statistics/clearance?${query}&lane=yellow&direction=import`);
			assert.equal(await page.locator('section[data-direction]').count(), 1);
			assert.equal(await tile('import', 'count').innerText(), String(narrow.import.total.count));
			await checkStages(page, 'import', narrow.import);

			const target = page.getByLabel(L('进口时效目标', 'Import targets'));
			await target.fill('soon');
			await page.getByRole('button', { name: L('统计', 'Show') }).click();
			const bad = await server.call('GET', `/v1/statistics/clearance?${query}&target_import=soon`, { token: await server.token('analyst') });
			assert.equal(bad.status, 400);
			const problem = bad.json.errors.find((e) => e.field === 'query:target_import');
			assert.ok(problem);
			await page.locator('.error-summary:not([hidden])').waitFor();
			assert.equal(await target.getAttribute('aria-invalid'), 'true');
			const shown = (await page.locator('.field').filter({ has: target }).locator('.field-error').innerText()).trim();
			assert.equal(shown, L('最多 8 个时长，如 40h、32.02h、90m 或 3600s，以逗号分隔', problem.problem));
			await target.fill('');
			await page.getByRole('button', { name: L('统计', 'Show') }).click();
			await page.locator('.ct-results[data-ready="true"]').waitFor();
			assert.equal(await page.locator('.error-summary').isHidden(), true);
		});

		await t.test('each table downloads as the API\'s CSV', async () => {
			const sel = new URL(page.url()).searchParams;
			sel.set('tz', '+08:00');
			for (const name of ['stages', 'hours', 'weekdays', 'outliers', 'targets']) {
				const [download] = await Promise.all([
					page.waitForEvent('download'),
					page.locator(`.ct-csv button[data-table="${name}"]`).click(),
				]);
				assert.equal(download.suggestedFilename(), `clearance-${name}.csv`);
				const got = fs.readFileSync(await download.path(), 'utf8');
				const r = await server.call('GET', `/v1/statistics/clearance?${sel}&format=csv&table=${name}`, { token: await server.token('analyst') });
				assert.equal(r.status, 200);
				assert.equal(got, r.text);
				assert.match(got, /^direction,/);
			}
		});

		checkClean(page);
		await page.context().close();
	});
}

test('the declarant sees its own declaration\'s stages', async () => {
	const token = await server.token('trader');
	const mine = (await server.must(200, 'GET', '/v1/declarations?status=released&limit=50', { token })).declarations[0];
	const m = await api('trader', `/v1/declarations/${mine.number}/clearance-time`);
	const page = await open(env.browser, server, { lang: 'en' });
	await login(page, 'trader');
	await visit(page, `/declarations/${mine.number}`);
	const ct = page.locator('.clearance-time');
	await ct.locator('tbody tr').first().waitFor();
	assert.equal(await ct.locator('tbody tr').count(), m.stages.length);
	assert.equal(await ct.locator('.ct-total').getAttribute('data-s'), String(m.total_s));
	checkClean(page);
	await page.context().close();
});

test('on a phone nothing scrolls sideways but the tables', async () => {
	const page = await open(env.browser, server, { lang: 'zh', width: 390, height: 844 });
	await login(page, 'analyst');
	await visit(page, '/clearance');
	await page.locator('.ct-results[data-ready="true"]').waitFor();
	const over = await page.evaluate(() => {
		const doc = document.documentElement;
		const wide = [...document.querySelectorAll('body *')].filter((el) => {
			if (el.closest('.table-wrap, .toasts')) return false;
			const r = el.getBoundingClientRect();
			return r.width > 0 && r.right > doc.clientWidth + 1;
		}).slice(0, 3).map((el) => `${el.tagName}.${el.className}`);
		return { scroll: doc.scrollWidth - doc.clientWidth, wide };
	});
	assert.ok(over.scroll <= 1 && !over.wide.length, `wider than a phone: ${JSON.stringify(over)}`);
	await axe(page, 'the clearance-time screen on a phone');
	checkClean(page);
	await page.context().close();
});

test('kept current: a release while the screen is open is counted', async () => {
	const page = await open(env.browser, server, { lang: 'en' });
	await login(page, 'analyst');
	await visit(page, '/clearance');
	await page.locator('.ct-results[data-ready="true"]').waitFor();
	const count = page.locator('section[data-direction="import"] [data-tile="count"] .tile-value');
	const before = Number(await count.innerText());
	await page.locator('.feed-state.live').waitFor({ state: 'attached' }); /* following the feed */
	/* another import released now, through the API */
	await manifestLines(server, ['CT-BILL-LIVE']);
	const d = await server.lodge('trader', body('CT-BILL-LIVE'));
	await server.decide('customs', d.number, 'cleared', 'documents in order');
	/* the feed brings its events; the screen asks again within its 10 s */
	await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.textContent) === n,
		['section[data-direction="import"] [data-tile="count"] .tile-value', before + 1], { timeout: 30000 });
	assert.equal(await page.locator('.ct-results').getAttribute('data-ready'), 'true');
	checkClean(page);
	await page.context().close();
});
