/*
 * batch.js - declarations lodged together, for the import screen and the
 * drafts: POST /v1/declarations/batch, BATCH to a request, each item under
 * its own Idempotency-Key and answered on its own (lodged with its number,
 * lodged before, or refused with its problem). What a batch that fails
 * whole did not send is marked so, never guessed.
 */
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './ui.js';

export const BATCH = 100; /* the most the server takes in one batch */

/**
 * Lodge items ({key, body}, each kept and given its answer: status, and
 * number and replayed, or problem; sent false for those not sent).
 * progress(from, to, n) is told before each batch when there are several.
 * Resolves to the ApiError that stopped it, or null.
 */
export async function lodgeAll(items, progress = () => {}) {
	let failure = null;
	for (let i = 0; i < items.length && !failure; i += BATCH) {
		const part = items.slice(i, i + BATCH);
		if (items.length > BATCH) progress(i + 1, i + part.length, items.length);
		try {
			const a = await api('POST', '/v1/declarations/batch', {
				body: { declarations: part.map((r) => ({ idempotency_key: r.key, declaration: r.body })) },
			});
			a.results.forEach((res, j) => Object.assign(part[j], res));
		} catch (err) {
			failure = err;
		}
	}
	for (const r of items) if (r.status === undefined) r.sent = false;
	return failure;
}

/* The problem with its fields as they are in the declaration, not in the
 * batch sent: "/declarations/3/declaration/items/0" is "/items/0". */
function ownFields(problem) {
	const errors = (problem?.errors || []).map((e) => ({
		...e,
		field: String(e.field || '')
			.replace(/^\/declarations\/\d+\/declaration(?=\/|$)/, '')
			.replace(/^\/declarations\/\d+\/idempotency_key$/, 'idempotency_key'),
	}));
	return { ...problem, errors };
}

/**
 * What became of one item, for a results table: its number (a link), or
 * its problem followed by action(item) (a button or link to correct it),
 * or that it was not sent.
 */
export function outcome(r, action) {
	if (r.sent === false) return h('strong', t('import.not_sent'));
	if (r.number) {
		return h('span', h('strong', t(r.replayed ? 'import.replayed' : 'import.lodged')), ' ',
			h('a', { href: `/declarations/${r.number}` }, r.number));
	}
	return h('div', h('strong', t('import.refused')), ' ',
		errorText(new ApiError(r.status, ownFields(r.problem))), ' ', action(r));
}
