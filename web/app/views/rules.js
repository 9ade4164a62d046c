/*
 * rules.js - the risk rule set (布控规则): its versions and which is in
 * force, each version's text and how well its rules worked, and an editor
 * to try a new version on past declarations (preview) and publish it from
 * a date. A rule the server cannot read is shown at its line and column:
 * the line is marked beside the text and the cursor put where the
 * problem is. Officers change their own agency's rules only (the server
 * says so if they try more); analysts read and preview.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { agencyName } from '../events.js';
import { fmtCount, fmtTime, label, problemText, t, tz } from '../i18n.js';
import { latestOnly } from '../latest.js';
import { refLoad } from '../ref.js';
import { me } from '../session.js';
import { dayRange, isoToLocalInput, localInputToIso } from '../time.js';
import {
	alertBox, busy, errorBox, errorText, facts, field, input, loading, pageTitle, section, table, toast,
} from '../ui.js';

const LANES = ['green', 'blue', 'yellow', 'red'];

/** The UTF-16 offset of a 1-based line and column (columns count
 * characters, as the server counts them). */
function offsetOf(text, line, column) {
	const lines = text.split('\n');
	let off = 0;
	for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
	const chars = Array.from(lines[line - 1] || '');
	return off + chars.slice(0, Math.max(0, column - 1)).join('').length;
}

/** A textarea with line numbers beside it, and a way to mark a line. */
function ruleEditor(text) {
	const area = h('textarea.rule-text', { rows: 14, wrap: 'off', spellcheck: 'false' });
	area.value = text;
	const gutter = h('pre.gutter', { 'aria-hidden': 'true' });
	let marked = 0;
	function numbers() {
		const n = area.value.split('\n').length;
		gutter.replaceChildren(...Array.from({ length: n }, (_, i) =>
			h('span', { class: i + 1 === marked ? 'bad' : null }, `${i + 1}\n`)));
		gutter.scrollTop = area.scrollTop;
	}
	area.addEventListener('input', () => {
		marked = 0;
		numbers();
	});
	area.addEventListener('scroll', () => {
		gutter.scrollTop = area.scrollTop;
	});
	numbers();
	const wrap = h('div.rule-editor', gutter, area);
	wrap.input = area;
	wrap.mark = (line, column) => {
		marked = line;
		numbers();
		const at = offsetOf(area.value, line, column);
		area.focus();
		area.setSelectionRange(at, at);
	};
	wrap.unmark = () => {
		marked = 0;
		numbers();
	};
	return wrap;
}

function previewResult(p) {
	const agencies = Object.keys(p.lanes || {}).sort();
	return [
		facts([
			[t('rules.as_version'), String(p.as_version)],
			[t('rules.declarations'), fmtCount(p.declarations)],
			[t('rules.skipped'), fmtCount(p.skipped)],
			[t('rules.period'), `${fmtTime(p.from)} – ${fmtTime(p.to)}`],
		]),
		table({
			caption: t('rules.lanes_by_agency'),
			rows: agencies.map((a) => ({ agency: a, ...p.lanes[a] })),
			columns: [
				{ label: t('task.agency'), header: true, value: (r) => agencyName(r.agency) },
				...LANES.map((l) => ({ label: label('lane', l), className: 'num', value: (r) => fmtCount(r[l] || 0) })),
			],
		}),
		table({
			caption: t('rules.hits'),
			rows: p.rules_hit || [],
			empty: t('risk.no_rules'),
			columns: [
				{ label: t('risk.line'), value: (r) => String(r.line) },
				{ label: t('task.agency'), value: (r) => agencyName(r.agency) },
				{ label: t('rules.hit'), className: 'num', value: (r) => fmtCount(r.hits) },
				{ label: t('risk.selected'), className: 'num', value: (r) => fmtCount(r.selected) },
			],
		}),
	];
}

function effectivenessTable(e) {
	return table({
		caption: t('rules.effectiveness', { v: e.version }),
		rows: e.rules || [],
		empty: t('risk.no_rules'),
		columns: [
			{ label: t('risk.line'), value: (r) => String(r.line) },
			{ label: t('task.agency'), value: (r) => agencyName(r.agency) },
			{ label: t('rules.hit'), className: 'num', value: (r) => fmtCount(r.hits) },
			{ label: t('risk.selected'), className: 'num', value: (r) => fmtCount(r.selected) },
			{ label: t('rules.inspected'), className: 'num', value: (r) => fmtCount(r.inspected) },
			{ label: t('rules.problems'), className: 'num', value: (r) => fmtCount(r.problems_found) },
		],
	});
}

export async function render(main) {
	const user = me();
	const canPublish = user.role !== 'analyst';
	const versionsHost = h('div');
	const viewHost = h('div');
	const out = h('div.rule-result', { 'aria-live': 'polite' });
	main.append(pageTitle(t('rules.title')), h('p.lead', t('rules.lead')), loading());
	let list;
	let latest = null;
	try {
		await refLoad('agencies');
		list = await api('GET', '/v1/risk/rules');
		const newest = list.versions.reduce((a, v) => (v.version > (a?.version || 0) ? v : a), null);
		if (newest) latest = await api('GET', `/v1/risk/rules/${newest.version}`);
	} catch (err) {
		main.lastChild.replaceWith(errorBox(err));
		return;
	}
	main.lastChild.remove();

	const editor = ruleEditor(latest?.text || '');
	const effective = input({ type: 'datetime-local', value: isoToLocalInput(Date.now() + 60000, tz()) });
	const note = input({ maxlength: 500 });
	const from = input({ type: 'date' });
	const to = input({ type: 'date' });
	const previewBtn = h('button', { type: 'button' }, t('rules.preview'));
	const publishBtn = h('button.primary', { type: 'button' }, t('rules.publish'));
	const ruleError = h('p.field-error', { id: 'rule-error', hidden: true });
	editor.input.setAttribute('aria-describedby', 'rule-error rule-hint');
	editor.input.id = 'rule-text';

	function showError(err) {
		const re = err.problem?.rule_error;
		if (re) {
			ruleError.hidden = false;
			ruleError.textContent = t('rules.error_at', { line: re.line, column: re.column, message: problemText(re.message) });
			editor.input.setAttribute('aria-invalid', 'true');
			editor.mark(re.line, re.column);
			replace(out);
		} else {
			replace(out, alertBox('error', errorText(err)));
		}
	}

	function clearError() {
		ruleError.hidden = true;
		editor.input.removeAttribute('aria-invalid');
		editor.unmark();
	}
	editor.input.addEventListener('input', clearError);

	previewBtn.addEventListener('click', () => busy(previewBtn, async () => {
		clearError();
		const body = { text: editor.input.value };
		if (from.value) body.from = new Date(dayRange(from.value, tz())[0]).toISOString();
		if (to.value) body.to = new Date(dayRange(to.value, tz())[1]).toISOString();
		try {
			const p = await api('POST', '/v1/risk/rules/preview', { body });
			replace(out, section(t('rules.preview_result'), previewResult(p)));
		} catch (err) {
			showError(err);
		}
	}));

	publishBtn.addEventListener('click', () => busy(publishBtn, async () => {
		clearError();
		const body = { text: editor.input.value };
		const when = localInputToIso(effective.value, tz());
		if (when) body.effective_from = when;
		if (note.value.trim()) body.note = note.value.trim();
		try {
			const r = await api('POST', '/v1/risk/rules', { body });
			toast(t('rules.published', { v: r.version, when: fmtTime(r.effective_from) }));
			replace(out, alertBox('ok', t('rules.published', { v: r.version, when: fmtTime(r.effective_from) })));
			list = await api('GET', '/v1/risk/rules');
			drawVersions();
		} catch (err) {
			showError(err);
		}
	}));

	function drawVersions() {
		replace(versionsHost, table({
			caption: t('rules.versions'),
			rows: [...list.versions].sort((a, b) => b.version - a.version),
			columns: [
				{ label: t('rules.version'), header: true, value: (v) => [String(v.version), ' ',
					v.version === list.in_force ? h('span.badge.lane-green', t('rules.in_force')) : null] },
				{ label: t('rules.count'), className: 'num', value: (v) => String(v.rules) },
				{ label: t('rules.effective_from'), value: (v) => fmtTime(v.effective_from) },
				{ label: t('rules.note'), value: (v) => v.note || '' },
				{ label: t('rules.by'), value: (v) => `${v.created_by} (${label('role', v.created_role)})` },
				{ label: t('rules.actions'), value: (v) => h('span.row-actions',
					h('button.small', { type: 'button', onclick: () => showVersion(v.version) }, t('rules.view')),
					canPublish ? h('button.small', { type: 'button', onclick: () => editFrom(v.version) }, t('rules.edit_from')) : null) },
			],
		}));
	}

	/* the version asked for last is the one shown */
	const viewing = latestOnly();
	async function showVersion(v) {
		const isLatest = viewing();
		replace(viewHost, loading());
		try {
			const [r, e] = await Promise.all([api('GET', `/v1/risk/rules/${v}`), api('GET', `/v1/risk/rules/${v}/effectiveness`)]);
			if (!isLatest()) return;
			replace(viewHost, section(t('rules.version_n', { v }), h('pre.rule-view', r.text), effectivenessTable(e)));
			viewHost.querySelector('h2').setAttribute('tabindex', '-1');
			viewHost.querySelector('h2').focus();
		} catch (err) {
			if (isLatest()) replace(viewHost, errorBox(err));
		}
	}

	async function editFrom(v) {
		try {
			const r = await api('GET', `/v1/risk/rules/${v}`);
			editor.input.value = r.text;
			editor.input.dispatchEvent(new Event('input'));
			editor.input.focus();
		} catch (err) {
			toast(errorText(err), 'error');
		}
	}

	drawVersions();
	const editorField = h('div.field.wide',
		h('label', { for: 'rule-text' }, t('rules.text')), editor,
		h('p.hint', { id: 'rule-hint' }, t('rules.text_hint')), ruleError);
	main.append(
		section(t('rules.versions'), versionsHost),
		viewHost,
		section(t('rules.editor'), h('p', t('rules.editor_lead')),
			editorField,
			h('div.form-grid',
				field({ label: t('rules.from'), control: from }),
				field({ label: t('rules.to'), control: to }),
				canPublish ? field({ label: t('rules.effective_from'), control: effective, hint: t('rules.zone_hint', { zone: tz() }) }) : null,
				canPublish ? field({ label: t('rules.note'), control: note }) : null),
			h('div.actions', previewBtn, canPublish ? publishBtn : null),
			out));
}
