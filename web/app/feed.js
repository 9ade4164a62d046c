/*
 * feed.js - new events as they happen, from the event feed
 * (GET /v1/events?after=CURSOR&wait=SECONDS, a long-poll).
 *
 * One loop per tab, running only while some screen listens. It starts at
 * the newest event the user may see: the feed has no "latest" query, so
 * the newest visible cursor is found by doubling then halving `after` with
 * limit=1 (about 2 x log2(events) small requests, instead of reading the
 * whole feed). Waits on the server; on errors retries with a growing
 * pause; stops when nobody listens or the user logs out.
 *
 * A screen that shows what it read (a list, a count) takes feedMark()
 * before it reads and gives it to subscribe() after: it then hears of
 * every event committed after the mark, even one that came while it was
 * reading. When the loop did not know yet where the feed stood (the first
 * screen of a page load), the screen is told once, with null instead of
 * events, when the loop finds out: what it read may already be behind.
 */
import { api } from './api.js';

const listeners = new Set();
const resyncs = new Set(); /* listeners whose read may be older than the loop's first cursor */
let cursor = null;
let startAt = null; /* a cursor a screen already read up to, before the loop knew one */
let running = false;
let controller = null;
const stateListeners = new Set();
let state = 'idle';
let retryPause = 1000;

function setState(s) {
	state = s;
	for (const f of stateListeners) f(s);
}

/** Is there any visible event after `after`? */
async function anyAfter(after) {
	const r = await api('GET', '/v1/events', { query: { after, limit: 1 } });
	return r.events.length > 0;
}

/** The cursor of the newest event the user may see ("0" when none). */
export async function newestCursor() {
	if (!(await anyAfter(0))) return '0';
	let lo = 0; /* some visible event after lo */
	let hi = 1024;
	while (await anyAfter(hi)) {
		lo = hi;
		hi *= 2;
	}
	/* visible events after lo, none after hi: the newest is in (lo, hi] */
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		if (await anyAfter(mid)) lo = mid;
		else hi = mid;
	}
	return String(hi);
}

async function loop() {
	running = true;
	try {
		if (cursor === null) {
			setState('connecting');
			const newest = startAt ?? await newestCursor();
			/* a screen that read up to startAt meanwhile must not miss what followed */
			cursor = startAt !== null && Number(startAt) < Number(newest) ? startAt : newest;
			startAt = null;
			for (const f of resyncs) if (listeners.has(f)) f(null);
			resyncs.clear();
		}
		while (listeners.size) {
			controller = new AbortController();
			setState('live');
			const asked = Date.now();
			const r = await api('GET', '/v1/events', {
				query: { after: cursor, limit: 1000, wait: 25 }, signal: controller.signal,
			});
			cursor = r.cursor;
			retryPause = 1000;
			if (r.events.length) {
				for (const f of listeners) f(r.events);
			} else if (Date.now() - asked < 1000) {
				/* the server did not wait (its waiters are all busy, or it
				 * allows no wait): ask again a little later, not at once */
				await new Promise((resolve) => {
					setTimeout(resolve, 2000);
				});
			}
		}
	} catch (e) {
		if (e.status === 401) {
			/* logged out or expired: the shell goes to the login page */
			listeners.clear();
			resyncs.clear();
			cursor = null;
		} else if (e.name !== 'AbortError' && listeners.size) {
			setState('retrying');
			running = false;
			setTimeout(() => {
				if (!running && listeners.size) loop();
			}, retryPause);
			retryPause = Math.min(retryPause * 2, 30000);
			return;
		}
	}
	running = false;
	if (listeners.size) loop(); /* someone subscribed while we were stopping */
	else setState('idle');
}

/* Give f the events after `since` that the loop had already passed. */
async function catchUp(f, since, upTo) {
	try {
		const r = await api('GET', '/v1/events', { query: { after: since, limit: 1000 } });
		const missed = r.events.filter((e) => Number(e.cursor) <= Number(upTo));
		if (missed.length && listeners.has(f)) f(missed);
	} catch {
		/* the next events will do */
	}
}

/**
 * Where the feed stands, without asking the server: take it before a
 * screen reads what it shows, and pass it to subscribe() after the read.
 */
export function feedMark() {
	return { cursor };
}

/**
 * Call f(events) with each batch of new events until the returned function
 * is called. `since`: what the screen has read up to, so that it gets
 * every event after it, even those that happened while it was loading:
 * the cursor of the newest event it read, or a feedMark() taken before it
 * read. A mark taken before the loop knew where the feed stood makes one
 * call f(null) once the loop knows: refresh, something may have been
 * missed.
 */
export function subscribe(f, since = null) {
	listeners.add(f);
	if (since !== null && typeof since === 'object') {
		if (since.cursor === null) {
			if (cursor === null) resyncs.add(f);
			else setTimeout(() => listeners.has(f) && f(null), 0);
		}
		since = since.cursor;
	}
	if (since !== null) {
		if (cursor === null) {
			if (startAt === null || Number(since) < Number(startAt)) startAt = String(since);
		} else if (Number(cursor) > Number(since)) {
			catchUp(f, String(since), cursor);
		}
	}
	if (!running) loop();
	return () => {
		listeners.delete(f);
		resyncs.delete(f);
		if (!listeners.size && controller) controller.abort();
	};
}

/** Follow the loop's state: 'connecting', 'live', 'retrying', 'idle'. */
export function onFeedState(f) {
	stateListeners.add(f);
	f(state);
	return () => stateListeners.delete(f);
}

/** Where the feed stands (after logout, start again from the newest). */
export function feedReset() {
	cursor = null;
	startAt = null;
	resyncs.clear();
	if (controller) controller.abort();
}
