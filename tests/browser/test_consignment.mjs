/*
 * test_consignment.mjs - what a declaration's release waits for besides
 * the agencies, in the browser, in Chinese and in English, against a real
 * kouan. Pengcheng (trader2) holds no general guarantee, so its duties
 * must be paid:
 *   * a declaration matched with its manifest line and cleared by customs
 *     says it is held for payment, and why; it shows its match and its
 *     duties as assessed (77,900.00 USD of notebooks at 7.1023: customs
 *     value 553,269.17 CNY, no duty, VAT 13 % 71,924.99 CNY); customs
 *     reads the duties and is offered no payment;
 *   * the declarant records the payment: a missing bank reference and an
 *     amount one fen short are refused at their fields, the exact amount
 *     is taken and the goods are released, with the payment listed and
 *     on the timeline;
 *   * a declaration lodged before its manifest waits for it, is held for
 *     the manifest line once customs clears it, and when the carrier's
 *     manifest brings a line that differs, the page shows the difference
 *     without a reload;
 *   * a declaration of a bill the call's lodged manifest lacks is refused
 *     at the bill of lading, saying how to declare in advance; declared in
 *     advance, it is accepted and waits for the line;
 *   * a ship-side direct pickup of one part of a split bill is declared in
 *     the form and shown with its match;
 *   * axe finds no serious or critical violation on either; screenshots.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	axe, checkClean, fieldError, login, open, ORG, seaImport, settled, shot, suite, T, visit,
} from './kouan_browser.mjs';

const env = suite('consignment');
const { server } = env;

const pengcheng = (extra) => ({ ...seaImport(extra), declarant_uscc: ORG.pengcheng, consignee_uscc: ORG.pengcheng });
const section = (page, heading) => page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });

for (const lang of ['zh', 'en']) {
	test(`duties, payment and the manifest match in ${lang}`, async (t) => {
		const stamp = `${lang}-${Date.now()}`;
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'trader2');

		const owed = await server.lodge('trader2', pengcheng({ bl: `PAY-${stamp}` }));
		await server.decide('customs', owed.number, 'cleared', 'documents checked');

		await t.test('held for payment: the match and the duties are shown', async () => {
			await visit(page, `/declarations/${owed.number}`);
			assert.equal(await page.locator('#page-title .badge').innerText(), L('已受理', 'Accepted'));
			const held = page.locator('.alert.warn').first();
			assert.equal((await held.innerText()).replace(/\s+/g, ' ').trim(), L(
				'暂缓放行，等待税款缴纳或担保： 待缴税款 71924.99 元：未备案总担保',
				'Release held, waiting for payment or a guarantee: awaiting payment of 71924.99 CNY: no general guarantee is on file'));
			const match = await section(page, L('舱单比对', 'Manifest match')).innerText();
			assert.match(match, L(/比对结果\s+相符/, /Match\s+Matched/));
			assert.match(match, new RegExp(`PAY-${stamp}`));
			assert.match(match, /2\|9321378\|046E\|CNNSA/);
			const duties = await section(page, L('税费', 'Duties and taxes')).innerText();
			assert.match(duties, L(/完税价格\s+CNY\s553,269\.17/, /Customs value\s+CNY\s553,269\.17/));
			assert.match(duties, L(/应缴税款\s+CNY\s71,924\.99/, /Due\s+CNY\s71,924\.99/));
			assert.match(duties, L(/未缴税款\s+CNY\s71,924\.99/, /Outstanding\s+CNY\s71,924\.99/));
			assert.match(duties, L(/进口环节增值税\s+CNY\s71,924\.99\s+CNY\s71,924\.99/, /Import VAT\s+CNY\s71,924\.99\s+CNY\s71,924\.99/));
			assert.match(duties, L(/总担保\s+未使用担保/, /General guarantee\s+None used/));
			assert.match(duties, /1 USD = 7\.1023/);
			await axe(page, `duties (${lang})`);
			await shot(page, 'duties');
		});

		await t.test('customs reads the duties and is offered no payment', async () => {
			const customs = await open(env.browser, server, { lang });
			await login(customs, 'customs');
			await visit(customs, `/declarations/${owed.number}`);
			await section(customs, L('税费', 'Duties and taxes')).waitFor();
			assert.equal(await customs.locator('form.pay').count(), 0);
			checkClean(customs);
			await customs.context().close();
		});

		await t.test('the payment is refused at its fields, then recorded and the goods released', async () => {
			const form = page.locator('form.pay');
			const amount = form.getByRole('textbox', { name: L('缴款金额（人民币）', 'Amount (CNY)'), exact: true });
			assert.equal(await amount.inputValue(), '71924.99');
			await amount.fill('71924.98');
			await form.getByRole('button', { name: L('录入缴款', 'Record the payment') }).click();
			await page.locator('.error-summary').waitFor();
			assert.equal(await fieldError(page, L('银行缴款流水号', 'Bank reference')), L('不能为空', 'must not be empty'));
			await form.getByRole('textbox', { name: L('银行缴款流水号', 'Bank reference'), exact: true }).fill(`BOC-${stamp}`);
			await form.getByRole('button', { name: L('录入缴款', 'Record the payment') }).click();
			await page.locator('.error-summary').waitFor();
			assert.equal(await fieldError(page, L('缴款金额（人民币）', 'Amount (CNY)')), L(
				'须等于应缴税款 71924.99 元（录入的是 71924.98 元；不接受部分缴款或多缴）',
				'must equal the amount due, 71924.99 CNY; 71924.98 CNY was offered (partial and excess payments are refused)'));
			const before = await server.must(200, 'GET', `/v1/declarations/${owed.number}/assessment`, { token: await server.token('trader2') });
			assert.equal(before.taxes.paid, '0.00');

			await amount.fill('71924.99');
			await form.getByRole('button', { name: L('录入缴款', 'Record the payment') }).click();
			await page.locator('#page-title .badge').filter({ hasText: L('已放行', 'Released') }).waitFor();
			await settled(page);
			const duties = section(page, L('税费', 'Duties and taxes'));
			await duties.getByText(`BOC-${stamp}`.toUpperCase(), { exact: true }).waitFor();
			assert.match(await duties.innerText(), L(/已缴税款\s+CNY\s71,924\.99/, /Paid\s+CNY\s71,924\.99/));
			assert.equal(await page.locator('form.pay').count(), 0);
			assert.match(await page.locator('.timeline').innerText(), L(/缴纳税款[\s\S]*放行/, /Duties paid[\s\S]*Released/));
			const after = await server.must(200, 'GET', `/v1/declarations/${owed.number}/assessment`, { token: await server.token('trader2') });
			assert.equal(after.taxes.paid, '71924.99');
			assert.equal(after.taxes.outstanding, '0.00');
			/* a bank reference is kept in capitals: the same in any case */
			assert.deepEqual(after.taxes.payments.map((p) => p.bank_reference), [`BOC-${stamp}`.toUpperCase()]);
		});

		await t.test('before its manifest: waiting, held, then a line that differs', async () => {
			/* a voyage of its own, not manifested yet */
			const body = pengcheng({ bl: `EARLY-${stamp}` });
			body.conveyance = { ...body.conveyance, voyage: lang === 'zh' ? '053E' : '054E' };
			const early = await server.lodge('trader2', body, { manifest: false });
			const call = `2|9321378|${body.conveyance.voyage}|CNNSA`;
			await visit(page, `/declarations/${early.number}`);
			const match = section(page, L('舱单比对', 'Manifest match'));
			assert.match(await match.innerText(), L(/比对结果\s+等待舱单[\s\S]*舱单\s+尚未申报/, /Match\s+Waiting for the manifest[\s\S]*Manifest\s+Not lodged yet/));
			await match.locator('.alert.info').waitFor();
			assert.match(await page.locator('.timeline').innerText(), L(/等待舱单数据/, /Awaiting the manifest line/));

			await server.decide('customs', early.number, 'cleared', 'documents checked');
			const held = page.locator('.alert.warn').filter({ hasText: L('暂缓放行', 'Release held') });
			await held.waitFor();
			assert.equal((await held.innerText()).replace(/\s+/g, ' ').trim(), L(
				`暂缓放行，等待舱单数据： 航次 ${call} 的舱单尚无提运单 EARLY-${stamp} 的数据；承运人申报舱单后即可放行`,
				`Release held, waiting for the manifest line: no manifest of call ${call} has a line for bill of lading EARLY-${stamp} yet; the release follows when the carrier's manifest brings it`));

			/* the carrier manifests 121 packages where 120 are declared */
			await server.manifestLine({ ...body, packages: 121 });
			await match.locator('.badge').filter({ hasText: L('不符', 'Differs') }).waitFor();
			const rows = await match.locator('tbody tr').allInnerTexts();
			assert.deepEqual(rows.map((r) => r.split('\t').map((c) => c.trim())), [[L('件数', 'Packages'), '120', '121']]);
			assert.equal(await page.locator('#page-title .badge').innerText(), L('已受理', 'Accepted'));
			assert.equal((await held.innerText()).replace(/\s+/g, ' ').trim(), L(
				'暂缓放行，等待舱单数据： 报关单与舱单数据不符：请修改报关单，或请承运人变更舱单。',
				'Release held, waiting for the manifest line: The declaration differs from the manifest line: correct the declaration, or ask the carrier to amend the manifest.'));
			await axe(page, `manifest match (${lang})`);
			await match.scrollIntoViewIfNeeded();
			await shot(page, 'manifest-match');
		});

		/* a draft in the page's browser, as the form keeps them */
		const draft = (body) => page.evaluate((b) => {
			const id = crypto.randomUUID();
			const now = new Date().toISOString();
			const all = JSON.parse(localStorage.getItem('kouan.drafts.trader2') || '[]');
			all.push({ id, key: `kouan-web-${crypto.randomUUID()}`, created_at: now, updated_at: now, body: b, correcting: null });
			localStorage.setItem('kouan.drafts.trader2', JSON.stringify(all));
			return `/drafts/${id}`;
		}, body);

		await t.test('a bill the lodged manifest lacks is refused at its field, then declared in advance', async () => {
			const body = pengcheng({ bl: `NOLINE-${stamp}` });
			await visit(page, await draft(body));
			await page.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await page.locator('.error-summary').waitFor();
			assert.equal(await fieldError(page, L('提运单号', 'Bill of lading')), L(
				`本航次的舱单尚无提运单 NOLINE-${stamp} 的数据；请待承运人申报舱单后申报，或勾选“提前申报”`,
				`no manifest of this call has a line for bill NOLINE-${stamp} yet; lodge the declaration with "advance": true to declare before the manifest, or once the carrier has lodged it`));
			await page.getByLabel(L('提前申报', 'Advance declaration')).check();
			await page.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await page.waitForURL(/\/declarations\/\d{18}$/);
			await settled(page);
			const match = section(page, L('舱单比对', 'Manifest match'));
			assert.match(await match.innerText(), L(/比对结果\s+等待舱单[\s\S]*提前申报\s+是/, /Match\s+Waiting for the manifest[\s\S]*Advance declaration\s+Yes/));
		});

		await t.test('the flow and the part of a split bill are declared in the form', async () => {
			await visit(page, await draft({ ...pengcheng({ bl: `SPLIT-${stamp}` }), advance: true }));
			await page.getByLabel(L('通关模式', 'Flow through the terminal')).selectOption('direct_pickup');
			await page.getByRole('textbox', { name: L('分票：第几票', 'Split: part'), exact: true }).fill('1');
			await page.getByRole('textbox', { name: L('分票：共几票', 'Split: of'), exact: true }).fill('2');
			await page.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await page.waitForURL(/\/declarations\/\d{18}$/);
			await settled(page);
			const number = page.url().split('/').pop();
			const match = await section(page, L('舱单比对', 'Manifest match')).innerText();
			assert.match(match, L(/分票\s+第 1 票（共 2 票）/, /Split\s+part 1 of 2/));
			assert.match(match, L(/通关模式\s+船边直提/, /Flow\s+Ship-side direct pickup/));
			const v = await server.must(200, 'GET', `/v1/declarations/${number}`, { token: await server.token('trader2') });
			assert.equal(v.declaration.flow, 'direct_pickup');
			assert.deepEqual(v.declaration.split, { part: 1, of: 2 });
		});

		checkClean(page);
		await page.context().close();
	});
}
