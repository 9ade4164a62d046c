/*
 * test_messages.mjs - the interface says everything in both languages:
 * every text key the code uses (t('...'), menu entries, field specs) has a
 * Chinese and an English text; both texts of a key name the same {values};
 * every value of the API's enumerations that the interface shows (from
 * docs/openapi.json: declaration, task and inspection statuses, lanes,
 * decisions, credit classes, roles, event types, mandate scopes, manifest
 * matches and kinds, permissions, gate actions and what the gate misses,
 * assessments, refund statuses, verdicts and decisions) has its label, and
 * so have every part that may hold a release (src/service/release_holds.c)
 * and every audit action the auditor's screen offers; and the translated
 * server sentences keep every part they match. No browser.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SOURCE } from './kouan_browser.mjs';
import { MESSAGES, PROBLEM_SUBJECTS, PROBLEM_TEXTS } from '../../web/app/messages.js';

const APP = path.join(SOURCE, 'web', 'app');

function sources(dir) {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
		const p = path.join(dir, d.name);
		if (d.isDirectory()) return sources(p);
		return p.endsWith('.js') ? [p] : [];
	});
}

test('every key used has both texts', () => {
	const used = new Set();
	for (const f of sources(APP)) {
		const s = fs.readFileSync(f, 'utf8');
		for (const m of s.matchAll(/\bt\('([a-z_.0-9]+)'/g)) used.add(m[1]);
		for (const m of s.matchAll(/\['\/[^']*', '(menu\.[a-z_]+)'/g)) used.add(m[1]);
		for (const m of s.matchAll(/title: '(menu\.[a-z_]+)'/g)) used.add(m[1]);
		for (const m of s.matchAll(/(?:group|hint): '([a-z_.]+)'/g)) used.add(m[1]);
	}
	assert.ok(used.size > 300, `only ${used.size} keys found`);
	const missing = [...used].filter((k) => !(k in MESSAGES));
	assert.deepEqual(missing, []);
});

test('both texts are there and name the same values', () => {
	for (const [key, texts] of Object.entries(MESSAGES)) {
		assert.ok(Array.isArray(texts) && texts.length === 2, key);
		const [zh, en] = texts;
		assert.ok(zh && en, `${key} has an empty text`);
		const names = (s) => [...s.matchAll(/\{([a-z_0-9]+)\}/g)].map((m) => m[1]).sort();
		assert.deepEqual(names(zh), names(en), `${key}: {values} differ`);
		/* the Chinese text is Chinese, unless it is only values and punctuation */
		if (zh.replace(/\{[a-z_0-9]+\}/g, '').replace(/[\s，、：–]/g, ''))
			assert.match(zh, /[\u4e00-\u9fff]/, `${key} has no Chinese`);
	}
});

test('every value the API may show has its label', () => {
	const doc = JSON.parse(fs.readFileSync(path.join(SOURCE, 'docs', 'openapi.json'), 'utf8'));
	const s = doc.components.schemas;
	const kinds = {
		status: s.DeclarationStatus.enum,
		task: s.TaskStatus.enum,
		insp: s.InspectionStatus.enum,
		lane: s.Lane.enum,
		credit: s.CreditClass.enum,
		decision: s.Decision.properties.decision.enum,
		event: s.Event.properties.type.enum,
		role: [...new Set([...s.Event.properties.actor_role.enum, ...s.UserInput.properties.role.enum,
			...s.Me.properties.role.enum])],
		scope: s.Mandate.properties.scope.enum,
		result: s.FindingInput.properties.result.enum,
		kind: s.OrganisationInput.properties.kind.enum,
		/* the transport side and money (docs/transport.md, docs/money.md) */
		match: s.Match.enum,
		mkind: s.Manifest.properties.kind.enum,
		rkind: s.ConveyanceReport.properties.kind.enum,
		permission: s.Permission.enum,
		gate: s.GateAnswer.properties.action.enum,
		missing: s.GateMissing.properties.kind.enum,
		duties: s.TaxesView.properties.status.enum,
		refund: s.RefundApplication.properties.status.enum,
		verdict: s.RefundApplication.properties.verdict.enum,
		rdecision: s.RefundDecision.properties.decision.enum,
	};
	for (const [kind, values] of Object.entries(kinds)) {
		assert.ok(values.length >= 2, kind);
		for (const v of values) assert.ok(`${kind}.${v}` in MESSAGES, `no label for ${kind}.${v}`);
	}
	assert.ok(kinds.role.includes('auditor'));
	for (const r of ['carrier', 'tax_office']) assert.ok(kinds.role.includes(r), r);
	/* what a release may be held for: every part of the table of holds
	 * (src/service/release_holds.c) */
	const holds = fs.readFileSync(path.join(SOURCE, 'src', 'service', 'release_holds.c'), 'utf8');
	const parts = [...holds.matchAll(/^\s*\{"([a-z_]+)", [a-z_]+_holds,/gm)].map((m) => m[1]);
	assert.deepEqual(parts, ['inspection', 'manifest', 'payment']);
	for (const part of parts) assert.ok(`hold.${part}` in MESSAGES, `no label for hold.${part}`);
	/* the auditor's screen offers the actions that have labels
	 * (action.*): exactly those docs/security.md lists */
	const AUDIT_ACTIONS = Object.keys(MESSAGES).filter((k) => k.startsWith('action.')).map((k) => k.slice(7));
	const security = fs.readFileSync(path.join(SOURCE, 'docs', 'security.md'), 'utf8');
	const documented = [...security.matchAll(/^\| `([a-z_.]+)`(?:, `([a-z_.]+)`)? \|/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean);
	assert.ok(documented.length >= 20, `only ${documented.length} actions found in docs/security.md`);
	assert.deepEqual([...AUDIT_ACTIONS].sort(), [...new Set(documented)].sort());
	for (const list of ['agencies', 'countries', 'currencies', 'commodities', 'customs_offices', 'ports',
		'trade_modes', 'transport_modes', 'units', 'incoterms', 'document_types', 'exchange_rates'])
		assert.ok(`reflist.${list}` in MESSAGES, list);
});

test('server sentences are translated with their parts', () => {
	const translate = (text) => {
		for (const [en, zh] of PROBLEM_SUBJECTS)
			if (text.startsWith(en)) return zh + translate(text.slice(en.length));
		for (const [re, zh] of PROBLEM_TEXTS) {
			const m = re.exec(text);
			if (m) return zh.replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? '');
		}
		return text;
	};
	assert.equal(translate('is required'), '必填');
	assert.equal(translate('container number check digit does not match (ISO 6346)'), '集装箱号校验码不正确（ISO 6346）');
	assert.equal(translate('has more than 3 decimal places'), '小数位数超过 3 位');
	assert.equal(translate('\'0808100001\' is not in the commodity table (see GET /v1/reference/commodities)'),
		'“0808100001”不在商品编码表中');
	assert.equal(translate('must be a whole number from 1 to 99999999'), '必须是 1 至 99999999 的整数');
	assert.equal(translate('something new the server says'), 'something new the server says');
	assert.equal(translate('the role customs is for an organisation of kind agency; 91440604MA4WFH7XKB is of kind trader'),
		'角色 customs 只适用于类别为 agency 的单位；91440604MA4WFH7XKB 的类别是 trader');
	assert.equal(translate('no electronic mandate (委托) from 91440101MA59TRAD00 to your organisation covers this import declaration now; the consignee gives one with POST /v1/mandates'),
		'91440101MA59TRAD00 没有向本单位出具覆盖进口报关单的有效电子委托');
	assert.equal(translate('a mandate lasts at most 1096 days; give a new one when it ends'), '委托期限最长 1096 天，到期后请重新委托');
	/* what a release waits for, and the gate */
	assert.equal(translate('awaiting payment of 47064.81 CNY: no general guarantee is on file'), '待缴税款 47064.81 元：未备案总担保');
	assert.equal(translate('awaiting payment of 145600.00 CNY: guarantee G-E2E-CEILING has 13200.00 CNY left of its 450000.00 CNY ceiling; 145600.00 CNY is needed'),
		'待缴税款 145600.00 元：总担保 G-E2E-CEILING 剩余额度 13200.00 元（总额度 450000.00 元），需 145600.00 元');
	assert.equal(translate('duties and taxes are not assessed yet: no exchange rate for GBP in 2026-11'), '税款尚未计征：缺少 2026-11 的 GBP 汇率');
	assert.equal(translate('declaration 516720261000000001 of bill COSU6291830410 is accepted, not released; waiting for customs, quarantine'),
		'提运单 COSU6291830410 的报关单 516720261000000001 尚未放行（accepted），等待：customs, quarantine');
	for (const [re, zh] of PROBLEM_TEXTS) {
		const groups = new RegExp(`${re.source}|`).exec('').length - 1;
		for (const m of zh.matchAll(/\$(\d)/g)) assert.ok(Number(m[1]) <= groups, `${re} uses $${m[1]}`);
	}
});
