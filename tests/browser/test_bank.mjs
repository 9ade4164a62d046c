/*
 * test_bank.mjs - where a bank's user starts, in the browser, in Chinese
 * and in English, against a real kouan: logging in, and the brand link
 * home, lead ICBC's `bank` to the payment orders reported to its bank, the
 * only menu group it has besides its account. What the orders screen
 * shows and does (confirming, refusing, what another bank sees) is in
 * test_consignment.mjs, with the declarant's side. And a role with no
 * screen here starts on its account.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClean, login, open, settled, suite, T } from './kouan_browser.mjs';

const env = suite('bank');
const { server } = env;

for (const lang of ['zh', 'en']) {
	test(`a bank starts on its payment orders in ${lang}`, async () => {
		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		await login(page, 'bank');
		assert.equal(new URL(page.url()).pathname, '/payments');
		assert.equal(await page.locator('#page-title').innerText(), L('缴款指令', 'Payment orders'));
		const nav = page.locator('#nav');
		/* menu titles are shown in capitals: their text as written */
		assert.deepEqual(await nav.locator('h2').allTextContents(),
			[L('税款缴纳', 'Duty payments'), L('其他', 'More')]);
		assert.deepEqual(await nav.locator('a').allInnerTexts(),
			[L('缴款指令', 'Payment orders'), L('账户与密码', 'My account')]);
		assert.equal(await nav.locator('a[aria-current="page"]').innerText(),
			L('缴款指令', 'Payment orders'));
		assert.equal(await page.locator('.who-role').innerText(),
			L('银行（税款缴纳）', 'Bank (duty payments)'));
		/* from elsewhere, the brand leads home: for a bank, its orders */
		await nav.getByRole('link', { name: L('账户与密码', 'My account') }).click();
		await page.waitForURL((u) => u.pathname === '/account');
		await settled(page);
		await page.locator('a.brand').click();
		await page.waitForURL((u) => u.pathname === '/payments');
		await settled(page);
		checkClean(page);
		await page.context().close();
	});
}

/* A role with no screen of its own here (the e-commerce parties work
 * through the API) lands on its account: it used to be sent to the
 * declarations, turned back home, and round again without end. */
test('a role without screens lands on its account', async () => {
	const page = await open(env.browser, server, { lang: 'en' });
	await login(page, 'platform');
	assert.equal(new URL(page.url()).pathname, '/account');
	await settled(page);
	checkClean(page);
	await page.context().close();
});
