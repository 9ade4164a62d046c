/*
 * packed.h - the stored form of the large JSON texts kouan keeps for
 * every declaration (its canonical body and each version's, its risk
 * assessment's outcome, the data of its events, the answer its
 * Idempotency-Key record replays): compressed with zstd against a
 * dictionary built into kouan (data/storage), written as text so that
 * both backends keep it in the same TEXT column:
 *
 *     y<dictionary>:<the zstd frame in URL-safe base64, unpadded>
 *
 * The frame is written without zstd's magic number and without the
 * dictionary's id, which the prefix says (8 bytes a value, 11
 * characters); it keeps its content size and checksum. Values written
 * before that hold the whole frame, z<dictionary>:..., and are read as
 * they are. A text that begins otherwise ('{', '[') is JSON kept as it
 * is: rows written before migration 0011, and texts that would not be
 * shorter packed. A dictionary, once released, is never changed or
 * removed (rows name it); a better one is added under the next number.
 *
 * Only the repo_*.c files call this: no SQL ever reads inside a packed
 * column, and nothing above the store sees the packed form.
 */
#ifndef KOUAN_PACKED_H
#define KOUAN_PACKED_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define PACKED_TEXT_MAX (4u << 20) /* a text unpacked: at most 4 MiB */
#define PACKED_MIN 48              /* shorter texts are kept as they are */

/* What a text is, choosing the dictionary it is packed with. */
enum packed_kind {
	PACKED_DECLARATION, /* a declaration's canonical body */
	PACKED_RISK,        /* a risk assessment's outcome */
	PACKED_EVENT,       /* an event's data */
	PACKED_REPLY,       /* the answer an Idempotency-Key record replays */
};

/* Pack `text` (NUL-terminated JSON) into *out (malloc'd; free()): the
 * packed form, or a copy of the text when it is shorter than PACKED_MIN,
 * longer than PACKED_TEXT_MAX or packing would not make it shorter. KERR_INVALID for a text that
 * begins with 'y' or 'z' (not JSON: kept as it is, it would read back
 * as packed); KERR_NOMEM; KERR_INTERNAL when the dictionary cannot be
 * loaded. */
KOUAN_MUST_USE kerr packed_pack(enum packed_kind kind, const char *text, char **out);

/* Pack `text` now, ahead of the packed_pack of the same kind and text that
 * will follow on this thread (which then takes it): for work done before
 * a write transaction begins. Keeps one text a thread; a failure leaves
 * the packing to packed_pack. */
void packed_ahead(enum packed_kind kind, const char *text);
/* Whether this thread holds a text packed ahead and not yet taken. */
bool packed_ahead_held(void);

/* The text of a stored value (either form) into *out (malloc'd). A
 * packed value that is not one packed_pack wrote (an unknown dictionary,
 * bad base64, a frame that is corrupt, of another dictionary, larger than
 * PACKED_TEXT_MAX or holding a NUL) is KERR_INVALID, *out NULL. */
KOUAN_MUST_USE kerr packed_unpack(const char *stored, char **out);

#endif
