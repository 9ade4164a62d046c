/*
 * test_officer.mjs - agency officers' day in the browser, in Chinese and
 * in English, against a real kouan:
 *   * customs' worklist shows the new task, filters by status and by bill
 *     of lading, and a task lodged meanwhile appears without reloading;
 *   * the declaration shows its risk explanation (lanes per agency, the
 *     rule that hit, on its line);
 *   * a return without a reason is refused at the reason field, then
 *     recorded with one: the declaration is returned;
 *   * a joint inspection (quarantine's red lane, customs joining) whose
 *     slot has begun: quarantine records its finding, customs recognises
 *     it, and the goods are released.
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

		await t.test('a return needs a reason, then returns the declaration', async () => {
			const form = page.locator('form.decide');
			await form.getByLabel(L('退回修改', 'Return for correction')).check();
			await form.getByRole('button', { name: L('提交决定', 'Record the decision') }).click();
			const reason = form.getByRole('textbox', { name: L('原因', 'Reason'), exact: true });
			const err = fieldOf(reason).locator('.field-error');
			await err.waitFor();
			assert.equal((await err.innerText()).trim(), L('此决定必须填写', 'is required for this decision'));
			assert.equal(await reason.getAttribute('aria-invalid'), 'true');
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

		checkClean(page);
		await page.context().close();
	});
}
