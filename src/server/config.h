/*
 * config.h - the server's settings, from (in rising precedence) built-in
 * defaults, a configuration file, environment variables and command-line
 * flags. Every setting has one name used in all three places:
 *
 *   file:  listen = 127.0.0.1        env: KOUAN_LISTEN=127.0.0.1
 *   flag:  --listen 127.0.0.1
 */
#ifndef KOUAN_CONFIG_H
#define KOUAN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
	char listen[64];       /* address to bind */
	unsigned port;
	char db[1024];         /* SQLite file path (or URL) */
	char release_key[1024]; /* Ed25519 key file; default: db path + ".release.key" */
	unsigned threads;
	unsigned apart_threads; /* run the long requests apart (0: none) */
	size_t max_body;
	unsigned timeout_s;
	unsigned header_timeout_s; /* a request head must arrive whole within */
	unsigned conn_limit;
	unsigned per_ip_limit;
	char sync[16];         /* SQLite: "power" (default) or "process" */
	unsigned token_ttl_hours;
	unsigned longpoll_max_s;
	char pwhash[16];       /* "interactive" or "min" (tests only) */
	unsigned pwhash_concurrency; /* password hashes at once; 0: auto */
	char trusted_proxies[512]; /* addresses and networks, comma-separated */
	bool access_log;
	bool quiet;
	bool declarant_lanes;  /* show declarants their goods' lanes (not the rules) */
	char timezone[64];     /* the port's IANA time zone, shown by the browser */
	/* the statistics engine's snapshot between starts; default: db path +
	 * ".statistics" (kouan.statistics with PostgreSQL); "" when "off" */
	char statistics_file[1024];
	bool statistics_file_set;
};

void config_defaults(struct config *c);

/* Apply one setting by name; false with a message in err when the name is
 * unknown or the value is not acceptable. */
bool config_set(struct config *c, const char *name, const char *value,
		char *err, size_t errn);

/* Read a file of "name = value" lines ('#' starts a comment). */
bool config_load_file(struct config *c, const char *path, char *err, size_t errn);

/* Apply every KOUAN_<NAME> environment variable. */
bool config_load_env(struct config *c, char *err, size_t errn);

/* Parse --name value / --name=value flags from argv[first..]; also
 * --config FILE (read at once). Unknown flags are errors. */
bool config_load_args(struct config *c, int argc, char **argv, int first,
		      char *err, size_t errn);

/* Fill derived defaults (release key and statistics file paths). */
void config_finish(struct config *c);

/* The usage text of the settings, for --help. */
extern const char config_help[];

#endif
