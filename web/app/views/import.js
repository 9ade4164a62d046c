/*
 * import.js - declarations lodged from files (从文件导入): a broker's or a
 * trader's system writes one JSON file a declaration, as POST
 * /v1/declarations takes it, and the declarant lodges them all at once.
 *
 * Files that are not a JSON object are named and not sent; the rest go
 * through POST /v1/declarations/batch, 100 to a request, each accepted or
 * refused on its own (batch.js). A file's Idempotency-Key is made from its content
 * (SHA-256), so importing the same file again answers its number again
 * instead of lodging it twice; where the browser offers no digest (a page
 * not served over HTTPS or from this machine), a random key is used and
 * the page says so. A refused file can be opened in the declaration form
 * as a draft, to be corrected and lodged there.
 */
import { lodgeAll, outcome as batchOutcome } from '../batch.js';
import { h, replace } from '../dom.js';
import { draftNew, draftSave, uuid } from '../draftstore.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { me } from '../session.js';
import { alertBox, busy, errorBox, field, pageTitle, section, table } from '../ui.js';

/* The key a file is lodged under, and whether it was made from the file's
 * content (else it is random, and the page says so). */
async function keyOf(text) {
	if (!globalThis.crypto?.subtle) return { key: `kouan-import-${uuid()}`, digested: false };
	const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
	const hex = [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
	return { key: `kouan-import-${hex}`, digested: true };
}

/* Each file read and parsed: {name, body, key} or {name, error}. */
async function readFiles(files) {
	const out = [];
	for (const f of files) {
		const text = await f.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch (e) {
			out.push({ name: f.name, error: t('import.not_json', { why: e.message }) });
			continue;
		}
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			out.push({ name: f.name, error: t('import.not_object') });
			continue;
		}
		out.push({ name: f.name, body, ...(await keyOf(text)) });
	}
	return out;
}

export function render(main) {
	const user = me();
	const files = h('input', { type: 'file', accept: 'application/json,.json', multiple: true });
	const send = h('button.primary', { type: 'submit' }, t('import.lodge'));
	const out = h('div', { 'aria-live': 'polite' });

	function outcome(r) {
		if (r.error) return h('span', h('strong', t('import.not_read')), ' ', r.error);
		return batchOutcome(r, () => h('button.small', {
			type: 'button',
			'aria-label': `${t('import.correct')} ${r.name}`,
			onclick: () => {
				const d = draftSave(user.username, draftNew(r.body));
				navigate(`/drafts/${d.id}`);
			},
		}, t('import.correct')));
	}

	function show(rows, failure, digested) {
		const lodged = rows.filter((r) => r.number).length;
		const refused = rows.length - lodged;
		replace(out,
			failure ? errorBox(failure) : null,
			digested ? null : alertBox('warn', t('import.random_keys')),
			h('p', { role: 'status' }, t('import.summary', { n: rows.length, lodged, refused })),
			table({
				caption: t('import.results'),
				rows,
				columns: [
					{ label: t('import.file'), header: true, value: (r) => r.name },
					{ label: t('import.outcome'), value: outcome },
				],
			}));
	}

	const form = h('form', {
		onsubmit: (e) => {
			e.preventDefault();
			if (!files.files.length) {
				replace(out, alertBox('error', t('import.none_chosen')));
				return;
			}
			busy(send, async () => {
				const rows = await readFiles([...files.files]);
				const good = rows.filter((r) => !r.error);
				const failure = await lodgeAll(good, (from, to, n) => replace(out,
					h('p', { role: 'status' }, t('import.sending', { from, to, n }))));
				show(rows, failure, good.every((r) => r.digested));
			});
		},
	}, field({ label: t('import.files'), control: files, hint: t('import.hint') }),
	h('div.actions', send));

	main.append(pageTitle(t('import.title')), h('p.lead', t('import.lead')), section(t('import.choose'), form), out);
}
