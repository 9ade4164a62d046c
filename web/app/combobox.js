/*
 * combobox.js - a picker over a reference list: the user types a code or
 * part of a name (Chinese or English) and picks from the matches, with the
 * keyboard (arrows, Enter, Escape) or the pointer. The field holds the code
 * itself, as the single window's forms do, and shows the code's name
 * beside it. It follows the WAI-ARIA editable combobox with list
 * autocomplete pattern.
 *
 * A code the list does not know is kept as typed: the server names the
 * mistake at the field.
 */
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { entryName, entryOtherName, refList, refLoaded, refSearch } from './ref.js';

/**
 * picker({list, value, onPick, filter, placeholder}) -> element with
 * .input, .value (get/set) and .refresh() (after a language change).
 */
export function picker({ list, value = '', onPick, filter, placeholder, maxlength }) {
	const listId = uid('lb');
	const input = h('input.combo-input', {
		type: 'text', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
		'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
		value, placeholder, maxlength,
	});
	const nameEl = h('span.combo-name');
	const lb = h('ul.combo-list', { id: listId, role: 'listbox', hidden: true });
	const wrap = h('div.combo', input, nameEl, lb);
	let options = [];
	let active = -1;

	function showName() {
		const l = refLoaded(list);
		const e = l && l.byCode.get(input.value.trim());
		nameEl.textContent = e ? entryName(list, e) : '';
		nameEl.title = e ? entryOtherName(list, e) : '';
	}

	function close() {
		lb.hidden = true;
		input.setAttribute('aria-expanded', 'false');
		input.removeAttribute('aria-activedescendant');
		active = -1;
	}

	function setActive(i) {
		const items = lb.children;
		if (active >= 0 && items[active]) items[active].setAttribute('aria-selected', 'false');
		active = i;
		if (i >= 0 && items[i]) {
			items[i].setAttribute('aria-selected', 'true');
			input.setAttribute('aria-activedescendant', items[i].id);
			items[i].scrollIntoView({ block: 'nearest' });
		} else {
			input.removeAttribute('aria-activedescendant');
		}
	}

	function open() {
		/* typed before the list arrived: offer its entries once it has */
		if (!refLoaded(list)) {
			refList(list).then(() => {
				if (document.activeElement === input) open();
			}, () => {});
		}
		const lab = input.id && document.querySelector(`label[for="${input.id}"]`);
		if (lab) lb.setAttribute('aria-label', lab.textContent.replace(/\s*\*$/, ''));
		let found = refSearch(list, input.value, 60);
		if (filter) found = found.filter(filter);
		options = found;
		lb.replaceChildren(...found.map((e, i) => {
			const other = entryOtherName(list, e);
			return h('li.combo-option', {
				id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false',
				onmousedown: (ev) => ev.preventDefault(),
				onclick: () => pick(i),
			}, h('span.code', e.code), ' ', h('span', entryName(list, e)),
			other ? h('span.other', ` ${other}`) : null);
		}));
		if (!found.length)
			lb.replaceChildren(h('li.combo-empty', { role: 'option', 'aria-disabled': 'true' }, t('picker.none')));
		lb.hidden = false;
		input.setAttribute('aria-expanded', 'true');
		setActive(-1);
	}

	function pick(i) {
		const e = options[i];
		if (!e) return;
		input.value = e.code;
		close();
		showName();
		input.dispatchEvent(new Event('change', { bubbles: true }));
		if (onPick) onPick(e);
	}

	input.addEventListener('input', () => {
		showName();
		open();
	});
	/* the list closes a moment after the field is left (a click on an
	 * option lands first), unless the field is back in focus by then */
	let closing = 0;
	input.addEventListener('focus', () => {
		clearTimeout(closing);
		showName();
	});
	input.addEventListener('blur', () => {
		closing = setTimeout(close, 100);
	});
	input.addEventListener('keydown', (e) => {
		const n = options.length;
		if (e.key === 'ArrowDown') {
			e.preventDefault();
			if (lb.hidden) open();
			else if (n) setActive((active + 1) % n);
		} else if (e.key === 'ArrowUp') {
			e.preventDefault();
			if (lb.hidden) open();
			else if (n) setActive(active <= 0 ? n - 1 : active - 1);
		} else if (e.key === 'Enter') {
			if (!lb.hidden && active >= 0) {
				e.preventDefault();
				pick(active);
			}
		} else if (e.key === 'Escape') {
			if (!lb.hidden) {
				/* close the list, not the dialog around it */
				e.preventDefault();
				e.stopPropagation();
				close();
			}
		} else if (e.key === 'Tab') {
			close();
		}
	});

	wrap.input = input;
	Object.defineProperty(wrap, 'value', {
		get: () => input.value.trim(),
		set: (v) => {
			input.value = v ?? '';
			showName();
		},
	});
	wrap.refresh = showName;
	showName();
	return wrap;
}
