/*
 * test_latest.mjs - lists read again for another filter show what the
 * filter chosen last asks for, whichever answer comes back first, against
 * a real kouan (in English; the guard is the same in either language).
 * Each time the answer to the earlier read is held until the later one is
 * on the page, then given to it:
 *   * the auditor searches the audit log by an actor, thinks better of it
 *     and clears the search: the records stay, not the empty search;
 *   * the administrator opens one reference list, then another: the
 *     entries shown are the second list's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answeredLate, checkClean, login, open, suite, T, visit } from './kouan_browser.mjs';

const env = suite('latest');
const { server } = env;

test('the audit log shows the search made last', async () => {
	const page = await open(env.browser, server, { lang: 'en' });
	const L = (zh, en) => T(page, zh, en);
	await login(page, 'auditor');
	await visit(page, '/audit');
	const records = page.locator('.results tbody th');
	await records.first().waitFor();
	const actor = page.getByRole('textbox', { name: L('操作人', 'Actor'), exact: true });
	await answeredLate(page, (u) => u.pathname === '/v1/audit' && u.searchParams.get('actor') === 'nobody',
		async () => {
			await actor.fill('nobody');
			await page.getByRole('button', { name: L('查询', 'Search') }).click();
		},
		async () => {
			await page.getByRole('button', { name: L('清除条件', 'Clear') }).click();
			await records.first().waitFor();
		});
	assert.equal(await actor.inputValue(), '');
	assert.equal(new URL(page.url()).search, '');
	assert.equal(await page.locator('.results td.empty').count(), 0);
	assert.ok(await records.count() > 0);
	assert.match(await page.locator('.count').innerText(), L(/^本页 \d+ 条/, /^\d+ records on this page/));
	checkClean(page);
	await page.context().close();
});

test('the reference screen shows the list chosen last', async () => {
	const page = await open(env.browser, server, { lang: 'en' });
	const L = (zh, en) => T(page, zh, en);
	await login(page, 'admin');
	await visit(page, '/admin/reference');
	const list = page.getByLabel(L('参数表', 'List'));
	const codes = page.locator('tbody th .code');
	await codes.first().waitFor();
	const currencies = (await server.must(200, 'GET', '/v1/reference/currencies', { token: await server.token('admin') }))
		.entries.map((e) => e.code).slice(0, 100);
	assert.ok(currencies.includes('CNY'));
	await answeredLate(page, (u) => u.pathname === '/v1/reference/countries',
		() => list.selectOption('countries'),
		async () => {
			await list.selectOption('currencies');
			await codes.filter({ hasText: /^CNY$/ }).waitFor();
		});
	assert.deepEqual(await codes.allInnerTexts(), currencies);
	assert.equal(new URL(page.url()).searchParams.get('list'), 'currencies');
	checkClean(page);
	await page.context().close();
});
