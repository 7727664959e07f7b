/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zed_svo_grid_to_mp4 - four ZED recordings side by side in a 2x2 grid.
 *
 * Sync (common-start rule, docs/svo2-mp4.md §3): start_ts = the latest
 * of the four first-frame timestamps; each input starts at its first frame
 * with ts >= start_ts (decoded from the keyframe before it); then every
 * input advances one frame per output frame; the output stops at the
 * first input that ends (or after --duration-seconds).  Tiles are the
 * left views scaled by --tile-scale, row-major: zed1 zed2 / zed3 zed4.
 * The top-left source's Unix time (seconds.milliseconds) is drawn in the
 * top-left corner with the in-tree 5x7 font.
 */
#include "util/exitcodes.h"
#include "util/log.h"
#include "zed/convert.h"
#include "zed/grid.h"
#include "zed/progress.h"
#include "zed/svo2.h"
#include "zed/vdec.h"
#include "zed/zedcommon.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define RING 64

struct src {
	const char *path;
	struct svo2 s;
	struct vdec *dec;
	uint32_t next, first;
	uint64_t ts[RING];
	int eos, open;
};

/* Next picture at or after src->first; 1, 0 at the end, <0 on error. */
static int next_picture(struct src *in, struct yuv_frame *pic, uint64_t *ts)
{
	struct svo2_frame f;
	char err[160];
	int64_t tag;
	int r;

	for (;;) {
		r = vdec_receive(in->dec, pic, &tag, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", in->path, err);
			return r;
		}
		if (r > 0 && tag >= (int64_t)in->first && (int64_t)in->next - tag <= RING) {
			*ts = in->ts[tag % RING];
			return 1;
		}
		if (r > 0)
			continue;
		if (in->eos)
			return 0;
		if (in->next >= in->s.n_frames) {
			vdec_send(in->dec, NULL, 0, 0);
			in->eos = 1;
			continue;
		}
		if (svo2_read(&in->s, in->next, &f) < 0) {
			fprintf(stderr, "%s: %s\n", in->path, in->s.err);
			return -EIO;
		}
		in->ts[in->next % RING] = f.ts_ns;
		r = vdec_send(in->dec, f.au, f.au_len, in->next);
		if (r < 0 && r != -EBADMSG) {
			fprintf(stderr, "%s: frame %u: decoder failed\n", in->path, in->next);
			return r;
		}
		in->next++;
	}
}

/* Find zed1..zed4 (*.svo2 whose name contains "zedN") in a segment dir. */
static int find_segment(const char *dir, char paths[4][PATH_MAX])
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), i, k, found = 0;

	if (n < 0) {
		fprintf(stderr, "zed_svo_grid_to_mp4: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (k = 0; k < 4; k++) {
		char key[8];
		paths[k][0] = 0;
		snprintf(key, sizeof(key), "zed%d", k + 1);
		for (i = 0; i < n; i++) {
			const char *nm = names[i]->d_name;
			size_t l = strlen(nm);
			if (strstr(nm, key) && l > 5 && strcmp(nm + l - 5, ".svo2") == 0) {
				snprintf(paths[k], PATH_MAX, "%s/%s", dir, nm);
				found++;
				break;
			}
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (found != 4) {
		fprintf(stderr, "zed_svo_grid_to_mp4: %s: need four recordings named *zed1*.svo2 .. *zed4*.svo2, found %d\n",
			dir, found);
		return -1;
	}
	return 0;
}

struct grid_opts {
	const char *segdir, *output, *duration, *scale;
	struct opt_list inputs;
};

#define OFF(f) OPT_OFF(struct grid_opts, f)
static const struct opt rows[] = {
	{ "segment-dir", OPT_STR, ZED_G_IO, 0, OFF(segdir), 0, 0, NULL, "DIR",
	  "inputs *zed1*.svo2 .. *zed4*.svo2 in DIR", NULL, NULL },
	{ "input", OPT_LIST, ZED_G_IO, 0, OFF(inputs), 0, 0, NULL, "FILE",
	  "four times, in grid order (instead of --segment-dir)", NULL, NULL },
	{ "output", OPT_STR, ZED_G_IO, 0, OFF(output), 0, 0, NULL, "FILE",
	  "default DIR/<DIR name>_grid.mp4 (DIR: the segment or the first\n"
	  "                                 input's directory)", NULL, NULL },
	{ "tile-scale", OPT_STR, ZED_G_IO, 0, OFF(scale), 0, 0, NULL, "F",
	  "tile size relative to one left view, 0.05..1 (default 0.5)", NULL, NULL },
	{ "duration-seconds", OPT_STR, ZED_G_FRAMES, 0, OFF(duration), 0, 0, NULL, "S",
	  "stop after S seconds of output, 0.001..1e+06 (default: at the first end)",
	  NULL, NULL },
};

static const char about[] =
	"Four ZED SVO2 recordings in a 2x2 grid (row-major: zed1 zed2 / zed3 zed4), left views.\n"
	"Sync: start at the latest of the four first timestamps; each input starts at its first\n"
	"frame at or after it; then all inputs step one frame per output frame; stop at the first end.\n"
	"The top-left input's Unix time (s.ms) is drawn in the top-left corner.\n";

int main(int argc, char **argv)
{
	static char seg[4][PATH_MAX];
	const char *inputs[4], *output;
	char outbuf[PATH_MAX], err[320];
	struct grid_opts go;
	struct zed_cli cli;
	struct zed_enc_opts eo;
	struct src src[4];
	struct zed_sink sink;
	struct progress pg;
	struct yuv_frame canvas, pic[4];
	uint64_t ts[4], start_ts = 0, dur_ns = 0, frames = 0, t_first = 0;
	double scale = 0.5, dur;
	uint8_t *cbuf = NULL;
	uint32_t tw = 0, th = 0, num, den;
	int k, quiet, rc = 1, sink_open = 0, r;

	memset(&go, 0, sizeof(go));
	go.inputs.v = inputs;
	go.inputs.max = 4;
	zed_enc_defaults(&eo);
	memset(src, 0, sizeof(src));
	zed_cli_init(&cli, "(--segment-dir DIR | --input A --input B --input C --input D) [options]",
		     about, NULL, 0);
	zed_cli_add(&cli, (struct opt_block){ rows, sizeof(rows) / sizeof(rows[0]), &go });
	zed_cli_add(&cli, zed_enc_block(&eo));
	if ((r = zed_cli_parse(&cli, argc, argv)) >= 0)
		return r;
	if (!!go.segdir == (go.inputs.n > 0) || (go.inputs.n && go.inputs.n != 4))
		return zed_cli_error(&cli, "give --segment-dir or exactly four --input");
	if (go.scale && zed_cli_double(&cli, "tile-scale", go.scale, 0.05, 1.0, &scale))
		return EXIT_USAGE;
	if (go.duration) {
		if (zed_cli_double(&cli, "duration-seconds", go.duration, 0.001, 1e6, &dur))
			return EXIT_USAGE;
		dur_ns = (uint64_t)(dur * 1e9);
	}
	quiet = cli.gen.quiet;
	output = go.output;
	if (go.segdir) {
		if (find_segment(go.segdir, seg) < 0)
			return 1;
		for (k = 0; k < 4; k++)
			inputs[k] = seg[k];
	}
	if (!output) {
		/* DIR/<basename DIR>_grid.mp4 */
		char dir[PATH_MAX];
		const char *base, *slash;
		size_t l;
		if (go.segdir) {
			snprintf(dir, sizeof(dir), "%s", go.segdir);
		} else {
			slash = strrchr(inputs[0], '/');
			snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - inputs[0]) : 1,
				 slash ? inputs[0] : ".");
		}
		l = strlen(dir);
		while (l > 1 && dir[l - 1] == '/')
			dir[--l] = 0;
		base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
		if (!strcmp(base, ".") || !*base)
			base = "segment";
		if (snprintf(outbuf, sizeof(outbuf), "%s/%s_grid.mp4", dir, base) >= (int)sizeof(outbuf)) {
			return zed_cli_error(&cli, "%s: path too long", dir);
		}
		output = outbuf;
	}
	if (quiet)
		log_set_level(LOG_WARN);
	zed_catch_signals();

	/* Open, read first timestamps, pick start_ts. */
	for (k = 0; k < 4; k++) {
		struct svo2_frame f;
		src[k].path = inputs[k];
		src[k].open = 1;
		/* svo2_open's errors name the file, svo2_read's do not. */
		if (svo2_open(&src[k].s, inputs[k], 0) < 0) {
			fprintf(stderr, "%s\n", src[k].s.err);
			goto out;
		}
		if (svo2_read(&src[k].s, 0, &f) < 0) {
			fprintf(stderr, "%s: %s\n", inputs[k], src[k].s.err);
			goto out;
		}
		if (f.ts_ns > start_ts)
			start_ts = f.ts_ns;
		if (vdec_open(&src[k].dec, src[k].s.codec, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", inputs[k], err);
			rc = EXIT_INIT;
			goto out;
		}
	}
	/* Per input: first frame with ts >= start_ts, decoded from the
	 * keyframe at or before it. */
	for (k = 0; k < 4; k++) {
		struct svo2_frame f;
		uint32_t j, key = 0;
		for (j = 0; j < src[k].s.n_frames; j++) {
			if (svo2_read(&src[k].s, j, &f) < 0) {
				fprintf(stderr, "%s: %s\n", inputs[k], src[k].s.err);
				goto out;
			}
			if (f.keyframe)
				key = j;
			if (f.ts_ns >= start_ts)
				break;
		}
		if (j == src[k].s.n_frames) {
			fprintf(stderr, "%s: ends before the common start\n", inputs[k]);
			goto out;
		}
		src[k].first = j;
		src[k].next = key;
		log_info("grid", "input %d (%s): starts at frame %u (ts %llu), decoding from keyframe %u",
			 k + 1, inputs[k], j, (unsigned long long)f.ts_ns, key);
	}
	svo2_frame_rate(&src[0].s, &num, &den);
	progress_start(&pg, "grid", "frames",
		       dur_ns ? (dur_ns * num / den + 999999999ull) / 1000000000ull : 0, quiet);

	while (!zed_stop) {
		char text[32];
		uint32_t s;
		for (k = 0; k < 4; k++) {
			r = next_picture(&src[k], &pic[k], &ts[k]);
			if (r < 0)
				goto out;
			if (r == 0)
				break;
		}
		if (k < 4)
			break;          /* first input to end stops the grid */
		if (!frames)
			t_first = ts[0];
		if (dur_ns && ts[0] - t_first >= dur_ns)
			break;
		if (!sink_open) {
			uint32_t lw = pic[0].width / 2;
			tw = (uint32_t)(lw * scale + 0.5) & ~1u;
			th = (uint32_t)(pic[0].height * scale + 0.5) & ~1u;
			if (tw < 2 || th < 2) {
				fprintf(stderr, "%s: tiles would be empty\n", inputs[0]);
				goto out;
			}
			canvas.layout = PIX_I420;
			canvas.width = 2 * tw;
			canvas.height = 2 * th;
			canvas.stride[0] = canvas.width;
			canvas.stride[1] = canvas.stride[2] = canvas.width / 2;
			cbuf = malloc((size_t)canvas.width * canvas.height * 3 / 2);
			if (!cbuf) {
				fprintf(stderr, "out of memory\n");
				goto out;
			}
			canvas.plane[0] = cbuf;
			canvas.plane[1] = cbuf + (size_t)canvas.width * canvas.height;
			canvas.plane[2] = canvas.plane[1] + (size_t)canvas.width * canvas.height / 4;
			if ((r = zed_sink_open(&sink, &eo, output, canvas.width, canvas.height, num, den,
					       err, sizeof(err))) < 0) {
				fprintf(stderr, "%s\n", err);
				rc = r == -ENODEV ? EXIT_INIT : 1;
				goto out;
			}
			sink_open = 1;
			log_info("grid", "%s: %ux%u (tiles %ux%u), %s (%s)", output, canvas.width,
				 canvas.height, tw, th, codec_names[eo.codec], encoder_name(sink.enc));
		}
		for (k = 0; k < 4; k++) {
			/* Tile k at column k % 2, row k / 2; left view = left half. */
			uint32_t ox = (uint32_t)(k % 2) * tw, oy = (uint32_t)(k / 2) * th;
			uint32_t lw = pic[k].width / 2, p;
			for (p = 0; p < 3; p++) {
				uint32_t sh = p ? 1 : 0;
				grid_scale_plane(pic[k].plane[p], lw >> sh, pic[k].height >> sh, pic[k].stride[p],
						 canvas.plane[p] + (size_t)(oy >> sh) * canvas.stride[p] + (ox >> sh),
						 tw >> sh, th >> sh, canvas.stride[p]);
			}
		}
		snprintf(text, sizeof(text), "%llu.%03llu", (unsigned long long)(ts[0] / 1000000000ull),
			 (unsigned long long)(ts[0] / 1000000ull % 1000));
		s = th / 90 ? th / 90 : 1;
		grid_draw_text(&canvas, 2 * s, 2 * s, s, text);
		if (zed_sink_put(&sink, &canvas, ts[0], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
		progress_update(&pg, ++frames);
	}
	if (zed_stop || !sink_open) {
		fprintf(stderr, "%s\n", zed_stop ? "interrupted, no output written" : "no common frames");
		goto out;
	}
	sink_open = 0;
	if (zed_sink_finish(&sink, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	progress_done(&pg);
	rc = 0;
out:
	if (sink_open)
		zed_sink_abort(&sink);
	for (k = 0; k < 4; k++) {
		if (src[k].dec)
			vdec_close(src[k].dec);
		if (src[k].open)
			svo2_close(&src[k].s);
	}
	free(cbuf);
	return rc;
}
