/*
 * fuzz_text.h - the fuzzer's bytes as a C string, for the targets whose
 * parsers read NUL-terminated text: a malloc'd copy with a NUL after the
 * last byte, NULL when out of memory (the target then skips the input).
 * A parser of C strings stops at an embedded NUL, as it would on a value
 * read back from a column.
 */
#ifndef KOUAN_FUZZ_TEXT_H
#define KOUAN_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
