/*
 * api.js - every call to kouan's HTTP API goes through here.
 *
 * The bearer token is held by session.js (memory and this tab's
 * sessionStorage) and sent only in the Authorization header: never in a
 * URL, never written to the console. A problem answer (RFC 9457) becomes an
 * ApiError carrying its status, type, detail and field errors; a network
 * failure becomes an ApiError with status 0, so a caller can tell "refused"
 * from "don't know whether it arrived".
 */

let tokenSource = () => null;
let onUnauthenticated = () => {};

/** Wire the session in (done once by main.js). */
export function apiConfigure({ token, unauthenticated }) {
	tokenSource = token;
	onUnauthenticated = unauthenticated;
}

export class ApiError extends Error {
	constructor(status, problem) {
		super(problem?.detail || problem?.title || `HTTP ${status}`);
		this.status = status;
		this.problem = problem || {};
		this.type = (problem?.type || '').replace('urn:kouan:problem:', '');
		this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
	}
}

function queryString(query) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(query || {}))
		if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
	const s = q.toString();
	return s ? `?${s}` : '';
}

/**
 * Call the API. Resolves to the parsed JSON answer (null for 204), or
 * rejects with ApiError. opts: body (sent as JSON), query, headers, signal,
 * auth (false: send no token), raw (resolve to {status, headers, json}).
 */
export async function api(method, path, opts = {}) {
	const headers = { Accept: 'application/json', ...(opts.headers || {}) };
	const token = opts.auth === false ? null : tokenSource();
	if (token) headers.Authorization = `Bearer ${token}`;
	let body;
	if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.body);
	}
	let resp;
	try {
		resp = await fetch(path + queryString(opts.query), {
			method, headers, body, signal: opts.signal, cache: 'no-store',
			credentials: 'omit', referrerPolicy: 'no-referrer',
		});
	} catch (e) {
		if (e.name === 'AbortError') throw e;
		throw new ApiError(0, { title: 'network', detail: e.message });
	}
	const text = await resp.text();
	let json = null;
	if (text) {
		try {
			json = JSON.parse(text);
		} catch {
			json = null;
		}
	}
	if (!resp.ok) {
		if (resp.status === 401 && token) onUnauthenticated();
		throw new ApiError(resp.status, json);
	}
	if (opts.raw) return { status: resp.status, headers: resp.headers, json };
	return json;
}

/** Read every page of a paged list (`next` / `after`), up to `max` rows. */
export async function apiAllPages(path, key, query = {}, max = 100000, onPage = null) {
	const rows = [];
	let after = null;
	for (;;) {
		const page = await api('GET', path, { query: { ...query, limit: 500, after } });
		rows.push(...page[key]);
		if (onPage) onPage(rows.length);
		after = page.next;
		if (!after || rows.length >= max) return rows;
	}
}
