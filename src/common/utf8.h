/*
 * utf8.h - decoding one UTF-8 sequence, strictly: the one definition of
 * "valid UTF-8" shared by the log's escaping and the HTTP edge's path check.
 *
 * Must never: accept overlong forms, surrogates (U+D800-U+DFFF) or code
 * points above U+10FFFF, or read past the n bytes it is given.
 */
#ifndef KOUAN_UTF8_H
#define KOUAN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1 to 4) of the valid UTF-8 sequence at the start of s[0..n), with
 * its code point in *cp; 0 when the bytes there are not valid UTF-8 or the
 * sequence is cut short by n (n == 0 included). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
