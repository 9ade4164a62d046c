/*
 * declaration.js - one declaration (报关单) as the user may see it: its
 * state and tasks, the joint inspection and its appointment, the risk
 * explanation (officers, analysts, administrators), the match with the
 * carrier's manifest line, the duties and taxes with what is paid or
 * secured, why a release is held, the goods, documents and timeline,
 * earlier versions, and the release notice.
 *
 * What the user can do here depends on role and state, exactly as the API
 * allows it: a declarant corrects a returned declaration, withdraws,
 * books, moves or cancels the inspection, records a payment of its
 * duties; an officer decides its agency's task with a reason, records the
 * agency's inspection finding or recognises another agency's. New events about this declaration reload it
 * without the user asking.
 *
 * Once a rail or mail export is released, customs or the terminal of its
 * port records when its goods left (kouan does not follow trains or the
 * post); the page then shows that time instead of the action.
 */
import { api } from '../api.js';
import { h, download, replace } from '../dom.js';
import { draftNew, draftSave } from '../draftstore.js';
import { clearanceSection } from '../clearance.js';
import { agencyName, eventActor, eventDetail, eventTitle, reasonText } from '../events.js';
import { subscribe } from '../feed.js';
import { fmtDecimal, fmtMoney, fmtTime, fmtTimeFull, label, t, tz } from '../i18n.js';
import { checkNotice, releaseKey } from '../notice.js';
import { codeWithName, refLoad, refName } from '../ref.js';
import { navigate } from '../router.js';
import { appointmentText, scheduleView } from '../schedule.js';
import { agencyOf, isOfficer, me } from '../session.js';
import { localInputToIso, wallText } from '../time.js';
import {
	alertBox, announce, badge, busy, confirmDialog, errorBox, errorText, facts, field, input,
	loading, openDialog, pageTitle, section, select, submitting, table, toast,
} from '../ui.js';
import { dutiesPanel, heldNotice, matchPanel, payable, paymentForm } from './consignment.js';
import { noticePanel } from './verify.js';

const LISTS = ['customs_offices', 'ports', 'countries', 'currencies', 'commodities', 'units',
	'trade_modes', 'transport_modes', 'incoterms', 'document_types', 'agencies'];
const DECISIONS = ['cleared', 'inspect', 'return', 'reject'];
/* the transport modes whose conveyances kouan follows (water, road, air):
 * their call's departure says when an export left, none is recorded here */
const FOLLOWED_MODES = ['2', '4', '5'];

async function optional(promise) {
	try {
		return await promise;
	} catch (err) {
		if (err.status === 404 || err.status === 403) return null;
		throw err;
	}
}

/** Load everything the screen shows. A port operator sees what the
 * release notice says and no more (GET answers the notice-level view):
 * no goods, no timeline, no inspection; the direction and the transport
 * mode, and a rail or mail export's departure once recorded. A declarant looking at a declaration
 * another organisation lodged for it (as consignee, under its mandate) is
 * told who lodged it. */
async function loadAll(number, user) {
	const base = `/v1/declarations/${encodeURIComponent(number)}`;
	if (user.role === 'port_operator') {
		const [view, departure] = await Promise.all([api('GET', base),
			optional(api('GET', `${base}/departure`)), refLoad('ports', 'agencies')]);
		return { view, events: [], inspection: null, risk: null, noticeLevel: true,
			departure: departure ? { departed_at: departure.departed_at,
				recorded_by: departure.recorded_by, recorded_at: departure.recorded_at } : null };
	}
	const readsRisk = isOfficer(user.role) || user.role === 'analyst' || user.role === 'admin';
	const [view, events, inspection, risk, match, duties] = await Promise.all([
		api('GET', base),
		api('GET', `${base}/events`),
		optional(api('GET', `${base}/inspection`)),
		readsRisk ? optional(api('GET', `${base}/risk`)) : null,
		optional(api('GET', `${base}/match`)),
		optional(api('GET', `${base}/assessment`)),
		refLoad(...LISTS),
	]);
	let lodgedBy = null;
	if (user.role === 'declarant' && view.organisation !== user.organisation) {
		const given = await optional(api('GET', '/v1/mandates'));
		const m = given?.mandates.find((x) => x.agent_uscc === view.organisation);
		lodgedBy = m ? `${m.agent_name} (${m.agent_uscc})` : view.organisation;
	}
	return { view, events: events.events, inspection, risk, lodgedBy, match, duties };
}

/* --- the declaration's content --- */

function headerFacts(d) {
	const imp = d.direction === 'import';
	return facts([
		[t('decl.direction'), label('direction', d.direction)],
		[t('decl.declaration_office'), codeWithName('customs_offices', d.declaration_office)],
		[t('decl.port_office'), codeWithName('customs_offices', d.port_office)],
		[t('decl.declarant_uscc'), d.declarant_uscc],
		[t(imp ? 'decl.consignee_import' : 'decl.consignee_export'), d.consignee_uscc],
		[t('decl.trade_mode'), codeWithName('trade_modes', d.trade_mode)],
		[t('decl.transport_mode'), codeWithName('transport_modes', d.transport_mode)],
		[t('decl.conveyance_name'), d.conveyance?.name],
		[t('decl.conveyance_voyage'), d.conveyance?.voyage],
		d.conveyance?.imo ? [t('decl.conveyance_imo'), d.conveyance.imo] : null,
		[t('decl.bill_of_lading'), d.bill_of_lading],
		[t('decl.trading_country'), codeWithName('countries', d.trading_country)],
		imp ? [t('decl.departure_country'), codeWithName('countries', d.departure_country)]
			: [t('decl.destination_country'), codeWithName('countries', d.destination_country)],
		imp ? [t('decl.entry_port'), codeWithName('ports', d.entry_port)]
			: [t('decl.exit_port'), codeWithName('ports', d.exit_port)],
		[t('decl.incoterm'), codeWithName('incoterms', d.incoterm)],
		[t('decl.currency'), codeWithName('currencies', d.currency)],
		[t('decl.freight'), d.freight ? fmtMoney(d.freight, d.currency) : ''],
		[t('decl.insurance'), d.insurance ? fmtMoney(d.insurance, d.currency) : ''],
		[t('decl.packages'), d.packages === undefined ? '' : fmtDecimal(String(d.packages))],
		[t('decl.gross_weight_kg'), fmtDecimal(d.gross_weight_kg)],
		[t('decl.containers'), (d.containers || []).join(', ')],
		[t('decl.advance'), d.advance ? t('common.yes') : t('common.no')],
		d.remarks ? [t('decl.remarks'), d.remarks] : null,
	]);
}

function itemsTable(d, totals) {
	const values = totals?.item_values || [];
	return table({
		caption: t('form.group.items'),
		rows: (d.items || []).map((it, i) => ({ ...it, i, value: values[i] })),
		columns: [
			{ label: '#', value: (r) => String(r.i + 1) },
			{ label: t('item.hs_code'), value: (r) => h('span', h('span.code', r.hs_code), ' ', refName('commodities', r.hs_code)) },
			{ label: t('item.description'), value: (r) => r.description },
			{ label: t('item.quantity'), className: 'num', value: (r) => `${fmtDecimal(r.quantity)} ${refName('units', r.unit) || r.unit}` },
			{ label: t('item.unit_price'), className: 'num', value: (r) => fmtMoney(r.unit_price, d.currency) },
			{ label: t('item.value'), className: 'num', value: (r) => (r.value ? fmtMoney(r.value, d.currency) : '') },
			{ label: t('item.origin_country'), value: (r) => codeWithName('countries', r.origin_country) },
		],
	});
}

function documentsTable(d) {
	return table({
		caption: t('form.group.documents'),
		rows: d.documents || [],
		empty: t('detail.no_documents'),
		columns: [
			{ label: t('doc.type'), value: (r) => codeWithName('document_types', r.type) },
			{ label: t('doc.number'), value: (r) => r.number },
		],
	});
}

function tasksTable(view, lanes) {
	return table({
		caption: t('detail.tasks'),
		rows: view.tasks,
		columns: [
			{ label: t('task.agency'), header: true, value: (r) => agencyName(r.agency) },
			{ label: t('task.status'), value: (r) => badge('task', r.status) },
			{ label: t('task.lane'), value: (r) => (lanes[r.agency] ? badge('lane', lanes[r.agency]) : '') },
			{ label: t('task.decision'), value: (r) => label('decision', r.decision) },
			{ label: t('task.reason'), value: (r) => reasonText(r.reason, r.decided_by === 'kouan') },
			{ label: t('task.decided'), value: (r) => (r.decided_at ? `${fmtTime(r.decided_at)} · ${r.decided_by === 'kouan' ? t('event.by_kouan') : r.decided_by}` : '') },
			{ label: t('task.opened'), value: (r) => fmtTime(r.opened_at) },
		],
	});
}

function timeline(events) {
	return h('ol.timeline', events.map((e) => h('li',
		h('time', { datetime: e.at, title: fmtTimeFull(e.at) }, fmtTime(e.at)),
		h('div.event',
			h('strong', eventTitle(e)),
			h('span.actor', eventActor(e)),
			h('div.event-detail', eventDetail(e))))));
}

function riskPanel(risk) {
	const o = risk.outcome || {};
	const agencies = Object.entries(o.agencies || {});
	const reasons = (a) => (a.because || []).map((b) => {
		if (b.base) return t('risk.because_base', { lane: label('lane', b.base) });
		if (b.random) return t('risk.because_random');
		if (b.line) return t('risk.because_rule', { line: b.line, reason: b.reason || '' });
		return JSON.stringify(b);
	});
	return [
		facts([
			[t('risk.rules_version'), String(risk.rules_version)],
			[t('risk.assessed_at'), fmtTime(risk.assessed_at)],
			[t('risk.value_cny'), o.value_cny ? fmtMoney(o.value_cny, 'CNY') : t('risk.value_unknown')],
			[t('risk.consignee_credit'), label('credit', o.consignee_credit)],
			[t('risk.declarant_credit'), label('credit', o.declarant_credit)],
			[t('risk.new_importer'), o.new_importer ? t('common.yes') : t('common.no')],
		]),
		table({
			caption: t('risk.lanes'),
			rows: agencies.map(([agency, a]) => ({ agency, ...a })),
			columns: [
				{ label: t('task.agency'), header: true, value: (r) => agencyName(r.agency) },
				{ label: t('task.lane'), value: (r) => badge('lane', r.lane) },
				{ label: t('risk.why'), value: (r) => h('ul.plain', reasons(r).map((x) => h('li', x))) },
				{ label: t('risk.random'), value: (r) => (r.random ? t('risk.random_draw', {
					rate: r.random.rate, selected: r.random.selected ? t('common.yes') : t('common.no'),
				}) : '') },
			],
		}),
		table({
			caption: t('risk.rules_hit'),
			rows: o.rules_hit || [],
			empty: t('risk.no_rules'),
			columns: [
				{ label: t('risk.line'), value: (r) => String(r.line) },
				{ label: t('task.agency'), value: (r) => agencyName(r.agency) },
				{ label: t('task.lane'), value: (r) => badge('lane', r.lane) },
				{ label: t('risk.percent'), className: 'num', value: (r) => `${r.percent}%` },
				{ label: t('risk.selected'), value: (r) => (r.selected ? t('common.yes') : t('common.no')) },
				{ label: t('risk.rule'), value: (r) => h('code', r.source) },
			],
		}),
	];
}

/* --- the departure of a rail or mail export --- */

/** The departure recorded on the timeline, as POST .../departure answers
 * it, or null. */
function departureOf(events) {
	const e = events.find((x) => x.type === 'declaration.departed');
	return e ? { departed_at: e.data?.departed_at, recorded_by: e.actor, recorded_at: e.at } : null;
}

/** When the goods left and who said so. */
function departureText(dep) {
	return h('span', h('time', { datetime: dep.departed_at, title: fmtTimeFull(dep.departed_at) },
		fmtTime(dep.departed_at)), ' · ', t('depart.by', { who: dep.recorded_by }));
}

/**
 * May the user record when the goods left? As the API allows: a released
 * export whose conveyance kouan does not follow, not recorded yet, by
 * customs or by the terminal of its port (a terminal sees its own port's
 * declarations only).
 */
function departureOffered(user, view, direction, mode, departure) {
	if (departure || view.status !== 'released' || direction !== 'export') return false;
	if (user.role !== 'customs' && user.role !== 'port_operator') return false;
	return Boolean(mode) && !FOLLOWED_MODES.includes(mode);
}

/* A datetime-local value, with or without seconds, read in the port's
 * zone: RFC 3339 UTC, or null when it is not such a value. */
function portInputToIso(value) {
	const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)(?::(\d\d))?$/.exec(value || '');
	const minute = m ? localInputToIso(m[1], tz()) : null;
	if (!minute) return null;
	return new Date(Date.parse(minute) + Number(m[2] || 0) * 1000).toISOString()
		.replace('.000Z', 'Z');
}

/** What a port operator sees: the release notice's fields, and when the
 * goods left once this page recorded it. */
function noticeFacts(v, departure) {
	return facts([
		[t('decl.number'), v.number],
		[t('decl.status'), badge('status', v.status)],
		[t('decl.released_at'), v.released_at ? h('time', { datetime: v.released_at, title: fmtTimeFull(v.released_at) }, fmtTime(v.released_at)) : ''],
		[t('detail.port'), codeWithName('ports', v.port)],
		[t('decl.bill_of_lading'), v.bill_of_lading],
		[t('decl.containers'), (v.containers || []).join(', ')],
		[t('verify.agencies'), (v.agencies_cleared || []).map(agencyName).join('、')],
		departure ? [t('depart.fact'), departureText(departure)] : null,
	]);
}

/* --- actions --- */

function reasonBox(required) {
	return h('textarea', { rows: 3, maxlength: 500, required: required || null });
}

/* A group of radio buttons as a field whose errors come from `pointer`. */
function radioField(legend, name, choices, pointer, checked = null) {
	const radios = choices.map(([value, text]) => h('label.radio',
		h('input', { type: 'radio', name, value, checked: value === checked }), ' ', text));
	const group = h('fieldset.field.radio-group', { dataset: { pointer } },
		h('legend', legend), ...radios, h('p.field-error', { hidden: true }));
	group.errorEl = group.lastChild;
	group.input = radios[0].querySelector('input');
	group.value = () => group.querySelector(`input[name="${name}"]:checked`)?.value || null;
	return group;
}

/**
 * The officer's decision on its agency's task, always with a reason. A
 * task that awaits the joint inspection is cleared by the agency's finding
 * (or a supervisor's waiver), never by a decision: it offers return and
 * reject only. Nothing is chosen beforehand.
 */
function decisionForm(number, agency, task, reload) {
	const inspecting = task.status === 'inspecting';
	const offered = inspecting ? ['return', 'reject'] : DECISIONS;
	const group = radioField(t('decide.decision'), `decision-${number}`,
		offered.map((d) => [d, label('decision', d)]), '/decision');
	const reason = reasonBox(true);
	const reasonField = field({ label: t('decide.reason'), control: reason, pointer: '/reason', hint: t('decide.reason_hint'), wide: true, required: true });
	const submit = h('button.primary', { type: 'submit' }, t('decide.submit'));
	const form = h('form.decide', { novalidate: true },
		inspecting ? alertBox('info', t('decide.awaits_inspection')) : null,
		group, reasonField, h('div.actions', submit));
	submitting(form, submit, async () => {
		const decision = group.value();
		const body = {};
		if (decision) body.decision = decision;
		if (reason.value.trim()) body.reason = reason.value.trim();
		const v = await api('POST', `/v1/declarations/${number}/tasks/${agency}/decision`, { body });
		toast(t('decide.done', { decision: label('decision', decision), status: label('status', v.status) }));
		reload();
	}, (p) => (p === '/reason' ? t('decide.reason') : t('decide.decision')));
	return form;
}

/** A supervisor waives its agency's part of the joint inspection, with a
 * reason: the agency leaves the inspection and its task is cleared. */
function waiverForm(inspection, agency, reload) {
	const reason = reasonBox(true);
	const submit = h('button.danger', { type: 'submit' }, t('waive.submit'));
	const form = h('form.waive', { novalidate: true },
		field({ label: t('waive.reason'), control: reason, pointer: '/reason', wide: true, required: true, hint: t('waive.reason_hint') }),
		h('div.actions', submit));
	submitting(form, submit, async () => {
		const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
		await api('POST', `/v1/inspections/${inspection.id}/waivers/${agency}`, { body });
		toast(t('waive.done', { agency: agencyName(agency) }));
		reload();
	}, () => t('waive.reason'));
	return h('div.waiver', h('h3', t('waive.title', { agency: agencyName(agency) })), h('p.hint', t('waive.lead')), form);
}

/** The officer's finding on the joint inspection, or recognition. */
function findingForm(inspection, agency, reload) {
	const name = `result-${inspection.id}`;
	const note = reasonBox(false);
	const decision = select([['return', label('decision', 'return')], ['reject', label('decision', 'reject')]], 'return');
	const decisionField = field({ label: t('finding.decision'), control: decision, pointer: '/decision' });
	const group = radioField(t('finding.result'), name,
		['no_problem', 'problem'].map((r) => [r, label('result', r)]), '/result', 'no_problem');
	const result = () => group.value();
	decisionField.hidden = true;
	group.addEventListener('change', () => {
		decisionField.hidden = result() !== 'problem';
	});
	const submit = h('button.primary', { type: 'submit' }, t('finding.submit'));
	const form = h('form.finding', { novalidate: true }, group,
		field({ label: t('finding.note'), control: note, pointer: '/note', wide: true, hint: t('finding.note_hint') }),
		decisionField, h('div.actions', submit));
	submitting(form, submit, async () => {
		const body = { result: result() };
		if (note.value.trim()) body.note = note.value.trim();
		if (body.result === 'problem') body.decision = decision.value;
		await api('POST', `/v1/inspections/${inspection.id}/findings/${agency}`, { body });
		toast(t('finding.done'));
		reload();
	});
	const others = inspection.agencies.filter((a) => a.agency !== agency && a.finding);
	let recognition = null;
	if (others.length) {
		const from = select(others.map((a) => [a.agency, `${agencyName(a.agency)} · ${label('result', a.finding.result)}`]), others[0].agency);
		const rbtn = h('button', { type: 'submit' }, t('finding.recognise'));
		recognition = h('form.recognise', h('h3', t('finding.recognition')), h('p.hint', t('finding.recognition_hint')),
			field({ label: t('finding.from_agency'), control: from }), h('div.actions', rbtn));
		submitting(recognition, rbtn, async () => {
			await api('POST', `/v1/inspections/${inspection.id}/findings/${agency}/recognition`, { body: { from_agency: from.value } });
			toast(t('finding.recognised'));
			reload();
		});
	}
	return h('div.finding-forms', h('h3', t('finding.title', { agency: agencyName(agency) })), form, recognition);
}

/** Book or move the inspection's appointment (dialog). */
async function bookDialog(view, inspection, reload) {
	const d = view.declaration;
	const port = d.direction === 'import' ? d.entry_port : d.exit_port;
	let sites;
	try {
		sites = (await api('GET', '/v1/inspection-sites')).sites.filter((s) => s.port === port);
	} catch (err) {
		toast(errorText(err), 'error');
		return;
	}
	const moving = Boolean(inspection.appointment);
	await openDialog(moving ? t('book.move_title') : t('book.title'), (close) => {
		if (!sites.length) return [alertBox('warn', t('book.no_sites', { port: codeWithName('ports', port) }))];
		const msg = h('div');
		const view2 = scheduleView({
			sites,
			current: inspection.appointment?.slot_start,
			onChoose: async (site, slot) => {
				msg.replaceChildren();
				try {
					await api(moving ? 'PUT' : 'POST', `/v1/inspections/${inspection.id}/booking`,
						{ body: { site, slot_start: slot.start } });
					toast(t(moving ? 'book.moved' : 'book.booked', { when: fmtTime(slot.start) }));
					close(true);
					reload();
				} catch (err) {
					msg.append(alertBox('error', errorText(err)));
					view2.load();
				}
			},
		});
		return [h('p', t('book.intro', { port: codeWithName('ports', port) })), msg, view2];
	}, { wide: true });
}

export async function render(main, params) {
	const user = me();
	const number = params.number;
	const agency = agencyOf(user);
	const content = h('div.detail');
	main.append(pageTitle(t('detail.title', { number })), content);
	replace(content, loading());
	let data;
	/* the departure this page recorded, until the page is read again */
	let recorded = null;

	async function reload(quiet = false) {
		try {
			data = await loadAll(number, user);
		} catch (err) {
			replace(content, errorBox(err));
			return;
		}
		draw();
		if (quiet) announce(t('detail.updated'));
	}

	function draw() {
		const { view, events, inspection, risk, lodgedBy, noticeLevel, match, duties } = data;
		const d = view.declaration;
		const departure = recorded || data.departure || departureOf(events);
		const lanes = {};
		for (const e of events) if (e.type === 'declaration.assessed') Object.assign(lanes, e.data.lanes || {});
		document.querySelector('#page-title').replaceChildren(t('detail.title', { number }), ' ', badge('status', view.status));

		const actions = h('div.actions.toolbar');
		/* only the declaring organisation corrects or withdraws; a consignee reads */
		if (user.role === 'declarant' && !lodgedBy) {
			if (view.status === 'returned')
				actions.append(h('a.button.primary', { href: `/declarations/${number}/correct` }, t('detail.correct')));
			if (view.status === 'accepted' || view.status === 'returned')
				actions.append(h('button', { type: 'button', onclick: withdraw }, t('detail.withdraw')));
			actions.append(h('button', { type: 'button', onclick: copyAsNew }, t('detail.copy')));
		}
		if (view.status === 'released') {
			actions.append(h('button', { type: 'button', onclick: (e) => downloadNotice(e.currentTarget) }, t('detail.download_notice')));
			actions.append(h('button', { type: 'button', onclick: (e) => verifyNotice(e.currentTarget) }, t('detail.verify_notice')));
		}
		if (departureOffered(user, view, view.direction,
			noticeLevel ? view.transport_mode : d.transport_mode, departure))
			actions.append(h('button', { type: 'button', onclick: departureDialog },
				t('depart.action')));
		const noticeHost = h('div.notice-host');

		if (noticeLevel) {
			replace(content, h('p.lead', t('detail.notice_lead')), actions, noticeHost,
				section(t('detail.notice_facts'), noticeFacts(view, departure)));
			return;
		}

		const summary = facts([
			[t('decl.status'), badge('status', view.status)],
			[t('decl.direction'), label('direction', view.direction)],
			[t('decl.version'), String(view.version)],
			[t('decl.lodged_at'), h('time', { datetime: view.lodged_at, title: fmtTimeFull(view.lodged_at) }, fmtTime(view.lodged_at))],
			[t('decl.updated_at'), fmtTime(view.updated_at)],
			[t('decl.released_at'), fmtTime(view.released_at)],
			departure ? [t('depart.fact'), departureText(departure)] : null,
			[t('decl.organisation'), view.organisation],
			[t('detail.goods_value'), view.totals ? fmtMoney(view.totals.goods_value, view.totals.currency) : ''],
		]);

		const parts = [actions, noticeHost];
		if (lodgedBy) parts.push(alertBox('info', t('detail.lodged_for_us', { org: lodgedBy })));
		parts.push(section(t('detail.summary'), heldNotice(view, events, match), summary));

		/* the officer's own task */
		const mine = agency && view.tasks.find((tk) => tk.agency === agency);
		if (mine && (mine.status === 'open' || mine.status === 'inspecting'))
			parts.push(section(t('decide.title', { agency: agencyName(agency) }), decisionForm(number, agency, mine, () => reload())));

		parts.push(section(t('detail.tasks'), tasksTable(view, lanes)));
		if (match && match.match !== 'not_required') parts.push(section(t('match.title'), matchPanel(match)));
		if (duties) {
			const pay = user.role === 'declarant' && payable(duties, view.status)
				? paymentForm(number, duties.taxes.outstanding, () => reload()) : null;
			parts.push(section(t('duties.title'), dutiesPanel(duties, pay)));
		}
		parts.push(clearanceSection(number));

		if (inspection) parts.push(section(t('insp.title'), inspectionPanel(view, inspection)));
		if (risk) parts.push(section(t('risk.title'), riskPanel(risk)));

		parts.push(
			section(t('detail.header'), headerFacts(d)),
			section(t('form.group.items'), itemsTable(d, view.totals),
				view.totals ? h('p.total', t('form.total', { value: fmtMoney(view.totals.goods_value, view.totals.currency) })) : null),
			section(t('form.group.documents'), documentsTable(d)),
			section(t('detail.timeline'), timeline(events)));
		if (view.version > 1) {
			parts.push(section(t('detail.versions'), h('ul.plain', Array.from({ length: view.version - 1 }, (_, i) =>
				h('li', h('button.link', { type: 'button', onclick: () => showVersion(i + 1) }, t('detail.version_n', { v: i + 1 })))))));
		}
		replace(content, parts);

		async function withdraw() {
			await openDialog(t('detail.withdraw'), (close) => {
				const reason = reasonBox(false);
				const ok = h('button.danger', { type: 'submit' }, t('detail.withdraw'));
				const form = h('form', h('p', t('detail.withdraw_confirm', { number })),
					field({ label: t('detail.withdraw_reason'), control: reason, pointer: '/reason', wide: true }),
					h('div.actions', ok, h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
				submitting(form, ok, async () => {
					const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
					await api('POST', `/v1/declarations/${number}/withdrawal`, { body });
					toast(t('detail.withdrawn'));
					close(true);
					reload();
				});
				return form;
			});
		}

		function copyAsNew() {
			const copy = structuredClone(d);
			const dr = draftSave(user.username, draftNew(copy));
			toast(t('detail.copied'));
			navigate(`/drafts/${dr.id}`);
		}

		async function fetchNotice() {
			return api('GET', `/v1/declarations/${number}/release-notice`);
		}

		async function downloadNotice(btn) {
			await busy(btn, async () => {
				try {
					const n = await fetchNotice();
					download(`release-notice-${number}.json`, JSON.stringify(n, null, 2));
				} catch (err) {
					toast(errorText(err), 'error');
				}
			});
		}

		async function verifyNotice(btn) {
			await busy(btn, async () => {
				try {
					const [n, key] = await Promise.all([fetchNotice(), releaseKey()]);
					const r = await checkNotice(n, key);
					replace(noticeHost, noticePanel(r, key));
					noticeHost.querySelector('.verdict')?.focus();
				} catch (err) {
					replace(noticeHost, errorBox(err));
				}
			});
		}

		async function showVersion(v) {
			let old;
			try {
				old = await api('GET', `/v1/declarations/${number}/versions/${v}`);
			} catch (err) {
				toast(errorText(err), 'error');
				return;
			}
			await openDialog(t('detail.version_n', { v }), () => [
				h('p', t('detail.version_of', { v, current: old.current_version })),
				headerFacts(old.declaration), itemsTable(old.declaration, null),
			], { wide: true });
		}
	}

	/** When the goods left, now unless the user says otherwise, in port
	 * time to the second; the server's problems at the field. */
	async function departureDialog() {
		await openDialog(t('depart.title'), (close) => {
			const at = input({ type: 'datetime-local', step: 1,
				value: wallText(Date.now(), tz(), true).replace(' ', 'T') });
			const ok = h('button.primary', { type: 'submit' }, t('depart.submit'));
			const form = h('form.departure', { novalidate: true },
				h('p', t('depart.lead', { number })),
				field({ label: t('depart.left_at'), control: at, pointer: '/departed_at',
					required: true, hint: t('depart.left_at_hint', { zone: tz() }) }),
				h('div.actions', ok,
					h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
			submitting(form, ok, async () => {
				/* a value that is no time goes as typed: the server says why */
				const body = at.value ? { departed_at: portInputToIso(at.value) || at.value } : {};
				const path = `/v1/declarations/${encodeURIComponent(number)}/departure`;
				const r = await api('POST', path, { body });
				recorded = r;
				toast(t('depart.done', { when: fmtTime(r.departed_at) }));
				close(true);
				reload();
			}, () => t('depart.left_at'));
			return form;
		});
	}

	function inspectionPanel(view, insp) {
		const parts = [facts([
			[t('insp.status'), badge('insp', insp.status)],
			[t('insp.outcome'), label('outcome', insp.outcome)],
			[t('insp.appointment'), insp.appointment ? appointmentText(insp.appointment) : t('insp.none')],
			[t('insp.opened'), fmtTime(insp.opened_at)],
		]), table({
			caption: t('insp.agencies'),
			rows: insp.agencies,
			columns: [
				{ label: t('task.agency'), header: true, value: (r) => agencyName(r.agency) },
				{ label: t('insp.finding'), value: (r) => (r.finding ? label('result', r.finding.result) : t('insp.no_finding')) },
				{ label: t('finding.note'), value: (r) => r.finding?.note || '' },
				{ label: t('finding.decision'), value: (r) => label('decision', r.finding?.decision) },
				{ label: t('insp.recognised_from'), value: (r) => (r.finding?.recognised_from ? agencyName(r.finding.recognised_from) : '') },
				{ label: t('insp.recorded'), value: (r) => (r.finding ? `${fmtTime(r.finding.recorded_at)} · ${r.finding.recorded_by}` : '') },
			],
		})];
		const open = insp.status === 'awaiting_booking' || insp.status === 'booked' || insp.status === 'in_progress';
		const anyFinding = insp.agencies.some((a) => a.finding);
		if (user.role === 'declarant' && open && !anyFinding && view.status !== 'withdrawn') {
			const bar = h('div.actions');
			bar.append(h('button.primary', { type: 'button', onclick: () => bookDialog(view, insp, () => reload()) },
				insp.appointment ? t('book.move') : t('book.book')));
			if (insp.appointment) {
				bar.append(h('button.danger', {
					type: 'button',
					onclick: async (e) => {
						const btn = e.currentTarget;
						if (!(await confirmDialog(t('book.cancel'), t('book.cancel_confirm', { when: appointmentText(insp.appointment) }), t('book.cancel')))) return;
						await busy(btn, async () => {
							try {
								await api('DELETE', `/v1/inspections/${insp.id}/booking`);
								toast(t('book.cancelled'));
								reload();
							} catch (err) {
								toast(errorText(err), 'error');
							}
						});
					},
				}, t('book.cancel')));
			}
			parts.push(bar);
		}
		const mine = agency && insp.agencies.find((a) => a.agency === agency);
		if (mine && !mine.finding && (insp.status === 'booked' || insp.status === 'in_progress')) {
			if (insp.appointment && Date.parse(insp.appointment.slot_start) > Date.now())
				parts.push(alertBox('info', t('finding.not_yet', { when: fmtTime(insp.appointment.slot_start) })));
			parts.push(findingForm(insp, agency, () => reload()));
		}
		/* a supervisor of an agency still due to inspect may waive its part */
		if (mine && !mine.finding && open && user.supervisor && view.status === 'accepted')
			parts.push(waiverForm(insp, agency, () => reload()));
		return parts;
	}

	await reload();

	let timer = null;
	const seen = data?.events?.length ? data.events[data.events.length - 1].cursor : null;
	return subscribe((events) => {
		if (!events.some((e) => e.declaration_number === number)) return;
		clearTimeout(timer);
		timer = setTimeout(() => {
			/* never pull a form from under the user's fingers */
			const busyHere = content.contains(document.activeElement) &&
				document.activeElement.matches('input, textarea, select');
			if (busyHere || document.querySelector('dialog[open]')) {
				if (!content.querySelector('.stale')) {
					content.prepend(alertBox('info', h('span.stale', t('detail.stale')), ' ',
						h('button', { type: 'button', onclick: () => reload() }, t('detail.refresh'))));
				}
			} else {
				reload(true);
			}
		}, 300);
	}, seen);
}
