/*
 * main.c - the kouan binary: one program, many subcommands.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "server/commands.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{"serve", cmd_serve, "run the HTTP API server"},
	{"init", cmd_init, "create or migrate the database, load reference data"},
	{"demo", cmd_demo, "initialise with demo data, print credentials, serve"},
	{"admin", cmd_admin, "manage organisations, users and tokens offline"},
	{"audit", cmd_audit, "verify the audit log's hash chain and signatures"},
	{"login", cmd_login, "get a bearer token from a server"},
	{"password", cmd_password, "change your own password"},
	{"declare", cmd_declare, "lodge a goods declaration"},
	{"status", cmd_status, "show a declaration and its agency tasks"},
	{"decide", cmd_decide, "record an agency's decision on its task"},
	{"events", cmd_events, "a declaration's timeline, or the event feed"},
	{"verify-notice", cmd_verify_notice, "check a release notice's signature"},
	{"report", cmd_report, "lodge or amend a conveyance's arrival or departure report; "
			       "report clearance: clearance-time statistics"},
	{"manifest", cmd_manifest, "lodge or amend a manifest"},
	{"gate", cmd_gate, "may a container pass the gate, and what is missing"},
	{"gate-event", cmd_gate_event, "record a container's discharge, gate-in, loading or gate-out"},
	{"simulate", cmd_simulate, "run a port's declarations on a virtual clock; compare two runs"},
};

/* A server's request threads allocate and free small blocks all the time
 * (JSON, SQLite's statements, HTTP). glibc keeps 7 freed blocks of each size
 * for the thread that freed them, and goes to its shared arenas past that;
 * keeping 200 lodged 6 % more declarations a second on SQLite for 5 MB more
 * memory, as much as another allocator did (bench/README.md, nineteenth
 * round). glibc reads the setting only from the environment, at start-up,
 * so a server started without GLIBC_TUNABLES starts itself once more with
 * it set: the same process, arguments and descriptors. An operator's own
 * GLIBC_TUNABLES is left as it is; if the restart fails, the server runs
 * with glibc's defaults. */
#define SERVER_MALLOC_TUNABLES "glibc.malloc.tcache_count=200"

static void restart_with_malloc_tunables(char **argv)
{
	/* the binary by its own path, not /proc/self/exe: the process is
	 * named after the file started ("kouan" in ps and top) */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0 || (size_t)n >= sizeof self - 1 || getenv("GLIBC_TUNABLES") ||
	    setenv("GLIBC_TUNABLES", SERVER_MALLOC_TUNABLES, 0))
		return;
	self[n] = '\0';
	execv(self, argv);
	unsetenv("GLIBC_TUNABLES");
}

static void usage(FILE *out)
{
	fprintf(out, "kouan - an international trade single window\n\n"
		     "Usage: kouan COMMAND [options]   (kouan COMMAND --help for more)\n\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			if (commands[i].fn == cmd_serve || commands[i].fn == cmd_demo)
				restart_with_malloc_tunables(argv);
			curl_global_init(CURL_GLOBAL_DEFAULT);
			int rc = commands[i].fn(argc, argv);
			curl_global_cleanup();
			return rc;
		}
	}
	fprintf(stderr, "kouan: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
