/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zed_batch_svo_to_mp4 - convert every SVO2 under a directory.
 *
 * Runs zed_svo_to_mp4 (the binary beside this one) as up to --jobs child
 * processes with fork/execv, never through a shell.  Existing sibling
 * .mp4 files are skipped unless --overwrite; a failed file does not stop
 * the others; one aggregate progress line; summary; exit 1 if any failed.
 */
#include "util/exitcodes.h"
#include "zed/convert.h"
#include "zed/progress.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct list {
	char **v;
	size_t n, cap;
};

static int push(struct list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **q = realloc(l->v, nc * sizeof(*q));
		if (!q)
			return -ENOMEM;
		l->v = q;
		l->cap = nc;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

/* Collect regular files under dir whose base name matches pattern. */
static int walk(const char *dir, const char *pattern, int recursive, struct list *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	struct stat st;
	int err = 0;

	if (!d) {
		fprintf(stderr, "zed_batch_svo_to_mp4: %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	while (!err && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (recursive)
				err = walk(path, pattern, recursive, out);
		} else if (S_ISREG(st.st_mode) && fnmatch(pattern, e->d_name, 0) == 0) {
			err = push(out, path);
		}
	}
	closedir(d);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s DIR [--pattern GLOB] [--recursive] [--jobs N] [--overwrite] [options]\n"
		"Convert every matching SVO2 under DIR to a sibling .mp4 with zed_svo_to_mp4.\n"
		"  --pattern GLOB           file name pattern (default '*.svo2')\n"
		"  --recursive              descend into subdirectories\n"
		"  --jobs N                 conversions in parallel (default 1)\n"
		"  --overwrite              convert even when the .mp4 exists\n"
		"  --copy                   remux instead of re-encoding (zed_svo_to_mp4 --copy)\n", prog);
	zed_enc_help(f);
	fprintf(f, "Exit status 1 when any conversion failed.\n");
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *pattern = "*.svo2";
	int recursive = 0, overwrite = 0, copy = 0;
	long jobs = 1;
	char *enc_args[16];
	int n_enc = 0, i;
	struct zed_enc_opts eo;
	struct list files = { 0 }, failed = { 0 };
	char conv[PATH_MAX], err[160];
	size_t next = 0, done = 0, skipped = 0, running = 0;
	pid_t *pids;
	struct progress pg;
	ssize_t len;

	zed_enc_defaults(&eo);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(a, "--recursive")) {
			recursive = 1;
		} else if (!strcmp(a, "--overwrite")) {
			overwrite = 1;
		} else if (!strcmp(a, "--copy")) {
			copy = 1;
		} else if (!strcmp(a, "--pattern") && v) {
			pattern = v;
			i++;
		} else if (!strcmp(a, "--jobs") && v) {
			char *end;
			jobs = strtol(v, &end, 10);
			if (!*v || *end || jobs < 1 || jobs > 64) {
				fprintf(stderr, "%s: --jobs must be 1..64\n", argv[0]);
				return EXIT_USAGE;
			}
			i++;
		} else if (a[0] == '-' && v && n_enc < 14 && (r = zed_enc_option(&eo, a, v, err, sizeof(err))) != 0) {
			if (r < 0) {
				fprintf(stderr, "%s: %s\n", argv[0], err);
				return EXIT_USAGE;
			}
			enc_args[n_enc++] = argv[i++];
			enc_args[n_enc++] = argv[i];
		} else if (a[0] != '-' && !dir) {
			dir = a;
		} else {
			fprintf(stderr, "%s: unknown option or missing value: %s (try --help)\n", argv[0], a);
			return EXIT_USAGE;
		}
	}
	if (!dir) {
		fprintf(stderr, "%s: a directory is required (try --help)\n", argv[0]);
		return EXIT_USAGE;
	}
	/* The converter lives beside this binary. */
	len = readlink("/proc/self/exe", conv, sizeof(conv) - 32);
	if (len <= 0) {
		fprintf(stderr, "%s: cannot find my own path: %s\n", argv[0], strerror(errno));
		return EXIT_INIT;
	}
	conv[len] = 0;
	strcpy(strrchr(conv, '/') + 1, "zed_svo_to_mp4");
	if (access(conv, X_OK) < 0) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], conv, strerror(errno));
		return EXIT_INIT;
	}
	if (walk(dir, pattern, recursive, &files) < 0)
		return 1;
	qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	pids = calloc(files.n + 1, sizeof(*pids));
	if (!pids)
		return 1;
	zed_catch_signals();
	progress_start(&pg, "batch", "files", files.n, 0);
	while ((next < files.n || running) && !(zed_stop && !running)) {
		if (next < files.n && running < (size_t)jobs && !zed_stop) {
			char out[PATH_MAX];
			char *cargv[24];
			int k = 0, j;
			pid_t pid;

			if (zed_default_output(files.v[next], ".mp4", out, sizeof(out)) < 0 ||
			    (!overwrite && access(out, F_OK) == 0)) {
				skipped++;
				done++;
				pids[next++] = 0;
				progress_update(&pg, done);
				continue;
			}
			cargv[k++] = conv;
			cargv[k++] = "--quiet";
			cargv[k++] = "--input";
			cargv[k++] = files.v[next];
			if (copy)
				cargv[k++] = "--copy";
			for (j = 0; j < n_enc; j++)
				cargv[k++] = enc_args[j];
			cargv[k] = NULL;
			pid = fork();
			if (pid == 0) {
				execv(conv, cargv);
				_exit(127);
			}
			if (pid < 0) {
				fprintf(stderr, "%s: fork: %s\n", argv[0], strerror(errno));
				push(&failed, files.v[next]);
				done++;
				next++;
				continue;
			}
			pids[next++] = pid;
			running++;
			continue;
		}
		{
			int st;
			size_t j;
			pid_t pid = wait(&st);

			if (pid < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (j = 0; j < next; j++)
				if (pids[j] == pid)
					break;
			if (j == next)
				continue;
			pids[j] = 0;
			running--;
			done++;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				push(&failed, files.v[j]);
			progress_update(&pg, done);
		}
	}
	progress_done(&pg);
	fprintf(stderr, "batch: %zu files: %zu converted, %zu skipped (mp4 exists), %zu failed%s\n",
		files.n, done - skipped - failed.n, skipped, failed.n,
		zed_stop ? ", interrupted" : "");
	for (i = 0; i < (int)failed.n; i++)
		fprintf(stderr, "batch: FAILED %s\n", failed.v[i]);
	return failed.n || zed_stop ? 1 : 0;
}
