/*
 * i18n.js - the interface's two languages (中文, English) and how numbers,
 * money and times are written in them.
 *
 * Texts live in messages.js, each key with its Chinese and English side by
 * side. The choice of language is remembered in localStorage (it is not
 * secret); times are always shown in the port's time zone (time.js), never
 * the browser's; amounts are decimal strings formatted exactly (Intl takes
 * the string, so no binary floating point touches money).
 */
import { MESSAGES, PROBLEM_SUBJECTS, PROBLEM_TEXTS } from './messages.js';
import { offsetLabel, wallText } from './time.js';

const LANG_KEY = 'kouan.lang';
const listeners = new Set();
let current = 'zh';
let zone = 'Asia/Shanghai';

/** Start with the remembered language, else the server's default. */
export function i18nInit(defaultLang, timezone) {
	const saved = localStorage.getItem(LANG_KEY);
	current = saved === 'zh' || saved === 'en' ? saved : defaultLang === 'en' ? 'en' : 'zh';
	zone = timezone || zone;
	document.documentElement.lang = locale();
}

export function lang() {
	return current;
}

/** The BCP 47 locale used for Intl. */
export function locale() {
	return current === 'zh' ? 'zh-CN' : 'en-GB';
}

/** Switch language (remembered) and tell every listener. */
export function setLang(l) {
	if (l !== 'zh' && l !== 'en') return;
	current = l;
	localStorage.setItem(LANG_KEY, l);
	document.documentElement.lang = locale();
	for (const f of listeners) f(l);
}

export function onLangChange(f) {
	listeners.add(f);
	return () => listeners.delete(f);
}

/** The port's time zone. */
export function tz() {
	return zone;
}

/** A text by key, with {name} placeholders filled from params. */
export function t(key, params) {
	const entry = MESSAGES[key];
	let s = entry ? entry[current === 'zh' ? 0 : 1] : key;
	if (params)
		s = s.replace(/\{([a-z_0-9]+)\}/g, (m, n) => (n in params ? String(params[n]) : m));
	return s;
}

/** Does a message exist (for optional labels such as event types)? */
export function has(key) {
	return key in MESSAGES;
}

/** The label of a value of an enumeration: label('status', 'released'). */
export function label(kind, value) {
	if (value === null || value === undefined || value === '') return '';
	const key = `${kind}.${value}`;
	return has(key) ? t(key) : String(value);
}

/** A server problem sentence in the current language: the common ones are
 * translated, the rest shown as the server wrote them (English). */
export function problemText(text) {
	if (current === 'en' || !text) return text;
	for (const [en, zh] of PROBLEM_SUBJECTS) {
		if (text.startsWith(en)) {
			const rest = problemText(text.slice(en.length));
			return rest === text.slice(en.length) ? text : `${zh}${rest}`;
		}
	}
	for (const [re, zh] of PROBLEM_TEXTS) {
		const m = re.exec(text);
		if (m) return zh.replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? '');
	}
	return text;
}

/** An instant as 'YYYY-MM-DD HH:MM' in the port's time zone. */
export function fmtTime(iso) {
	return iso ? wallText(iso, zone) : '';
}

/** The same with seconds and the zone, for titles and notices. */
export function fmtTimeFull(iso) {
	return iso ? `${wallText(iso, zone, true)} (${offsetLabel(zone, Date.parse(iso))})` : '';
}

/** The port's zone, for footers and headings: 'Asia/Shanghai (UTC+08:00)'. */
export function zoneText() {
	return `${zone} (${offsetLabel(zone)})`;
}

function decimals(s) {
	const i = String(s).indexOf('.');
	return i < 0 ? 0 : String(s).length - i - 1;
}

/** A decimal string with grouping, every digit kept. */
export function fmtDecimal(s) {
	if (s === null || s === undefined || s === '') return '';
	if (!/^-?\d+(\.\d+)?$/.test(String(s))) return String(s);
	const d = decimals(s);
	return new Intl.NumberFormat(locale(), { minimumFractionDigits: d, maximumFractionDigits: d })
		.format(String(s));
}

/** An amount with its currency: 'USD 33,300.00', every digit kept. */
export function fmtMoney(amount, currency) {
	if (amount === null || amount === undefined || amount === '') return '';
	if (!/^-?\d+(\.\d+)?$/.test(String(amount)) || !/^[A-Z]{3}$/.test(currency || ''))
		return `${currency || ''} ${amount}`.trim();
	let std = 2;
	try {
		std = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
			.minimumFractionDigits;
	} catch {
		/* an unknown code: two places */
	}
	const d = Math.max(std, decimals(amount));
	return new Intl.NumberFormat(locale(), {
		style: 'currency', currency, currencyDisplay: 'code',
		minimumFractionDigits: d, maximumFractionDigits: d,
	}).format(String(amount));
}

/** A whole number with grouping. */
export function fmtCount(n) {
	return new Intl.NumberFormat(locale()).format(n);
}

/** A duration: '3 h 20 min' / '3小时20分'. */
export function fmtDuration(ms) {
	if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
	const min = Math.max(0, Math.round(ms / 60000));
	const d = Math.floor(min / 1440);
	const hh = Math.floor((min % 1440) / 60);
	const mm = min % 60;
	if (d) return t('duration.dh', { d, h: hh });
	if (hh) return t('duration.hm', { h: hh, m: mm });
	return t('duration.m', { m: mm });
}

/** Hours with one decimal, for charts and statistics. */
export function fmtHours(h) {
	return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(h);
}

/** A country's or currency's name in the current language (the reference
 * lists carry English names only; the browser knows the Chinese ones). */
export function displayName(type, code) {
	try {
		return new Intl.DisplayNames([locale()], { type, fallback: 'none' }).of(code) || '';
	} catch {
		return '';
	}
}
