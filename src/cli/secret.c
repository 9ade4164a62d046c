/* secret.c - passwords from a prompt, a file or standard input (see secret.h). */
#include "cli/secret.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void secret_wipe(char *s, size_t n)
{
	volatile char *p = s;
	while (n--)
		*p++ = 0;
}

/* One line of f into out; false when none, or too long. */
static bool read_line(FILE *f, char out[SECRET_MAX], bool *too_long)
{
	*too_long = false;
	if (!fgets(out, SECRET_MAX, f))
		return false;
	size_t n = strlen(out);
	if (n && out[n - 1] == '\n') {
		out[--n] = '\0';
		if (n && out[n - 1] == '\r')
			out[--n] = '\0';
	} else if (n == SECRET_MAX - 1 && !feof(f)) {
		*too_long = true;
		secret_wipe(out, SECRET_MAX);
		return false;
	}
	return true;
}

/* Prompt on standard error and read standard input with echo off. */
static bool ask(const char *prompt, char out[SECRET_MAX], bool *too_long)
{
	struct termios old, quiet;
	bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fputs(prompt, stderr);
	fflush(stderr);
	bool ok = read_line(stdin, out, too_long);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return ok;
}

void secret_close(struct secret_source *src)
{
	if (src->opened)
		fclose(src->opened);
	src->opened = NULL;
}

bool secret_read(const char *cmd, struct secret_source *src, const char *prompt,
		 bool confirm, char out[SECRET_MAX])
{
	bool too_long = false, ok;
	out[0] = '\0';
	if (src->file) {
		if (!src->opened && !(src->opened = fopen(src->file, "r"))) {
			fprintf(stderr, "%s: cannot read %s: %s\n", cmd, src->file,
				strerror(errno));
			return false;
		}
		ok = read_line(src->opened, out, &too_long);
	} else if (src->from_stdin) {
		ok = read_line(stdin, out, &too_long);
	} else if (isatty(STDIN_FILENO)) {
		ok = ask(prompt, out, &too_long);
		if (ok && confirm) {
			char again[SECRET_MAX];
			ok = ask("Again: ", again, &too_long);
			if (ok && strcmp(out, again) != 0) {
				fprintf(stderr, "%s: the two passwords differ\n", cmd);
				secret_wipe(again, sizeof again);
				secret_wipe(out, SECRET_MAX);
				return false;
			}
			secret_wipe(again, sizeof again);
		}
	} else {
		fprintf(stderr,
			"%s: there is no terminal to ask for the password: use "
			"--password-file FILE or --password-stdin\n",
			cmd);
		return false;
	}
	if (too_long) {
		fprintf(stderr, "%s: the password is longer than %d bytes\n", cmd, SECRET_MAX - 1);
		return false;
	}
	if (!ok || !out[0]) {
		fprintf(stderr, "%s: no password was given\n", cmd);
		return false;
	}
	return true;
}

int secret_options(int argc, char **argv, int first, struct secret_source *src)
{
	int w = first;
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--password-file") && i + 1 < argc)
			src->file = argv[++i];
		else if (!strcmp(argv[i], "--password-stdin"))
			src->from_stdin = true;
		else
			argv[w++] = argv[i];
	}
	return w;
}
