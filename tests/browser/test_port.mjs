/*
 * test_port.mjs - a terminal's day in the browser, in Chinese and in
 * English, against a real kouan:
 *   * the released declarations at the terminal's port (Nansha: the demo's
 *     tableware is there, Baiyun's laptops are not), newest releases
 *     appearing without a reload; nothing else is offered;
 *   * a declaration shows what its release notice says (bill of lading,
 *     containers, agencies that cleared) and nothing more: no goods, no
 *     values, no parties, no timeline;
 *   * a release notice verified in the browser (Ed25519 through WebCrypto
 *     against GET /v1/release-key): from the declaration, by number, and
 *     from a file; a notice changed by one character, or signed by another
 *     key, is refused with a clear "do not release".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkClean, DEMO, login, open, seaImport, settled, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('port');
const { server } = env;

/* lodged (after its manifest line) and cleared by customs: released on
 * Haitong's general guarantee */
async function releasedOne(bl) {
	const body = seaImport({ bl });
	const d = await server.lodge('trader', body);
	await server.decide('customs', d.number, 'cleared');
	return { number: d.number, container: body.containers[0] };
}

for (const lang of ['zh', 'en']) {
	test(`terminal's day in ${lang}`, async (t) => {
		const stamp = `${lang}-${Date.now()}`;
		const { number: first, container } = await releasedOne(`PORT-A-${stamp}`);
		const waiting = await server.lodge('trader', seaImport({ bl: `PORT-W-${stamp}` }));
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'terminal');

		await t.test('released declarations only, and new releases appear', async () => {
			assert.equal(await page.locator('#page-title').innerText(), L('已放行报关单', 'Released declarations'));
			await page.locator(`a[href="/declarations/${first}"]`).waitFor();
			assert.equal(await page.locator(`a[href="/declarations/${waiting.number}"]`).count(), 0);
			/* the demo's release at Nansha, not the one at Baiyun airport */
			await page.locator(`a[href="/declarations/${DEMO.tableware}"]`).waitFor();
			assert.equal(await page.locator(`a[href="/declarations/${DEMO.laptops}"]`).count(), 0);
			const row = await page.locator('tbody tr').filter({ hasText: first }).innerText();
			assert.match(row, L(/CNNSA 南沙/, /CNNSA Nansha/));
			assert.match(row, new RegExp(`PORT-A-${stamp}`));
			assert.ok(await page.getByLabel(L('状态', 'Status'), { exact: true }).isDisabled());
			const statuses = await page.locator('tbody .badge').allInnerTexts();
			assert.ok(statuses.every((s) => s === L('已放行', 'Released')), statuses.join());
			await shot(page, 'released');
			await server.decide('customs', waiting.number, 'cleared');
			await page.locator(`a[href="/declarations/${waiting.number}"]`).waitFor();
			/* the menu offers the terminal's work only */
			const menu = await page.locator('#nav').innerText();
			assert.ok(!menu.includes(L('新建报关单', 'New declaration')));
			assert.ok(!menu.includes(L('待办任务', 'Worklist')));
		});

		await t.test('a declaration at notice level, verified', async () => {
			await page.locator(`a[href="/declarations/${first}"]`).click();
			await settled(page);
			const facts = await page.locator('.facts').innerText();
			assert.match(facts, new RegExp(`PORT-A-${stamp}`));
			assert.match(facts, new RegExp(container));
			assert.match(facts, L(/已放行的单位\s+海关/, /Agencies that cleared\s+Customs/));
			/* what the notice does not say is not shown */
			assert.equal(await page.locator('.timeline').count(), 0);
			assert.equal(await page.getByRole('heading', { name: L('商品', 'Goods'), exact: true }).count(), 0);
			assert.ok(!(await page.locator('main').innerText()).includes('389.50'));
			await shot(page, 'notice-declaration');
			await page.getByRole('button', { name: L('核验放行通知书', 'Verify the release notice') }).click();
			const verdict = page.locator('.verdict');
			await verdict.waitFor();
			assert.match(await verdict.innerText(), L(/签名有效/, /Valid/));
			assert.match(await page.locator('.notice-panel').innerText(), new RegExp(`PORT-A-${stamp}`));
		});

		await t.test('by number, from a file, and a changed notice refused', async () => {
			await visit(page, '/verify');
			await page.getByRole('textbox', { name: L('报关单号', 'Declaration number'), exact: true }).fill(first);
			await page.getByRole('button', { name: L('核验', 'Verify'), exact: true }).first().click();
			await page.locator('.verdict.valid').waitFor();
			await shot(page, 'verify');

			const notice = await server.must(200, 'GET', `/v1/declarations/${first}/release-notice`, { token: await server.token('terminal') });
			const file = path.join(os.tmpdir(), `notice-${process.pid}-${lang}.json`);
			fs.writeFileSync(file, JSON.stringify(notice));
			await page.getByLabel(L('选择通知书文件（JSON）', 'Choose a notice file (JSON)')).setInputFiles(file);
			/* the page reads the file after the change: removed once read */
			await page.waitForFunction(() => document.querySelector('textarea').value.includes('signature'));
			fs.rmSync(file);
			await page.getByRole('button', { name: L('核验', 'Verify'), exact: true }).nth(1).click();
			await page.locator('.verdict.valid').waitFor();

			/* one more package than was released */
			const changed = { ...notice, notice: notice.notice.replace('"packages":120', '"packages":121') };
			assert.notEqual(changed.notice, notice.notice);
			await page.getByLabel(L('或粘贴通知书内容', 'Or paste the notice')).fill(JSON.stringify(changed));
			await page.getByRole('button', { name: L('核验', 'Verify'), exact: true }).nth(1).click();
			await page.locator('.verdict.invalid').waitFor();
			assert.match(await page.locator('.verdict').innerText(), L(/不得放行[\s\S]*签名与内容不符/, /do not release[\s\S]*does not match/));

			/* signed by some other key */
			const other = { ...notice, key_id: '0000000000000000' };
			await page.getByLabel(L('或粘贴通知书内容', 'Or paste the notice')).fill(JSON.stringify(other));
			await page.getByRole('button', { name: L('核验', 'Verify'), exact: true }).nth(1).click();
			await page.locator('.verdict.invalid').filter({ hasText: L('不是用 kouan 当前公布的密钥签发的', 'not signed with the key kouan publishes') }).waitFor();
		});

		checkClean(page);
		await page.context().close();
	});
}
