/* error.c - texts and HTTP statuses of kerr codes (see error.h). */
#include "common/error.h"

#include <stddef.h>

static const struct {
	int status;
	const char *slug;
	const char *title;
} kerr_table[] = {
#define KERR_ROW(name, status, slug, title) {status, slug, title},
	KOUAN_ERROR_MAP(KERR_ROW)
#undef KERR_ROW
};

#define KERR_COUNT (sizeof(kerr_table) / sizeof(kerr_table[0]))

const char *kerr_title(kerr e)
{
	return (size_t)e < KERR_COUNT ? kerr_table[e].title : "Unknown error";
}

const char *kerr_slug(kerr e)
{
	return (size_t)e < KERR_COUNT ? kerr_table[e].slug : "internal";
}

int kerr_http_status(kerr e)
{
	return (size_t)e < KERR_COUNT ? kerr_table[e].status : 500;
}
