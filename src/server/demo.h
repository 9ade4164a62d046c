/*
 * demo.h - realistic demonstration data: the organisations and users of a
 * Guangdong port (a trader, a broker, the four agencies, a terminal, the
 * port office, an admin) and a few declarations at different stages. The
 * declarations go through the API in-process, so they pass every check a
 * client's would.
 */
#ifndef KOUAN_DEMO_H
#define KOUAN_DEMO_H

#include <stdio.h>

#include "api/api.h"

struct demo_user {
	const char *username;
	const char *password;
	const char *role;
	const char *org_uscc;
	const char *display_name;
	bool supervisor;
};

extern const struct demo_user demo_users[]; /* ends with username NULL */
/* How many users the demo makes. */
size_t demo_user_count(void);

/* Before kouan starts on a demo database: the secret of its risk draws is
 * made from a fixed text, so that the demo comes out the same on every run
 * (the laptops at Baiyun released by kouan, the same parcels drawn). A
 * database that has its secret already keeps it. A demo database's
 * passwords are public, and so is this secret: it never holds real goods. */
KOUAN_MUST_USE kerr demo_prepare_store(struct store *store);

/* Seed users, organisations and declarations (skipped when the demo users
 * exist already). Prints the credentials to `out`. */
KOUAN_MUST_USE kerr demo_seed(struct app *app, FILE *out);

/* Only the organisations and users; *existed tells whether they were there. */
KOUAN_MUST_USE kerr demo_seed_accounts(struct app *app, bool *existed);

/* The cross-border e-commerce part (demo_cbec.c): the postal office's
 * profiles and a few hundred parcels of the demo platform. */
KOUAN_MUST_USE kerr demo_seed_cbec(struct app *app, FILE *out);

/* Print the demo users' credentials. */
void demo_print_credentials(FILE *out);

#endif
