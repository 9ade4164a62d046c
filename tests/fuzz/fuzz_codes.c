/*
 * fuzz_codes.c - libFuzzer target for the small parsers of outside text:
 * check-digit codes, decimals and RFC 3339 timestamps. Each must accept or
 * refuse any byte string without reading out of bounds, and what it accepts
 * must survive a round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "common/clock.h"
#include "common/codes.h"
#include "common/decimal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size);
	if (!s)
		return 0;
	(void)codes_check_uscc(s);
	(void)codes_check_resident_id(s);
	(void)codes_check_container(s);
	(void)codes_check_imo(s);
	(void)codes_check_hs(s);
	for (int scale = 0; scale <= 9; scale++) {
		int64_t v, w;
		if (decimal_parse(s, scale, &v) == DECIMAL_OK) {
			char text[48];
			if (decimal_format(v, scale, text, sizeof text) < 0 ||
			    decimal_parse(text, scale, &w) != DECIMAL_OK || v != w)
				abort();
		}
	}
	int64_t us;
	if (ktime_parse(s, &us)) {
		char text[KTIME_TEXT_MAX];
		int64_t back;
		ktime_format(us, text);
		if (us > -62135596800000000LL && us < 253402300799000000LL &&
		    (!ktime_parse(text, &back) || back != us))
			abort();
	}
	free(s);
	return 0;
}
