/*
 * test_import.mjs - a declarant lodges many declarations at once in the
 * browser, from files (/declarations/import) or from the drafts, against a
 * real kouan:
 *   * three files chosen at once: one good declaration, one with a
 *     commodity code not in the table, one that is not JSON; the good one
 *     is lodged (its number links to it, and the API shows it), the wrong
 *     one refused with its field as it is in its file, the third not read
 *     and never sent;
 *   * the same good file imported again is answered with the same number,
 *     lodged before, not lodged twice;
 *   * 101 files go in two batches, 100 and 1, and are all lodged;
 *   * the refused one opens in the declaration form as a draft;
 *   * every new draft lodged at once from the drafts, each under its own
 *     key: the lodged one thrown away, the refused one kept with its
 *     problem and a link to it, a correction left alone;
 *   * the screen in Chinese, reached from the menu, with its results.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axe, checkClean, DEMO, login, open, seaImport, settled, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('import');
const { server } = env;

const file = (name, obj) => ({
	name, mimeType: 'application/json',
	buffer: Buffer.from(typeof obj === 'string' ? obj : JSON.stringify(obj)),
});

test('declarations lodged from files', async (t) => {
	const page = await open(env.browser, server, { lang: 'en' });
	const L = (zh, en) => T(page, zh, en);
	await login(page, 'trader');
	await visit(page, '/declarations/import');
	const good = seaImport({ bl: `IMPORT${Date.now()}` });
	const wrong = seaImport({ bl: `IMPORTW${Date.now()}` });
	wrong.items[0].hs_code = '8471300001';
	good.advance = wrong.advance = true; /* before the carrier's manifest */
	const chooser = page.getByLabel(L('报关单文件（JSON，可多选）', 'Declaration files (JSON, several at once)'));
	const lodge = page.getByRole('button', { name: L('全部申报', 'Lodge them all') });
	const row = (name) => page.locator('tbody tr').filter({ has: page.locator('th', { hasText: name }) });
	let number;

	await t.test('each file lodged, refused or not read on its own', async () => {
		await chooser.setInputFiles([file('good.json', good), file('wrong.json', wrong),
			file('notes.json', 'these are not a declaration')]);
		await lodge.click();
		await page.getByRole('status').filter({ hasText: 'Lodged 1 of 3; not lodged: 2.' }).waitFor();
		const link = row('good.json').getByRole('link');
		number = await link.innerText();
		assert.match(number, /^\d{18}$/);
		assert.match(await row('good.json').innerText(), /Lodged \d{18}/);
		const lodged = await server.must(200, 'GET', `/v1/declarations/${number}`, { token: await server.token('trader') });
		assert.equal(lodged.declaration.bill_of_lading, good.bill_of_lading);
		const refused = await row('wrong.json').innerText();
		assert.match(refused, /^wrong\.json\s+Refused:/);
		assert.match(refused, /\/items\/0\/hs_code: /, 'the field as it is in the file');
		assert.doesNotMatch(refused, /\/declarations\/\d/, 'not the field in the batch sent');
		assert.match(await row('notes.json').innerText(), /Not read: not JSON/);
		await axe(page, 'import results');
		await shot(page, 'import-results');
	});

	await t.test('the same file again is not lodged twice', async () => {
		await chooser.setInputFiles([file('good-again.json', good)]);
		await lodge.click();
		await page.getByRole('status').filter({ hasText: 'Lodged 1 of 1; not lodged: 0.' }).waitFor();
		assert.equal(await row('good-again.json').getByRole('link').innerText(), number);
		assert.match(await row('good-again.json').innerText(), /Lodged before/);
	});

	await t.test('more than a batch: 101 files in two', async () => {
		const many = Array.from({ length: 101 }, (_, i) => {
			const d = seaImport({ bl: `IMPORTM${Date.now()}N${i}` });
			d.advance = true;
			return file(`many-${String(i).padStart(3, '0')}.json`, d);
		});
		const batches = [];
		page.on('request', (r) => {
			if (r.url().endsWith('/v1/declarations/batch')) batches.push(r.postDataJSON().declarations.length);
		});
		await chooser.setInputFiles(many);
		await lodge.click();
		await page.getByRole('status').filter({ hasText: 'Lodged 101 of 101; not lodged: 0.' }).waitFor({ timeout: 120000 });
		assert.equal(await page.locator('tbody tr a').count(), 101, 'a number each');
		assert.deepEqual(batches, [100, 1], 'sent 100 at a time');
	});

	await t.test('a refused file is corrected in the form', async () => {
		await chooser.setInputFiles([file('wrong.json', wrong)]);
		await lodge.click();
		await page.getByRole('button', { name: 'Correct it in the form wrong.json' }).click();
		await page.waitForURL((u) => u.pathname.startsWith('/drafts/'));
		await settled(page);
		assert.equal(await page.getByRole('textbox', { name: 'Bill of lading', exact: true }).inputValue(),
			wrong.bill_of_lading);
		await visit(page, '/drafts');
		await page.locator('tbody th').filter({ hasText: wrong.bill_of_lading }).waitFor();
	});
	checkClean(page);
	await page.context().close();
});

test('every new draft lodged together', async () => {
	const page = await open(env.browser, server, { lang: 'en' });
	await login(page, 'trader');
	const good = seaImport({ bl: `DRAFTG${Date.now()}` });
	const wrong = seaImport({ bl: `DRAFTW${Date.now()}` });
	good.advance = wrong.advance = true;
	wrong.items[0].unit_price = 'a lot';
	/* two drafts as the form keeps them, and a correction, which is not lodged here */
	await page.evaluate(([g, w, fix]) => {
		const now = new Date().toISOString();
		const draft = (id, body, correcting = null) => ({ id, key: `kouan-web-${id}-${Date.now()}`, created_at: now, updated_at: now, body, correcting });
		localStorage.setItem('kouan.drafts.trader', JSON.stringify([
			draft('d-good', g), draft('d-wrong', w), draft('d-fix', w, fix)]));
	}, [good, wrong, DEMO.apples]);
	await visit(page, '/drafts');
	await page.getByRole('button', { name: 'Lodge every new draft (2)' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Lodge', exact: true }).click();
	await page.getByRole('status').filter({ hasText: 'Lodged 1 of 2; not lodged: 1.' }).waitFor();
	const results = page.locator('section').filter({ has: page.getByRole('heading', { name: 'What became of them' }) });
	const number = await results.locator('tbody tr').filter({ hasText: good.bill_of_lading }).getByRole('link').innerText();
	const lodged = await server.must(200, 'GET', `/v1/declarations/${number}`, { token: await server.token('trader') });
	assert.equal(lodged.declaration.bill_of_lading, good.bill_of_lading);
	assert.match(await results.locator('tbody tr').filter({ hasText: wrong.bill_of_lading }).innerText(),
		/Refused:.*\/unit_price: /s, 'the field as it is in the draft');
	/* the lodged one is gone, the refused one and the correction stay */
	const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('kouan.drafts.trader')).map((d) => d.id).sort());
	assert.deepEqual(kept, ['d-fix', 'd-wrong']);
	await page.getByRole('button', { name: 'Lodge every new draft (1)' }).waitFor();
	await axe(page, 'drafts lodged');
	await shot(page, 'drafts-lodged');
	await results.getByRole('link', { name: `Open the draft ${wrong.bill_of_lading}`, exact: false }).click();
	await page.waitForURL((u) => u.pathname === '/drafts/d-wrong');
	checkClean(page);
	await page.context().close();
});

test('the import screen in Chinese, from the menu', async () => {
	const page = await open(env.browser, server, { lang: 'zh' });
	await login(page, 'trader');
	await page.getByRole('link', { name: '从文件导入' }).click();
	await settled(page);
	assert.equal(await page.locator('#page-title').innerText(), '从文件导入报关单');
	await page.getByRole('button', { name: '全部申报' }).click();
	await page.getByText('请先选择文件。').waitFor();
	const good = seaImport({ bl: `IMPORTZ${Date.now()}` });
	const wrong = seaImport({ bl: `IMPORTZW${Date.now()}` });
	wrong.items[0].hs_code = '8471300001';
	good.advance = wrong.advance = true;
	await page.getByLabel('报关单文件（JSON，可多选）').setInputFiles([file('笔记本电脑-01.json', good),
		file('笔记本电脑-02.json', wrong)]);
	await page.getByRole('button', { name: '全部申报' }).click();
	await page.getByRole('status').filter({ hasText: '共 2 个文件，已申报 1 份，未申报 1 份。' }).waitFor();
	await shot(page, 'import-results');
	checkClean(page);
	await page.context().close();
});
