/*
 * test_admin.mjs - an administrator's day in the browser, in Chinese and
 * in English, against a real kouan:
 *   * an organisation with a wrong check character is refused at the USCC
 *     field, then registered; a user is made for it and can log in;
 *   * a reference entry is added, found, changed and deleted;
 *   * a rule set with a mistake is refused with its line and column marked
 *     in the editor, then previewed on past declarations and published
 *     from a later time;
 *   * an office profile is set; an inspection site with a slot length
 *     that does not divide a day is refused at that field, then added, and
 *     its day of slots shown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClean, fieldOf, login, open, picker, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('admin');
const { server } = env;

/** A valid USCC from 17 characters (GB 32100-2015 check character). */
function uscc(first17) {
	const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
	let sum = 0;
	let w = 1;
	for (const c of first17) {
		sum += alphabet.indexOf(c) * w;
		w = (w * 3) % 31;
	}
	return first17 + alphabet[(31 - (sum % 31)) % 31];
}

function dialogField(page, name) {
	return page.getByRole('dialog').getByRole('textbox', { name, exact: true });
}

for (const lang of ['zh', 'en']) {
	test(`administrator's day in ${lang}`, async (t) => {
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'admin');
		const n = lang === 'zh' ? '1' : '2';
		const code = uscc(`9144060${n}MA4WFH7XK`);

		await t.test('an organisation is registered, its USCC checked', async () => {
			assert.equal(new URL(page.url()).pathname, '/admin/organisations');
			await page.getByRole('button', { name: L('登记企业或单位', 'Register an organisation') }).first().click();
			const wrong = code.slice(0, 17) + (code[17] === 'A' ? 'B' : 'A');
			await dialogField(page, L('统一社会信用代码', 'USCC')).fill(wrong);
			await dialogField(page, L('名称', 'Name')).fill(`佛山陶瓷出口 Foshan Ceramics ${lang}`);
			await page.getByRole('dialog').getByRole('button', { name: L('登记企业或单位', 'Register an organisation') }).click();
			const err = fieldOf(dialogField(page, L('统一社会信用代码', 'USCC'))).locator('.field-error');
			await err.waitFor();
			assert.match(await err.innerText(), L(/校验码不正确（GB 32100-2015）/, /check digit does not match \(GB 32100-2015\)/));
			await dialogField(page, L('统一社会信用代码', 'USCC')).fill(code);
			await page.getByRole('dialog').getByRole('button', { name: L('登记企业或单位', 'Register an organisation') }).click();
			await page.getByRole('dialog').waitFor({ state: 'detached' });
			await page.locator('tbody').getByText(code).waitFor();
			await shot(page, 'organisations');
		});

		await t.test('a user is made and logs in', async () => {
			await visit(page, '/admin/users');
			await page.getByRole('button', { name: L('新增用户', 'Add a user') }).first().click();
			const dlg = page.getByRole('dialog');
			await dialogField(page, L('用户名', 'User name')).fill(`foshan.${lang}`);
			await dialogField(page, L('姓名', 'Display name')).fill('何敏 He Min');
			await dlg.getByLabel(L('初始密码', 'Password')).fill('glaze-and-kiln-2026');
			await dlg.getByLabel(L('所属单位', 'Organisation')).selectOption(code);
			await dlg.getByRole('button', { name: L('新增用户', 'Add a user') }).click();
			await dlg.waitFor({ state: 'detached' });
			await page.locator('tbody').getByText(`foshan.${lang}`).waitFor();
			const s = await server.must(201, 'POST', '/v1/sessions', { body: { username: `foshan.${lang}`, password: 'glaze-and-kiln-2026' } });
			assert.equal(s.user.organisation, code);
		});

		await t.test('a reference entry is added, changed and deleted', async () => {
			const hs = lang === 'zh' ? '0810903000' : '0810904000';
			await visit(page, '/admin/reference');
			await page.getByLabel(L('参数表', 'List')).selectOption('commodities');
			await page.getByRole('button', { name: L('新增代码', 'Add an entry') }).first().click();
			await dialogField(page, L('代码', 'Code')).fill(hs);
			await dialogField(page, L('中文名称', 'Chinese name')).fill('鲜龙眼');
			await dialogField(page, L('英文名称', 'English name')).fill('Longans, fresh');
			await dialogField(page, 'unit').fill('035');
			await dialogField(page, 'agencies').fill('customs, quarantine');
			await page.getByRole('dialog').getByRole('button', { name: L('保存', 'Save') }).click();
			await page.getByRole('dialog').waitFor({ state: 'detached' });
			await page.getByLabel(L('查找', 'Find')).fill('龙眼');
			await page.locator('tbody').getByText(hs).waitFor();
			const got = await server.must(200, 'GET', `/v1/reference/commodities/${hs}`, { token: await server.token('admin') });
			assert.deepEqual(got.agencies, ['customs', 'quarantine']);
			await page.getByRole('button', { name: `${L('修改', 'Edit')} ${hs}` }).click();
			await dialogField(page, L('中文名称', 'Chinese name')).fill('鲜龙眼（带壳）');
			await page.getByRole('dialog').getByRole('button', { name: L('保存', 'Save') }).click();
			await page.locator('tbody').getByText('鲜龙眼（带壳）').waitFor();
			await shot(page, 'reference');
			await page.getByRole('button', { name: `${L('删除', 'Delete')} ${hs}` }).click();
			await page.getByRole('dialog').getByRole('button', { name: L('删除', 'Delete') }).click();
			await page.waitForFunction((c) => !document.querySelector('tbody')?.textContent.includes(c), hs);
			assert.equal((await server.call('GET', `/v1/reference/commodities/${hs}`, { token: await server.token('admin') })).status, 404);
		});

		await t.test('a rule with a mistake is marked at its line and column', async () => {
			await visit(page, '/risk/rules');
			const editor = page.getByRole('textbox', { name: L('规则集全文', 'The whole rule set') });
			const text = await editor.inputValue();
			assert.match(text, /fire blight on US apples/);
			const lines = text.split('\n');
			lines.splice(2, 0, 'when hs starts "0303" then quarantine purple 50%');
			await editor.fill(lines.join('\n'));
			await page.getByRole('button', { name: L('试运行', 'Preview') }).click();
			const err = page.locator('#rule-error');
			await err.waitFor();
			assert.match(await err.innerText(), L(/^第 3 行第 39 列：/, /^Line 3, column 39: /));
			assert.equal(await page.locator('.gutter .bad').innerText(), '3\n');
			assert.equal(await editor.getAttribute('aria-invalid'), 'true');
			const caret = await editor.evaluate((el) => el.selectionStart);
			assert.equal(caret, lines[0].length + lines[1].length + 2 + 38);
			await shot(page, 'rules-error');
			lines[2] = 'when hs starts "0303" then quarantine yellow 50% reason "frozen fish papers"';
			await editor.fill(lines.join('\n'));
			assert.equal(await page.locator('#rule-error').isHidden(), true);
			await page.getByRole('button', { name: L('试运行', 'Preview') }).click();
			const result = page.locator('.rule-result');
			await result.getByRole('heading', { name: L('试运行结果', 'Preview') }).waitFor();
			assert.match(await result.innerText(), /\b[1-9]\d*\b/);
			await page.getByLabel(L('说明', 'Note'), { exact: true }).fill(`frozen fish ${lang}`);
			await page.getByRole('button', { name: L('发布新版本', 'Publish as a new version') }).click();
			await page.locator('.rule-result .alert.ok').waitFor();
			const list = await server.must(200, 'GET', '/v1/risk/rules', { token: await server.token('admin') });
			const mine = list.versions.find((v) => v.note === `frozen fish ${lang}`);
			assert.ok(mine, 'the new version is stored');
			assert.ok(Date.parse(mine.effective_from) > Date.now() - 60000);
			await page.locator('tbody').getByText(`frozen fish ${lang}`).waitFor();
		});

		await t.test('an office profile is set', async () => {
			await visit(page, '/risk/profiles');
			await picker(page, L('关区', 'Customs office')).fill('5316');
			await page.getByRole('combobox', { name: L('单位', 'Agency'), exact: true }).selectOption('quarantine');
			await page.getByRole('combobox', { name: L('基础通道', 'Base lane'), exact: true }).selectOption('green');
			await page.getByLabel(L('随机抽查比例（%）', 'Random rate (%)')).fill('7.5');
			await page.getByRole('button', { name: L('保存', 'Save') }).first().click();
			await page.locator('tbody tr').filter({ hasText: '7.5%' }).waitFor();
			const p = await server.must(200, 'GET', '/v1/risk/profiles', { token: await server.token('admin') });
			const set = p.profiles.find((x) => x.office === '5316' && x.agency === 'quarantine');
			assert.equal(set.random_ppm, 75000);
			assert.equal(set.base_lane, 'green');
		});

		await t.test('an inspection site is added and its slots shown', async () => {
			const site = `WEB-${lang.toUpperCase()}`;
			await visit(page, '/sites');
			await page.getByRole('button', { name: L('新增查验场地', 'Add a site') }).first().click();
			await dialogField(page, L('场地代码', 'Site code')).fill(site);
			await dialogField(page, L('场地名称', 'Name')).fill('Yantian test area');
			await picker(page.getByRole('dialog'), L('所在口岸', 'Port')).fill('CNYTN');
			await dialogField(page, L('时段长度（分钟）', 'Slot length (minutes)')).fill('7');
			await page.getByRole('dialog').getByRole('button', { name: L('新增查验场地', 'Add a site') }).click();
			const err = fieldOf(dialogField(page, L('时段长度（分钟）', 'Slot length (minutes)'))).locator('.field-error');
			await err.waitFor();
			await dialogField(page, L('时段长度（分钟）', 'Slot length (minutes)')).fill('15');
			await page.getByRole('dialog').getByRole('button', { name: L('新增查验场地', 'Add a site') }).click();
			await page.getByRole('dialog').waitFor({ state: 'detached' });
			await page.locator('tbody').getByText(site).waitFor();
			await page.getByRole('combobox', { name: L('查验场地', 'Inspection site'), exact: true }).selectOption(site);
			await page.waitForFunction(() => document.querySelectorAll('.slot-list li').length === 96);
			await shot(page, 'sites');
		});

		checkClean(page);
		await page.context().close();
	});
}
