/*
 * test_mandates.mjs - electronic mandates (委托) in the browser, in
 * Chinese and in English, against a real kouan. Haitong (the trader) is
 * the consignee, Pengcheng (trader2) the agent:
 *   * a mandate to Haitong itself is refused at the agent field; one to
 *     Pengcheng for exports is given and listed, with Pengcheng's name, in
 *     force, and Pengcheng sees it among those it holds;
 *   * an import for Haitong under that export mandate is refused at the
 *     consignee field, and the form does not offer Haitong for imports;
 *     once Haitong gives an import mandate the form offers and names
 *     Haitong, and the declaration lodges;
 *   * once Haitong revokes the mandate, Pengcheng's next import for it is
 *     refused at the consignee field again;
 *   * the screen has no serious or critical axe violation.
 * (What the consignee sees of a declaration lodged for it is in
 * test_declarant.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axe, checkClean, fieldOf, login, open, ORG, seaImport, settled, shot, suite, T, visit } from './kouan_browser.mjs';

const env = suite('mandates');
const { server } = env;

/** A draft in the page's browser, as the form keeps them, of goods the
 * carrier has manifested; resolves to its path. */
async function draft(page, user, body) {
	await server.manifestLine(body);
	return page.evaluate(({ u, b }) => {
		const id = crypto.randomUUID();
		const now = new Date().toISOString();
		const all = JSON.parse(localStorage.getItem(`kouan.drafts.${u}`) || '[]');
		all.push({ id, key: `kouan-web-${crypto.randomUUID()}`, created_at: now, updated_at: now, body: b, correcting: null });
		localStorage.setItem(`kouan.drafts.${u}`, JSON.stringify(all));
		return `/drafts/${id}`;
	}, { u: user, b: body });
}

const forHaitong = (bl) => ({ ...seaImport({ bl }), declarant_uscc: ORG.pengcheng, consignee_uscc: ORG.haitong });

for (const lang of ['zh', 'en']) {
	test(`mandates in ${lang}`, async (t) => {
		const stamp = `${lang}-${Date.now()}`;
		const haitong = await open(env.browser, server, { lang });
		const agent = await open(env.browser, server, { lang });
		const L = (zh, en) => T(haitong, zh, en);
		await login(haitong, 'trader');
		await login(agent, 'trader2');
		const agentField = () => haitong.getByRole('textbox', { name: L('受托单位（统一社会信用代码）', 'Agent (USCC)'), exact: true });
		const gave = () => haitong.locator('section').filter({ has: haitong.getByRole('heading', { name: L('本单位出具的委托', 'Mandates you gave') }) });
		/* the mandates given so far (the other language's run gave some) */
		const given = () => gave().locator('tbody tr').filter({ hasNot: haitong.locator('td.empty') });
		const give = async (uscc, scope) => {
			await agentField().fill(uscc);
			await haitong.getByLabel(L('委托范围', 'Scope')).selectOption(scope);
			await haitong.getByRole('button', { name: L('出具委托', 'Give the mandate') }).click();
		};
		/* give one that is taken: the list has one row more, the newest first */
		const giveTaken = async (uscc, scope) => {
			const before = await given().count();
			await give(uscc, scope);
			for (let i = 0; (await given().count()) <= before; i++) {
				assert.ok(i < 300, 'the new mandate is not listed');
				await haitong.waitForTimeout(100);
			}
			return given().first();
		};
		const consigneeError = () => fieldOf(agent.getByRole('combobox', { name: L('境内收货人（统一社会信用代码）', 'Domestic consignee (USCC)'), exact: true })).locator('.field-error');

		await t.test('a mandate is refused at its field, then given for exports', async () => {
			await visit(haitong, '/mandates');
			await give(ORG.haitong, 'export');
			const err = fieldOf(agentField()).locator('.field-error');
			await err.waitFor();
			assert.equal((await err.innerText()).trim(), L('必须是本单位以外的单位', 'must be another organisation than your own'));
			assert.equal(await agentField().getAttribute('aria-invalid'), 'true');
			const row = await giveTaken(ORG.pengcheng, 'export');
			assert.match(await row.innerText(), /Pengcheng Trading, Qianhai/);
			assert.match(await row.innerText(), L(/出口[\s\S]*有效/, /Exports[\s\S]*In force/));
			await axe(haitong, `mandates (${lang})`);
			await shot(haitong, 'mandates');
			await visit(agent, '/mandates');
			const held = agent.locator('section').filter({ has: agent.getByRole('heading', { name: L('本单位持有的委托', 'Mandates you hold') }) });
			await held.locator('tbody tr').filter({ hasText: 'Haitong Import & Export' }).filter({ hasText: L('出口', 'Exports') }).first().waitFor();
		});

		await t.test('an import for Haitong needs an import mandate', async () => {
			await visit(agent, await draft(agent, 'trader2', forHaitong(`MAND-EXP-${stamp}`)));
			/* Haitong is not offered for imports, and not named */
			assert.deepEqual(await agent.locator('datalist option').evaluateAll((os) => os.map((o) => o.value)), [ORG.pengcheng]);
			assert.equal(await agent.locator('.consignee-name').innerText(), '');
			await agent.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await consigneeError().waitFor();
			assert.match(await consigneeError().innerText(),
				L(/91440101MA59TRAD00 没有向本单位出具覆盖进口报关单的有效电子委托/, /no electronic mandate \(委托\) from 91440101MA59TRAD00 to your organisation covers this import declaration/));

			const imports = await giveTaken(ORG.pengcheng, 'import');
			assert.match(await imports.innerText(), L(/进口[\s\S]*有效/, /Imports[\s\S]*In force/));
			await agent.reload();
			await settled(agent);
			assert.deepEqual(await agent.locator('datalist option').evaluateAll((os) => os.map((o) => o.value)), [ORG.pengcheng, ORG.haitong]);
			assert.match(await agent.locator('.consignee-name').innerText(), L(/^广州南沙海通进出口贸易有限公司.*委托有效至 \d{4}-/, /^广州南沙海通进出口贸易有限公司.*under a mandate until \d{4}-/));
			await agent.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await agent.waitForURL(/\/declarations\/\d{18}$/);
			await settled(agent);
			const number = agent.url().split('/').pop();
			const v = await server.must(200, 'GET', `/v1/declarations/${number}`, { token: await server.token('trader') });
			assert.equal(v.organisation, ORG.pengcheng);
			assert.equal(v.declaration.consignee_uscc, ORG.haitong);
		});

		await t.test('a revoked mandate stops the agent', async () => {
			/* the newest first: the import mandate just given */
			const row = given().first();
			assert.match(await row.innerText(), L(/进口[\s\S]*有效/, /Imports[\s\S]*In force/));
			await row.getByRole('button', { name: L('撤销委托', 'Revoke') }).click();
			await haitong.getByRole('dialog').getByRole('button', { name: L('撤销委托', 'Revoke') }).click();
			await given().first().filter({ hasText: L('已撤销', 'Revoked') }).filter({ hasText: L('进口', 'Imports') }).waitFor();
			assert.equal(await given().first().getByRole('button', { name: L('撤销委托', 'Revoke') }).count(), 0);
			const list = (await server.must(200, 'GET', '/v1/mandates', { token: await server.token('trader') })).mandates;
			assert.ok(list.filter((m) => m.agent_uscc === ORG.pengcheng && m.scope === 'import').every((m) => m.revoked_at));
			await visit(agent, await draft(agent, 'trader2', forHaitong(`MAND-REV-${stamp}`)));
			await agent.getByRole('button', { name: L('申报', 'Lodge'), exact: true }).click();
			await consigneeError().waitFor();
			assert.match(await consigneeError().innerText(), L(/没有向本单位出具覆盖进口报关单的有效电子委托/, /no electronic mandate/));
		});

		checkClean(haitong);
		checkClean(agent);
		await haitong.context().close();
		await agent.context().close();
	});
}
