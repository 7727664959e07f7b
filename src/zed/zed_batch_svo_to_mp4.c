/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zed_batch_svo_to_mp4 - convert every SVO2 under a directory.
 *
 * Runs zed_svo_to_mp4 (the binary beside this one) as up to --jobs child
 * processes with fork/execv, never through a shell, each with --quiet and
 * the frame and encoder options of this command line (the shared blocks
 * of zedcommon.h, so they read the same); --cuda-visible-devices sets
 * CUDA_VISIBLE_DEVICES in their environment.  Existing sibling .mp4 files
 * are skipped unless --overwrite; a failed file does not stop the others;
 * one aggregate progress line; summary; exit 1 if any failed.
 */
#include "util/exitcodes.h"
#include "zed/progress.h"
#include "zed/zedcommon.h"

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

struct batch_opts {
	const char *pattern, *cuda_devices;
	long jobs;
	int recursive, overwrite, copy;
};

#define OFF(f) OPT_OFF(struct batch_opts, f)
static const struct opt rows[] = {
	{ "pattern", OPT_STR, ZED_G_IO, 0, OFF(pattern), 0, 0, NULL, "GLOB",
	  "file name pattern (default '*.svo2')", NULL, NULL },
	{ "recursive", OPT_FLAG, ZED_G_IO, 0, OFF(recursive), 0, 0, NULL, NULL,
	  "descend into subdirectories", NULL, NULL },
	{ "jobs", OPT_LONG, ZED_G_IO, 0, OFF(jobs), 1, 64, NULL, "N",
	  "conversions in parallel (default 1)", NULL, NULL },
	{ "overwrite", OPT_FLAG, ZED_G_IO, 0, OFF(overwrite), 0, 0, NULL, NULL,
	  "convert even when the .mp4 exists (default: skip it)", NULL, NULL },
	{ "copy", OPT_FLAG, ZED_G_IO, 0, OFF(copy), 0, 0, NULL, NULL,
	  "remux instead of re-encoding (zed_svo_to_mp4 --copy)", NULL, NULL },
};

/* After the shared encoder rows in --help. */
static const struct opt gpu_rows[] = {
	{ "cuda-visible-devices", OPT_STR, ZED_G_ENC, 0, OFF(cuda_devices), 0, 0, NULL, "LIST",
	  "CUDA_VISIBLE_DEVICES of the conversions (GPU indexes\n"
	  "                                 or UUIDs, comma-separated)", NULL, NULL },
};

static const char about[] =
	"Convert every matching SVO2 under DIR to a sibling .mp4 with zed_svo_to_mp4\n"
	"(the binary beside this one), --jobs at a time; the frame and encoder options\n"
	"are passed on to each conversion.  Exit status 1 when any conversion failed.\n";

int main(int argc, char **argv)
{
	struct batch_opts bo = { "*.svo2", NULL, 1, 0, 0, 0 };
	struct zed_enc_opts eo;
	struct zed_range_opts ro;
	struct zed_cli cli;
	struct list files = { 0 }, failed = { 0 };
	char conv[PATH_MAX], ebuf[ZED_ENC_BUF], rbuf[ZED_RANGE_BUF];
	char *dir[1];
	size_t next = 0, done = 0, skipped = 0, running = 0;
	pid_t *pids;
	struct progress pg;
	ssize_t len;
	int i, rc;

	zed_enc_defaults(&eo);
	zed_range_defaults(&ro);
	zed_cli_init(&cli, "DIR [--pattern GLOB] [--recursive] [--jobs N] [options]", about,
		     dir, 1);
	zed_cli_add(&cli, (struct opt_block){ rows, sizeof(rows) / sizeof(rows[0]), &bo });
	zed_cli_add(&cli, zed_range_block(&ro));
	zed_cli_add(&cli, zed_enc_block(&eo));
	zed_cli_add(&cli, (struct opt_block){ gpu_rows, sizeof(gpu_rows) / sizeof(gpu_rows[0]), &bo });
	if ((rc = zed_cli_parse(&cli, argc, argv)) >= 0)
		return rc;
	if (cli.ctx.npos != 1)
		return zed_cli_error(&cli, "a directory is required");
	if (ro.end >= 0 && ro.end < ro.start)
		return zed_cli_error(&cli, "--end-frame %ld is before --start-frame %ld",
				     ro.end, ro.start);
	/* The conversions inherit it; this process uses no GPU. */
	if (bo.cuda_devices && setenv("CUDA_VISIBLE_DEVICES", bo.cuda_devices, 1) < 0) {
		fprintf(stderr, "%s: CUDA_VISIBLE_DEVICES: %s\n", cli.prog, strerror(errno));
		return EXIT_INIT;
	}
	/* The converter lives beside this binary. */
	len = readlink("/proc/self/exe", conv, sizeof(conv) - 32);
	if (len <= 0) {
		fprintf(stderr, "%s: cannot find my own path: %s\n", cli.prog, strerror(errno));
		return EXIT_INIT;
	}
	conv[len] = 0;
	strcpy(strrchr(conv, '/') + 1, "zed_svo_to_mp4");
	if (access(conv, X_OK) < 0) {
		fprintf(stderr, "%s: %s: %s\n", cli.prog, conv, strerror(errno));
		return EXIT_INIT;
	}
	if (walk(dir[0], bo.pattern, bo.recursive, &files) < 0)
		return 1;
	qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	pids = calloc(files.n + 1, sizeof(*pids));
	if (!pids)
		return 1;
	zed_catch_signals();
	progress_start(&pg, "batch", "files", files.n, cli.gen.quiet);
	while ((next < files.n || running) && !(zed_stop && !running)) {
		if (next < files.n && running < (size_t)bo.jobs && !zed_stop) {
			char out[PATH_MAX];
			char *cargv[6 + ZED_RANGE_ARGS + ZED_ENC_ARGS];
			int k = 0;
			pid_t pid;

			if (zed_default_output(files.v[next], ".mp4", out, sizeof(out)) < 0 ||
			    (!bo.overwrite && access(out, F_OK) == 0)) {
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
			if (bo.copy)
				cargv[k++] = "--copy";
			k = zed_range_args(&ro, cargv, k, rbuf);
			k = zed_enc_args(&eo, cargv, k, ebuf);
			cargv[k] = NULL;
			pid = fork();
			if (pid == 0) {
				execv(conv, cargv);
				_exit(127);
			}
			if (pid < 0) {
				fprintf(stderr, "%s: fork: %s\n", cli.prog, strerror(errno));
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
