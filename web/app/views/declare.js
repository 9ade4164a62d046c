/*
 * declare.js - the goods declaration form (货物申报): a new declaration, a
 * saved draft, or the correction of a returned one.
 *
 * Every code is picked from the reference lists (search by code or name);
 * the form is kept as a draft in this browser as the user types, with the
 * Idempotency-Key it will be lodged with; lodging is POST /v1/declarations
 * with that key (a retry after a lost answer cannot lodge twice), a
 * correction is PUT /v1/declarations/{number}. The API's field errors
 * (JSON pointers such as /items/0/hs_code) are shown at their fields and
 * listed at the top. The form never judges what the server judges.
 */
import { api } from '../api.js';
import { picker } from '../combobox.js';
import { multiply, sum } from '../decimal.js';
import { h, replace, uid } from '../dom.js';
import { draftDelete, draftFor, draftGet, draftNew, draftSave } from '../draftstore.js';
import { fmtMoney, fmtTime, label, t } from '../i18n.js';
import { agencyName } from '../events.js';
import { refLoad } from '../ref.js';
import { navigate } from '../router.js';
import { me } from '../session.js';
import {
	FormErrors, alertBox, busy, confirmDialog, errorBox, errorText, field, input, loading, pageTitle, section, select, toast,
} from '../ui.js';

const LISTS = ['customs_offices', 'ports', 'countries', 'currencies', 'commodities', 'units',
	'trade_modes', 'transport_modes', 'incoterms', 'document_types', 'agencies'];
const MAX_ITEMS = 50;
const MAX_DOCUMENTS = 50;

/* The header fields: key, kind (text, picker list, number, decimal), and
 * for which direction (both when absent). */
const HEADER = [
	{ group: 'form.group.basic', fields: [
		{ key: 'declaration_office', list: 'customs_offices', required: true, fixedOnCorrect: true },
		{ key: 'port_office', list: 'customs_offices', required: true },
		{ key: 'declarant_uscc', kind: 'uscc', required: true, readonly: true },
		{ key: 'consignee_uscc', kind: 'uscc', required: true, hint: 'form.hint.consignee' },
		{ key: 'trade_mode', list: 'trade_modes', required: true },
		{ key: 'bill_of_lading', required: true, maxlength: 64 },
	] },
	{ group: 'form.group.transport', fields: [
		{ key: 'transport_mode', list: 'transport_modes', required: true },
		{ key: 'conveyance/name', required: true, maxlength: 100 },
		{ key: 'conveyance/voyage', required: true, maxlength: 32 },
		{ key: 'conveyance/imo', maxlength: 7, hint: 'form.hint.imo', numeric: true },
		{ key: 'entry_port', list: 'ports', required: true, direction: 'import' },
		{ key: 'exit_port', list: 'ports', required: true, direction: 'export' },
		{ key: 'departure_country', list: 'countries', required: true, direction: 'import' },
		{ key: 'destination_country', list: 'countries', required: true, direction: 'export' },
		{ key: 'trading_country', list: 'countries', required: true },
		{ key: 'packages', required: true, numeric: true, maxlength: 8 },
		{ key: 'gross_weight_kg', required: true, decimal: true, hint: 'form.hint.weight' },
		{ key: 'containers', kind: 'containers', hint: 'form.hint.containers', wide: true },
		/* how the goods go through the terminal, and a bill declared in parts
		 * (docs/transport.md: flows, splits) */
		{ key: 'flow', kind: 'select', options: ['normal', 'direct_pickup', 'direct_loading'], labels: 'flow', hint: 'form.hint.flow' },
		{ key: 'split/part', numeric: true, maxlength: 2, hint: 'form.hint.split' },
		{ key: 'split/of', numeric: true, maxlength: 2 },
	] },
	{ group: 'form.group.deal', fields: [
		{ key: 'incoterm', list: 'incoterms', required: true },
		{ key: 'currency', list: 'currencies', required: true },
		{ key: 'freight', decimal: true, hint: 'form.hint.money' },
		{ key: 'insurance', decimal: true, hint: 'form.hint.money' },
		{ key: 'remarks', kind: 'textarea', maxlength: 255, wide: true },
	] },
];

const ITEM_FIELDS = [
	{ key: 'hs_code', list: 'commodities', required: true, maxlength: 10 },
	{ key: 'description', required: true, maxlength: 255, wide: true },
	{ key: 'quantity', required: true, decimal: true },
	{ key: 'unit', list: 'units', required: true },
	{ key: 'unit_price', required: true, decimal: true },
	{ key: 'origin_country', list: 'countries', required: true },
];

const DOC_FIELDS = [
	{ key: 'type', list: 'document_types', required: true },
	{ key: 'number', required: true, maxlength: 64 },
];

function getPath(obj, path) {
	return path.split('/').reduce((o, k) => (o && o[k] !== undefined ? o[k] : undefined), obj);
}

/** A control for a field spec; .read() gives its value ('' when empty). */
function control(spec, value, onPick) {
	let c;
	if (spec.list) {
		c = picker({ list: spec.list, value: value ?? '', onPick, maxlength: spec.maxlength });
		c.read = () => c.value;
	} else if (spec.kind === 'select') {
		c = select(spec.options.map((o) => [o, label(spec.labels, o)]), value ?? spec.options[0]);
		/* the first option is the server's default: not sent */
		c.read = () => (c.value === spec.options[0] ? '' : c.value);
	} else if (spec.kind === 'textarea' || spec.kind === 'containers') {
		const text = spec.kind === 'containers' && Array.isArray(value) ? value.join('\n') : value ?? '';
		c = h('textarea', { rows: spec.kind === 'containers' ? 3 : 2, maxlength: spec.maxlength, spellcheck: 'false' });
		c.value = text;
		c.read = () => c.value;
	} else {
		c = input({
			value: value ?? '', maxlength: spec.maxlength, readonly: spec.readonly,
			inputmode: spec.numeric ? 'numeric' : spec.decimal ? 'decimal' : null,
			class: spec.kind === 'uscc' ? 'upper' : null,
		});
		c.read = () => c.value.trim();
	}
	return c;
}

export async function render(main, params) {
	const user = me();
	const correcting = params.number || null;
	let view = null; /* the declaration being corrected */
	let draft = null;
	let held = []; /* mandates this organisation holds: consignees it may declare for */
	main.append(loading());
	try {
		const [, mandates] = await Promise.all([refLoad(...LISTS),
			api('GET', '/v1/mandates').catch(() => ({ mandates: [] }))]);
		const now = Date.now();
		held = mandates.mandates.filter((m) => m.agent_uscc === user.organisation && !m.revoked_at &&
			Date.parse(m.valid_from) <= now && now < Date.parse(m.valid_to));
		if (correcting) {
			view = await api('GET', `/v1/declarations/${correcting}`);
			draft = draftFor(user.username, correcting) || draftNew(view.declaration, correcting);
		} else if (params.draft) {
			draft = draftGet(user.username, params.draft);
		} else {
			draft = draftNew({ direction: 'import', declarant_uscc: user.organisation, consignee_uscc: user.organisation });
		}
	} catch (err) {
		replace(main, pageTitle(t('form.title')), errorBox(err));
		return;
	}
	if (!draft) {
		replace(main, pageTitle(t('form.title')), alertBox('error', t('form.no_draft')),
			h('p', h('a', { href: '/drafts' }, t('menu.drafts'))));
		return;
	}
	if (correcting && view.status !== 'returned') {
		replace(main, pageTitle(t('form.correct_title', { number: correcting })),
			alertBox('warn', t('form.not_returned', { status: label('status', view.status) })),
			h('p', h('a', { href: `/declarations/${correcting}` }, t('form.back_to', { number: correcting }))));
		return;
	}
	main.replaceChildren();

	const body = structuredClone(draft.body || {});
	body.declarant_uscc = user.organisation;
	let saved = Boolean(correcting ? draftFor(user.username, correcting) : params.draft);
	let dirty = false;
	const controls = new Map(); /* header key -> control */
	const fieldEls = new Map(); /* header key -> field element */
	const itemsHost = h('div.items');
	const docsHost = h('div.documents');
	const totalEl = h('p.total', { 'aria-live': 'polite' });
	const saveState = h('span.save-state');

	const form = h('form.declaration-form', { novalidate: true });
	const errors = new FormErrors(form, form);

	/* --- direction --- */
	const dirName = `dir-${draft.id}`;
	const dirRadios = ['import', 'export'].map((d) => h('label.radio',
		h('input', {
			type: 'radio', name: dirName, value: d, checked: (body.direction || 'import') === d,
			disabled: Boolean(correcting),
		}), ' ', label('direction', d)));
	const dirField = h('fieldset.field.radio-group', { dataset: { pointer: '/direction' } },
		h('legend', t('decl.direction')), ...dirRadios, h('p.field-error', { hidden: true }));
	dirField.errorEl = dirField.lastChild;
	dirField.input = dirRadios[0].querySelector('input');
	const direction = () => form.querySelector(`input[name="${dirName}"]:checked`)?.value || 'import';

	const advance = h('input', { type: 'checkbox', checked: body.advance === true });
	const advanceField = h('div.field.check', { dataset: { pointer: '/advance' } },
		h('label', advance, ' ', t('decl.advance')), h('p.hint', t('form.hint.advance')),
		h('p.field-error', { hidden: true }));
	advanceField.errorEl = advanceField.lastChild;
	advanceField.input = advance;

	function headerField(spec) {
		const c = control(spec, spec.kind === 'uscc' && spec.readonly ? user.organisation : getPath(body, spec.key),
			spec.list === 'commodities' ? null : undefined);
		if (spec.fixedOnCorrect && correcting) (c.input || c).readOnly = true;
		controls.set(spec.key, c);
		const f = field({
			label: t(`decl.${spec.key.replace('/', '_')}`), control: c, pointer: `/${spec.key}`,
			required: spec.required, wide: spec.wide,
			hint: spec.hint ? t(spec.hint) : spec.readonly ? t('form.hint.declarant') : null,
		});
		if (spec.direction) f.dataset.direction = spec.direction;
		fieldEls.set(spec.key, f);
		return f;
	}

	const groups = HEADER.map((g, i) => section(t(g.group),
		h('div.form-grid', i === 0 ? [dirField, advanceField] : null, g.fields.map(headerField))));

	/* the consignee: this organisation, or one that gave it a mandate in
	 * force for the direction, offered as suggestions and named once typed
	 * (the server decides) */
	const consigneeField = fieldEls.get('consignee_uscc');
	const consigneeInput = controls.get('consignee_uscc');
	const consigneeList = h('datalist', { id: uid('consignees') });
	const consigneeName = h('p.hint.consignee-name', { 'aria-live': 'polite' });
	consigneeInput.setAttribute('list', consigneeList.id);
	consigneeField.insertBefore(consigneeName, consigneeField.errorEl);
	consigneeField.append(consigneeList);
	function consignees() {
		const d = direction();
		const own = { uscc: user.organisation, name: user.organisation_name || user.organisation, own: true };
		return [own, ...held.filter((m) => m.scope === 'both' || m.scope === d).map((m) => ({
			uscc: m.consignee_uscc, name: m.consignee_name, until: m.valid_to,
		}))];
	}
	function showConsignee() {
		const list = consignees();
		replace(consigneeList, list.map((c) => h('option', { value: c.uscc, label: c.name })));
		const c = list.find((x) => x.uscc === consigneeInput.read().toUpperCase());
		consigneeName.textContent = !c ? '' : c.own ? t('form.consignee_own', { name: c.name })
			: t('form.consignee_mandate', { name: c.name, until: fmtTime(c.until) });
	}
	consigneeInput.addEventListener('input', showConsignee);

	function applyDirection() {
		const d = direction();
		for (const f of fieldEls.values())
			if (f.dataset.direction) f.hidden = f.dataset.direction !== d;
		consigneeField.querySelector('label').firstChild.textContent = t(d === 'import' ? 'decl.consignee_import' : 'decl.consignee_export');
		showConsignee();
	}

	/* --- items --- */
	function itemRow(item) {
		const row = h('fieldset.item');
		const cs = {};
		const valueEl = h('output.item-value');
		const fields = ITEM_FIELDS.map((spec) => {
			const c = control(spec, item[spec.key], spec.key === 'hs_code' ? (e) => {
				/* the commodity's usual unit and name, unless already written */
				if (!cs.unit.value) cs.unit.value = e.unit || '';
				if (!cs.description.value) cs.description.value = [e.name_zh, e.name_en].filter(Boolean).join(' ');
				agencies.textContent = t('form.agencies', { list: (e.agencies || []).map(agencyName).join('、') });
				changed();
			} : undefined);
			cs[spec.key] = c;
			const f = field({ label: t(`item.${spec.key}`), control: c, required: spec.required, wide: spec.wide });
			f.dataset.key = spec.key;
			return f;
		});
		const agencies = h('p.hint.agencies');
		const remove = h('button.small', { type: 'button' }, t('form.remove_item'));
		const up = h('button.small', { type: 'button' }, t('form.move_up'));
		remove.addEventListener('click', () => {
			row.remove();
			renumber();
			changed();
			(itemsHost.querySelector('fieldset.item:last-child input') || addItem).focus();
		});
		up.addEventListener('click', () => {
			if (row.previousElementSibling) {
				itemsHost.insertBefore(row, row.previousElementSibling);
				renumber();
				changed();
				up.focus();
			}
		});
		row.append(h('legend'), h('div.form-grid', fields),
			h('div.item-foot', h('span', t('form.item_value'), ' ', valueEl), agencies, h('span.row-actions', up, remove)));
		row.controls = cs;
		row.valueEl = valueEl;
		return row;
	}

	function docRow(doc) {
		const row = h('fieldset.doc');
		const cs = {};
		const fields = DOC_FIELDS.map((spec) => {
			const c = control(spec, doc[spec.key]);
			cs[spec.key] = c;
			const f = field({ label: t(`doc.${spec.key}`), control: c, required: spec.required });
			f.dataset.key = spec.key;
			return f;
		});
		const remove = h('button.small', { type: 'button' }, t('form.remove_doc'));
		remove.addEventListener('click', () => {
			row.remove();
			renumber();
			changed();
			addDoc.focus();
		});
		row.append(h('legend'), h('div.form-grid', fields, h('div.field.button-field', remove)));
		row.controls = cs;
		return row;
	}

	/* pointers follow the rows' order */
	function renumber() {
		[...itemsHost.children].forEach((row, i) => {
			row.querySelector('legend').textContent = t('form.item', { n: i + 1 });
			row.dataset.pointer = `/items/${i}`;
			for (const f of row.querySelectorAll('.field[data-key]')) f.dataset.pointer = `/items/${i}/${f.dataset.key}`;
		});
		[...docsHost.children].forEach((row, i) => {
			row.querySelector('legend').textContent = t('form.doc', { n: i + 1 });
			for (const f of row.querySelectorAll('.field[data-key]')) f.dataset.pointer = `/documents/${i}/${f.dataset.key}`;
		});
		addItem.disabled = itemsHost.children.length >= MAX_ITEMS;
		addDoc.disabled = docsHost.children.length >= MAX_DOCUMENTS;
	}

	const addItem = h('button', { type: 'button' }, t('form.add_item'));
	const addDoc = h('button', { type: 'button' }, t('form.add_doc'));
	addItem.addEventListener('click', () => {
		const row = itemRow({});
		itemsHost.append(row);
		renumber();
		row.querySelector('input').focus();
	});
	addDoc.addEventListener('click', () => {
		const row = docRow({});
		docsHost.append(row);
		renumber();
		row.querySelector('input').focus();
	});
	for (const it of body.items?.length ? body.items : [{}]) itemsHost.append(itemRow(it));
	for (const d of body.documents || []) docsHost.append(docRow(d));

	/* --- reading the form --- */
	function collect() {
		const b = {};
		b.direction = direction();
		const put = (key, v) => {
			if (v === '' || v === undefined) return;
			const [k, sub] = key.split('/');
			if (sub) b[k] = { ...(b[k] || {}), [sub]: v };
			else b[k] = v;
		};
		const d = b.direction;
		for (const g of HEADER) for (const spec of g.fields) {
			if (spec.direction && spec.direction !== d) continue;
			let v = controls.get(spec.key).read();
			if (spec.kind === 'containers') {
				v = v.split(/[\s,;，；]+/).map((x) => x.trim().toUpperCase()).filter(Boolean);
				if (!v.length) continue;
			} else if (spec.kind === 'uscc') {
				v = v.toUpperCase();
			} else if ((spec.key === 'packages' || spec.key.startsWith('split/')) && /^\d{1,15}$/.test(v)) {
				v = Number(v);
			}
			put(spec.key, v);
		}
		if (!b.conveyance) b.conveyance = {};
		if (advance.checked) b.advance = true;
		b.items = [...itemsHost.children].map((row) => {
			const o = {};
			for (const spec of ITEM_FIELDS) {
				const v = row.controls[spec.key].read();
				if (v !== '') o[spec.key] = v;
			}
			return o;
		});
		const docs = [...docsHost.children].map((row) => {
			const o = {};
			for (const spec of DOC_FIELDS) {
				const v = row.controls[spec.key].read();
				if (v !== '') o[spec.key] = v;
			}
			return o;
		}).filter((o) => Object.keys(o).length);
		if (docs.length) b.documents = docs;
		return b;
	}

	function showTotals() {
		const currency = controls.get('currency').read();
		const values = [...itemsHost.children].map((row) => {
			const v = multiply(row.controls.quantity.read(), row.controls.unit_price.read());
			row.valueEl.textContent = v === null ? '—' : fmtMoney(v, currency);
			return v;
		});
		const all = values.every((v) => v !== null) ? sum(values) : null;
		totalEl.textContent = all === null ? t('form.total_unknown')
			: t('form.total', { value: fmtMoney(all, currency) });
	}

	/* --- saving --- */
	let timer = null;
	function persist() {
		clearTimeout(timer);
		timer = null;
		if (!dirty) return;
		draft.body = collect();
		draftSave(user.username, draft);
		dirty = false;
		if (!saved) {
			saved = true;
			if (!correcting) history.replaceState(null, '', `/drafts/${draft.id}`);
		}
		saveState.textContent = t('form.saved_at', { time: fmtTime(draft.updated_at) });
	}

	function changed() {
		dirty = true;
		showTotals();
		clearTimeout(timer);
		timer = setTimeout(persist, 800);
	}
	form.addEventListener('input', changed);
	form.addEventListener('change', (e) => {
		if (e.target.name === dirName) applyDirection();
		changed();
	});

	const submit = h('button.primary', { type: 'submit' }, correcting ? t('form.submit_correction') : t('form.lodge'));
	const saveBtn = h('button', { type: 'button' }, t('form.save'));
	const discard = h('button.danger', { type: 'button' }, t('form.discard'));
	const result = h('div.form-result');

	saveBtn.addEventListener('click', () => {
		dirty = true;
		persist();
		toast(t('form.saved'));
	});
	discard.addEventListener('click', async () => {
		if (!(await confirmDialog(t('form.discard'), t('form.discard_confirm'), t('form.discard')))) return;
		clearTimeout(timer);
		dirty = false;
		draftDelete(user.username, draft.id);
		toast(t('form.discarded'));
		navigate(correcting ? `/declarations/${correcting}` : '/drafts');
	});

	/* a pointer's words for the error list: "商品 2 · 数量" */
	function describe(pointer) {
		if (!pointer || !pointer.startsWith('/')) return pointer === 'header:Idempotency-Key' ? t('form.key') : pointer;
		const seg = pointer.slice(1).split('/');
		if (seg[0] === 'items' && seg.length >= 2) {
			const head = t('form.item', { n: Number(seg[1]) + 1 });
			return seg[2] ? `${head} · ${t(`item.${seg[2]}`)}` : head;
		}
		if (seg[0] === 'documents' && seg.length >= 2) {
			const head = t('form.doc', { n: Number(seg[1]) + 1 });
			return seg[2] ? `${head} · ${t(`doc.${seg[2]}`)}` : head;
		}
		if (seg[0] === 'containers' && seg.length >= 2)
			return `${t('decl.containers')} ${Number(seg[1]) + 1}`;
		const key = `decl.${seg.slice(0, 2).join('_')}`;
		return t(key) === key ? pointer : t(key);
	}

	async function send(freshKey = false) {
		persist();
		errors.clear();
		result.replaceChildren();
		if (freshKey) {
			draft.key = draftNew().key;
			draftSave(user.username, draft);
		}
		const b = collect();
		try {
			const answer = correcting
				? await api('PUT', `/v1/declarations/${correcting}`, { body: b })
				: await api('POST', '/v1/declarations', { body: b, headers: { 'Idempotency-Key': draft.key } });
			clearTimeout(timer);
			dirty = false;
			draftDelete(user.username, draft.id);
			toast(correcting ? t('form.corrected', { number: answer.number, status: label('status', answer.status) })
				: t('form.lodged', { number: answer.number, status: label('status', answer.status) }));
			navigate(`/declarations/${answer.number}`);
		} catch (err) {
			if (err.status === 400 && err.errors.length) {
				errors.show(err.errors, t('form.errors_title', { n: err.errors.length }), describe);
			} else if (err.status === 409 && err.errors.some((e) => e.field === 'header:Idempotency-Key')) {
				const again = h('button', { type: 'button', onclick: () => send(true) }, t('form.lodge_as_new'));
				result.append(alertBox('error', h('p', t('form.key_used')),
					h('p', h('a', { href: '/declarations' }, t('menu.my_declarations')), ' ', again)));
				result.querySelector('.alert').focus?.();
			} else if (err.status === 0) {
				result.append(alertBox('error', t('form.no_answer')));
			} else {
				result.append(alertBox('error', errorText(err)));
			}
		}
	}

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		busy(submit, () => send());
	});

	const returned = correcting ? view.tasks.filter((tk) => tk.status === 'returned') : [];
	const intro = correcting
		? alertBox('warn', h('p', t('form.correct_intro')), h('ul', returned.map((tk) =>
			h('li', `${agencyName(tk.agency)}: ${tk.reason || ''}`))))
		: h('p.lead', t('form.intro'));

	form.append(
		...groups,
		section(t('form.group.items'), itemsHost, h('div.actions', addItem), totalEl),
		section(t('form.group.documents'), docsHost, h('div.actions', addDoc)),
		result,
		h('div.actions.sticky', submit, saveBtn, discard, saveState));

	main.append(pageTitle(correcting ? t('form.correct_title', { number: correcting })
		: saved ? t('form.draft_title') : t('form.title')),
	intro,
	correcting ? null : h('p.hint', t('form.key_hint', { key: draft.key })),
	form);
	renumber();
	applyDirection();
	showTotals();
	if (draft.updated_at && saved) saveState.textContent = t('form.saved_at', { time: fmtTime(draft.updated_at) });

	/* leaving the screen (or switching language) keeps what was typed */
	return () => persist();
}
