/*
 * reference_load.h - fill the reference lists of a database: the lists
 * compiled into the binary (the JSON lists in data/reference) and the countries and
 * currencies of Debian's iso-codes package.
 */
#ifndef KOUAN_REFERENCE_LOAD_H
#define KOUAN_REFERENCE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "store/store.h"

#define ISO_CODES_DIR "/usr/share/iso-codes/json"

/* Insert every built-in entry not yet present (admins' edits are kept).
 * iso_dir: where iso_3166-1.json and iso_4217.json live. *added counts the
 * entries inserted. */
KOUAN_MUST_USE kerr reference_load(struct store *s, const char *iso_dir,
				   int64_t now_us, size_t *added);

/* Run reference_load only when the built-in data (the lists compiled in and
 * the iso-codes files) differs from what this database last loaded, so a new
 * release's entries reach an existing database while an admin's deletions
 * are not undone at every start. *loaded tells whether it ran. */
KOUAN_MUST_USE kerr reference_sync(struct store *s, const char *iso_dir,
				   int64_t now_us, size_t *added, bool *loaded);

#endif
