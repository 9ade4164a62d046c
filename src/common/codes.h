/*
 * codes.h - check the identifier formats and check digits used at a port of
 * entry: unified social credit codes (GB 32100-2015), resident identity
 * numbers (GB 11643-1999), ISO 6346 container numbers, IMO ship numbers and
 * ten-digit Chinese commodity (HS) codes.
 *
 * Pure functions over NUL-terminated strings: no allocation, no I/O, no
 * locale. Each checker answers a codes_result; codes_result_text() gives a
 * short English sentence for the problem, fit for an API error message.
 */
#ifndef KOUAN_CODES_H
#define KOUAN_CODES_H

#include <stdbool.h>
#include <stddef.h>

enum codes_result {
	CODES_OK = 0,
	CODES_BAD_LENGTH,    /* wrong number of characters */
	CODES_BAD_CHARACTER, /* a character outside the format's alphabet */
	CODES_BAD_CATEGORY,  /* ISO 6346 category letter not U, J or Z */
	CODES_BAD_CHECK,     /* well-formed but the check digit does not match */
};

/* USCC: 18 characters from 0-9A-HJ-NPQRTUWXY, upper case only. */
enum codes_result codes_check_uscc(const char *s);

/* Resident ID: 17 digits and a check character 0-9 or X (upper case). */
enum codes_result codes_check_resident_id(const char *s);

/* Container: 3-letter owner code, category U/J/Z, 6 digits, check digit. */
enum codes_result codes_check_container(const char *s);

/* IMO ship number: exactly 7 digits (no "IMO" prefix), last is the check. */
enum codes_result codes_check_imo(const char *s);

/* Chinese HS code: exactly 10 ASCII digits. Format only; the table decides
 * whether the code exists. */
enum codes_result codes_check_hs(const char *s);

/* Is s exactly n ASCII digits ("035", a 10-digit commodity code)? */
bool codes_is_digits(const char *s, size_t n);
/* Is s exactly n capital letters A-Z ("VN", "USD")? */
bool codes_is_capitals(const char *s, size_t n);

/* Short problem text for a result and a kind of code, e.g.
 * codes_result_text(CODES_BAD_CHECK, "USCC") ->
 * "check digit does not match (GB 32100-2015)". Never NULL; static storage. */
const char *codes_result_text(enum codes_result r, const char *kind);

/* The check character a USCC's first 17 characters call for, or 0 when they
 * are not 17 valid characters. Used to make valid demo and test codes. */
char codes_uscc_check_char(const char *first17);

/* The check digit (0-9) for the first 10 characters of a container number,
 * or -1 when they are malformed. */
int codes_container_check_digit(const char *first10);

#endif
