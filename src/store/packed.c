/*
 * packed.c - zstd with a built-in dictionary, as text (see packed.h).
 *
 * The dictionaries are digested once per process (pthread_once) and then
 * only read, so any thread packs and unpacks with them; each thread
 * keeps its own (de)compression contexts (making one costs more than
 * packing a declaration), freed when the thread ends.
 *
 * A text may be packed ahead (packed_ahead), before the transaction that
 * keeps it begins: the thread keeps the result, and packed_pack of the same
 * kind and text on that thread takes it instead of packing again. SQLite
 * runs one write transaction at a time, and a lodgement's body packed in
 * it held every other lodgement waiting (bench/README.md, nineteenth
 * round).
 *
 * Never: return a text other than the one packed (a frame is checked
 * against its content size and checksum), or read past a stored value.
 *
 * A 'y' value is a frame without its first four bytes (zstd's magic
 * number, the same in every frame) and written without the dictionary's
 * id: unpacking puts the magic number back and uses the dictionary the
 * prefix names. A frame unpacked with another dictionary than its own
 * fails its checksum.
 */
#include "store/packed.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common/embedded.h"
#include "common/log.h"

#define PACK_LEVEL 3 /* level 9 keeps 1 % less at twice the time (bench_pack) */
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

#define KIND(k) (1u << (k))
#define MAGIC_SIZE 4 /* ZSTD_MAGICNUMBER, little-endian, at the start of a frame */
static const unsigned char MAGIC[MAGIC_SIZE] = {0x28, 0xb5, 0x2f, 0xfd};

/* The dictionaries, by the number written after 'y' or 'z'. Append only:
 * a value names its dictionary; new values take the last one of their
 * kind. The answers replayed for an Idempotency-Key (mostly the tasks'
 * state, their reasons and times) share the events' dictionary. */
static const struct {
	unsigned number;
	unsigned kinds; /* KIND() of each kind it packs */
	const char *path;
} dictionaries[] = {
	{1, KIND(PACKED_DECLARATION), "data/storage/declaration-1.zdict"},
	{2, KIND(PACKED_RISK), "data/storage/risk-1.zdict"},
	{3, KIND(PACKED_EVENT) | KIND(PACKED_REPLY), "data/storage/event-1.zdict"},
};
#define NDICT (sizeof dictionaries / sizeof dictionaries[0])

static struct {
	ZSTD_CDict *c;
	ZSTD_DDict *d;
	unsigned id; /* the dictionary's own id, as frames carry it */
} digested[NDICT];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool ready;
static pthread_key_t thread_cctx, thread_dctx, thread_ahead;

/* A text packed ahead, kept by the thread that packed it until it is used,
 * another is packed ahead or the thread ends. */
struct ahead {
	enum packed_kind kind;
	char *text;
	char *packed;
};

static void ahead_free(void *p)
{
	struct ahead *a = p;
	if (a) {
		free(a->text);
		free(a->packed);
		free(a);
	}
}

static void cctx_free(void *cx)
{
	ZSTD_freeCCtx(cx);
}

static void dctx_free(void *dx)
{
	ZSTD_freeDCtx(dx);
}

/* This thread's decompression context (made on first use), or NULL. */
static ZSTD_DCtx *thread_dcontext(void)
{
	ZSTD_DCtx *dx = pthread_getspecific(thread_dctx);
	if (!dx && (dx = ZSTD_createDCtx()) && pthread_setspecific(thread_dctx, dx)) {
		ZSTD_freeDCtx(dx);
		dx = NULL;
	}
	return dx;
}

static void digest(void)
{
	if (pthread_key_create(&thread_cctx, cctx_free) ||
	    pthread_key_create(&thread_dctx, dctx_free) ||
	    pthread_key_create(&thread_ahead, ahead_free)) {
		log_error("packed: no thread key");
		return;
	}
	for (size_t i = 0; i < NDICT; i++) {
		const struct embedded_file *f = embedded_find(dictionaries[i].path);
		if (!f) {
			log_error("packed: dictionary %s is not built in", dictionaries[i].path);
			return;
		}
		digested[i].c = ZSTD_createCDict(f->data, f->size, PACK_LEVEL);
		digested[i].d = ZSTD_createDDict(f->data, f->size);
		digested[i].id = ZSTD_getDictID_fromDict(f->data, f->size);
		if (!digested[i].c || !digested[i].d || !digested[i].id) {
			log_error("packed: dictionary %s cannot be used", dictionaries[i].path);
			return;
		}
	}
	ready = true;
}

static kerr loaded(void)
{
	pthread_once(&once, digest);
	return ready ? KERR_OK : KERR_INTERNAL;
}

static kerr pack_now(enum packed_kind kind, const char *text, char **out)
{
	size_t n = strlen(text), i = 0;
	*out = NULL;
	if (text[0] == 'y' || text[0] == 'z') /* not JSON: it would read back as packed */
		return KERR_INVALID;
	if (n < PACKED_MIN || n > PACKED_TEXT_MAX) { /* too short to gain; too long to unpack */
		*out = strdup(text);
		return *out ? KERR_OK : KERR_NOMEM;
	}
	kerr e = loaded();
	if (e)
		return e;
	/* the latest dictionary of the kind */
	i = NDICT;
	for (size_t k = 0; k < NDICT; k++)
		if (dictionaries[k].kinds & KIND(kind))
			i = k;
	size_t bound = ZSTD_compressBound(n);
	unsigned char *frame = malloc(bound);
	ZSTD_CCtx *cx = pthread_getspecific(thread_cctx);
	if (!cx && (cx = ZSTD_createCCtx()) && pthread_setspecific(thread_cctx, cx)) {
		ZSTD_freeCCtx(cx);
		cx = NULL;
	}
	size_t z = 0;
	if (!frame || !cx || i == NDICT) {
		e = i == NDICT ? KERR_INTERNAL : KERR_NOMEM;
		goto out;
	}
	if (ZSTD_isError(ZSTD_CCtx_reset(cx, ZSTD_reset_session_and_parameters)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cx, ZSTD_c_dictIDFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_refCDict(cx, digested[i].c)))
		z = (size_t)-1;
	else
		z = ZSTD_compress2(cx, frame, bound, text, n);
	if (!ZSTD_isError(z) && (z <= MAGIC_SIZE || memcmp(frame, MAGIC, MAGIC_SIZE)))
		z = (size_t)-1;
	if (ZSTD_isError(z)) {
		log_error("packed: %s", ZSTD_getErrorName(z));
		e = KERR_INTERNAL;
		goto out;
	}
	z -= MAGIC_SIZE;
	char prefix[16];
	int w = snprintf(prefix, sizeof prefix, "y%u:", dictionaries[i].number);
	size_t packed = (size_t)w + sodium_base64_ENCODED_LEN(z, B64) - 1;
	if (packed >= n) { /* kept as it is */
		*out = strdup(text);
		e = *out ? KERR_OK : KERR_NOMEM;
		goto out;
	}
	*out = malloc(packed + 1);
	if (!*out) {
		e = KERR_NOMEM;
		goto out;
	}
	memcpy(*out, prefix, (size_t)w);
	sodium_bin2base64(*out + w, packed + 1 - (size_t)w, frame + MAGIC_SIZE, z, B64);
out:
	free(frame);
	return e;
}

kerr packed_pack(enum packed_kind kind, const char *text, char **out)
{
	struct ahead *a = loaded() ? NULL : pthread_getspecific(thread_ahead);
	if (a && a->kind == kind && !strcmp(a->text, text)) {
		*out = a->packed;
		a->packed = NULL;
		ahead_free(a);
		(void)pthread_setspecific(thread_ahead, NULL);
		return KERR_OK;
	}
	return pack_now(kind, text, out);
}

void packed_ahead(enum packed_kind kind, const char *text)
{
	if (loaded())
		return;
	ahead_free(pthread_getspecific(thread_ahead));
	(void)pthread_setspecific(thread_ahead, NULL);
	struct ahead *a = calloc(1, sizeof *a);
	if (!a)
		return;
	a->kind = kind;
	if (!(a->text = strdup(text)) || pack_now(kind, text, &a->packed) ||
	    pthread_setspecific(thread_ahead, a))
		ahead_free(a); /* packed when it is used, as without */
}

bool packed_ahead_held(void)
{
	return !loaded() && pthread_getspecific(thread_ahead);
}

kerr packed_unpack(const char *stored, char **out)
{
	*out = NULL;
	const char form = stored[0]; /* 'y': the frame without its magic number */
	if (form != 'y' && form != 'z') {
		*out = strdup(stored);
		return *out ? KERR_OK : KERR_NOMEM;
	}
	kerr e = loaded();
	if (e)
		return e;
	size_t i = 0;
	const char *b64 = strchr(stored, ':');
	while (b64 && i < NDICT) {
		char name[16];
		int w = snprintf(name, sizeof name, "%c%u:", form, dictionaries[i].number);
		if ((size_t)w == (size_t)(b64 + 1 - stored) && !strncmp(stored, name, (size_t)w))
			break;
		i++;
	}
	if (!b64 || i == NDICT)
		return KERR_INVALID;
	b64++;
	size_t len = strlen(b64), z = 0, skip = form == 'y' ? MAGIC_SIZE : 0;
	unsigned char *frame = malloc(skip + len * 3 / 4 + 1);
	ZSTD_DCtx *dx = thread_dcontext();
	char *text = NULL;
	if (!frame || !dx) {
		e = KERR_NOMEM;
		goto out;
	}
	const char *end = NULL;
	e = KERR_INVALID;
	memcpy(frame, MAGIC, skip);
	if (sodium_base642bin(frame + skip, len * 3 / 4 + 1, b64, len, NULL, &z, &end, B64) != 0 ||
	    end != b64 + len)
		goto out;
	z += skip;
	unsigned long long size = ZSTD_getFrameContentSize(frame, z);
	unsigned id = form == 'y' ? 0 : digested[i].id; /* 'y' frames carry none */
	if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
	    size > PACKED_TEXT_MAX || ZSTD_getDictID_fromFrame(frame, z) != id ||
	    ZSTD_findFrameCompressedSize(frame, z) != z)
		goto out;
	text = malloc((size_t)size + 1);
	if (!text) {
		e = KERR_NOMEM;
		goto out;
	}
	size_t got = ZSTD_decompress_usingDDict(dx, text, (size_t)size, frame, z, digested[i].d);
	if (ZSTD_isError(got) || got != size || memchr(text, '\0', got))
		goto out;
	text[got] = '\0';
	*out = text;
	text = NULL;
	e = KERR_OK;
out:
	free(text);
	free(frame);
	return e;
}
