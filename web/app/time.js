/*
 * time.js - instants and the port's calendar. The API speaks UTC (RFC 3339);
 * people at the port read and enter local times in the port's time zone
 * (the server's `timezone` setting, GET /v1/ui-settings). Everything here
 * goes through Intl, so any IANA zone works, daylight saving included.
 * Never uses the browser's own zone.
 */

const partsCache = new Map();

function partsFormat(tz) {
	let f = partsCache.get(tz);
	if (!f) {
		f = new Intl.DateTimeFormat('en-CA', {
			timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
			day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
		});
		partsCache.set(tz, f);
	}
	return f;
}

/** The wall-clock fields of an instant (ms since the epoch) in `tz`. */
export function zoneParts(ms, tz) {
	const out = {};
	for (const p of partsFormat(tz).formatToParts(new Date(ms)))
		if (p.type !== 'literal') out[p.type] = Number(p.value);
	return out;
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function zoneOffset(ms, tz) {
	const p = zoneParts(ms, tz);
	const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
	return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the wall clock in `tz` shows the given time. */
export function zonedToInstant(year, month, day, hour = 0, minute = 0, tz) {
	const wall = Date.UTC(year, month - 1, day, hour, minute);
	let t = wall - zoneOffset(wall, tz);
	const again = wall - zoneOffset(t, tz);
	if (again !== t) t = again; /* across a change of offset */
	return t;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** 'YYYY-MM-DD' of an instant (ms or RFC 3339 text) in `tz`. */
export function dayOf(when, tz) {
	const p = zoneParts(typeof when === 'number' ? when : Date.parse(when), tz);
	return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** Today in `tz`. */
export function today(tz) {
	return dayOf(Date.now(), tz);
}

/** A day plus n days ('YYYY-MM-DD'). */
export function addDays(day, n) {
	const [y, m, d] = day.split('-').map(Number);
	const t = new Date(Date.UTC(y, m - 1, d + n));
	return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** [start, end) of a local day in `tz`, as ms. */
export function dayRange(day, tz) {
	const [y, m, d] = day.split('-').map(Number);
	const next = addDays(day, 1).split('-').map(Number);
	return [zonedToInstant(y, m, d, 0, 0, tz), zonedToInstant(next[0], next[1], next[2], 0, 0, tz)];
}

/** The UTC dates ('YYYY-MM-DD') a local day of `tz` overlaps. */
export function utcDaysOf(day, tz) {
	const [start, end] = dayRange(day, tz);
	const first = new Date(start).toISOString().slice(0, 10);
	const last = new Date(end - 1).toISOString().slice(0, 10);
	return first === last ? [first] : [first, last];
}

/** 'YYYY-MM-DD HH:MM' (with ':SS' when asked) of an instant in `tz`. */
export function wallText(when, tz, seconds = false) {
	const p = zoneParts(typeof when === 'number' ? when : Date.parse(when), tz);
	const s = `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
	return seconds ? `${s}:${pad(p.second)}` : s;
}

/** 'HH:MM' of an instant in `tz`. */
export function clockText(when, tz) {
	const p = zoneParts(typeof when === 'number' ? when : Date.parse(when), tz);
	return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** A datetime-local input's value ('YYYY-MM-DDTHH:MM') read in `tz`, as
 * RFC 3339 UTC; null when it is not such a value. */
export function localInputToIso(value, tz) {
	const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(value || '');
	if (!m) return null;
	const t = zonedToInstant(+m[1], +m[2], +m[3], +m[4], +m[5], tz);
	return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** The value for a datetime-local input showing an instant in `tz`. */
export function isoToLocalInput(when, tz) {
	return wallText(when, tz).replace(' ', 'T');
}

/** 'UTC+08:00' for the zone now. */
export function offsetLabel(tz, at = Date.now()) {
	const off = Math.round(zoneOffset(at, tz) / 60000);
	const sign = off < 0 ? '-' : '+';
	const a = Math.abs(off);
	return `UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** Is this a time zone the browser knows? */
export function knownZone(tz) {
	try {
		partsFormat(tz);
		return true;
	} catch {
		return false;
	}
}
