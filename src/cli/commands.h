/*
 * commands.h - the client subcommands of the kouan binary (login, password,
 * declare, status, decide, events, verify-notice): they talk to a running server
 * over HTTP and never touch the database.
 */
#ifndef KOUAN_CLI_COMMANDS_H
#define KOUAN_CLI_COMMANDS_H

int cmd_login(int argc, char **argv);
int cmd_password(int argc, char **argv);
int cmd_declare(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_verify_notice(int argc, char **argv);

#endif
