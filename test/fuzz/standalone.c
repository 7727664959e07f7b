/* SPDX-License-Identifier: GPL-2.0-or-later */
/* standalone.c - a main() for libFuzzer targets without libFuzzer.
 *
 *   fuzz_<name> [FILE|DIR]...
 *
 * Runs LLVMFuzzerTestOneInput on every file named (directories: every
 * regular file inside, in name order), then on FUZZ_RUNS (default 2000)
 * generated inputs: random bytes, and the seeds mutated (bit flips, byte
 * overwrites, inserts, deletes, truncation, splices).  The generator is
 * deterministic (FUZZ_SEED, default 1), so a failure reproduces; inputs are
 * at most FUZZ_MAX_LEN (default 4096) bytes.  Every input is copied into
 * a heap block of exactly its size, so a SANITIZE=address build catches
 * reads past the end.
 *
 * Any crash ends the process (that is the failure); when FUZZ_ARTIFACT
 * names a file, the input being run is written there first.  Success
 * ends with the unit.h summary line test/run.sh counts:
 *   fuzz_<name>: N passed, 0 failed
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seed {
	uint8_t *data;
	size_t len;
};

static struct seed *seeds;
static size_t nseeds, max_len = 4096;
static uint64_t rng_state;

/* The input being run, for the crash handler. */
static const uint8_t *volatile cur_data;
static volatile size_t cur_len;
static const char *artifact;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* Async-signal-safe: open/write/close, then die of the same signal. */
static void on_crash(int sig)
{
	int fd = open(artifact, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		size_t off = 0;

		while (off < cur_len) {
			ssize_t n = write(fd, cur_data + off, cur_len - off);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		close(fd);
		write(2, "fuzz: crashed, input saved to ", 30);
		write(2, artifact, strlen(artifact));
		write(2, "\n", 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Run one input from an exact-size copy. */
static void run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		perror("fuzz: malloc");
		exit(1);
	}
	memcpy(copy, data, len);
	cur_data = copy;
	cur_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	cur_len = 0;
	free(copy);
}

static int add_file(const char *path)
{
	struct seed s;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "fuzz: cannot read %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	s.len = (size_t)n;
	s.data = malloc(s.len ? s.len : 1);
	if (!s.data || fread(s.data, 1, s.len, f) != s.len) {
		fprintf(stderr, "fuzz: cannot read %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	seeds = realloc(seeds, (nseeds + 1) * sizeof *seeds);
	if (!seeds)
		return -1;
	seeds[nseeds++] = s;
	return 0;
}

static int add_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	int n, i, rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char sub[4096];

		snprintf(sub, sizeof sub, "%s/%s", path, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && !stat(sub, &st) && S_ISREG(st.st_mode) &&
		    add_file(sub))
			rc = -1;
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* One generated input into buf (max_len bytes); returns its length. */
static size_t generate(uint8_t *buf)
{
	size_t len, i, k, edits;

	if (!nseeds || rnd() % 4 == 0) {
		/* random bytes, lengths spread over every power of two */
		len = rnd() % ((size_t)1 << (rnd() % 13)) % (max_len + 1);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		return len;
	}
	k = rnd() % nseeds;
	len = seeds[k].len < max_len ? seeds[k].len : max_len;
	memcpy(buf, seeds[k].data, len);
	for (edits = 1 + rnd() % 4; edits--; ) {
		size_t at = len ? rnd() % len : 0, n;

		switch (rnd() % 6) {
		case 0: /* flip a bit */
			if (len)
				buf[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1: /* interesting byte */
			if (len)
				buf[at] = (uint8_t[]){ 0, 1, 0x7f, 0x80, 0xff }[rnd() % 5];
			break;
		case 2: /* insert random bytes */
			n = 1 + rnd() % 8;
			if (len + n > max_len)
				break;
			memmove(buf + at + n, buf + at, len - at);
			for (i = 0; i < n; i++)
				buf[at + i] = (uint8_t)rnd();
			len += n;
			break;
		case 3: /* delete bytes */
			n = len - at ? 1 + rnd() % (len - at) : 0;
			memmove(buf + at, buf + at + n, len - at - n);
			len -= n;
			break;
		case 4: /* truncate */
			len = at;
			break;
		default: /* splice the tail of another seed */
			k = rnd() % nseeds;
			n = seeds[k].len < max_len - at ? seeds[k].len : max_len - at;
			memcpy(buf + at, seeds[k].data, n);
			len = at + n;
			break;
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *env;
	unsigned long runs = 2000, i;
	uint8_t *buf;
	int a;

	if ((env = getenv("FUZZ_RUNS")))
		runs = strtoul(env, NULL, 10);
	if ((env = getenv("FUZZ_MAX_LEN")) && strtoul(env, NULL, 10) > 0)
		max_len = strtoul(env, NULL, 10);
	rng_state = 0x9e3779b97f4a7c15ull ^ ((env = getenv("FUZZ_SEED")) ?
					      strtoull(env, NULL, 10) : 1);
	if ((artifact = getenv("FUZZ_ARTIFACT")) && *artifact) {
		signal(SIGSEGV, on_crash);
		signal(SIGBUS, on_crash);
		signal(SIGFPE, on_crash);
		signal(SIGILL, on_crash);
		signal(SIGABRT, on_crash);
	}
	for (a = 1; a < argc; a++)
		if (add_path(argv[a]))
			return 2;
	buf = malloc(max_len);
	if (!buf)
		return 1;
	for (i = 0; i < nseeds; i++)
		run_one(seeds[i].data, seeds[i].len);
	for (i = 0; i < runs; i++)
		run_one(buf, generate(buf));
	printf("%zu seed inputs, %lu generated (FUZZ_SEED %s)\n", nseeds, runs,
	       getenv("FUZZ_SEED") ? getenv("FUZZ_SEED") : "1");
	printf("%s: %lu passed, 0 failed\n", name, (unsigned long)nseeds + runs);
	free(buf);
	return 0;
}
