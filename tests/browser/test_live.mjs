/*
 * test_live.mjs - the live view, in Chinese and in English, against a real
 * kouan: events appear as they happen, without reloading the page, for
 * what the user may see only (a declarant sees its own organisation's
 * declarations, not another trader's); pausing holds them back and
 * resuming shows them. An open declaration follows its own events too,
 * and a list or a worklist misses nothing that happens while it is being
 * read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClean, login, open, seaImport, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('live');
const { server } = env;

const PENGCHENG = '91440300MA5E0THR7G';

/**
 * Visit `screen` with the first GET of `api` answered as it was before a
 * declaration (bill `bl`) is lodged: the answer is fetched, the
 * declaration lodged, then the stale answer given to the page. Resolves
 * to the lodged declaration; the screen must still come to show it.
 */
async function lodgedDuringFirstRead(page, api, screen, bl) {
	let lodged = null;
	const isApi = (u) => u.pathname === api;
	await page.route(isApi, async (route) => {
		if (lodged || route.request().method() !== 'GET') return route.continue();
		const before = await route.fetch();
		lodged = await server.lodge('trader', seaImport({ bl }));
		return route.fulfill({ response: before });
	});
	await visit(page, screen);
	await page.unroute(isApi);
	assert.ok(lodged, `${api} was read`);
	return lodged;
}

for (const lang of ['zh', 'en']) {
	test(`live view in ${lang}`, async (t) => {
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'trader');
		await visit(page, '/live');
		await page.evaluate(() => {
			window.kouanStillHere = true;
		});
		await page.locator('.feed-status').filter({ hasText: L('实时动态已连接', 'Live events connected') }).waitFor();

		await t.test('new events appear without a reload, mine only', async () => {
			const theirs = await server.lodge('trader2', { ...seaImport({ bl: `THEIRS-${lang}` }), declarant_uscc: PENGCHENG, consignee_uscc: PENGCHENG });
			const mine = await server.lodge('trader', seaImport({ bl: `LIVE-${lang}` }));
			const item = page.locator('.live-event').filter({ hasText: mine.number });
			await item.first().waitFor();
			/* newest first */
			assert.match(await page.locator('.live-log').innerText(), L(/受理[\s\S]*申报/, /Accepted[\s\S]*Lodged/));
			await server.decide('customs', mine.number, 'cleared');
			await page.locator('.live-event').filter({ hasText: L('放行', 'Released') }).first().waitFor();
			assert.equal(await page.locator('.live-event').filter({ hasText: theirs.number }).count(), 0);
			assert.equal(await page.evaluate(() => window.kouanStillHere), true);
			await shot(page, 'live');
		});

		await t.test('pausing holds events back', async () => {
			await page.getByRole('button', { name: L('暂停', 'Pause') }).click();
			assert.equal(await page.getByRole('button', { name: L('继续', 'Resume') }).getAttribute('aria-pressed'), 'true');
			const held = await server.lodge('trader', seaImport({ bl: `HELD-${lang}` }));
			await page.waitForTimeout(4000);
			assert.equal(await page.locator('.live-event').filter({ hasText: held.number }).count(), 0);
			await page.getByRole('button', { name: L('继续', 'Resume') }).click();
			await page.locator('.live-event').filter({ hasText: held.number }).first().waitFor();
		});

		await t.test('an open declaration follows its events', async () => {
			const d = await server.lodge('trader', seaImport({ bl: `FOLLOW-${lang}` }));
			await visit(page, `/declarations/${d.number}`);
			await page.evaluate(() => {
				window.kouanStillHere = true;
			});
			await page.locator('#page-title .badge').filter({ hasText: L('已受理', 'Accepted') }).waitFor();
			await server.decide('customs', d.number, 'cleared');
			await page.locator('#page-title .badge').filter({ hasText: L('已放行', 'Released') }).waitFor();
			assert.equal(await page.evaluate(() => window.kouanStillHere), true);
		});

		await t.test('the list hears of what happened while it was read', async () => {
			/* a fresh page load, so the feed has no position yet when the
			 * list is read */
			const lodged = await lodgedDuringFirstRead(page, '/v1/declarations', '/declarations', `RACE-${lang}`);
			await page.locator('tr').filter({ hasText: lodged.number }).first().waitFor();
		});

		await t.test('so does the worklist', async () => {
			/* the task the lodgement opens (customs draws yellow at Nansha) */
			const officer = await open(env.browser, server, { lang });
			await login(officer, 'customs');
			const lodged = await lodgedDuringFirstRead(officer, '/v1/tasks', '/worklist', `RACEW-${lang}`);
			await officer.locator(`a[href="/declarations/${lodged.number}"]`).waitFor();
			checkClean(officer);
			await officer.context().close();
		});

		checkClean(page);
		await page.context().close();
	});
}
