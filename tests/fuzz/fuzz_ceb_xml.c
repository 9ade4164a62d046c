/*
 * fuzz_ceb_xml.c - libFuzzer target for the CEB message codec: any byte
 * string is parsed as a message. A refusal must say where (a problem with
 * a field); a message that is read must give each document either its
 * struct or its problems, and the receipts for them must render and follow
 * the schema. Code lists are not loaded (forms only), so the domain's
 * checks run as far as they can.
 *
 * Build: cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   bench/fuzz.sh --only ceb_xml (docs/fuzzing.md), which uses tests/fuzz/corpus/ceb_xml
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/ceb_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ceb_codec *codec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct problems p;
	struct ceb_message m;
	struct ceb_parse_options opt = {NULL, "4401986001", 64u * 1024u};
	if (!codec && ceb_codec_new(&codec))
		abort();
	problems_init(&p);
	kerr e = ceb_parse(codec, (const char *)data, size, &opt, &m, &p);
	if (e) {
		if (!problems_any(&p) || m.items)
			abort(); /* a refusal says why and leaves nothing */
		return 0;
	}
	if (m.nitems == 0 || m.nitems > CEB_MAX_DOCUMENTS)
		abort();
	struct ceb_receipt r[CEB_MAX_DOCUMENTS];
	for (size_t i = 0; i < m.nitems; i++) {
		if (!m.items[i].ok && (!m.items[i].problems || !problems_any(m.items[i].problems)))
			abort(); /* a refused document says why */
		ceb_receipt_for(&m, i, 1772328660000000LL, &r[i]);
	}
	struct buf b;
	buf_init(&b, 4u * 1024u * 1024u);
	if (ceb_receipts_render(m.type, "6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5", r, m.nitems, &b))
		abort();
	problems_init(&p);
	if (ceb_validate(codec, b.data, b.len, &p))
		abort(); /* a receipt kouan writes must follow its own schema */
	buf_free(&b);
	ceb_message_free(&m);
	return 0;
}
