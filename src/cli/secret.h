/*
 * secret.h - reading a password without it ever being on a command line
 * (where ps, /proc and shell history show it to others): from a prompt on
 * the terminal with echo off, from a file, or from standard input. Used by
 * `kouan login`, `kouan password` and `kouan admin`. Never prints or logs
 * what it reads.
 */
#ifndef KOUAN_SECRET_H
#define KOUAN_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_MAX 1024

/* Where secrets come from, as the options say. */
struct secret_source {
	const char *file;  /* --password-file FILE: one secret a line */
	bool from_stdin;   /* --password-stdin: one secret a line */
	void *opened;      /* the file while it is read (secret_close) */
};

/* Read the next secret into out[SECRET_MAX]: the next line of the file or
 * of standard input, or else the answer to a prompt (`prompt`, on standard
 * error) on the terminal, asked twice when `confirm`. The line's end is
 * dropped. False, with a message on standard error naming `cmd`, when
 * nothing could be read (no terminal and no option, an empty secret, two
 * answers that differ, a file that cannot be read, a line too long). */
bool secret_read(const char *cmd, struct secret_source *src, const char *prompt,
		 bool confirm, char out[SECRET_MAX]);
/* Close the file of a source, if one was opened. */
void secret_close(struct secret_source *src);

/* Take "--password-file FILE" and "--password-stdin" out of argv (from
 * index `first`), compacting it; the new argc. */
int secret_options(int argc, char **argv, int first, struct secret_source *src);

/* Wipe a secret from memory. */
void secret_wipe(char *s, size_t n);

#endif
