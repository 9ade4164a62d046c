/*
 * fuzz_refdata.h - the reference snapshot the fuzz targets validate
 * against: the lists compiled into kouan, and a few countries and
 * currencies (iso-codes are not read by the targets). Header-only.
 */
#ifndef KOUAN_FUZZ_REFDATA_H
#define KOUAN_FUZZ_REFDATA_H

#include "domain/refdata.h"

static struct refdata *fuzz_refdata(void)
{
	static const char *const extra[][2] = {
		{"countries", "US"}, {"countries", "CN"}, {"countries", "VN"},
		{"countries", "HK"}, {"countries", "MO"}, {"currencies", "USD"},
		{"currencies", "CNY"}};
	return refdata_builtin(extra, sizeof extra / sizeof extra[0]);
}

#endif
