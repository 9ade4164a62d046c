/*
 * transport_commands.c - the client subcommands of carriers and terminals:
 * report (a conveyance's arrival or departure), manifest, gate (may this
 * container pass?) and gate-event (record discharge, gate-in, loading,
 * gate-out). Exit status as the other commands: 0 on success, 1 when the
 * server refused (for gate: when the container may not pass), 2 on a usage
 * error, 3 when the server could not be reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"

/* Lodge (POST with an Idempotency-Key) or amend (PUT) a document read from
 * a file. */
static int lodge_or_amend(int argc, char **argv, const char *cmd, const char *usage,
			  const char *collection)
{
	if (cli_help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *file = NULL, *key = NULL, *amend = NULL;
	int n;
	const struct cli_option opts[] = {
		{"--key", &key, NULL}, {"--amend", &amend, NULL}, {NULL, NULL, NULL}};
	if (!cli_args(cmd, usage, argc, argv, opts, &file, 1, &n))
		return 2;
	if (!file || (amend && (!*amend || strlen(amend) > 19 ||
				strspn(amend, "0123456789") != strlen(amend)))) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	char keybuf[40];
	key = cli_idempotency_key(key, keybuf);
	char *body = cli_read_all(file);
	if (!body)
		return 2;
	char path[96];
	if (amend)
		snprintf(path, sizeof path, "%s/%s", collection, amend);
	else
		snprintf(path, sizeof path, "%s", collection);
	struct client_response r;
	bool ok = client_call(&c, amend ? "PUT" : "POST", path, body, amend ? NULL : key, &r);
	free(body);
	if (!ok)
		return 3;
	return cli_finish(&r, amend ? 200 : 201);
}

int cmd_report(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan report FILE.json [--key IDEMPOTENCY_KEY] [--amend ID]\n\nLodge "
		"a conveyance's arrival or departure report (a carrier), or amend\n"
		"report ID with the whole report again. Every agency of the mode gets\n"
		"a task; the signed permission follows when all have cleared it.\n\n"
		"kouan report clearance [...]: clearance-time statistics (see its --help).";
	if (argc > 2 && !strcmp(argv[2], "clearance"))
		return cmd_clearance_report(argc - 1, argv + 1);
	return lodge_or_amend(argc, argv, "kouan report", usage, "/v1/conveyance-reports");
}

int cmd_manifest(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan manifest FILE.json [--key IDEMPOTENCY_KEY] [--amend ID]\n\nLodge "
		"a manifest (a carrier: original, pre_loading, loading or departure),\n"
		"or amend manifest ID with the whole manifest again. The answer lists\n"
		"the declarations it matched and those it released.";
	return lodge_or_amend(argc, argv, "kouan manifest", usage, "/v1/manifests");
}

/* Print what the gate says is missing, one line each, on stderr. */
static void print_missing(const json_t *answer)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(answer, "missing"), i, m)
		fprintf(stderr, "missing %s: %s\n",
			json_string_value(json_object_get(m, "kind")),
			json_string_value(json_object_get(m, "text")));
}

static bool container_arg(const char *s)
{
	return s && strlen(s) == 11 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == 11;
}

int cmd_gate(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan gate CONTAINER [--action gated_out|discharged|gated_in|loaded]\n"
		"                  [--call CALL]\n\nAsk whether a container may pass (a "
		"terminal): prints the gate's answer,\nand what is missing on standard "
		"error. Exits 0 when it may pass, 1 when not.";
	if (cli_help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *number = NULL, *action = NULL, *call = NULL;
	int n;
	const struct cli_option opts[] = {
		{"--action", &action, NULL}, {"--call", &call, NULL}, {NULL, NULL, NULL}};
	if (!cli_args("kouan gate", usage, argc, argv, opts, &number, 1, &n))
		return 2;
	char path[512];
	snprintf(path, sizeof path, "/v1/gate/containers/%.11s", number ? number : "");
	if (!container_arg(number) ||
	    (action && !client_add_query(path, sizeof path, "action", action)) ||
	    (call && !client_add_query(path, sizeof path, "call", call))) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	struct client_response r;
	if (!client_call(&c, "GET", path, NULL, NULL, &r))
		return 3;
	if (r.status == 200 && !json_is_true(json_object_get(r.json, "allowed"))) {
		print_missing(r.json);
		cli_finish(&r, 200);
		return 1;
	}
	return cli_finish(&r, 200);
}

int cmd_gate_event(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan gate-event CONTAINER discharged|gated_in|loaded|gated_out\n"
		"                        [--at TIME] [--call CALL]\n\nRecord a yard event "
		"(a terminal). When the gate refuses it, the attempt is\nrecorded all the "
		"same, what is missing is printed, and the exit status is 1.";
	if (cli_help(argc, argv, usage))
		return 0;
	struct client c;
	argc = client_setup(&c, argc, argv);
	const char *pos[2] = {0}, *at = NULL, *call = NULL;
	int np = 0;
	const struct cli_option opts[] = {
		{"--at", &at, NULL}, {"--call", &call, NULL}, {NULL, NULL, NULL}};
	if (!cli_args("kouan gate-event", usage, argc, argv, opts, pos, 2, &np))
		return 2;
	if (np < 2 || !container_arg(pos[0])) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	json_t *body = json_pack("{s:s}", "event", pos[1]);
	if (at)
		json_object_set_new(body, "at", json_string(at));
	if (call)
		json_object_set_new(body, "call", json_string(call));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	char path[64];
	snprintf(path, sizeof path, "/v1/gate/containers/%.11s/events", pos[0]);
	struct client_response r;
	bool ok = client_call(&c, "POST", path, text, NULL, &r);
	free(text);
	if (!ok)
		return 3;
	if (r.status == 409)
		print_missing(r.json);
	return cli_finish(&r, 201);
}
