/*
 * commands.h - the server-side subcommands of the kouan binary (serve,
 * init, admin, demo, audit): they work on the database directly. The client
 * subcommands are in src/cli/commands.h.
 */
#ifndef KOUAN_COMMANDS_H
#define KOUAN_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_audit(int argc, char **argv);
/* simulate.c: a port on a virtual clock, through the real kouan */
int cmd_simulate(int argc, char **argv);

#endif
