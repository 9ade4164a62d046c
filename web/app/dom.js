/*
 * dom.js - building the page from data without ever parsing data as HTML.
 *
 * h('tag.class', {attributes}, ...children) makes an element: strings and
 * numbers become text nodes, arrays are flattened, null/false are skipped.
 * Attributes: `on<Event>` functions become listeners, `dataset` an object,
 * `class` a string, booleans set or drop the attribute, anything else is
 * set as an attribute (never `style`, which the page's policy refuses, and
 * never innerHTML).
 */

/** Make an element. */
export function h(spec, attrs, ...children) {
	const [tag, ...classes] = spec.split('.');
	const el = document.createElement(tag || 'div');
	if (classes.length) el.className = classes.join(' ');
	if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
		children.unshift(attrs);
		attrs = null;
	}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k.startsWith('on') && typeof v === 'function') {
			el.addEventListener(k.slice(2).toLowerCase(), v);
		} else if (k === 'dataset') {
			Object.assign(el.dataset, v);
		} else if (k === 'class') {
			el.className = [el.className, v].filter(Boolean).join(' ');
		} else if (k === 'value' && 'value' in el) {
			el.value = v;
		} else if (k === 'checked' || k === 'selected') {
			el[k] = Boolean(v);
		} else {
			el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(el, children);
	return el;
}

/** Append children (text, nodes, nested arrays) to an element. */
export function append(el, children) {
	for (const c of [children].flat(Infinity)) {
		if (c === null || c === undefined || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

/** Replace an element's content. */
export function replace(el, ...children) {
	el.replaceChildren();
	return append(el, children);
}

let ids = 0;
/** A page-unique id for label/aria wiring. */
export function uid(prefix = 'k') {
	ids += 1;
	return `${prefix}-${ids}`;
}

/** Offer text as a file download (made in the page: nothing leaves it). */
export function download(filename, text, type = 'application/json') {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const a = h('a', { href: url, download: filename, class: 'hidden' });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}
