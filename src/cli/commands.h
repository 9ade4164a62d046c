/*
 * commands.h - the client subcommands of the kouan binary (login, password,
 * declare, status, decide, events, verify-notice; report, manifest, gate,
 * gate-event): they talk to a running server over HTTP and never touch the
 * database.
 */
#ifndef KOUAN_CLI_COMMANDS_H
#define KOUAN_CLI_COMMANDS_H

#include <stdbool.h>

int cmd_login(int argc, char **argv);
int cmd_password(int argc, char **argv);
int cmd_declare(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_verify_notice(int argc, char **argv);
/* transport_commands.c: the carrier's and the terminal's */
int cmd_report(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_gate_event(int argc, char **argv);
/* report_commands.c: `kouan report clearance`, the clearance-time report
 * (argv[1] is "clearance", options from argv[2]) */
int cmd_clearance_report(int argc, char **argv);

/* Shared by the command files (commands.c): print usage and return true
 * when --help is asked; print an answer (JSON on stdout when it has
 * ok_status, the problem on stderr otherwise) and give the exit status;
 * read a whole file ("-": standard input; NULL with a message on failure). */
struct client_response;
bool cli_help(int argc, char **argv, const char *usage);
int cli_finish(struct client_response *r, long ok_status);
char *cli_read_all(const char *path);
/* An option a command takes: "--name" and its value (stored in *value), or
 * a flag (value NULL: *flag set). */
struct cli_option {
	const char *name;
	const char **value;
	bool *flag;
};
/* Sort argv[2..argc) into the options (a list ended by a NULL name) and
 * at most `max` other arguments, in order (pos, *npos). An option not in
 * the list, an option without its value or one argument too many is a
 * usage error: said, with the usage, on stderr, and false. */
bool cli_args(const char *cmd, const char *usage, int argc, char **argv,
	      const struct cli_option *opts, const char **pos, int max, int *npos);
/* The Idempotency-Key given with --key, or a random one made in buf. */
const char *cli_idempotency_key(const char *given, char buf[40]);
/* declare_many.c: `kouan declare` with several files (n > 1), through
 * the batch endpoint; the exit status. */
struct client;
int cli_declare_many(const struct client *c, int n, const char **files, const char *key);

#endif
