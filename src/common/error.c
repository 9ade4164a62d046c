/* error.c - texts of kerr codes (see error.h). */
#include "common/error.h"

#include <stddef.h>

static const char *const kerr_texts[] = {
#define KERR_TEXT(name, text) text,
	KOUAN_ERROR_MAP(KERR_TEXT)
#undef KERR_TEXT
};

const char *kerr_title(kerr e)
{
	return (size_t)e < KERR_COUNT_ ? kerr_texts[e] : "Unknown error";
}
