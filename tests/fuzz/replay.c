/*
 * replay.c - main() for a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named on the command line, or
 * in a directory named there, and says how many inputs it ran.
 *
 * The test suite builds every target this way and replays its seed corpus
 * (tests/fuzz/corpus/<target>), under the sanitizers of the test build, so
 * a target that no longer builds, or an input that once passed and now
 * fails, shows without clang. Exploring new inputs is bench/fuzz.sh's job.
 *
 * Must never: skip a file it could not read (that is a failure, not a
 * pass).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (1u << 20)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	uint8_t *data = malloc(INPUT_MAX);
	size_t n = data ? fread(data, 1, INPUT_MAX, f) : 0;
	int bad = !data || ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(data);
		return 1;
	}
	/* a copy of exactly the input's size, so ASan sees reads past it */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(data);
		return 1;
	}
	memcpy(exact, data, n);
	free(data);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;
	unsigned runs = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
			failed = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]);
			runs++;
			continue;
		}
		struct dirent **names;
		int n = scandir(argv[i], &names, NULL, alphasort);
		if (n < 0) {
			fprintf(stderr, "replay: cannot list %s\n", argv[i]);
			failed = 1;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
			if (names[k]->d_name[0] != '.' && !stat(path, &st) && S_ISREG(st.st_mode)) {
				failed |= run_file(path);
				runs++;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("replayed %u inputs\n", runs);
	return failed || runs == 0;
}
