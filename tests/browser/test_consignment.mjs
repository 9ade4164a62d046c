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
 *   * the declarant orders the payment from its bank: a missing bank and
 *     bank reference, then an amount one fen short, are refused at their
 *     fields; the exact amount is reported, and nothing is paid or
 *     released: the payment is listed as awaiting the bank, and no other
 *     order is offered;
 *   * the bank (ICBC's `bank`) finds the order on its screen: an amount
 *     other than the order's and a time in the future are refused at their
 *     fields; confirmed, the order leaves the list of those awaiting an
 *     answer, and the declarant's page shows the goods released, without
 *     a reload, with the payment paid and on the timeline;
 *   * another bank (Bank of China's `bank2`) sees none of ICBC's orders;
 *   * another declaration's payment is ordered before customs clears it:
 *     its release is then held for the bank's confirmation of that order;
 *     the bank refuses the order, and must say why: the declarant reads
 *     "refused" and the bank's reason, and is offered the form again;
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
	axe, checkClean, fieldError, fieldOf, login, open, ORG, seaImport, settled, shot, suite, T, visit,
} from './kouan_browser.mjs';

const env = suite('consignment');
const { server } = env;

const pengcheng = (extra) => ({ ...seaImport(extra), declarant_uscc: ORG.pengcheng, consignee_uscc: ORG.pengcheng });
const section = (page, heading) => page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
const ICBC = '91440101MA5BK0NA2H';
const ICBC_NAME = '中国工商银行广州南沙支行 (ICBC, Guangzhou Nansha sub-branch)';
const flat = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
/* a table's rows as lists of cell texts (spaces as one) */
const cells = async (rows) => (await rows.allInnerTexts())
	.map((r) => r.split('\t').map((c) => c.replace(/\s+/g, ' ').trim()));
/* the payments listed in the duties section */
const payments = (duties, page) => duties.getByRole('region', { name: T(page, '缴款记录', 'Payments'), exact: true }).locator('tbody tr');

/** Log in and go straight to `next` (the login page's ?next=). */
async function loginTo(page, user, next) {
	await page.goto(`${page.server.url}/login?next=${encodeURIComponent(next)}`);
	await page.getByLabel(T(page, '用户名', 'User name')).fill(user);
	await page.getByLabel(T(page, '密码', 'Password')).fill(`${user}-demo-2026`);
	await page.getByRole('button', { name: T(page, '登录', 'Log in') }).click();
	await page.waitForURL((u) => u.pathname === next);
	await settled(page);
}

/** The text of the error shown at the control of `role` named `name`. */
async function errorAt(scope, role, name) {
	return (await fieldOf(scope.getByRole(role, { name, exact: true })).locator('.field-error').innerText()).trim();
}

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

		const ref = `ICBC-PAID-${stamp}`.toUpperCase();
		const bank = await open(env.browser, server, { lang });
		const order = (p, reference) => p.locator('tbody tr').filter({ hasText: reference });

		await t.test('the payment order is refused at its fields, then reported: nothing is released', async () => {
			const form = page.locator('form.pay');
			assert.equal(await form.locator('xpath=..').getByRole('heading').innerText(), L('提交缴款指令', 'Order the payment'));
			const amount = form.getByRole('textbox', { name: L('缴款金额（人民币）', 'Amount (CNY)'), exact: true });
			const chooser = form.getByRole('combobox', { name: L('缴款银行', 'Bank'), exact: true });
			assert.equal(await amount.inputValue(), '71924.99');
			assert.equal(await form.locator('input[type="datetime-local"]').count(), 0);
			await amount.fill('71924.98');
			await form.getByRole('button', { name: L('提交缴款指令', 'Order the payment') }).click();
			await page.locator('.error-summary').waitFor();
			assert.equal(await errorAt(form, 'combobox', L('缴款银行', 'Bank')), L('不能为空', 'must not be empty'));
			assert.equal(await fieldError(page, L('银行缴款流水号', 'Bank reference')), L('不能为空', 'must not be empty'));
			/* the banks kouan knows, by name */
			await chooser.locator(`option[value="${ICBC}"]`).waitFor({ state: 'attached' });
			const offered = await chooser.locator('option').allInnerTexts();
			assert.equal(offered[0], L('请选择银行', 'Choose a bank'));
			assert.ok(offered.includes(ICBC_NAME), offered.join(' | '));
			await chooser.selectOption(ICBC);
			await form.getByRole('textbox', { name: L('银行缴款流水号', 'Bank reference'), exact: true }).fill(ref.toLowerCase());
			await form.getByRole('button', { name: L('提交缴款指令', 'Order the payment') }).click();
			await page.locator('.error-summary').waitFor();
			assert.equal(await fieldError(page, L('缴款金额（人民币）', 'Amount (CNY)')), L(
				'须等于应缴税款 71924.99 元（录入的是 71924.98 元；不接受部分缴款或多缴）',
				'must equal the amount due, 71924.99 CNY; 71924.98 CNY was offered (partial and excess payments are refused)'));

			await amount.fill('71924.99');
			await form.getByRole('button', { name: L('提交缴款指令', 'Order the payment') }).click();
			const duties = section(page, L('税费', 'Duties and taxes'));
			const waiting = duties.locator('.alert.info');
			await waiting.waitFor();
			assert.equal(await flat(waiting), L(
				`缴款指令 ${ref}（CNY 71,924.99）已提交，等待银行确认扣款：银行确认后税款方为已缴，货物方可放行。`,
				`Payment ${ref} of CNY 71,924.99 is reported and awaits its bank's confirmation: the duties count as paid, and the goods may be released, once the bank confirms it.`));
			await duties.getByText(ICBC_NAME, { exact: true }).waitFor();
			assert.deepEqual(await cells(payments(duties, page)), [
				[ref, ICBC_NAME, 'CNY 71,924.99', L('待银行确认', 'Reported'), '—', '', 'trader2']]);
			assert.match(await duties.innerText(), L(/已缴税款\s+CNY\s0\.00/, /Paid\s+CNY\s0\.00/));
			/* nothing else is ordered while the bank has not answered */
			assert.equal(await page.locator('form.pay').count(), 0);
			assert.equal(await page.locator('#page-title .badge').innerText(), L('已受理', 'Accepted'));
			assert.match(await page.locator('.timeline').innerText(), L(/提交缴款指令/, /Payment reported/));
			const now = await server.must(200, 'GET', `/v1/declarations/${owed.number}/assessment`, { token: await server.token('trader2') });
			assert.equal(now.taxes.paid, '0.00');
			assert.deepEqual(now.taxes.payments.map((p) => [p.bank_reference, p.bank, p.status, p.paid_at]), [[ref, ICBC, 'reported', null]]);
			await axe(page, `payment reported (${lang})`);
			await shot(page, 'payment-reported');
		});

		await t.test('the bank confirms the order, and the goods are released', async () => {
			await loginTo(bank, 'bank', '/payments');
			assert.equal(await bank.locator('#nav a[aria-current="page"]').innerText(), L('缴款指令', 'Payment orders'));
			const row = order(bank, ref);
			assert.deepEqual((await cells(row)).map((r) => r.slice(0, 4)), [[ref, owed.number, 'CNY 71,924.99', L('待银行确认', 'Reported')]]);
			await axe(bank, `the bank's payment orders (${lang})`);
			await shot(bank, 'bank-payment-orders');

			await row.getByRole('button', { name: L('确认扣款', 'Confirm paid') }).click();
			const dialog = bank.getByRole('dialog', { name: L(`确认扣款：${ref}`, `Confirm payment ${ref}`) });
			const amount = dialog.getByRole('textbox', { name: L('扣款金额（人民币）', 'Amount debited (CNY)'), exact: true });
			const paidAt = dialog.getByLabel(L('扣款时间', 'Debited at'));
			assert.equal(await amount.inputValue(), '71924.99');
			const prefilled = await paidAt.inputValue();
			assert.match(prefilled, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
			await amount.fill('71924.98');
			await paidAt.fill(`${new Date().getUTCFullYear() + 1}-01-01T10:00`);
			await dialog.getByRole('button', { name: L('确认已扣款', 'Confirm the payment') }).click();
			await dialog.locator('.error-summary').waitFor();
			assert.equal(await errorAt(dialog, 'textbox', L('扣款金额（人民币）', 'Amount debited (CNY)')), L(
				'须等于缴款指令金额 71924.99 元：银行按指令全额扣款，或拒绝该指令',
				'must be the amount of the payment order, 71924.99 CNY: a bank pays the order as given, or refuses it'));
			assert.match((await fieldOf(paidAt).locator('.field-error').innerText()).trim(),
				L(/^不能晚于现在（现在是 \d{4}-\d\d-\d\dT[\d:.]+Z）$/, /^must not be in the future \(it is now \d{4}-\d\d-\d\dT[\d:.]+Z\)$/));
			await axe(bank, `the bank's answer refused at its fields (${lang})`);

			await amount.fill('71924.99');
			await paidAt.fill(prefilled);
			await dialog.getByRole('button', { name: L('确认已扣款', 'Confirm the payment') }).click();
			await dialog.waitFor({ state: 'detached' });
			await bank.getByText(L('没有此状态的缴款指令。', 'No payment orders with this status.'), { exact: true }).waitFor();
			await bank.getByRole('combobox', { name: L('状态', 'Status'), exact: true }).selectOption('paid');
			await row.waitFor();
			const paid = (await cells(row))[0];
			assert.deepEqual([paid[0], paid[3]], [ref, L('已缴款', 'Paid')]);
			assert.match(paid[5], /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
			assert.match(paid[7], / · bank$/);
			assert.equal(new URL(bank.url()).search, '?status=paid');

			/* the declarant's page follows without a reload */
			await page.locator('#page-title .badge').filter({ hasText: L('已放行', 'Released') }).waitFor();
			const duties = section(page, L('税费', 'Duties and taxes'));
			await duties.locator('.badge.payment-paid').waitFor();
			const [mine] = await cells(payments(duties, page));
			assert.deepEqual([mine[0], mine[3]], [ref, L('已缴款', 'Paid')]);
			assert.equal(mine[4], paid[5]);
			assert.match(await duties.innerText(), L(/已缴税款\s+CNY\s71,924\.99/, /Paid\s+CNY\s71,924\.99/));
			assert.equal(await duties.locator('.alert').count(), 0);
			assert.equal(await page.locator('form.pay').count(), 0);
			assert.match(await page.locator('.timeline').innerText(), L(/提交缴款指令[\s\S]*缴纳税款[\s\S]*放行/, /Payment reported[\s\S]*Duties paid[\s\S]*Released/));
			assert.match(await page.locator('.timeline').innerText(), L(/bank \(银行（税款缴纳）\)/, /bank \(Bank \(duty payments\)\)/));
			const after = await server.must(200, 'GET', `/v1/declarations/${owed.number}/assessment`, { token: await server.token('trader2') });
			assert.equal(after.taxes.paid, '71924.99');
			assert.equal(after.taxes.outstanding, '0.00');
			assert.deepEqual(after.taxes.payments.map((p) => [p.bank_reference, p.status, p.answered_by]), [[ref, 'paid', 'bank']]);
		});

		await t.test('another bank sees none of the orders', async () => {
			const other = await open(env.browser, server, { lang });
			await loginTo(other, 'bank2', '/payments');
			const none = [L('没有此状态的缴款指令。', 'No payment orders with this status.')];
			assert.deepEqual(await other.locator('tbody tr').allInnerTexts(), none);
			await other.getByRole('combobox', { name: L('状态', 'Status'), exact: true }).selectOption('all');
			await other.waitForURL((u) => u.search === '?status=all');
			await other.locator('.loading').waitFor({ state: 'detached' });
			assert.deepEqual(await other.locator('tbody tr').allInnerTexts(), none);
			checkClean(other);
			await other.context().close();
		});

		await t.test('the bank refuses an order, saying why, and the declarant reads it', async () => {
			const other = await server.lodge('trader2', pengcheng({ bl: `REFUSED-${stamp}` }));
			const otherRef = `ICBC-REFUSED-${stamp}`.toUpperCase();
			await visit(page, `/declarations/${other.number}`);
			const form = page.locator('form.pay');
			await form.getByRole('combobox', { name: L('缴款银行', 'Bank'), exact: true }).selectOption(ICBC);
			await form.getByRole('textbox', { name: L('银行缴款流水号', 'Bank reference'), exact: true }).fill(otherRef);
			await form.getByRole('button', { name: L('提交缴款指令', 'Order the payment') }).click();
			await section(page, L('税费', 'Duties and taxes')).locator('.badge.payment-reported').waitFor();
			/* cleared while the order awaits the bank: held for its answer */
			await server.decide('customs', other.number, 'cleared', 'documents checked');
			const held = page.locator('.alert.warn').filter({ hasText: L('暂缓放行', 'Release held') });
			await held.waitFor();
			assert.equal(await flat(held), L(
				`暂缓放行，等待税款缴纳或担保： 待缴税款 71924.99 元：缴款指令 ${otherRef} 已提交，等待银行确认`,
				`Release held, waiting for payment or a guarantee: awaiting payment of 71924.99 CNY: payment ${otherRef} is reported and awaits its bank's confirmation`));

			await visit(bank, '/payments');
			await order(bank, otherRef).getByRole('button', { name: L('拒绝', 'Refuse'), exact: true }).click();
			const dialog = bank.getByRole('dialog', { name: L(`拒绝缴款指令：${otherRef}`, `Refuse payment ${otherRef}`) });
			await dialog.getByRole('button', { name: L('拒绝该指令', 'Refuse the order') }).click();
			await dialog.locator('.error-summary').waitFor();
			assert.equal(await errorAt(dialog, 'textbox', L('拒绝原因', 'Reason')), L('不能为空', 'must not be empty'));
			const reason = L('账户余额不足', 'insufficient funds in the paying account');
			await dialog.getByRole('textbox', { name: L('拒绝原因', 'Reason'), exact: true }).fill(reason);
			await dialog.getByRole('button', { name: L('拒绝该指令', 'Refuse the order') }).click();
			await dialog.waitFor({ state: 'detached' });
			await bank.getByText(L('没有此状态的缴款指令。', 'No payment orders with this status.'), { exact: true }).waitFor();
			await visit(bank, '/payments?status=refused');
			const refused = (await cells(order(bank, otherRef)))[0];
			assert.deepEqual([refused[0], refused[3], refused[5], refused[6]], [otherRef, L('银行已拒绝', 'Refused'), '—', reason]);

			/* the declarant reads the refusal and may order again */
			const duties = section(page, L('税费', 'Duties and taxes'));
			await duties.locator('.badge.payment-refused').waitFor();
			assert.deepEqual(await cells(payments(duties, page)), [
				[otherRef, ICBC_NAME, 'CNY 71,924.99', L('银行已拒绝', 'Refused'), '—', reason, 'trader2']]);
			assert.equal(await flat(duties.locator('.alert.warn')), L(
				`银行拒绝了缴款指令 ${otherRef}：${reason}。请使用新的银行流水号重新提交缴款指令。`,
				`The bank refused payment ${otherRef}: ${reason}. Order the payment again, with a new bank reference.`));
			await page.locator('form.pay').waitFor();
			assert.equal(await page.locator('#page-title .badge').innerText(), L('已受理', 'Accepted'));
			assert.match(await page.locator('.timeline').innerText(), L(
				new RegExp(`银行拒绝缴款[\\s\\S]*原因：${reason}`), new RegExp(`Payment refused by the bank[\\s\\S]*Reason: ${reason}`)));
			const v = await server.must(200, 'GET', `/v1/declarations/${other.number}/assessment`, { token: await server.token('trader2') });
			assert.deepEqual(v.taxes.payments.map((p) => [p.status, p.reason]), [['refused', reason]]);
			assert.equal(v.taxes.paid, '0.00');
			await axe(page, `payment refused (${lang})`);
			checkClean(bank);
			await bank.context().close();
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
