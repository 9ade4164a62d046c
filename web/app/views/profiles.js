/*
 * profiles.js - how each office selects for each agency (布控参数): the
 * lane when no rule selects and the random inspection rate; how
 * enterprise credit scales that rate (administrators); and an
 * organisation's credit class with its history (customs officers and
 * administrators change it, with a reason).
 */
import { api } from '../api.js';
import { picker } from '../combobox.js';
import { ppmToPercent } from '../decimal.js';
import { h, replace } from '../dom.js';
import { agencyName } from '../events.js';
import { fmtTime, label, t } from '../i18n.js';
import { codeWithName, refLoad } from '../ref.js';
import { agencyOf, me } from '../session.js';
import {
	busy, errorBox, facts, field, input, loading, pageTitle, section, select, submitting, table, toast,
} from '../ui.js';

const LANES = ['green', 'blue', 'yellow', 'red'];
const AGENCIES = ['customs', 'quarantine', 'border', 'maritime'];
const CLASSES = ['advanced', 'standard', 'discredited'];

export async function render(main) {
	const user = me();
	const own = agencyOf(user);
	const canEdit = Boolean(own) || user.role === 'admin';
	const host = h('div');
	main.append(pageTitle(t('profiles.title')), h('p.lead', t('profiles.lead')), host);
	replace(host, loading());
	let data;
	try {
		await refLoad('customs_offices', 'agencies');
		data = await api('GET', '/v1/risk/profiles');
	} catch (err) {
		replace(host, errorBox(err));
		return;
	}

	const tableHost = h('div');
	function drawTable() {
		replace(tableHost, table({
			caption: t('profiles.title'),
			rows: data.profiles,
			empty: t('profiles.none'),
			columns: [
				{ label: t('profiles.office'), header: true, value: (p) => codeWithName('customs_offices', p.office) },
				{ label: t('task.agency'), value: (p) => agencyName(p.agency) },
				{ label: t('profiles.base_lane'), value: (p) => h('span.badge', { class: `lane-${p.base_lane}` }, label('lane', p.base_lane)) },
				{ label: t('profiles.random'), className: 'num', value: (p) => `${ppmToPercent(p.random_ppm)}%` },
				{ label: t('profiles.updated'), value: (p) => `${fmtTime(p.updated_at)} · ${p.updated_by}` },
			],
		}));
	}
	drawTable();
	const parts = [section(t('profiles.current'), h('p.hint', t('profiles.unset')), tableHost)];

	if (canEdit) {
		const office = picker({ list: 'customs_offices' });
		const agency = select(AGENCIES.filter((a) => !own || a === own).map((a) => [a, agencyName(a)]), own || 'customs');
		const lane = select(LANES.map((l) => [l, label('lane', l)]), 'yellow');
		const percent = input({ inputmode: 'decimal', value: '0' });
		const ok = h('button.primary', { type: 'submit' }, t('profiles.save'));
		const form = h('form', { novalidate: true },
			h('div.form-grid',
				field({ label: t('profiles.office'), control: office, required: true }),
				field({ label: t('task.agency'), control: agency, required: true }),
				field({ label: t('profiles.base_lane'), control: lane, pointer: '/base_lane', required: true }),
				field({ label: t('profiles.random_percent'), control: percent, pointer: '/random_percent', required: true, hint: t('profiles.percent_hint') })),
			h('div.actions', ok));
		submitting(form, ok, async () => {
			await api('PUT', `/v1/risk/profiles/${encodeURIComponent(office.value)}/${agency.value}`,
				{ body: { random_percent: percent.value.trim(), base_lane: lane.value } });
			toast(t('profiles.saved'));
			data = await api('GET', '/v1/risk/profiles');
			drawTable();
		});
		parts.push(section(t('profiles.set'), form));
	}

	const sc = data.credit_scaling || {};
	const scaling = [facts([
		[t('profiles.advanced_factor'), `${ppmToPercent(sc.advanced_factor_ppm ?? 0)}%`],
		[t('profiles.discredited_min'), `${ppmToPercent(sc.discredited_min_ppm ?? 0)}%`],
	])];
	if (user.role === 'admin') {
		const adv = input({ inputmode: 'decimal', value: ppmToPercent(sc.advanced_factor_ppm ?? 0) });
		const dis = input({ inputmode: 'decimal', value: ppmToPercent(sc.discredited_min_ppm ?? 0) });
		const ok = h('button', { type: 'submit' }, t('profiles.save'));
		const form = h('form', { novalidate: true }, h('div.form-grid',
			field({ label: t('profiles.advanced_factor'), control: adv, pointer: '/advanced_factor_percent', hint: t('profiles.advanced_hint') }),
			field({ label: t('profiles.discredited_min'), control: dis, pointer: '/discredited_min_percent', hint: t('profiles.discredited_hint') })),
		h('div.actions', ok));
		submitting(form, ok, async () => {
			await api('PUT', '/v1/risk/credit-scaling', { body: { advanced_factor_percent: adv.value.trim(), discredited_min_percent: dis.value.trim() } });
			toast(t('profiles.saved'));
		});
		scaling.push(form);
	}
	parts.push(section(t('profiles.scaling'), ...scaling));

	/* an organisation's credit class */
	const uscc = input({ maxlength: 18, class: 'upper' });
	const lookBtn = h('button', { type: 'submit' }, t('credit.look'));
	const creditOut = h('div');
	const look = h('form', {
		onsubmit: (e) => {
			e.preventDefault();
			busy(lookBtn, () => showCredit(uscc.value.trim().toUpperCase()));
		},
	}, h('div.form-grid', field({ label: t('credit.uscc'), control: uscc })), h('div.actions', lookBtn));

	async function showCredit(code) {
		try {
			const c = await api('GET', `/v1/organisations/${encodeURIComponent(code)}/credit`);
			const partsC = [facts([[t('credit.uscc'), c.uscc], [t('credit.class'), label('credit', c.credit_class)]]),
				table({
					caption: t('credit.history'),
					rows: c.history || [],
					empty: t('credit.no_history'),
					columns: [
						{ label: t('credit.when'), value: (r) => fmtTime(r.changed_at) },
						{ label: t('credit.change'), value: (r) => `${label('credit', r.from)} → ${label('credit', r.to)}` },
						{ label: t('credit.reason'), value: (r) => r.reason },
						{ label: t('credit.by'), value: (r) => r.changed_by },
					],
				})];
			if (user.role === 'customs' || user.role === 'admin') {
				const cls = select(CLASSES.map((k) => [k, label('credit', k)]), c.credit_class);
				const reason = h('textarea', { rows: 2, maxlength: 500 });
				const ok = h('button.primary', { type: 'submit' }, t('credit.change_submit'));
				const form = h('form', { novalidate: true }, h('div.form-grid',
					field({ label: t('credit.class'), control: cls, pointer: '/credit_class' }),
					field({ label: t('credit.reason'), control: reason, pointer: '/reason', required: true, wide: true })),
				h('div.actions', ok));
				submitting(form, ok, async () => {
					await api('PUT', `/v1/organisations/${encodeURIComponent(code)}/credit`, { body: { credit_class: cls.value, reason: reason.value.trim() } });
					toast(t('credit.changed'));
					await showCredit(code);
				});
				partsC.push(form);
			}
			replace(creditOut, partsC);
		} catch (err) {
			replace(creditOut, errorBox(err));
		}
	}
	parts.push(section(t('credit.title'), look, creditOut));
	replace(host, parts);
}
