/*
 * test_carrier.mjs - a carrier's day in the browser, in Chinese and in
 * English, against a real kouan (docs/transport.md):
 *   * its start page lists its calls, manifests and conveyance reports
 *     (the demo's Nansha call: original manifest 1 with three bills, the
 *     arrival report granted), and another carrier's are not there;
 *   * a call shows its arrival and entry permission and its own timeline;
 *     a manifest shows its bills;
 *   * a manifest typed in the form with two mistakes (no packages on the
 *     first bill, no goods on the second) is refused with each error at
 *     its bill's field, then lodged once; the declaration that waited for
 *     its line is matched;
 *   * its calls' events appear in the live view, each linked to its call;
 *   * axe finds no serious or critical violation; screenshots.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axe, checkClean, fieldOf, login, open, seaImport, settled, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('carrier');
const { server } = env;

for (const lang of ['zh', 'en']) {
	test(`a carrier's day in ${lang}`, async (t) => {
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'carrier');

		await t.test('its calls, manifests and reports', async () => {
			assert.equal(new URL(page.url()).pathname, '/transport');
			await page.locator('a.code', { hasText: '2|9321378|046E|CNNSA' }).first().waitFor();
			const manifests = await page.locator('section').filter({ has: page.getByRole('heading', { name: L('舱单', 'Manifests'), exact: true }) }).innerText();
			assert.match(manifests, L(/第 1 号舱单\s+原始舱单\s+2\|9321378\|046E\|CNNSA\s+\d+\s+3/, /Manifest 1\s+Original \(import\)\s+2\|9321378\|046E\|CNNSA\s+\d+\s+3/));
			const reports = await page.locator('section').filter({ has: page.getByRole('heading', { name: L('运输工具申报', 'Conveyance reports'), exact: true }) }).innerText();
			assert.match(reports, L(/进境申报\s+2\|9321378\|046E\|CNNSA\s+已准予/, /Arrival\s+2\|9321378\|046E\|CNNSA\s+Granted/));
			/* the airline's and the haulier's calls are theirs */
			const calls = await page.locator('ul.calls li').allInnerTexts();
			assert.ok(calls.every((c) => c.startsWith('2|')), calls.join());
			await axe(page, `transport (${lang})`);
			await shot(page, 'transport');
		});

		await t.test('a call and its timeline; a manifest and its bills', async () => {
			await page.locator('a.code', { hasText: '2|9321378|046E|CNNSA' }).first().click();
			await settled(page);
			const state = await page.locator('.facts').first().innerText();
			assert.match(state, L(/实际抵港\s+\d{4}-/, /Arrived\s+\d{4}-/));
			assert.match(state, L(/准予进境\s+\d{4}-/, /Entry permitted\s+\d{4}-/));
			assert.match(await page.locator('.timeline').innerText(), L(/舱单申报[\s\S]*运输工具申报[\s\S]*准予进境/, /Manifest lodged[\s\S]*Conveyance reported[\s\S]*Entry permitted/));
			await page.getByRole('link', { name: L('第 1 号舱单', 'Manifest 1') }).click();
			await settled(page);
			const bills = await page.locator('tbody').innerText();
			assert.match(bills, /COSU6291830410[\s\S]*COSU8001236 \(CN4410873\)/);
			assert.match(bills, /SPNL2611OSA0087/);
		});

		await t.test('a manifest with mistakes shows them at their bills, then lodges', async () => {
			const voyage = lang === 'zh' ? '061E' : '062E';
			/* a declaration lodged before the manifest waits for its line */
			const decl = seaImport({ bl: `MAN-${lang}-1` });
			decl.conveyance = { ...decl.conveyance, voyage };
			const waiting = await server.lodge('trader', decl, { manifest: false });
			const trader = await server.token('trader');
			assert.equal((await server.must(200, 'GET', `/v1/declarations/${waiting.number}/match`, { token: trader })).match, 'waiting');

			await page.getByRole('link', { name: L('舱单申报', 'Lodge a manifest') }).click();
			await settled(page);
			const form = page.locator('form.manifest');
			const text = (scope, name) => scope.getByRole('textbox', { name, exact: true });
			await text(form, L('运输工具名称', 'Conveyance name')).fill('COSCO SHIPPING ARIES');
			await text(form, L('航次号', 'Voyage or flight')).fill(voyage);
			await text(form, L('船舶IMO编号', 'Ship\'s IMO number')).fill('9321378');
			await text(form, L('口岸', 'Port')).fill('CNNSA');
			await text(form, L('承运人', 'Carrier')).fill('COSCO SHIPPING Lines');
			const bill = (i) => form.locator('fieldset.bill').nth(i);
			await text(bill(0), L('提运单号', 'Bill of lading')).fill(decl.bill_of_lading);
			await text(bill(0), L('发货人', 'Consignor')).fill('Saigon Electronics');
			await text(bill(0), L('收货人', 'Consignee')).fill('Haitong Import & Export');
			await text(bill(0), L('货物描述', 'Goods')).fill('Notebook computers');
			await text(bill(0), L('毛重（千克）', 'Gross weight (kg)')).fill(decl.gross_weight_kg);
			await text(bill(0), L('集装箱号', 'Containers')).fill(`${decl.containers[0]} sl-${lang}-1`);
			await page.getByRole('button', { name: L('添加提运单', 'Add a bill') }).click();
			await text(bill(1), L('提运单号', 'Bill of lading')).fill(`MAN-${lang}-2`);
			await text(bill(1), L('发货人', 'Consignor')).fill('Osaka Tableware');
			await text(bill(1), L('收货人', 'Consignee')).fill('Pengcheng Trading');
			await text(bill(1), L('件数', 'Packages')).fill('40');
			await text(bill(1), L('毛重（千克）', 'Gross weight (kg)')).fill('800.5');

			await form.getByRole('button', { name: L('申报舱单', 'Lodge the manifest') }).click();
			await page.locator('.error-summary').waitFor();
			assert.match(await page.locator('.error-summary').innerText(), L(/有 2 处需要修改/, /2 things to correct/));
			const err = (scope, name) => fieldOf(text(scope, name)).locator('.field-error');
			assert.equal((await err(bill(0), L('件数', 'Packages')).innerText()).trim(), L('必须是 1 至 99999999 的整数', 'must be a whole number from 1 to 99999999'));
			assert.match(await page.locator('.error-summary').innerText(), L(/第 1 票 件数: /, /Bill 1 Packages: /));
			assert.equal((await err(bill(1), L('货物描述', 'Goods')).innerText()).trim(), L('不能为空', 'must not be empty'));
			await axe(page, `manifest form (${lang})`);
			await shot(page, 'manifest-form-errors');

			await text(bill(0), L('件数', 'Packages')).fill(String(decl.packages));
			await text(bill(1), L('货物描述', 'Goods')).fill('Plastic tableware sets');
			await form.getByRole('button', { name: L('申报舱单', 'Lodge the manifest') }).click();
			await page.waitForURL(/\/manifests\/\d+$/);
			await settled(page);
			const id = page.url().split('/').pop();
			assert.match(await page.locator('tbody').innerText(), new RegExp(`MAN-${lang}-1[\\s\\S]*MAN-${lang}-2`));
			const m = await server.must(200, 'GET', `/v1/manifests/${id}`, { token: await server.token('carrier') });
			assert.equal(m.call, `2|9321378|${voyage}|CNNSA`);
			assert.deepEqual(m.manifest.bills.map((b) => [b.bill_of_lading, b.packages, b.gross_weight_kg]),
				[[`MAN-${lang}-1`, decl.packages, decl.gross_weight_kg], [`MAN-${lang}-2`, 40, '800.5']]);
			assert.deepEqual(m.manifest.bills[0].containers, [{ number: decl.containers[0], seals: [`SL-${lang.toUpperCase()}-1`] }]);
			assert.equal((await server.must(200, 'GET', `/v1/declarations/${waiting.number}/match`, { token: trader })).match, 'matched');
		});

		await t.test('its calls\' events appear live, each with its call', async () => {
			await visit(page, '/live');
			await page.locator('.feed-status').filter({ hasText: L('实时动态已连接', 'Live events connected') }).waitFor();
			const body = seaImport({ bl: `LIVE-${lang}` });
			body.conveyance = { ...body.conveyance, voyage: lang === 'zh' ? '063E' : '064E' };
			await server.manifestLine(body);
			const call = `2|9321378|${body.conveyance.voyage}|CNNSA`;
			const item = page.locator('.live-event').filter({ hasText: L('舱单申报', 'Manifest lodged') }).filter({ hasText: call });
			await item.waitFor();
			assert.equal(await item.locator('a').getAttribute('href'), `/calls?call=${encodeURIComponent(call)}`);
			assert.ok(!(await page.locator('.live-log').innerText()).includes('null'));
		});

		checkClean(page);
		await page.context().close();
	});
}
