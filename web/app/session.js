/*
 * session.js - who is logged in, in this tab.
 *
 * The token lives in memory and in this tab's sessionStorage (so a reload
 * keeps the user logged in, and closing the tab forgets it); it is never
 * put in localStorage, a cookie or a URL. Logging out revokes it on the
 * server (DELETE /v1/sessions/current) before forgetting it.
 */
import { api } from './api.js';

const KEY = 'kouan.session';
let current = null;

function load() {
	try {
		const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
		if (s && s.token && Date.parse(s.expires_at) > Date.now()) return s;
	} catch {
		/* unreadable: start logged out */
	}
	sessionStorage.removeItem(KEY);
	return null;
}

current = load();

/** The session ({token, expires_at, user}) or null. */
export function session() {
	if (current && Date.parse(current.expires_at) <= Date.now()) forget();
	return current;
}

/** The bearer token, for api.js only. */
export function sessionToken() {
	return session()?.token || null;
}

/** The user as GET /v1/me describes them, or null. */
export function me() {
	return session()?.user || null;
}

/** Log in; resolves to the session. Rejects with ApiError (401: wrong). */
export async function login(username, password) {
	const s = await api('POST', '/v1/sessions', { body: { username, password }, auth: false });
	current = { token: s.token, expires_at: s.expires_at, user: s.user };
	sessionStorage.setItem(KEY, JSON.stringify(current));
	try {
		current.user = await api('GET', '/v1/me');
		sessionStorage.setItem(KEY, JSON.stringify(current));
	} catch {
		/* the login answer's user is enough */
	}
	return current;
}

/** Forget the session locally (after a 401, or once revoked). */
export function forget() {
	current = null;
	sessionStorage.removeItem(KEY);
}

/** Revoke the token on the server, then forget it. */
export async function logout() {
	try {
		if (current) await api('DELETE', '/v1/sessions/current');
	} finally {
		forget();
	}
}

const OFFICER_ROLES = ['customs', 'quarantine', 'border', 'maritime'];

/** Is the role an agency officer's? */
export function isOfficer(role) {
	return OFFICER_ROLES.includes(role);
}

/** The agency an officer works for (its role), or null. */
export function agencyOf(user) {
	return user && isOfficer(user.role) ? user.role : null;
}
