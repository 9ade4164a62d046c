/*
 * draftstore.js - declarations being written, kept in this browser
 * (localStorage, per user name) until they are lodged.
 *
 * Each draft carries the Idempotency-Key it will be lodged with, made when
 * the draft is made: sending it again after a lost answer cannot lodge it
 * twice. A draft of a correction names the declaration it corrects.
 */

const storeKey = (user) => `kouan.drafts.${user}`;

/** A random UUID (version 4) from the browser's random source. */
export function uuid() {
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function readAll(user) {
	try {
		const all = JSON.parse(localStorage.getItem(storeKey(user)) || '[]');
		return Array.isArray(all) ? all : [];
	} catch {
		return [];
	}
}

function writeAll(user, all) {
	localStorage.setItem(storeKey(user), JSON.stringify(all));
}

/** The user's drafts, newest first. */
export function draftsList(user) {
	return readAll(user).sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || ''));
}

/** One draft, or null. */
export function draftGet(user, id) {
	return readAll(user).find((d) => d.id === id) || null;
}

/** A new draft (not saved until draftSave). `correcting`: the number of
 * the returned declaration it corrects. */
export function draftNew(body = {}, correcting = null) {
	const now = new Date().toISOString();
	return { id: uuid(), key: `kouan-web-${uuid()}`, created_at: now, updated_at: now, body, correcting };
}

/** Save (insert or replace) a draft; returns it. */
export function draftSave(user, draft) {
	const all = readAll(user).filter((d) => d.id !== draft.id);
	draft.updated_at = new Date().toISOString();
	all.push(draft);
	writeAll(user, all);
	return draft;
}

/** Remove a draft (lodged, or thrown away). */
export function draftDelete(user, id) {
	writeAll(user, readAll(user).filter((d) => d.id !== id));
}

/** The draft correcting a declaration, if one is being written. */
export function draftFor(user, number) {
	return readAll(user).find((d) => d.correcting === number) || null;
}
