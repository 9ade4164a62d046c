/*
 * declare_many.c - `kouan declare` with several files: a broker's or a
 * carrier's declarations lodged through POST /v1/declarations/batch,
 * DECLARE_BATCH at a time, each answered on its own.
 *
 * Every file is read and parsed before anything is sent, so a file that
 * cannot be read or is not JSON stops the command with nothing lodged;
 * then each batch's files are read again as it is sent, so that only one
 * batch is held in memory however many files are given.
 * With --key KEY the n-th file given is lodged under KEY-n, so the same
 * command run again (the same files in the same order) replays what was
 * lodged and tries again what was refused; without it each file gets a
 * random key, as a single file does. The results go to standard output
 * as JSON, each named by its file, a refusal's fields pointing into its
 * file (not into the batch sent); each refusal is also told on standard
 * error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"

#define DECLARE_BATCH 100 /* the most the server takes in one batch */
#define KEY_MAX 128       /* the longest Idempotency-Key the server takes */

/* The problem's fields as they are in the file, not in the batch sent:
 * "/declarations/3/declaration/items/0" is "/items/0", the whole
 * declaration "", and "/declarations/3/idempotency_key" "idempotency_key". */
static void fields_in_file(json_t *problem)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(problem, "errors"), i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *p = f && !strncmp(f, "/declarations/", 14) ? strchr(f + 14, '/') : NULL;
		if (p && !strncmp(p, "/declaration", 12) && (p[12] == '/' || !p[12]))
			json_object_set_new(e, "field", json_string(p + 12));
		else if (p && !strcmp(p, "/idempotency_key"))
			json_object_set_new(e, "field", json_string("idempotency_key"));
	}
}

static void print_refusal(const char *file, json_t *result)
{
	json_t *pr = json_object_get(result, "problem");
	const char *title = json_string_value(json_object_get(pr, "title"));
	const char *detail = json_string_value(json_object_get(pr, "detail"));
	fprintf(stderr, "kouan: %s: %lld %s%s%s\n", file,
		(long long)json_integer_value(json_object_get(result, "status")),
		title ? title : "refused", detail ? ": " : "", detail ? detail : "");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(pr, "errors"), i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		fprintf(stderr, "  %s: %s\n", f && *f ? f : "(the declaration)",
			json_string_value(json_object_get(e, "problem")));
	}
}

/* A file's declaration, parsed; NULL (after saying why) when it cannot be
 * read or is not a JSON object. */
static json_t *read_declaration(const char *file)
{
	char *text = cli_read_all(file);
	if (!text)
		return NULL;
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	free(text);
	if (!doc)
		fprintf(stderr, "kouan: %s is not JSON: line %d: %s\n", file, err.line, err.text);
	else if (!json_is_object(doc))
		fprintf(stderr, "kouan: %s is not a declaration: a JSON object is expected\n",
			file);
	if (json_is_object(doc))
		return doc;
	json_decref(doc);
	return NULL;
}

/* Whether every file can be read and holds a JSON object (each that does
 * not is named); read again batch by batch, so that only one batch is held
 * in memory however many files are given. */
static bool all_readable(int n, const char **files)
{
	bool ok = true;
	for (int i = 0; i < n; i++) {
		json_t *doc = read_declaration(files[i]);
		ok = ok && doc;
		json_decref(doc);
	}
	return ok;
}

/* Send files [from, to) as one batch; append their results, each named by
 * its file. 0, 1 when the batch was refused whole, 2 when a file can no
 * longer be read, 3 when the server could not be reached. */
static int send_batch(const struct client *c, const char **files, int from, int to,
		      const char *key,
		      json_t *results, int *refused)
{
	json_t *items = json_array();
	for (int i = from; i < to; i++) {
		char k[KEY_MAX + 16], random[40];
		if (key)
			snprintf(k, sizeof k, "%s-%d", key, i + 1);
		else
			snprintf(k, sizeof k, "%s", cli_idempotency_key(NULL, random));
		json_t *doc = read_declaration(files[i]);
		if (!doc) { /* changed since it was read first */
			json_decref(items);
			return 2;
		}
		json_array_append_new(items, json_pack("{s:s, s:o}", "idempotency_key", k,
						       "declaration", doc));
	}
	json_t *env = json_pack("{s:o}", "declarations", items);
	char *body = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	struct client_response r;
	bool reached = body && client_call(c, "POST", "/v1/declarations/batch", body, NULL, &r);
	free(body);
	if (!reached)
		return 3;
	json_t *answered = json_object_get(r.json, "results");
	if (r.status != 200 || json_array_size(answered) != (size_t)(to - from)) {
		fprintf(stderr, "kouan: %s to %s were not lodged:\n", files[from], files[to - 1]);
		client_print_problem(&r);
		client_response_free(&r);
		return 1;
	}
	size_t j;
	json_t *res;
	json_array_foreach(answered, j, res)
	{
		const char *file = files[from + (int)j];
		json_t *named = json_pack("{s:s}", "file", file);
		json_object_update(named, res);
		json_object_del(named, "index");
		json_array_append_new(results, named);
		if (json_integer_value(json_object_get(res, "status")) != 201) {
			fields_in_file(json_object_get(named, "problem"));
			(*refused)++;
			print_refusal(file, named);
		}
	}
	client_response_free(&r);
	return 0;
}

int cli_declare_many(const struct client *c, int n, const char **files, const char *key)
{
	bool printable = true;
	for (const char *k = key; k && *k && printable; k++)
		printable = *k > 0x20 && *k < 0x7f;
	if (key && (!*key || strlen(key) > KEY_MAX - 8 || !printable)) {
		fprintf(stderr, "kouan declare: --key must be 1 to %d printable ASCII characters "
				"without spaces with several files (each is lodged under KEY-n)\n",
			KEY_MAX - 8);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (!strcmp(files[i], "-")) {
			fprintf(stderr, "kouan declare: '-' (standard input) is for one "
					"declaration alone, not among several files\n");
			return 2;
		}
	}
	if (!all_readable(n, files))
		return 2;
	json_t *results = json_array();
	int rc = 0, refused = 0;
	for (int from = 0; rc == 0 && from < n; from += DECLARE_BATCH) {
		int to = from + DECLARE_BATCH < n ? from + DECLARE_BATCH : n;
		rc = send_batch(c, files, from, to, key, results, &refused);
	}
	/* something may have been sent: say what became of each file */
	int accepted = (int)json_array_size(results) - refused;
	json_t *out = json_pack("{s:i, s:i, s:i, s:o}", "accepted", accepted, "refused", refused,
				"not_sent", n - (int)json_array_size(results), "results", results);
	json_dumpf(out, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(out);
	return rc ? rc : refused ? 1 : 0;
}
