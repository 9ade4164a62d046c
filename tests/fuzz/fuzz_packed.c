/*
 * fuzz_packed.c - libFuzzer target for the stored form of packed texts
 * (src/store/packed.c): any byte string read back from a column is either
 * refused with KERR_INVALID or gives a text without a NUL, never a read out
 * of bounds; and any text that does not begin with 'y' or 'z' (JSON never
 * does) packs and unpacks to itself, with each kind's dictionary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "store/packed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), *out = NULL;
	if (!s)
		return 0;
	kerr e = packed_unpack(s, &out);
	if ((e == KERR_OK) != (out != NULL) || (e && e != KERR_INVALID && e != KERR_NOMEM))
		abort();
	free(out);
	static const enum packed_kind kinds[] = {PACKED_DECLARATION, PACKED_RISK, PACKED_EVENT,
						  PACKED_REPLY};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		char *packed = NULL, *back = NULL;
		kerr pe = packed_pack(kinds[k], s, &packed);
		/* only a text that begins like a packed value is refused */
		if (pe == KERR_INVALID && (s[0] == 'y' || s[0] == 'z'))
			continue;
		if (pe == KERR_NOMEM)
			continue;
		if (pe || packed_unpack(packed, &back) || strcmp(back, s))
			abort();
		free(back);
		free(packed);
	}
	free(s);
	return 0;
}
