/*
 * ui.js - the small widgets every screen uses: labelled fields whose errors
 * come from the API's JSON pointers, tables, badges, dialogs (the native
 * <dialog>: focus stays inside, Escape closes it, focus returns to what
 * opened it), and polite announcements for screen readers.
 */
import { h, replace, uid } from './dom.js';
import { fmtTime, label, problemText, t } from './i18n.js';

/** A page heading that receives focus after navigation. */
export function pageTitle(text, ...extra) {
	document.title = `${text} · kouan`;
	return h('div.page-head', h('h1', { tabindex: '-1', id: 'page-title' }, text), ...extra);
}

/** A titled section. */
export function section(title, ...children) {
	const id = uid('sec');
	return h('section.panel', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/**
 * A labelled control. `control` is an input, select, textarea or a
 * combobox wrapper (whose .input is the control). `pointer` is the JSON
 * pointer of the value in the request body: errors for it appear here.
 */
export function field({ label: text, control, hint, pointer, required, wide, className }) {
	const input = control.input || control;
	if (!input.id) input.id = uid('f');
	const err = h('p.field-error', { id: uid('e'), hidden: true });
	const hintEl = hint ? h('p.hint', { id: uid('h') }, hint) : null;
	input.setAttribute('aria-describedby', [hintEl?.id, err.id].filter(Boolean).join(' '));
	if (required) input.setAttribute('aria-required', 'true');
	const wrap = h('div.field', {
		class: [wide ? 'wide' : '', className || ''].join(' ').trim(),
		dataset: pointer !== undefined ? { pointer } : undefined,
	},
	h('label', { for: input.id }, text, required ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null),
	control, hintEl, err);
	wrap.errorEl = err;
	wrap.input = input;
	return wrap;
}

/** An input element with common defaults. */
export function input(attrs = {}) {
	return h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
}

/** A <select> of [value, text] pairs. */
export function select(options, value, attrs = {}) {
	return h('select', attrs, options.map(([v, text]) =>
		h('option', { value: v, selected: String(v) === String(value ?? '') }, text)));
}

/**
 * Field errors for a form: show(problemErrors) puts each {field, problem}
 * at the field whose pointer it names (or the nearest enclosing one), marks
 * the control invalid, and lists them all in a summary that takes focus.
 */
export class FormErrors {
	constructor(form, summaryHost) {
		this.form = form;
		this.summary = h('div.error-summary', { role: 'alert', tabindex: '-1', hidden: true });
		summaryHost.prepend(this.summary);
	}

	clear() {
		for (const f of this.form.querySelectorAll('.field[data-pointer]')) {
			f.errorEl.hidden = true;
			f.errorEl.replaceChildren();
			f.input.removeAttribute('aria-invalid');
			f.classList.remove('invalid');
		}
		this.summary.hidden = true;
		this.summary.replaceChildren();
	}

	fieldFor(pointer) {
		if (!pointer.startsWith('/')) /* a query parameter or header: 'query:from' */
			return [...this.form.querySelectorAll('.field[data-pointer]')]
				.find((x) => x.dataset.pointer === pointer) || null;
		let p = pointer;
		for (;;) {
			const f = [...this.form.querySelectorAll('.field[data-pointer]')]
				.find((x) => x.dataset.pointer === p);
			if (f || !p) return f || null;
			p = p.slice(0, p.lastIndexOf('/'));
		}
	}

	/** Show errors; `title` heads the summary; `describe(pointer)` names a
	 * field for the summary. Returns how many found a field. */
	show(errors, title, describe) {
		this.clear();
		const items = [];
		let placed = 0;
		for (const e of errors) {
			const text = problemText(e.problem);
			const f = e.field ? this.fieldFor(e.field) : null;
			const where = describe(e.field) || e.field || '';
			if (f) {
				placed++;
				f.hidden = false;
				f.errorEl.hidden = false;
				f.errorEl.append(h('span', f.dataset.pointer === e.field ? text : `${where}: ${text}`));
				f.input.setAttribute('aria-invalid', 'true');
				f.classList.add('invalid');
				items.push(h('li', h('a', {
					href: `#${f.input.id}`,
					onclick: (ev) => {
						ev.preventDefault();
						f.input.focus();
					},
				}, `${where}: ${text}`)));
			} else {
				items.push(h('li', where ? `${where}: ${text}` : text));
			}
		}
		replace(this.summary, h('h2', title), h('ul', items));
		this.summary.hidden = false;
		this.summary.focus();
		return placed;
	}
}

/** A status badge: label and colour class from its kind and value. */
export function badge(kind, value) {
	if (!value) return '';
	return h('span.badge', { class: `${kind}-${value}` }, label(kind, value));
}

/**
 * A table. columns: [{label, value(row) -> node|text, className}]. The
 * wrapper scrolls sideways on narrow screens and can be scrolled by
 * keyboard.
 */
export function table({ caption, columns, rows, empty, rowClass }) {
	const body = rows.length
		? rows.map((r) => h('tr', { class: rowClass ? rowClass(r) : null },
			columns.map((c) => h(c.header ? 'th' : 'td', {
				class: c.className, scope: c.header ? 'row' : null,
			}, c.value(r)))))
		: [h('tr', h('td.empty', { colspan: String(columns.length) }, empty || t('common.none')))];
	return h('div.table-wrap', { role: 'region', 'aria-label': caption, tabindex: '0' },
		h('table', h('caption.visually-hidden', caption),
			h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label)))),
			h('tbody', body)));
}

/** A definition list of [term, value] pairs (empty values shown as '—'). */
export function facts(pairs) {
	return h('dl.facts', pairs.filter(Boolean).map(([k, v]) => h('div',
		h('dt', k), h('dd', v === '' || v === null || v === undefined ? '—' : v))));
}

let announcer = null;
let toastHost = null;

/** Set up the live regions (once, by the shell). */
export function liveRegions(root) {
	announcer = h('div.visually-hidden', { 'aria-live': 'polite', id: 'announcer' });
	toastHost = h('div.toasts', { role: 'status' });
	root.append(announcer, toastHost);
}

/** Tell screen readers something without moving focus. */
export function announce(text) {
	if (!announcer) return;
	announcer.textContent = '';
	setTimeout(() => {
		announcer.textContent = text;
	}, 50);
}

/** A short message at the bottom of the screen (also announced). */
export function toast(text, kind = 'ok') {
	if (!toastHost) return;
	const el = h('p.toast', { class: kind }, text);
	toastHost.append(el);
	setTimeout(() => el.remove(), 6000);
}

/** A message box inside a view (error, warning, info). */
export function alertBox(kind, ...children) {
	return h('div.alert', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** The text of an API error for a person. */
export function errorText(err) {
	if (!err) return '';
	if (err.status === 0) return t('error.network');
	if (err.status === 403) return t('error.forbidden');
	if (err.status === 404) return t('error.not_found');
	/* a login or password check that must wait, or a server at its limit */
	if (err.status === 429 && err.problem.locked_until)
		return t('error.locked', { until: fmtTime(err.problem.locked_until) });
	if (err.status === 429) return t('error.wait', { s: err.problem.retry_after_s ?? 1 });
	if (err.status === 503) return t('error.busy');
	const detail = problemText(err.problem?.detail || err.message);
	const fields = (err.errors || []).map((e) => `${e.field}: ${problemText(e.problem)}`);
	return [detail, ...fields].filter(Boolean).join(' · ');
}

/** Show an API error in place of a view's content. */
export function errorBox(err) {
	return alertBox('error', errorText(err));
}

/** A "loading" line. */
export function loading() {
	return h('p.loading', { role: 'status' }, t('common.loading'));
}

/**
 * A modal dialog. build(close) returns its content. Resolves with what
 * close() was given (undefined on Escape or the close button). Focus
 * returns to the element that had it.
 */
export function openDialog(title, build, { wide = false } = {}) {
	return new Promise((resolve) => {
		const opener = document.activeElement;
		const titleId = uid('dlg');
		let result;
		const dlg = h('dialog.dialog', { 'aria-labelledby': titleId, class: wide ? 'wide' : null });
		const close = (value) => {
			result = value;
			dlg.close();
		};
		dlg.addEventListener('close', () => {
			dlg.remove();
			if (opener && opener.isConnected) opener.focus();
			resolve(result);
		});
		dlg.append(
			h('div.dialog-head', h('h2', { id: titleId }, title),
				h('button.icon', { type: 'button', 'aria-label': t('common.close'), onclick: () => close() }, '×')),
			h('div.dialog-body', build(close)));
		/* Tab and Shift+Tab go round inside the dialog */
		dlg.addEventListener('keydown', (e) => {
			if (e.key !== 'Tab') return;
			const stops = [...dlg.querySelectorAll('button, [href], input, select, textarea, [tabindex="0"]')]
				.filter((el) => !el.disabled && el.getClientRects().length);
			if (!stops.length) return;
			const first = stops[0];
			const last = stops[stops.length - 1];
			if (e.shiftKey && document.activeElement === first) {
				e.preventDefault();
				last.focus();
			} else if (!e.shiftKey && document.activeElement === last) {
				e.preventDefault();
				first.focus();
			}
		});
		document.body.append(dlg);
		dlg.showModal();
		const first = dlg.querySelector('.dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button');
		if (first) first.focus();
	});
}

/** Ask yes or no. */
export function confirmDialog(title, message, okText) {
	return openDialog(title, (close) => [
		h('p', message),
		h('div.actions',
			h('button.primary', { type: 'button', onclick: () => close(true) }, okText),
			h('button', { type: 'button', onclick: () => close(false) }, t('common.cancel'))),
	]);
}

/**
 * Wire a form to an action: on submit (Enter or its button) the button is
 * busy while action() runs; a refusal with field errors shows them at their
 * fields and in a summary (describe(pointer) names a field there), any
 * other error in a message before the buttons. Returns the FormErrors, for
 * checks the form makes itself.
 */
export function submitting(form, button, action, describe = (p) => p.slice(1)) {
	const errors = new FormErrors(form, form);
	const msg = h('div.form-message');
	const bar = button.closest('.actions');
	if (bar && bar.parentNode === form) form.insertBefore(msg, bar);
	else form.append(msg);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		errors.clear();
		msg.replaceChildren();
		busy(button, async () => {
			try {
				await action(errors);
			} catch (err) {
				if (err.status === 400 && err.errors.length)
					errors.show(err.errors, t('form.errors_title', { n: err.errors.length }), describe);
				else
					msg.append(alertBox('error', errorText(err)));
			}
		});
	});
	return errors;
}

/** Disable a button while an action runs; resolves to the action's result. */
export async function busy(button, action) {
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	try {
		return await action();
	} finally {
		button.disabled = false;
		button.removeAttribute('aria-busy');
	}
}
