/*
 * commands.h - the subcommands of the kouan binary. Server-side commands
 * (serve, init, admin, demo) work on the database directly; client commands
 * (login, declare, status, decide, events, verify-notice) talk to a running
 * server over HTTP (src/cli/).
 */
#ifndef KOUAN_COMMANDS_H
#define KOUAN_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_demo(int argc, char **argv);

int cmd_login(int argc, char **argv);
int cmd_declare(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_verify_notice(int argc, char **argv);

#endif
