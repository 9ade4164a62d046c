/*
 * reference.js - the reference lists (参数库) that decide what a
 * declaration may contain and which agencies act on it. Administrators
 * add, change and remove entries; the change applies to the next request.
 * An entry is edited field by field: texts as texts, lists of codes as
 * comma-separated codes, anything else as JSON.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { refForget } from '../ref.js';
import {
	busy, confirmDialog, errorBox, errorText, field, input, loading, openDialog, pageTitle, select, submitting, table, toast,
} from '../ui.js';

const FIXED = ['code', 'name_zh', 'name_en'];

function kindOf(v) {
	if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return 'codes';
	if (typeof v === 'string' || v === null || v === undefined) return 'text';
	if (typeof v === 'number') return 'number';
	return 'json';
}

function shown(v) {
	const k = kindOf(v);
	if (k === 'codes') return v.join(', ');
	if (k === 'json') return JSON.stringify(v);
	return v ?? '';
}

function editDialog(list, entry, template, done) {
	const editing = Boolean(entry);
	const e = entry || {};
	const keys = [...new Set([...Object.keys(template || {}), ...Object.keys(e)])].filter((k) => !FIXED.includes(k));
	return openDialog(editing ? t('ref.edit', { code: e.code }) : t('ref.add'), (close) => {
		const controls = new Map();
		const make = (key, value, opts = {}) => {
			const kind = opts.kind || kindOf(template?.[key] ?? value);
			const c = kind === 'json'
				? h('textarea', { rows: 3, spellcheck: 'false' })
				: input({ readonly: opts.readonly, inputmode: kind === 'number' ? 'numeric' : null });
			c.value = kind === 'json' ? (value === undefined ? '' : JSON.stringify(value)) : shown(value);
			controls.set(key, { c, kind });
			return field({
				label: opts.label || key, control: c, pointer: `/${key}`, required: opts.required, wide: kind === 'json',
				hint: kind === 'codes' ? t('ref.codes_hint') : kind === 'json' ? t('ref.json_hint') : null,
			});
		};
		const ok = h('button.primary', { type: 'submit' }, t('ref.save'));
		const form = h('form', { novalidate: true }, h('div.form-grid',
			make('code', e.code, { readonly: editing, required: true, label: t('ref.code') }),
			make('name_zh', e.name_zh, { label: t('ref.name_zh') }),
			make('name_en', e.name_en, { label: t('ref.name_en'), required: true }),
			keys.map((k) => make(k, e[k]))), h('div.actions', ok));
		submitting(form, ok, async (errors) => {
			const body = {};
			for (const [key, { c, kind }] of controls) {
				const v = c.value.trim();
				if (key === 'code' || v === '') continue;
				if (kind === 'codes') body[key] = v.split(/[\s,，、]+/).filter(Boolean);
				else if (kind === 'number' && /^-?\d+$/.test(v)) body[key] = Number(v);
				else if (kind === 'json') {
					try {
						body[key] = JSON.parse(v);
					} catch {
						errors.show([{ field: `/${key}`, problem: t('ref.bad_json') }], t('form.errors_title', { n: 1 }), (p) => p.slice(1));
						return;
					}
				} else body[key] = v;
			}
			const code = controls.get('code').c.value.trim();
			await api('PUT', `/v1/reference/${list}/${encodeURIComponent(code)}`, { body });
			refForget(list);
			toast(t('ref.saved', { code }));
			close(true);
			done();
		});
		return form;
	}, { wide: true });
}

export async function render(main, params, query) {
	const host = h('div');
	let lists;
	try {
		lists = (await api('GET', '/v1/reference')).lists;
	} catch (err) {
		main.append(pageTitle(t('ref.title')), errorBox(err));
		return;
	}
	let current = query.get('list') || 'commodities';
	if (!lists.some((l) => l.name === current)) current = lists[0]?.name;
	const listSel = select(lists.map((l) => [l.name, `${t(`reflist.${l.name}`)} (${l.name}, ${l.entries})`]), current);
	const filter = input({ type: 'search' });
	const addBtn = h('button.primary', { type: 'button' }, t('ref.add'));
	main.append(pageTitle(t('ref.title'), addBtn), h('p.lead', t('ref.lead')),
		h('form.filters', { role: 'search', onsubmit: (e) => e.preventDefault() },
			field({ label: t('ref.list'), control: listSel }), field({ label: t('list.search'), control: filter })),
		host);
	let entries = [];

	function draw() {
		const q = filter.value.trim().toLowerCase();
		const rows = entries.filter((e) => !q || e.code.toLowerCase().startsWith(q) ||
			(e.name_zh || '').includes(q) || (e.name_en || '').toLowerCase().includes(q)).slice(0, 100);
		const extra = [...new Set(entries.flatMap((e) => Object.keys(e)))].filter((k) => !FIXED.includes(k)).slice(0, 3);
		replace(host, h('p.count', t('ref.count', { shown: rows.length, total: entries.length })), table({
			caption: t(`reflist.${current}`),
			rows,
			columns: [
				{ label: t('ref.code'), header: true, value: (e) => h('span.code', e.code) },
				{ label: t('ref.name_zh'), value: (e) => e.name_zh || '' },
				{ label: t('ref.name_en'), value: (e) => e.name_en || '' },
				...extra.map((k) => ({ label: k, value: (e) => String(shown(e[k])) })),
				{ label: t('ref.actions'), value: (e) => h('span.row-actions',
					h('button.small', { type: 'button', 'aria-label': `${t('ref.edit_short')} ${e.code}`, onclick: () => editDialog(current, e, entries[0], load) }, t('ref.edit_short')),
					h('button.small.danger', { type: 'button', 'aria-label': `${t('ref.delete')} ${e.code}`, onclick: (ev) => remove(e, ev.currentTarget) }, t('ref.delete'))) },
			],
		}));
	}

	async function remove(e, btn) {
		if (!(await confirmDialog(t('ref.delete'), t('ref.delete_confirm', { code: e.code, list: t(`reflist.${current}`) }), t('ref.delete')))) return;
		await busy(btn, async () => {
			try {
				await api('DELETE', `/v1/reference/${current}/${encodeURIComponent(e.code)}`);
				refForget(current);
				toast(t('ref.deleted', { code: e.code }));
				await load();
			} catch (err) {
				toast(errorText(err), 'error');
			}
		});
	}

	/* the list chosen last is shown, whichever answer comes first */
	const started = latestOnly();
	async function load() {
		const isLatest = started();
		replace(host, loading());
		try {
			const r = await api('GET', `/v1/reference/${current}`);
			if (!isLatest()) return;
			entries = r.entries;
			draw();
		} catch (err) {
			if (isLatest()) replace(host, errorBox(err));
		}
	}

	listSel.addEventListener('change', () => {
		current = listSel.value;
		history.replaceState(null, '', `/admin/reference?list=${current}`);
		load();
	});
	filter.addEventListener('input', draw);
	addBtn.addEventListener('click', () => editDialog(current, null, entries[0], load));
	await load();
}
