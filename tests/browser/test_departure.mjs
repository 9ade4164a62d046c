/*
 * test_departure.mjs - recording when the goods of a rail or mail export
 * left (POST /v1/declarations/{number}/departure), in the browser, in
 * Chinese and in English, against a real kouan. Haitong (trader) exports
 * T-shirts out of Nansha by train, by post and by sea; customs clears
 * them:
 *   * the Nansha terminal is offered "Record departure" on the released
 *     rail export; the form says now, in port time; an empty time and a
 *     time before the release are refused at the field, the latter in the
 *     server's own words, and nothing is recorded; the time offered is
 *     recorded (declaration.departed at that instant), the page shows it
 *     and offers the action no more;
 *   * read again, the page shows the terminal's departure, and no action;
 *   * the terminal is not offered it on a released import, nor on an
 *     export by sea;
 *   * customs sees the terminal's departure on the rail export, with no
 *     action; is offered it on the released mail export and records it
 *     there; is not offered it on an import, on an export by sea, nor on a
 *     rail export not yet released;
 *   * the exporter reads the departure, and is offered nothing, not even
 *     on a released rail export whose departure nobody recorded;
 *   * axe finds no serious or critical violation in the form; a
 *     screenshot of it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	axe, checkClean, DEMO, fieldOf, freshContainer, login, open, shot, suite, T, visit,
} from './kouan_browser.mjs';

const env = suite('departure');
const { server } = env;

/* the conveyance of each transport mode (as tests/api/test_departures.c) */
const CONVEYANCE = {
	2: { name: 'COSCO SHIPPING ARIES', voyage: '047W', imo: '9321378' },
	3: { name: 'X8083 中老铁路国际货运列车', voyage: '20261123-01' },
	6: { name: 'China Post EMS', voyage: 'CNNSA-20261123' },
};

/** An export of the demo trader's T-shirts leaving Nansha by `mode`, with
 * a bill and a container of its own. */
function exportBy(mode, bill) {
	return {
		direction: 'export', declaration_office: '5167', port_office: '5167',
		declarant_uscc: '91440101MA59TRAD00', consignee_uscc: '91440101MA59TRAD00',
		trade_mode: '0110', transport_mode: mode, conveyance: CONVEYANCE[mode],
		bill_of_lading: bill, trading_country: 'LA', destination_country: 'LA',
		exit_port: 'CNNSA', incoterm: 'FOB', currency: 'USD', packages: 320,
		gross_weight_kg: '2880.000', containers: [freshContainer()],
		items: [{ hs_code: '6109100000', description: 'Cotton knitted T-shirts', quantity: '9600',
			unit: '011', unit_price: '3.90', origin_country: 'CN' }],
		documents: [{ type: 'invoice', number: 'HT-EX-2026-0501' }],
	};
}

/** Lodged by the trader, and released by customs when `release`. */
async function exported(mode, bill, release = true) {
	const d = await server.lodge('trader', exportBy(mode, bill));
	if (!release) return d.number;
	await server.decide('customs', d.number, 'cleared', 'documents checked');
	const v = await server.must(200, 'GET', `/v1/declarations/${d.number}`,
		{ token: await server.token('trader') });
	assert.equal(v.status, 'released');
	return d.number;
}

/** The departures on a declaration's timeline, as customs reads it. */
async function departures(number) {
	const v = await server.must(200, 'GET', `/v1/declarations/${number}/events`,
		{ token: await server.token('customs') });
	return v.events.filter((e) => e.type === 'declaration.departed');
}

/* The demo server's port time is China Standard Time (UTC+08:00, no
 * daylight saving): a datetime-local value as an instant, and back. */
const CST = 8 * 3600000;
const portInstant = (value) => Date.parse(`${value.length === 16 ? `${value}:00` : value}+08:00`);
const portMinute = (ms) => new Date(ms + CST).toISOString().slice(0, 16);

for (const lang of ['zh', 'en']) {
	test(`the departure of a rail or mail export in ${lang}`, async (t) => {
		const stamp = `${lang}-${Date.now()}`;
		const rail = await exported('3', `RAIL-${stamp}`);
		const mail = await exported('6', `MAIL-${stamp}`);
		const sea = await exported('2', `SEA-${stamp}`);
		const waiting = await exported('3', `WAIT-${stamp}`, false);
		const unrecorded = await exported('3', `SPARE-${stamp}`);
		const released = (await server.must(200, 'GET', `/v1/declarations/${rail}`,
			{ token: await server.token('trader') })).released_at;

		const page = await open(env.browser, server, { lang });
		const L = (zh, en) => T(page, zh, en);
		const action = (p) => p.getByRole('button',
			{ name: L('登记离境', 'Record departure'), exact: true });
		const verify = (p) => p.getByRole('button',
			{ name: L('核验放行通知书', 'Verify the release notice') });
		const fact = (p) => p.locator('.facts').first();
		const leftAt = L('离境时间', 'Left at');
		const byTerminal = L('由 terminal 登记', 'recorded by terminal');
		const byCustoms = L('由 customs 登记', 'recorded by customs');
		await login(page, 'terminal');

		let offered;
		await t.test('the terminal is offered it on the released rail export', async () => {
			await visit(page, `/declarations/${rail}`);
			await action(page).waitFor();
			assert.ok(!(await fact(page).innerText()).includes(L('货物离境', 'Goods left')));
			await action(page).click();
			const dialog = page.locator('dialog[open]');
			await dialog.waitFor();
			assert.match(await dialog.locator('h2').innerText(),
				L(/登记出口货物离境（铁路、邮件）/, /Record the departure of an export \(rail or mail\)/));
			const at = dialog.getByLabel(leftAt);
			offered = await at.inputValue();
			/* now, in port time */
			assert.ok(Math.abs(portInstant(offered) - Date.now()) < 120000, offered);
			assert.ok(portInstant(offered) >= Date.parse(released) - 1000, released);
			assert.match(await fieldOf(at).locator('.hint').innerText(), /Asia\/Shanghai/);
			await axe(page, `departure form (${lang})`);
			await shot(page, 'departure');
		});

		await t.test('no time, or one before the release, is refused at the field', async () => {
			const dialog = page.locator('dialog[open]');
			const at = dialog.getByLabel(leftAt);
			const error = fieldOf(at).locator('.field-error');
			const submit = dialog.getByRole('button', { name: L('登记', 'Record'), exact: true });
			await at.fill('');
			await submit.click();
			await error.waitFor();
			assert.equal((await error.innerText()).trim(), L('必填', 'is required'));

			const before = portMinute(Date.parse(released) - 60000);
			await at.fill(before);
			await submit.click();
			await error.filter({ hasText: released }).waitFor();
			/* what the server says of that time (a refusal records nothing) */
			const said = await server.must(400, 'POST', `/v1/declarations/${rail}/departure`, {
				token: await server.token('terminal'),
				body: { departed_at: new Date(portInstant(before)).toISOString() },
			});
			const problem = said.errors.find((e) => e.field === '/departed_at').problem;
			assert.equal(problem,
				`must not be before the release (${released}): goods leave once released`);
			assert.equal((await error.innerText()).trim(),
				L(`不能早于放行时间（${released}）：货物放行后方可离境`, problem));
			assert.equal(await at.getAttribute('aria-invalid'), 'true');
			assert.deepEqual(await departures(rail), []);
		});

		await t.test('the time offered is recorded and shown', async () => {
			const dialog = page.locator('dialog[open]');
			await dialog.getByLabel(leftAt).fill(offered);
			await dialog.getByRole('button', { name: L('登记', 'Record'), exact: true }).click();
			await page.locator('dialog[open]').waitFor({ state: 'detached' });
			const shown = `${offered.slice(0, 16).replace('T', ' ')} · ${byTerminal}`;
			await fact(page).filter({ hasText: shown }).waitFor();
			assert.match(await fact(page).innerText(),
				new RegExp(L('货物离境（铁路、邮件）', 'Goods left \\(rail or mail\\)')));
			assert.equal(await action(page).count(), 0);
			const [e] = await departures(rail);
			assert.equal(Date.parse(e.data.departed_at), portInstant(offered));
			assert.equal(e.actor, 'terminal');
		});

		await t.test('read again, the page shows it and offers nothing', async () => {
			await visit(page, `/declarations/${rail}`);
			await verify(page).waitFor();
			await fact(page).filter({ hasText: byTerminal }).waitFor();
			assert.equal(await action(page).count(), 0);
		});

		await t.test('the terminal is not offered it on an import, nor by sea', async () => {
			for (const number of [DEMO.tableware, sea]) {
				await visit(page, `/declarations/${number}`);
				await verify(page).waitFor();
				assert.equal(await action(page).count(), 0, number);
			}
		});

		await t.test('customs sees it, and records the mail export\'s', async () => {
			const officer = await open(env.browser, server, { lang });
			await login(officer, 'customs');
			await visit(officer, `/declarations/${rail}`);
			assert.match(await fact(officer).innerText(),
				new RegExp(`${offered.slice(0, 16).replace('T', ' ')} · ${byTerminal}`));
			assert.equal(await action(officer).count(), 0);
			assert.match(await officer.locator('.timeline').innerText(),
				L(/出口货物离境（铁路、邮件）/, /Goods left \(rail or mail\)/));

			for (const number of [DEMO.tableware, sea, waiting]) {
				await visit(officer, `/declarations/${number}`);
				assert.equal(await action(officer).count(), 0, number);
			}

			await visit(officer, `/declarations/${mail}`);
			await action(officer).click();
			const dialog = officer.locator('dialog[open]');
			const at = await dialog.getByLabel(leftAt).inputValue();
			await dialog.getByRole('button', { name: L('登记', 'Record'), exact: true }).click();
			await dialog.waitFor({ state: 'detached' });
			await fact(officer).filter({ hasText: byCustoms }).waitFor();
			assert.equal(await action(officer).count(), 0);
			const [e] = await departures(mail);
			assert.equal(Date.parse(e.data.departed_at), portInstant(at));
			assert.equal(e.actor, 'customs');
			/* read again from the timeline */
			await visit(officer, `/declarations/${mail}`);
			assert.ok((await fact(officer).innerText()).includes(byCustoms));
			assert.equal(await action(officer).count(), 0);
			checkClean(officer);
			await officer.context().close();
		});

		await t.test('the exporter reads it and is offered nothing', async () => {
			const trader = await open(env.browser, server, { lang });
			await login(trader, 'trader');
			await visit(trader, `/declarations/${rail}`);
			assert.ok((await fact(trader).innerText()).includes(byTerminal));
			assert.equal(await action(trader).count(), 0);
			await visit(trader, `/declarations/${unrecorded}`);
			await verify(trader).waitFor();
			assert.equal(await action(trader).count(), 0);
			assert.ok(!(await fact(trader).innerText()).includes(L('货物离境', 'Goods left')));
			checkClean(trader);
			await trader.context().close();
		});

		checkClean(page);
		await page.context().close();
	});
}
