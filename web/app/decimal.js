/*
 * decimal.js - exact decimal arithmetic on the API's decimal strings, with
 * BigInt: what a declaration's lines add up to, computed as kouan computes
 * it (quantity x unit price per item, rounded half away from zero to two
 * places, then summed). Never binary floating point.
 */

const DECIMAL = /^\d+(\.\d+)?$/;

/** Is s a decimal string as the API accepts them ("12", "12.5")? */
export function isDecimal(s) {
	return typeof s === 'string' && DECIMAL.test(s);
}

/** [BigInt digits, scale] of a decimal string. */
function parse(s) {
	const [i, f = ''] = s.split('.');
	return [BigInt(i + f), f.length];
}

/** The text of units at a scale: (12345n, 2) -> "123.45". */
function text(units, scale) {
	const neg = units < 0n;
	let s = (neg ? -units : units).toString().padStart(scale + 1, '0');
	if (scale) s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
	return neg ? `-${s}` : s;
}

/** a x b rounded half away from zero to `places`; null if either is not a
 * decimal string. */
export function multiply(a, b, places = 2) {
	if (!isDecimal(a) || !isDecimal(b)) return null;
	const [x, sx] = parse(a);
	const [y, sy] = parse(b);
	const scale = sx + sy;
	let p = x * y;
	if (scale > places) {
		const div = 10n ** BigInt(scale - places);
		p = (p + div / 2n) / div;
	} else {
		p *= 10n ** BigInt(places - scale);
	}
	return text(p, places);
}

/** The sum of decimal strings at `places` decimals (null if any is not). */
export function sum(values, places = 2) {
	let total = 0n;
	for (const v of values) {
		if (!isDecimal(v)) return null;
		const [x, s] = parse(v);
		if (s > places) return null;
		total += x * 10n ** BigInt(places - s);
	}
	return text(total, places);
}

/** Parts per million as a percentage string with at most 4 decimals:
 * 24000 -> "2.4". */
export function ppmToPercent(ppm) {
	const s = text(BigInt(ppm), 4);
	return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
