/*
 * ref.js - the reference lists (参数库) of GET /v1/reference/{list}, loaded
 * once per page and kept in memory: codes are shown with their names
 * beside them, and pickers search them by code or by name, in memory.
 */
import { api } from './api.js';
import { displayName, lang } from './i18n.js';

const lists = new Map(); /* name -> Promise<{entries, byCode}> */
const loaded = new Map(); /* name -> {entries, byCode}, once arrived */

/** Load a list (once); resolves to {entries, byCode}. */
export function refList(name) {
	let p = lists.get(name);
	if (!p) {
		p = api('GET', `/v1/reference/${encodeURIComponent(name)}`).then((r) => {
			const l = { entries: r.entries, byCode: new Map(r.entries.map((e) => [e.code, e])) };
			loaded.set(name, l);
			return l;
		});
		p.catch(() => lists.delete(name));
		lists.set(name, p);
	}
	return p;
}

/** Load several lists at once. */
export function refLoad(...names) {
	return Promise.all(names.map(refList));
}

/** Forget a list (after an administrator changed it). */
export function refForget(name) {
	lists.delete(name);
	loaded.delete(name);
}

/** A loaded list, or null (synchronous; load it with refList first). */
export function refLoaded(name) {
	return loaded.get(name) || null;
}

const INTL_TYPES = { countries: 'region', currencies: 'currency' };

/** An entry's name in the current language. */
export function entryName(list, e) {
	if (!e) return '';
	if (lang() === 'zh') {
		if (e.name_zh) return e.name_zh;
		if (INTL_TYPES[list]) return displayName(INTL_TYPES[list], e.code) || e.name_en || '';
	}
	return e.name_en || e.name_zh || '';
}

/** The entry's name in the other language, when it differs. */
export function entryOtherName(list, e) {
	if (!e) return '';
	const other = lang() === 'zh' ? e.name_en : e.name_zh || (INTL_TYPES[list]
		? displayName(INTL_TYPES[list], e.code) : '');
	return other && other !== entryName(list, e) ? other : '';
}

/** The name of a code in a loaded list ('' when unknown or not loaded). */
export function refName(list, code) {
	const l = loaded.get(list);
	return l ? entryName(list, l.byCode.get(code)) : '';
}

/** 'code name' for display, e.g. '5167 南沙港'. */
export function codeWithName(list, code) {
	if (code === null || code === undefined || code === '') return '';
	const n = refName(list, code);
	return n ? `${code} ${n}` : String(code);
}

/**
 * Search a loaded list: entries whose code starts with the query come
 * first, then those whose code or any name contains it (case-insensitive).
 */
export function refSearch(list, query, max = 50) {
	const l = loaded.get(list);
	if (!l) return [];
	const q = query.trim().toLowerCase();
	if (!q) return l.entries.slice(0, max);
	const first = [];
	const rest = [];
	for (const e of l.entries) {
		const code = e.code.toLowerCase();
		if (code.startsWith(q)) first.push(e);
		else if (code.includes(q) || [e.name_zh, e.name_en, entryName(list, e)]
			.some((n) => n && n.toLowerCase().includes(q))) rest.push(e);
		if (first.length >= max) break;
	}
	return first.concat(rest).slice(0, max);
}
