/*
 * notice.js - checking a signed release notice in the browser.
 *
 * The signed text is the notice's `notice` string (UTF-8); the signature is
 * Ed25519 under the key kouan publishes at GET /v1/release-key, checked
 * with the browser's WebCrypto (which needs a secure context: HTTPS, or
 * the loopback address). The public key a notice carries itself is never
 * trusted: only the published one.
 */
import { api } from './api.js';

function bytes(b64) {
	const s = atob(b64);
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
}

let keyPromise = null;

/** The published key ({algorithm, key_id, public_key}), fetched once. */
export function releaseKey() {
	if (!keyPromise) {
		keyPromise = api('GET', '/v1/release-key', { auth: false });
		keyPromise.catch(() => {
			keyPromise = null;
		});
	}
	return keyPromise;
}

/**
 * Check a notice object against a key. Resolves to {valid, reason, content}:
 * reason is one of 'ok', 'shape', 'algorithm', 'other_key', 'no_webcrypto',
 * 'bad_signature'; content is the parsed notice text (null if unreadable),
 * to be trusted only when valid.
 */
export async function checkNotice(n, key) {
	let content = null;
	if (!n || typeof n.notice !== 'string' || typeof n.signature !== 'string')
		return { valid: false, reason: 'shape', content };
	try {
		content = JSON.parse(n.notice);
	} catch {
		content = null;
	}
	if (key.algorithm !== 'Ed25519' || (n.algorithm && n.algorithm !== 'Ed25519'))
		return { valid: false, reason: 'algorithm', content };
	if (n.key_id && n.key_id !== key.key_id)
		return { valid: false, reason: 'other_key', content };
	if (!globalThis.crypto || !crypto.subtle)
		return { valid: false, reason: 'no_webcrypto', content };
	let ok = false;
	try {
		const pk = await crypto.subtle.importKey('raw', bytes(key.public_key), { name: 'Ed25519' },
			false, ['verify']);
		ok = await crypto.subtle.verify({ name: 'Ed25519' }, pk, bytes(n.signature),
			new TextEncoder().encode(n.notice));
	} catch (e) {
		if (e.name === 'NotSupportedError')
			return { valid: false, reason: 'no_webcrypto', content };
		ok = false;
	}
	return { valid: ok, reason: ok ? 'ok' : 'bad_signature', content };
}
