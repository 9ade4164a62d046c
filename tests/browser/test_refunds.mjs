/*
 * test_refunds.mjs - the tax office's day in the browser, in Chinese and
 * in English, against a real kouan (docs/money.md "Export tax refund"):
 * Haitong exports 9,600 T-shirts at 28.50 HKD by road out of Huanggang
 * (273,600.00 HKD at 0.9121 = 249,550.56 CNY FOB; 13 % = 32,441.57 CNY),
 * customs and border clear it, and the lorry's departure is recorded;
 * Haitong applies twice, once as customs has it and once claiming 9,800:
 *   * the tax office starts on the applications, filters them by status;
 *   * the matching one shows the claim beside customs' data and the
 *     refund; a rejection without a reason is refused at the reason, and
 *     it is approved;
 *   * the one that differs names the difference and offers a rejection
 *     only, which is recorded with its reason;
 *   * the exporter reads its applications and decides nothing;
 *   * axe finds no serious or critical violation; a screenshot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answeredLate, axe, checkClean, fieldOf, freshContainer, login, open, settled, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('refunds');
const { server } = env;

/** A released export of T-shirts by road out of Huanggang whose lorry has
 * left: its departure report cleared by border and customs and the
 * departure recorded by the haulier (what a refund needs). */
async function departedExport(trip) {
	const body = {
		direction: 'export', declaration_office: '5301', port_office: '5301',
		declarant_uscc: '91440101MA59TRAD00', consignee_uscc: '91440101MA59TRAD00',
		trade_mode: '0110', transport_mode: '4', conveyance: { name: '粤Z·H2286港', voyage: trip },
		bill_of_lading: `HG${trip}`, trading_country: 'HK', destination_country: 'HK', exit_port: 'CNHUG',
		incoterm: 'FOB', currency: 'HKD', packages: 320, gross_weight_kg: '2880.000', containers: [freshContainer()],
		items: [{ hs_code: '6109100000', description: 'Cotton knitted T-shirts', quantity: '9600', unit: '011', unit_price: '28.50', origin_country: 'CN' }],
		documents: [{ type: 'invoice', number: 'HT-EX-2026-0412' }],
	};
	const d = await server.lodge('trader', body);
	await server.decide('customs', d.number, 'cleared');
	await server.decide('border', d.number, 'cleared');
	const report = await server.must(201, 'POST', '/v1/conveyance-reports', {
		token: await server.token('haulier'), headers: { 'Idempotency-Key': `departure-${process.pid}-${trip}` },
		body: {
			kind: 'departure', transport_mode: '4', carrier: 'Kong Lian Cross-Border Haulage',
			vehicle: { scheme: 'cross_boundary', region: 'HK', plate: '粤Z·H2286港', regional_plate: 'KV 2286', use: 'goods', trip,
				driver: { name: '陈大文', document_type: 'home_return_permit', document_number: 'H12345678' } },
			port: 'CNHUG', port_office: '5301', lane: 'HG-OUT-03', next_port: 'HKHKG',
			expected_departure: new Date(Date.now() + 3600000).toISOString().replace(/\.\d+Z$/, 'Z'), crew: 1, passengers: 0,
		},
	});
	for (const agency of ['border', 'customs'])
		await server.must(200, 'POST', `/v1/conveyance-reports/${report.id}/tasks/${agency}/decision`,
			{ token: await server.token(agency), body: { decision: 'cleared', reason: 'vehicle and seals checked' } });
	await server.must(200, 'POST', `/v1/conveyance-reports/${report.id}/departure`, { token: await server.token('haulier') });
	return d.number;
}

async function apply(number, quantity) {
	return server.must(201, 'POST', '/v1/refunds', { token: await server.token('trader'),
		body: { declaration_number: number, items: [{ hs_code: '6109100000', quantity, fob_value_cny: '249550.56' }] } });
}

for (const [lang, trips] of [['zh', ['20261127-21', '20261127-22']], ['en', ['20261127-23', '20261127-24']]]) {
	test(`the tax office's day in ${lang}`, async (t) => {
		const good = await apply(await departedExport(trips[0]), '9600');
		const bad = await apply(await departedExport(trips[1]), '9800');
		assert.equal(good.verdict, 'matches');
		assert.equal(bad.verdict, 'mismatch');
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'tax');
		const row = (id) => page.locator('tbody tr').filter({ has: page.locator(`a[href="/refunds/${id}"]`) });

		await t.test('the applications, by status', async () => {
			assert.equal(new URL(page.url()).pathname, '/refunds');
			assert.match(await row(good.id).innerText(), L(/待审核\s+与海关数据相符\s+CNY\s32,441\.57/, /Applied\s+Matches customs' data\s+CNY\s32,441\.57/));
			assert.match(await row(bad.id).innerText(), L(/与海关数据不符/, /Differs from customs' data/));
			await page.getByLabel(L('状态', 'Status')).selectOption('approved');
			await page.waitForFunction((id) => !document.querySelector(`a[href="/refunds/${id}"]`), good.id);
			await page.getByLabel(L('状态', 'Status')).selectOption('applied');
			await row(good.id).waitFor();
			/* chosen one after the other, the first answer last: the list
			 * still shows the status chosen last */
			await answeredLate(page, (u) => u.pathname === '/v1/refunds' && u.searchParams.get('status') === 'approved',
				() => page.getByLabel(L('状态', 'Status')).selectOption('approved'),
				async () => {
					await page.getByLabel(L('状态', 'Status')).selectOption('applied');
					await row(good.id).waitFor();
				});
			assert.equal(await row(good.id).count(), 1);
		});

		await t.test('a matching application is approved', async () => {
			await row(good.id).getByRole('link').click();
			await settled(page);
			const summary = await page.locator('.facts').first().innerText();
			assert.match(summary, L(/应退税额\s+CNY\s32,441\.57/, /Refund\s+CNY\s32,441\.57/));
			assert.match(summary, L(/运输工具离境\s+\d{4}-/, /Conveyance departed\s+\d{4}-/));
			assert.match(await page.locator('tbody').first().innerText(), /6109100000\s+9,600\s+CNY\s249,550\.56\s+CNY\s249,550\.56\s+13%\s+CNY\s32,441\.57/);
			await axe(page, `refund (${lang})`);
			await shot(page, 'refund');
			const form = page.locator('form.refund-decision');
			assert.deepEqual(await form.locator('label.radio').allInnerTexts(), L(['准予退税', '不予退税'], ['Approve', 'Reject']));
			await form.getByLabel(L('不予退税', 'Reject')).check();
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			const err = fieldOf(form.getByRole('textbox', { name: L('原因', 'Reason'), exact: true })).locator('.field-error');
			await err.waitFor();
			assert.equal((await err.innerText()).trim(), L('不予退税时必须说明原因', 'is required to reject a refund application'));
			assert.equal((await server.must(200, 'GET', `/v1/refunds/${good.id}`, { token: await server.token('tax') })).status, 'applied');
			await form.getByLabel(L('准予退税', 'Approve')).check();
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			await page.locator('#page-title .badge').filter({ hasText: L('准予退税', 'Approved') }).waitFor();
			assert.equal(await page.locator('form.refund-decision').count(), 0);
			const a = await server.must(200, 'GET', `/v1/refunds/${good.id}`, { token: await server.token('tax') });
			assert.equal(a.status, 'approved');
			assert.equal(a.decided_by, 'tax');
		});

		await t.test('one that differs can only be rejected, with its reason', async () => {
			await visit(page, `/refunds/${bad.id}`);
			const diff = await page.locator('section').filter({ has: page.getByRole('heading', { name: L('不符项', 'Differences'), exact: true }) }).innerText();
			assert.match(diff, L(/\/items\/0\/quantity\s+申请为 9800，海关数据（第 0 项）为 9600/, /\/items\/0\/quantity\s+is 9800; customs' data for item 0 is 9600/));
			const form = page.locator('form.refund-decision');
			assert.deepEqual(await form.locator('label.radio').allInnerTexts(), L(['不予退税'], ['Reject']));
			await form.getByLabel(L('不予退税', 'Reject')).check();
			await form.getByRole('textbox', { name: L('原因', 'Reason'), exact: true }).fill('quantity differs from the export declaration');
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			await page.locator('#page-title .badge').filter({ hasText: L('不予退税', 'Rejected') }).waitFor();
			assert.match(await page.locator('.facts').first().innerText(), /quantity differs from the export declaration/);
			const a = await server.must(200, 'GET', `/v1/refunds/${bad.id}`, { token: await server.token('tax') });
			assert.equal(a.status, 'rejected');
			assert.equal(a.decision_reason, 'quantity differs from the export declaration');
		});

		await t.test('the exporter reads its applications', async () => {
			const trader = await open(env.browser, server, { lang });
			await login(trader, 'trader');
			await trader.getByRole('link', { name: L('出口退税申请', 'My refund applications') }).click();
			await settled(trader);
			await trader.locator(`a[href="/refunds/${good.id}"]`).click();
			await settled(trader);
			await trader.locator('#page-title .badge').filter({ hasText: L('准予退税', 'Approved') }).waitFor();
			assert.equal(await trader.locator('form.refund-decision').count(), 0);
			checkClean(trader);
			await trader.context().close();
		});

		checkClean(page);
		await page.context().close();
	});
}
