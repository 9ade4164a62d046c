/*
 * test_gate.mjs - the terminal's gate in the browser, in Chinese and in
 * English, against a real kouan (docs/transport.md "The gate"), with a
 * container of its own on the demo vessel's manifest (which has its entry
 * permission) and the declaration of its bill:
 *   * a container number with a wrong length is refused at its field;
 *   * the container is discharged: asked, allowed, recorded;
 *   * gate-out before the release: the answer names the declaration that
 *     is not released; recorded anyway it is refused with the same
 *     missing thing, and the refused attempt is on the declaration's
 *     timeline;
 *   * once customs clears (Haitong's guarantee secures the duties) the
 *     gate-out is allowed and recorded, on the timeline too;
 *   * customs may ask but is offered no recording;
 *   * axe finds no serious or critical violation; a screenshot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axe, checkClean, fieldError, login, open, seaImport, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('gate');
const { server } = env;

async function timeline(number) {
	const r = await server.must(200, 'GET', `/v1/declarations/${number}/events`, { token: await server.token('trader') });
	return r.events.map((e) => e.type);
}

for (const lang of ['zh', 'en']) {
	test(`the gate in ${lang}`, async (t) => {
		const body = seaImport({ bl: `GATE-${lang}-${Date.now()}` });
		const container = body.containers[0];
		const d = await server.lodge('trader', body);
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'terminal');
		await page.getByRole('link', { name: L('闸口核放', 'Gate') }).click();
		await page.locator('form.gate').waitFor();
		const number = page.getByRole('textbox', { name: L('集装箱号', 'Container'), exact: true });
		const action = page.getByLabel(L('作业', 'Yard event'));
		const ask = page.getByRole('button', { name: L('查询', 'Ask'), exact: true });
		const record = page.getByRole('button', { name: L('录入作业', 'Record the event') });
		const verdict = page.locator('.gate-answer .verdict');

		await t.test('a container number is checked at its field', async () => {
			await number.fill(container.slice(0, 10));
			await ask.click();
			await page.locator('.error-summary').waitFor();
			assert.equal(await fieldError(page, L('集装箱号', 'Container')), L('集装箱号必须为11位', 'container number must be 11 characters'));
		});

		await t.test('discharged: asked, allowed, recorded', async () => {
			await number.fill(container);
			await action.selectOption('discharged');
			await ask.click();
			await verdict.filter({ hasText: L('可以', 'Yes') }).waitFor();
			assert.match(await page.locator('.gate-answer').innerText(), /2\|9321378\|046E\|CNNSA/);
			await record.click();
			await verdict.filter({ hasText: L('已录入', 'Recorded') }).waitFor();
			assert.ok((await timeline(d.number)).includes('container.discharged'));
		});

		await t.test('gated out before the release: refused, and the attempt recorded', async () => {
			await action.selectOption('gated_out');
			await ask.click();
			await verdict.filter({ hasText: L('不可以', 'No:') }).waitFor();
			const missing = await page.locator('ul.missing').innerText();
			assert.match(missing, L(
				new RegExp(`放行\\s+${d.number}\\s+提运单 ${body.bill_of_lading} 的报关单 ${d.number} 尚未放行（accepted），等待：customs`),
				new RegExp(`Release\\s+${d.number}\\s+declaration ${d.number} of bill ${body.bill_of_lading} is accepted, not released; waiting for customs`)));
			await axe(page, `gate (${lang})`);
			await shot(page, 'gate');
			await record.click();
			await verdict.filter({ hasText: L('已拒绝', 'Refused') }).waitFor();
			assert.match(await page.locator('ul.missing').innerText(), new RegExp(d.number));
			await page.locator('.gate-answer .hint').waitFor();
			const types = await timeline(d.number);
			assert.ok(types.includes('container.gate_refused'), types.join());
			assert.ok(!types.includes('container.gated_out'));
		});

		await t.test('released: gated out', async () => {
			await server.decide('customs', d.number, 'cleared', 'documents checked');
			await ask.click();
			await verdict.filter({ hasText: L('可以', 'Yes') }).waitFor();
			await record.click();
			await verdict.filter({ hasText: L('已录入', 'Recorded') }).waitFor();
			assert.ok((await timeline(d.number)).includes('container.gated_out'));
			/* the declarant sees it on its timeline, in words */
			const trader = await open(env.browser, server, { lang });
			await login(trader, 'trader');
			await visit(trader, `/declarations/${d.number}`);
			assert.match(await trader.locator('.timeline').innerText(),
				L(new RegExp(`卸船（卸货）[\\s\\S]*闸口拒绝[\\s\\S]*出闸[\\s\\S]*集装箱 ${container}`), new RegExp(`Discharged[\\s\\S]*Refused at the gate[\\s\\S]*Gated out[\\s\\S]*container ${container}`)));
			checkClean(trader);
			await trader.context().close();
		});

		await t.test('customs asks and records nothing', async () => {
			const customs = await open(env.browser, server, { lang });
			await login(customs, 'customs');
			await visit(customs, '/gate');
			await customs.getByRole('textbox', { name: L('集装箱号', 'Container'), exact: true }).fill(container);
			await customs.getByRole('button', { name: L('查询', 'Ask'), exact: true }).click();
			await customs.locator('.gate-answer .verdict').waitFor();
			assert.equal(await customs.getByRole('button', { name: L('录入作业', 'Record the event') }).count(), 0);
			checkClean(customs);
			await customs.context().close();
		});

		checkClean(page);
		await page.context().close();
	});
}
