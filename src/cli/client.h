/*
 * client.h - the command-line client's HTTP calls (libcurl). The server is
 * named by --url or KOUAN_URL (default http://127.0.0.1:8080) and the caller
 * by --token or KOUAN_TOKEN.
 */
#ifndef KOUAN_CLIENT_H
#define KOUAN_CLIENT_H

#include <jansson.h>
#include <stdbool.h>

#include "common/buf.h"

struct client {
	char url[512];
	char token[128];
};

struct client_response {
	long status;
	struct buf body;
	json_t *json; /* parsed body or NULL */
};

/* Read --url / --token (removing them from argv) with the environment as
 * fallback. Returns the new argc. */
int client_setup(struct client *c, int argc, char **argv);

/* One request. body may be NULL. idem: Idempotency-Key or NULL. Returns
 * false when the server could not be reached (message printed). */
bool client_call(const struct client *c, const char *method, const char *path,
		 const char *body, const char *idem, struct client_response *r);
void client_response_free(struct client_response *r);

/* Append "?name=value" (or "&name=value" when the path has a query
 * already) to path, the value escaped; false when it does not fit in n. */
bool client_add_query(char *path, size_t n, const char *name, const char *value);

/* A value to stand as one segment of a path, escaped into out ('/' and
 * '?' among them, so it names one thing and nothing else); false when it
 * is empty or does not fit in n (never cut short). */
bool client_segment(char *out, size_t n, const char *value);

/* Print a problem+json answer readably on stderr. */
void client_print_problem(const struct client_response *r);

#endif
