/*
 * test_declarant.mjs - a declarant's day in the browser, in Chinese (as
 * the trader) and in English (as the broker, declaring for Haitong),
 * against a real kouan:
 *   * Haitong gives the broker an electronic mandate (委托) on its
 *     Mandates screen, and the broker sees the mandate it holds;
 *   * the language switch is remembered across a reload;
 *   * a declaration typed with reference pickers (an office by its code, a
 *     commodity found by its Chinese name, another by its code) and two
 *     mistakes is refused with each error shown at its field, kept as a
 *     draft, then corrected and lodged once;
 *   * the list filters by status and by bill of lading; the timeline shows
 *     the steps;
 *   * a returned declaration is corrected (version 2); a declaration is
 *     withdrawn with a reason;
 *   * the joint inspection is booked, moved and cancelled on the schedule
 *     of the port's local day;
 *   * a released declaration's notice is downloaded and verified;
 *   * Haitong sees what the broker lodged for it, marked so and read
 *     only (no correction, no withdrawal);
 *   * logging out revokes the token.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import {
	checkClean, fieldError, login, open, ORG, picker, seaImport, settled, shot, suite, T, visit,
} from './kouan_browser.mjs';

const env = suite('declarant');
const { server } = env;

/* the trader declares for its own company, Haitong; the broker for Haitong
 * too, under the mandate Haitong gives it in the browser */
const PEOPLE = [
	{ lang: 'zh', user: 'trader', uscc: ORG.haitong, container: 'CSQU3054383' },
	{ lang: 'en', user: 'broker', uscc: ORG.suitong, forHaitong: true, container: 'CSQU3054399' },
];

function tomorrowInShanghai() {
	const t = new Date(Date.now() + 8 * 3600000 + 86400000);
	return t.toISOString().slice(0, 10);
}

for (const who of PEOPLE) {
	const mine = (extra = {}) => ({ ...seaImport(extra), declarant_uscc: who.uscc });

	test(`declarant's day in ${who.lang}`, async (t) => {
		const page = await open(env.browser, server, { lang: who.lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, who.user);

		if (who.forHaitong) {
			await t.test('Haitong gives the broker a mandate', async () => {
				const haitong = await open(env.browser, server, { lang: who.lang });
				await login(haitong, 'trader');
				await haitong.getByRole('link', { name: L('委托关系', 'Mandates') }).click();
				await settled(haitong);
				await haitong.getByRole('textbox', { name: L('受托单位（统一社会信用代码）', 'Agent (USCC)'), exact: true }).fill(who.uscc);
				await haitong.getByLabel(L('委托范围', 'Scope')).selectOption('import');
				await haitong.getByRole('button', { name: L('出具委托', 'Give the mandate') }).click();
				const row = haitong.locator('tbody tr').filter({ hasText: 'Suitong Customs Brokerage' });
				await row.waitFor();
				assert.match(await row.innerText(), L(/进口[\s\S]*有效/, /Imports[\s\S]*In force/));
				checkClean(haitong);
				await haitong.context().close();
				/* the broker holds it */
				await visit(page, '/mandates');
				const held = page.locator('section').filter({ has: page.getByRole('heading', { name: L('本单位持有的委托', 'Mandates you hold') }) });
				await held.locator('tbody tr').filter({ hasText: 'Haitong Import & Export' }).waitFor();
				await visit(page, '/declarations');
			});
		}

		await t.test('the start page is the list of my declarations', async () => {
			assert.equal(await page.locator('#page-title').innerText(), L('我的报关单', 'My declarations'));
		});

		if (who.lang === 'zh') {
			await t.test('switching language is remembered', async () => {
				await page.getByRole('button', { name: 'English' }).click();
				await page.getByRole('button', { name: 'Log out' }).waitFor();
				await page.reload();
				await page.getByRole('button', { name: 'Log out' }).waitFor();
				assert.equal(await page.getAttribute('html', 'lang'), 'en-GB');
				await page.getByRole('button', { name: '中文' }).click();
				await page.getByRole('button', { name: '退出' }).waitFor();
				assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
			});
		}

		let lodged;
		await t.test('a declaration with mistakes shows them at their fields, then lodges', async () => {
			await page.getByRole('link', { name: L('新建报关单', 'New declaration') }).first().click();
			await settled(page);
			const bl = `WEB-${who.lang}-${Date.now()}`;
			/* codes typed directly, and picked by name */
			await picker(page, L('申报地海关', 'Customs office of declaration')).fill('5167');
			await picker(page, L('进出境关别', 'Port customs office')).fill('南沙货港');
			await page.getByRole('option').first().waitFor();
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('Enter');
			assert.equal(await picker(page, L('进出境关别', 'Port customs office')).inputValue(), '5167');
			await picker(page, L('监管方式', 'Trade mode (supervision)')).fill('0110');
			await page.getByLabel(L('提运单号', 'Bill of lading')).fill(bl);
			const consignee = page.getByRole('combobox', { name: L('境内收货人（统一社会信用代码）', 'Domestic consignee (USCC)'), exact: true });
			if (who.forHaitong) {
				/* Haitong is offered, and named once chosen */
				assert.deepEqual(await page.locator('datalist option').evaluateAll((os) => os.map((o) => o.value)), [who.uscc, ORG.haitong]);
				await consignee.fill(ORG.haitong);
				assert.match(await page.locator('.consignee-name').innerText(), /Haitong Import & Export, Nansha\), under a mandate until \d{4}-/);
			} else {
				assert.equal(await consignee.inputValue(), who.uscc);
				assert.match(await page.locator('.consignee-name').innerText(), /^本单位：广州南沙海通进出口贸易有限公司/);
			}
			await picker(page, L('运输方式', 'Transport mode')).fill('2');
			await page.getByLabel(L('运输工具名称', 'Conveyance name')).fill('XIN YA ZHOU');
			await page.getByLabel(L('航次号', 'Voyage or flight')).fill('0127E');
			await page.getByLabel(L('船舶IMO编号', 'Ship\'s IMO number')).fill('9074729');
			await picker(page, L('入境口岸', 'Port of entry')).fill('CNNSA');
			await picker(page, L('启运国（地区）', 'Country of departure')).fill('KR');
			await picker(page, L('贸易国（地区）', 'Trading country')).fill('KR');
			await page.getByLabel(L('件数', 'Packages')).fill('240');
			/* mistake 1: no gross weight; mistake 2: a container's check digit */
			await page.getByLabel(L('集装箱号', 'Containers')).fill(`${who.container.slice(0, 10)}${(Number(who.container[10]) + 1) % 10}`);
			await picker(page, L('成交方式', 'Incoterm')).fill('CIF');
			await picker(page, L('币制', 'Currency')).fill('USD');
			const item = page.locator('fieldset.item').first();
			/* a commodity found by its Chinese name: its unit and name follow */
			await picker(item, L('商品编号', 'Commodity code (HS)')).fill('鲜苹果');
			await page.getByRole('option', { name: /0808100000/ }).click();
			assert.equal(await picker(item, L('商品编号', 'Commodity code (HS)')).inputValue(), '0808100000');
			assert.equal(await picker(item, L('成交计量单位', 'Unit')).inputValue(), '035');
			await item.getByLabel(L('成交数量', 'Quantity')).fill('1200');
			await item.getByLabel(L('单价', 'Unit price')).fill('1.85');
			await picker(item, L('原产国（地区）', 'Country of origin')).fill('KR');
			assert.match(await item.locator('.item-value').innerText(), /USD\s*2,220\.00/);
			/* a second item, found by its code */
			await page.getByRole('button', { name: L('添加商品', 'Add an item') }).click();
			const item2 = page.locator('fieldset.item').nth(1);
			await picker(item2, L('商品编号', 'Commodity code (HS)')).fill('847130');
			await page.getByRole('option', { name: /8471300000/ }).waitFor();
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('Enter');
			assert.equal(await picker(item2, L('商品编号', 'Commodity code (HS)')).inputValue(), '8471300000');
			await item2.getByLabel(L('成交数量', 'Quantity')).fill('10');
			await item2.getByLabel(L('单价', 'Unit price')).fill('389.5');
			await picker(item2, L('原产国（地区）', 'Country of origin')).fill('VN');
			assert.match(await page.locator('.total').innerText(), /USD\s*6,115\.00/);
			await page.getByRole('button', { name: L('添加单证', 'Add a document') }).click();
			await picker(page.locator('fieldset.doc'), L('单证类型', 'Document type')).fill('invoice');
			await page.locator('fieldset.doc').getByLabel(L('单证编号', 'Document number')).fill('KR-INV-1');

			await page.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			const summary = page.locator('.error-summary');
			await summary.waitFor();
			assert.match(await summary.innerText(), L(/有 2 处需要修改/, /2 things to correct/));
			assert.equal(await fieldError(page, L('毛重（千克）', 'Gross weight (kg)')), L('必填', 'is required'));
			assert.match(await fieldError(page, L('集装箱号', 'Containers')), /ISO 6346/);
			assert.equal(await page.getByLabel(L('集装箱号', 'Containers')).getAttribute('aria-invalid'), 'true');
			await shot(page, 'declaration-form-errors');
			/* the summary's link takes the cursor to the field */
			await summary.getByRole('link').filter({ hasText: L('毛重', 'Gross weight') }).click();
			assert.equal(await page.evaluate(() => document.activeElement.closest('.field')?.dataset.pointer), '/gross_weight_kg');

			/* kept as a draft meanwhile */
			assert.match(page.url(), /\/drafts\//);
			await page.getByLabel(L('毛重（千克）', 'Gross weight (kg)')).fill('6120.500');
			await page.getByLabel(L('集装箱号', 'Containers')).fill(who.container);
			await page.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await page.waitForURL(/\/declarations\/\d{18}$/);
			await settled(page);
			lodged = page.url().split('/').pop();
			assert.equal(await page.locator('#page-title .badge').innerText(), L('已受理', 'Accepted'));
			const view = await server.must(200, 'GET', `/v1/declarations/${lodged}`, { token: await server.token(who.user) });
			assert.equal(view.declaration.bill_of_lading, bl);
			assert.equal(view.declaration.consignee_uscc, ORG.haitong);
			assert.equal(view.totals.goods_value, '6115.00');
			assert.deepEqual(view.declaration.containers, [who.container]);
			/* the draft is gone once lodged */
			await page.getByRole('link', { name: L('草稿箱', 'Drafts') }).click();
			await settled(page);
			await page.locator('td.empty').waitFor();
		});

		await t.test('the timeline shows who did what', async () => {
			await visit(page, `/declarations/${lodged}`);
			const timeline = await page.locator('.timeline').innerText();
			assert.match(timeline, L(/申报[\s\S]*受理[\s\S]*风险评估/, /Lodged[\s\S]*Accepted[\s\S]*Risk assessed/));
			assert.match(timeline, new RegExp(who.user));
		});

		/* fixtures made through the API: a returned declaration, one with a
		 * red-lane inspection, one released */
		const returned = await server.lodge(who.user, mine({ bl: `RET-${who.lang}-${Date.now()}` }));
		await server.decide('customs', returned.number, 'return', 'gross weight does not match the packing list');
		const red = await server.lodge(who.user, mine({ bl: `RED-${who.lang}-${Date.now()}`, apples: true, laptops: false }));
		const released = await server.lodge(who.user, mine({ bl: `REL-${who.lang}-${Date.now()}` }));
		await server.decide('customs', released.number, 'cleared', 'documents checked');

		await t.test('the list filters by status and by bill of lading', async () => {
			await visit(page, '/declarations');
			await page.getByLabel(L('状态', 'Status'), { exact: true }).selectOption('returned');
			await page.locator(`a[href="/declarations/${returned.number}"]`).waitFor();
			const statuses = await page.locator('tbody .badge').allInnerTexts();
			assert.ok(statuses.length >= 1);
			assert.ok(statuses.every((s) => s === L('已退单', 'Returned')), statuses.join());
			await page.getByLabel(L('状态', 'Status'), { exact: true }).selectOption('');
			await page.locator(`a[href="/declarations/${lodged}"]`).waitFor();
			await page.getByLabel(L('查找', 'Find')).fill(`RED-${who.lang}`);
			assert.deepEqual(await page.locator('tbody th a').allInnerTexts(), [red.number]);
			await shot(page, 'declarations-list');
		});

		await t.test('a returned declaration is corrected', async () => {
			await visit(page, `/declarations/${returned.number}`);
			await page.getByRole('link', { name: L('修改后重新申报', 'Correct and send again') }).click();
			await page.waitForURL(/\/correct$/);
			await settled(page);
			await page.getByText('gross weight does not match the packing list').waitFor();
			assert.equal(await picker(page, L('申报地海关', 'Customs office of declaration')).getAttribute('readonly'), '');
			await page.getByLabel(L('毛重（千克）', 'Gross weight (kg)')).fill('2410.000');
			await page.getByRole('button', { name: L('提交修改', 'Send the correction') }).click();
			await page.waitForURL(new RegExp(`/declarations/${returned.number}$`));
			await settled(page);
			await page.locator('#page-title .badge').filter({ hasText: L('已受理', 'Accepted') }).waitFor();
			const view = await server.must(200, 'GET', `/v1/declarations/${returned.number}`, { token: await server.token(who.user) });
			assert.equal(view.version, 2);
			assert.equal(view.declaration.gross_weight_kg, '2410.000');
			await page.getByRole('button', { name: L('第 1 版', 'Version 1') }).click();
			await page.getByRole('dialog').getByText('2,400.000').first().waitFor();
			await page.keyboard.press('Escape');
			await page.getByRole('dialog').waitFor({ state: 'detached' });
		});

		await t.test('a declaration is withdrawn with a reason', async () => {
			await visit(page, `/declarations/${lodged}`);
			await page.getByRole('button', { name: L('撤单', 'Withdraw') }).click();
			const dialog = page.getByRole('dialog');
			await dialog.getByLabel(L('撤单原因（可不填）', 'Reason (optional)')).fill('the buyer cancelled the order');
			await dialog.getByRole('button', { name: L('撤单', 'Withdraw') }).click();
			await page.locator('#page-title .badge').filter({ hasText: L('已撤单', 'Withdrawn') }).waitFor();
			assert.match(await page.locator('.timeline').innerText(), /the buyer cancelled the order/);
		});

		await t.test('the inspection is booked, moved and cancelled in local time', async () => {
			await visit(page, `/declarations/${red.number}`);
			await page.getByRole('button', { name: L('预约查验', 'Book the inspection') }).click();
			const dialog = page.getByRole('dialog');
			await dialog.getByLabel(L('日期', 'Day')).fill(tomorrowInShanghai());
			const first = dialog.locator(`.slots[data-day="${tomorrowInShanghai()}"] button.slot.open`).first();
			await first.waitFor();
			const when = (await first.locator('.slot-time').innerText()).split('–')[0];
			await shot(page, 'booking');
			await first.click();
			await dialog.waitFor({ state: 'detached' });
			const appointment = page.locator('.facts dd').filter({ hasText: 'CNNSA-1' });
			await appointment.waitFor();
			assert.match(await appointment.innerText(), new RegExp(`${tomorrowInShanghai()} ${when}`));
			const insp = await server.must(200, 'GET', `/v1/declarations/${red.number}/inspection`, { token: await server.token(who.user) });
			/* the slot chosen at 'when' Shanghai time is that minus 8 hours UTC */
			const utc = new Date(Date.parse(`${tomorrowInShanghai()}T${when}:00+08:00`)).toISOString().slice(0, 16);
			assert.equal(insp.appointment.slot_start.slice(0, 16), utc);

			await page.getByRole('button', { name: L('改约', 'Move the appointment') }).click();
			await dialog.getByLabel(L('日期', 'Day')).fill(tomorrowInShanghai());
			const day = dialog.locator(`.slots[data-day="${tomorrowInShanghai()}"]`);
			await day.locator('button.slot.mine').waitFor();
			await day.locator('button.slot.open').nth(3).click();
			await dialog.waitFor({ state: 'detached' });
			await page.locator('.timeline').getByText(L('改约查验', 'Inspection moved')).waitFor();

			await page.getByRole('button', { name: L('取消预约', 'Cancel the appointment') }).click();
			await page.getByRole('dialog').getByRole('button', { name: L('取消预约', 'Cancel the appointment') }).click();
			await page.locator('.timeline').getByText(L('取消预约', 'Booking cancelled')).waitFor();
			await page.locator('.facts dd').filter({ hasText: L('尚未预约', 'Not booked yet') }).waitFor();
		});

		await t.test('the release notice is downloaded and verified', async () => {
			await visit(page, `/declarations/${released.number}`);
			const [download] = await Promise.all([
				page.waitForEvent('download'),
				page.getByRole('button', { name: L('下载放行通知书', 'Download the release notice') }).click(),
			]);
			assert.equal(download.suggestedFilename(), `release-notice-${released.number}.json`);
			const notice = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
			assert.equal(JSON.parse(notice.notice).declaration_number, released.number);
			assert.equal(notice.algorithm, 'Ed25519');
			await page.getByRole('button', { name: L('核验放行通知书', 'Verify the release notice') }).click();
			await page.locator('.verdict.valid').waitFor();
		});

		if (who.forHaitong) {
			await t.test('Haitong sees what the broker lodged for it, read only', async () => {
				const forUs = await server.lodge(who.user, mine({ bl: `FOR-US-${Date.now()}` }));
				await server.decide('customs', forUs.number, 'return', 'packing list missing');
				const haitong = await open(env.browser, server, { lang: who.lang });
				await login(haitong, 'trader');
				await haitong.getByLabel(L('申报方', 'Lodged by')).selectOption('agent');
				const row = haitong.locator('tbody tr').filter({ hasText: forUs.number });
				await row.waitFor();
				assert.match(await row.innerText(), L(/委托申报\s+广州穗通报关有限公司/, /For us\s+广州穗通报关有限公司 \(Suitong Customs Brokerage\)/));
				/* only the broker's: nothing Haitong lodged itself */
				const numbers = await haitong.locator('tbody th a').allInnerTexts();
				for (const n of numbers) {
					const v = await server.must(200, 'GET', `/v1/declarations/${n}`, { token: await server.token('trader') });
					assert.equal(v.organisation, who.uscc, n);
				}
				await row.getByRole('link').click();
				await settled(haitong);
				await haitong.locator('.alert.info').filter({ hasText: 'Suitong Customs Brokerage' }).waitFor();
				/* returned, yet Haitong may neither correct nor withdraw it */
				assert.equal(await haitong.locator('#page-title .badge').innerText(), L('已退单', 'Returned'));
				assert.equal(await haitong.getByRole('link', { name: L('修改后重新申报', 'Correct and send again') }).count(), 0);
				assert.equal(await haitong.getByRole('button', { name: L('撤单', 'Withdraw') }).count(), 0);
				await haitong.locator('.timeline').waitFor();
				checkClean(haitong);
				await haitong.context().close();
			});
		}

		await t.test('logging out revokes the token', async () => {
			const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('kouan.session')).token);
			assert.equal((await server.call('GET', '/v1/me', { token })).status, 200);
			await page.getByRole('button', { name: L('退出', 'Log out') }).click();
			await page.waitForURL(/\/login/);
			assert.equal(await page.evaluate(() => sessionStorage.getItem('kouan.session')), null);
			assert.equal((await server.call('GET', '/v1/me', { token })).status, 401);
			/* the token never appeared in a URL */
			assert.ok(!page.url().includes(token));
		});

		checkClean(page);
		await page.context().close();
	});
}
