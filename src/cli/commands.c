/*
 * commands.c - the client subcommands: login, password, declare, status,
 * decide, events, verify-notice. Each prints JSON answers on stdout and
 * problems on stderr; the exit status is 0 on success, 1 when the server
 * refused, 2 on a usage error, 3 when the server could not be reached.
 * Passwords never come from the command line (cli/secret.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/secret.h"
#include "domain/release.h"

static const char client_opts[] =
	"  --url URL      server (default $KOUAN_URL or http://127.0.0.1:8080)\n"
	"  --token TOKEN  bearer token (default $KOUAN_TOKEN)\n";

/* --help or -h: print the usage, with the server's options when the
 * command talks to one. */
static bool help_of(int argc, char **argv, const char *usage, bool client)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s\n%s", usage, client ? client_opts : "");
			return true;
		}
	}
	return false;
}

static bool help(int argc, char **argv, const char *usage)
{
	return help_of(argc, argv, usage, true);
}

static int finish(struct client_response *r, long ok_status)
{
	int rc;
	if (r->status == ok_status) {
		if (r->json) {
			json_dumpf(r->json, stdout, JSON_INDENT(2));
			putchar('\n');
		}
		rc = 0;
	} else {
		client_print_problem(r);
		rc = 1;
	}
	client_response_free(r);
	return rc;
}

static char *read_all(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "kouan: cannot read %s\n", path);
		return NULL;
	}
	struct buf b;
	buf_init(&b, 16u << 20);
	char chunk[8192];
	size_t n;
	bool ok = true;
	while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		ok = buf_append(&b, chunk, n) == KERR_OK;
	if (f != stdin)
		fclose(f);
	if (!ok) {
		buf_free(&b);
		fprintf(stderr, "kouan: %s is too large\n", path);
		return NULL;
	}
	return buf_take(&b);
}

static const char no_password_args[] =
	"passwords are not taken on the command line, where other users of the "
	"machine can see them; answer the prompt, or use --password-file FILE or "
	"--password-stdin";

/* Set up a command that reads passwords: the client, the password
 * options, and no more than `max` arguments (a password given as one is
 * refused). The new argc, or -1 after saying why. */
static int secret_setup(const char *cmd, int argc, char **argv, int max, struct client *c,
			struct secret_source *src)
{
	memset(src, 0, sizeof *src);
	argc = client_setup(c, argc, argv);
	argc = secret_options(argc, argv, 2, src);
	if (argc > max) {
		fprintf(stderr, "%s: %s\n", cmd, no_password_args);
		return -1;
	}
	return argc;
}

/* Send a body that holds passwords (taken), wiping its text afterwards;
 * false when it could not be sent. */
static bool call_with_secrets(const struct client *c, const char *method, const char *path,
			      json_t *body, struct client_response *r)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	bool ok = text && client_call(c, method, path, text, NULL, r);
	if (text)
		secret_wipe(text, strlen(text));
	free(text);
	return ok;
}

int cmd_login(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan login USERNAME [--password-file FILE | --password-stdin]\n\n"
		"Exchange credentials for a bearer token and print it (use it as\n"
		"KOUAN_TOKEN). The password is asked for on the terminal (not shown),\n"
		"or read from the first line of FILE or of standard input.";
	if (help(argc, argv, usage))
		return 0;
	struct client c;
	struct secret_source src;
	if ((argc = secret_setup("kouan login", argc, argv, 3, &c, &src)) < 0)
		return 2;
	if (argc < 3) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	char pw[SECRET_MAX];
	bool got = secret_read("kouan login", &src, "Password: ", false, pw);
	secret_close(&src);
	if (!got)
		return 2;
	json_t *body = json_pack("{s:s, s:s}", "username", argv[2], "password", pw);
	secret_wipe(pw, sizeof pw);
	struct client_response r;
	if (!call_with_secrets(&c, "POST", "/v1/sessions", body, &r))
		return 3;
	if (r.status == 201) {
		printf("%s\n", json_string_value(json_object_get(r.json, "token")));
		client_response_free(&r);
		return 0;
	}
	return finish(&r, 201);
}

int cmd_password(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan password [--password-file FILE | --password-stdin]\n\n"
		"Change your own password (the token's user). Asks on the terminal for\n"
		"the current password and the new one (twice), or reads them from the\n"
		"first two lines of FILE or of standard input. Every other token of\n"
		"yours stops working.";
	if (help(argc, argv, usage))
		return 0;
	struct client c;
	struct secret_source src;
	if (secret_setup("kouan password", argc, argv, 2, &c, &src) < 0)
		return 2;
	char current[SECRET_MAX], next[SECRET_MAX];
	bool got = secret_read("kouan password", &src, "Current password: ", false, current) &&
		   secret_read("kouan password", &src, "New password: ", true, next);
	secret_close(&src);
	json_t *body = got ? json_pack("{s:s, s:s}", "current_password", current, "password",
				       next)
			   : NULL;
	secret_wipe(current, sizeof current);
	secret_wipe(next, sizeof next);
	if (!got)
		return 2;
	struct client_response r;
	if (!call_with_secrets(&c, "PUT", "/v1/me/password", body, &r))
		return 3;
	if (r.status == 204) {
		fprintf(stderr, "password changed\n");
		client_response_free(&r);
		return 0;
	}
	return finish(&r, 204);
}

int cmd_declare(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan declare FILE.json... [--key IDEMPOTENCY_KEY]\n\nLodge a goods "
		"declaration (FILE '-', alone, reads standard input) and print it. Without --key\n"
		"a random key is used; give the same key to retry safely.\n\n"
		"Several files are lodged 100 at a time, each accepted or refused on its\n"
		"own: the results are printed as JSON, each refusal is told on standard\n"
		"error, and the exit status is 1 if any was refused. With --key KEY the\n"
		"n-th file is lodged under KEY-n, so the same command run again (the same\n"
		"files in the same order) lodges nothing twice and tries the refused again.\n"
		"A file that cannot be read or is not JSON stops it before anything is sent.";
	if (help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *key = NULL;
	const char **files = calloc((size_t)argc, sizeof *files);
	int nfiles = 0;
	if (!files)
		return 2;
	const struct cli_option opts[] = {{"--key", &key, NULL}, {NULL, NULL, NULL}};
	bool bad = !cli_args("kouan declare", usage, argc, argv, opts, files, argc, &nfiles);
	int rc;
	if (bad) {
		rc = 2;
	} else if (nfiles == 0) {
		fprintf(stderr, "%s\n", usage);
		rc = 2;
	} else if (nfiles > 1) {
		rc = cli_declare_many(&c, nfiles, files, key);
	} else {
		char keybuf[40];
		key = cli_idempotency_key(key, keybuf);
		char *body = read_all(files[0]);
		struct client_response r;
		if (!body)
			rc = 2;
		else if (!client_call(&c, "POST", "/v1/declarations", body, key, &r))
			rc = 3;
		else
			rc = finish(&r, 201);
		free(body);
	}
	free(files);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan status [NUMBER]\n\nShow a declaration with its tasks, or "
		"list the declarations you may see.";
	if (help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *given = NULL;
	int n;
	if (!cli_args("kouan status", usage, argc, argv, NULL, &given, 1, &n))
		return 2;
	char path[160], number[128];
	if (given && !client_segment(number, sizeof number, given)) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	if (given)
		snprintf(path, sizeof path, "/v1/declarations/%s", number);
	else
		snprintf(path, sizeof path, "/v1/declarations");
	struct client_response r;
	if (!client_call(&c, "GET", path, NULL, NULL, &r))
		return 3;
	return finish(&r, 200);
}

int cmd_decide(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan decide NUMBER AGENCY cleared|inspect|return|reject "
		"--reason TEXT\n\nRecord an agency's decision on its task, with its reason "
		"(what was checked, or why).";
	if (help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *reason = NULL;
	const char *pos[3] = {0};
	int np = 0;
	const struct cli_option opts[] = {{"--reason", &reason, NULL}, {NULL, NULL, NULL}};
	if (!cli_args("kouan decide", usage, argc, argv, opts, pos, 3, &np))
		return 2;
	char number[128], agency[64];
	if (np < 3 || !client_segment(number, sizeof number, pos[0]) ||
	    !client_segment(agency, sizeof agency, pos[1])) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	json_t *body = json_pack("{s:s}", "decision", pos[2]);
	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	char path[256];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", number, agency);
	struct client_response r;
	bool ok = client_call(&c, "POST", path, text, NULL, &r);
	free(text);
	if (!ok)
		return 3;
	return finish(&r, 200);
}

int cmd_events(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan events [NUMBER] [--after CURSOR] [--follow]\n\nWith NUMBER, "
		"the timeline of one declaration. Without, the feed of every event\n"
		"you may see, from CURSOR; --follow keeps long-polling and prints one\n"
		"event per line as they come.";
	if (help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *number = NULL, *after = "0";
	bool follow = false;
	int n;
	const struct cli_option opts[] = {
		{"--after", &after, NULL}, {"--follow", NULL, &follow}, {NULL, NULL, NULL}};
	if (!cli_args("kouan events", usage, argc, argv, opts, &number, 1, &n))
		return 2;
	char path[160];
	struct client_response r;
	if (number) {
		char segment[128];
		if (!client_segment(segment, sizeof segment, number)) {
			fprintf(stderr, "%s\n", usage);
			return 2;
		}
		snprintf(path, sizeof path, "/v1/declarations/%s/events", segment);
		if (!client_call(&c, "GET", path, NULL, NULL, &r))
			return 3;
		return finish(&r, 200);
	}
	char cursor[32];
	snprintf(cursor, sizeof cursor, "%.30s", after);
	do {
		snprintf(path, sizeof path, "/v1/events?limit=500%s", follow ? "&wait=25" : "");
		if (!client_add_query(path, sizeof path, "after", cursor)) {
			fprintf(stderr, "%s\n", usage);
			return 2;
		}
		if (!client_call(&c, "GET", path, NULL, NULL, &r))
			return 3;
		if (r.status != 200)
			return finish(&r, 200);
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(r.json, "events"), i, e)
		{
			char *line = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
			printf("%s\n", line);
			free(line);
		}
		fflush(stdout);
		const char *next = json_string_value(json_object_get(r.json, "cursor"));
		if (next)
			snprintf(cursor, sizeof cursor, "%.30s", next);
		client_response_free(&r);
	} while (follow);
	fprintf(stderr, "cursor %s\n", cursor);
	return 0;
}

int cmd_verify_notice(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan verify-notice FILE.json --public-key BASE64\n\nCheck a "
		"release notice (the JSON of GET /v1/declarations/N/release-notice)\n"
		"against the Ed25519 public key from GET /v1/release-key. Prints the\n"
		"declaration number and exits 0 when the signature is good, 1 when not.\n"
		"It needs no server.";
	if (help_of(argc, argv, usage, false))
		return 0;
	const char *file = NULL, *key = NULL;
	int nfiles;
	const struct cli_option opts[] = {{"--public-key", &key, NULL}, {NULL, NULL, NULL}};
	if (!cli_args("kouan verify-notice", usage, argc, argv, opts, &file, 1, &nfiles))
		return 2;
	if (!file || !key) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	char *text = read_all(file);
	if (!text)
		return 2;
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	const char *notice = json_string_value(json_object_get(doc, "notice"));
	const char *sig = json_string_value(json_object_get(doc, "signature"));
	unsigned char pk[32];
	size_t len = 0;
	int rc = 1;
	if (!notice || !sig) {
		fprintf(stderr, "kouan: %s has no notice and signature\n", file);
		rc = 2;
	} else if (sodium_base642bin(pk, sizeof pk, key, strlen(key), NULL, &len, NULL,
				     sodium_base64_VARIANT_ORIGINAL) != 0 || len != 32) {
		fprintf(stderr, "kouan: the public key must be 32 bytes in base64\n");
		rc = 2;
	} else if (release_verify(notice, sig, pk)) {
		json_t *n = json_loads(notice, 0, NULL);
		printf("valid release notice for declaration %s, released %s\n",
		       json_string_value(json_object_get(n, "declaration_number")),
		       json_string_value(json_object_get(n, "released_at")));
		json_decref(n);
		rc = 0;
	} else {
		fprintf(stderr, "kouan: the signature does NOT match: do not release\n");
	}
	json_decref(doc);
	return rc;
}

/* The helpers above, for the other command files (commands.h). */
bool cli_help(int argc, char **argv, const char *usage)
{
	return help(argc, argv, usage);
}

int cli_finish(struct client_response *r, long ok_status)
{
	return finish(r, ok_status);
}

char *cli_read_all(const char *path)
{
	return read_all(path);
}

bool cli_args(const char *cmd, const char *usage, int argc, char **argv,
	      const struct cli_option *opts, const char **pos, int max, int *npos)
{
	*npos = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *why = NULL;
		const struct cli_option *o = NULL;
		for (const struct cli_option *k = opts; k && k->name && !o; k++)
			if (!strcmp(a, k->name))
				o = k;
		if (o && o->value && i + 1 < argc)
			*o->value = argv[++i];
		else if (o && o->value)
			why = "needs a value";
		else if (o)
			*o->flag = true;
		else if (!strncmp(a, "--", 2))
			why = "is not an option of this command";
		else if (*npos < max)
			pos[(*npos)++] = a;
		else
			why = "is one argument too many";
		if (why) {
			fprintf(stderr, "%s: %s %s\n%s\n", cmd, a, why, usage);
			return false;
		}
	}
	return true;
}

const char *cli_idempotency_key(const char *given, char buf[40])
{
	if (given)
		return given;
	unsigned char raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(buf, 40, raw, sizeof raw);
	return buf;
}
