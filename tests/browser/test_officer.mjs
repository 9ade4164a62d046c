/*
 * test_officer.mjs - agency officers' day in the browser, in Chinese and
 * in English, against a real kouan:
 *   * customs' worklist shows the new task, filters by status and by bill
 *     of lading, and a task lodged meanwhile appears without reloading;
 *   * the declaration shows its risk explanation (lanes per agency, the
 *     rule that hit, on its line);
 *   * every decision needs its reason: clearing and returning without one
 *     are refused at the reason field; with one the declaration is
 *     returned;
 *   * a joint inspection (quarantine's red lane, customs joining) whose
 *     slot has begun: customs' inspecting task offers no clearing, only
 *     the finding clears it; quarantine records its finding, customs
 *     recognises it, and the goods are released;
 *   * a supervisor waives an inspection with a reason (refused without
 *     one); an officer who is not a supervisor is not offered a waiver;
 *     the task is cleared "inspection waived" and the goods released.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	checkClean, fieldOf, login, open, seaImport, settled, shot, slotHasBegun, slotIn, suite, T, visit,
} from './kouan_browser.mjs';

const env = suite('officer');
const { server } = env;

for (const lang of ['zh', 'en']) {
	test(`officers' day in ${lang}`, async (t) => {
		const stamp = `${lang}-${Date.now()}`;
		const review = await server.lodge('trader', seaImport({ bl: `REV-${stamp}`, apples: true }));
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'customs');

		await t.test('the worklist shows the task and filters it', async () => {
			assert.equal(new URL(page.url()).pathname, '/worklist');
			assert.equal(await page.locator('#page-title').innerText(), L('海关待办任务', 'Worklist of Customs'));
			await page.locator(`a[href="/declarations/${review.number}"]`).waitFor();
			await page.getByLabel(L('查找', 'Find')).fill(`REV-${stamp}`);
			assert.deepEqual(await page.locator('tbody th a').allInnerTexts(), [review.number]);
			await page.getByLabel(L('查找', 'Find')).fill('');
			await shot(page, 'worklist');
			await page.getByLabel(L('任务状态', 'Task status')).selectOption('inspecting');
			await page.waitForFunction((n) => !document.querySelector(`a[href="/declarations/${n}"]`), review.number);
			await page.getByLabel(L('任务状态', 'Task status')).selectOption('open');
			await page.locator(`a[href="/declarations/${review.number}"]`).waitFor();
		});

		await t.test('a task lodged meanwhile appears without reloading', async () => {
			const fresh = await server.lodge('trader', seaImport({ bl: `NEW-${stamp}` }));
			await page.locator(`a[href="/declarations/${fresh.number}"]`).waitFor();
		});

		await t.test('the risk explanation names the lanes and the rule', async () => {
			await page.locator(`a[href="/declarations/${review.number}"]`).click();
			await settled(page);
			const risk = page.locator('section').filter({ has: page.getByRole('heading', { name: L('风险评估说明', 'Risk assessment') }) });
			const lanes = await risk.locator('table').first().innerText();
			assert.match(lanes, L(/海关\s+黄色（审单）/, /Customs\s+Yellow \(document check\)/));
			assert.match(lanes, L(/检验检疫\s+红色（查验）/, /Inspection and quarantine\s+Red \(inspection\)/));
			assert.match(lanes, /fire blight on US apples/);
			assert.match(await risk.innerText(), /when hs starts "0808" and origin = "US" then quarantine red 100%/);
			await shot(page, 'officer-declaration');
		});

		await t.test('every decision needs a reason, then it returns the declaration', async () => {
			const form = page.locator('form.decide');
			const reason = form.getByRole('textbox', { name: L('原因', 'Reason'), exact: true });
			const err = fieldOf(reason).locator('.field-error');
			/* nothing is chosen for the officer */
			assert.equal(await form.locator('input[type=radio]:checked').count(), 0);
			await form.getByLabel(L('通过', 'Clear'), { exact: true }).check();
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			await err.waitFor();
			assert.equal((await err.innerText()).trim(), L('此决定必须填写', 'is required for this decision'));
			await form.getByLabel(L('退回修改', 'Return for correction')).check();
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
			assert.equal((await err.innerText()).trim(), L('此决定必须填写', 'is required for this decision'));
			assert.equal(await reason.getAttribute('aria-invalid'), 'true');
			const still = await server.must(200, 'GET', `/v1/declarations/${review.number}`, { token: await server.token('customs') });
			assert.equal(still.tasks.find((x) => x.agency === 'customs').status, 'open');
			await reason.fill('invoice number does not match the packing list');
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			await page.locator('#page-title .badge').filter({ hasText: L('已退单', 'Returned') }).waitFor();
			const view = await server.must(200, 'GET', `/v1/declarations/${review.number}`, { token: await server.token('customs') });
			assert.equal(view.status, 'returned');
			assert.equal(view.tasks.find((x) => x.agency === 'customs').reason, 'invoice number does not match the packing list');
			assert.equal(await page.locator('form.decide').count(), 0);
		});

		await t.test('a joint inspection: finding, mutual recognition, release', async () => {
			const inspected = await server.lodge('trader', seaImport({ bl: `INS-${stamp}`, apples: true, laptops: false }));
			await server.decide('customs', inspected.number, 'inspect', 'x-ray the containers');
			const trader = await server.token('trader');
			const insp = await server.must(200, 'GET', `/v1/declarations/${inspected.number}/inspection`, { token: trader });
			assert.deepEqual(insp.agencies.map((a) => a.agency).sort(), ['customs', 'quarantine']);
			await server.must(201, 'POST', `/v1/inspections/${insp.id}/booking`, { token: trader, body: { site: 'CNNSA-1', slot_start: slotIn(2) } });
			slotHasBegun(server, insp.id);

			/* customs' task awaits the inspection: a decision may not clear it */
			await visit(page, `/declarations/${inspected.number}`);
			const decide = page.locator('form.decide');
			await decide.locator('.alert.info').waitFor();
			assert.deepEqual(await decide.locator('label.radio').allInnerTexts(),
				L(['退回修改', '不予放行'], ['Return for correction', 'Reject']));
			/* and no waiver for an officer who is not a supervisor */
			assert.equal(await page.locator('form.waive').count(), 0);

			const q = await open(env.browser, server, { lang });
			await login(q, 'quarantine');
			await visit(q, `/declarations/${inspected.number}`);
			const finding = q.locator('form.finding');
			await finding.getByLabel(L('查验正常', 'No problem found')).check();
			await finding.getByRole('textbox', { name: L('查验情况', 'What was found'), exact: true }).fill('samples passed; no pests');
			await shot(q, 'inspection-finding');
			await finding.getByRole('button', { name: L('录入查验结果', 'Record the finding') }).click();
			await q.locator('table').filter({ hasText: 'samples passed; no pests' }).first().waitFor();
			checkClean(q);
			await q.context().close();

			await visit(page, `/declarations/${inspected.number}`);
			const recognise = page.locator('form.recognise');
			await recognise.getByRole('button', { name: L('互认此结果', 'Recognise this finding') }).click();
			await page.locator('#page-title .badge').filter({ hasText: L('已放行', 'Released') }).waitFor();
			const table = await page.locator('section').filter({ has: page.getByRole('heading', { name: L('联合查验', 'Joint inspection') }) }).innerText();
			assert.match(table, L(/查验正常[\s\S]*检验检疫/, /No problem found[\s\S]*Inspection and quarantine/));
			const done = await server.must(200, 'GET', `/v1/declarations/${inspected.number}/inspection`, { token: trader });
			assert.equal(done.status, 'completed');
			assert.equal(done.agencies.find((a) => a.agency === 'customs').finding.recognised_from, 'quarantine');
		});

		await t.test('a supervisor waives an inspection with a reason', async () => {
			const fruit = await server.lodge('trader', seaImport({ bl: `WAIVE-${stamp}`, apples: true, laptops: false }));
			await server.decide('customs', fruit.number, 'cleared', 'documents checked');
			/* quarantine's officer is offered the finding later, not a waiver */
			const q = await open(env.browser, server, { lang });
			await login(q, 'quarantine');
			await visit(q, `/declarations/${fruit.number}`);
			await q.locator('section').filter({ has: q.getByRole('heading', { name: L('联合查验', 'Joint inspection') }) }).waitFor();
			assert.equal(await q.locator('form.waive').count(), 0);
			checkClean(q);
			await q.context().close();

			const lead = await open(env.browser, server, { lang });
			await login(lead, 'quarantine.lead');
			await visit(lead, `/declarations/${fruit.number}`);
			const waive = lead.locator('form.waive');
			const reason = waive.getByRole('textbox', { name: L('免验原因', 'Reason for the waiver'), exact: true });
			await waive.getByRole('button', { name: L('免于查验', 'Waive the inspection') }).click();
			const err = fieldOf(reason).locator('.field-error');
			await err.waitFor();
			assert.equal((await err.innerText()).trim(), L('此决定必须填写', 'is required for this decision'));
			await shot(lead, 'inspection-waiver');
			await reason.fill('exporter on the approved list; phytosanitary certificate checked');
			await waive.getByRole('button', { name: L('免于查验', 'Waive the inspection') }).click();
			await lead.locator('#page-title .badge').filter({ hasText: L('已放行', 'Released') }).waitFor();
			const timeline = await lead.locator('.timeline').innerText();
			assert.match(timeline, L(/免于查验[\s\S]*放行/, /Inspection waived[\s\S]*Released/));
			const tasks = await lead.locator('section').filter({ has: lead.getByRole('heading', { name: L('各单位审核任务', 'Agencies\' tasks') }) }).innerText();
			assert.match(tasks, L(/免于查验：exporter on the approved list/, /Inspection waived: exporter on the approved list/));
			const view = await server.must(200, 'GET', `/v1/declarations/${fruit.number}`, { token: await server.token('quarantine.lead') });
			const task = view.tasks.find((x) => x.agency === 'quarantine');
			assert.equal(task.status, 'cleared');
			assert.equal(task.decided_by, 'quarantine.lead');
			checkClean(lead);
			await lead.context().close();
		});

		checkClean(page);
		await page.context().close();
	});
}
