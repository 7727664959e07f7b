/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper_encode.c - test-only program: synthetic frames through encoder.h.
 *
 *   helper_encode [-c h264|h265] [-d auto|nvenc|v4l2|software] [-n frames]
 *                 [-s WxH] [-g gop] [-k force_idr_at] [-l nv12] [-o file]
 *                 [-v v4l2-node]
 *
 * Prints one line per AU ("au seq key size pts dts ps disc") and a
 * summary "encoder=NAME frames=N aus=N keys=N bad_ps=N"; writes the Annex
 * B stream to -o for ffmpeg.  Exit 5 when no encoder opens (as the
 * streamer), 1 on an encode error.  Used by test/suites/encoder.sh and
 * nvenc_fallback.sh with the fake driver libraries (LD_LIBRARY_PATH).
 */
#include "codec/encoder.h"
#include "config/opts.h"
#include "enc_testlib.h"
#include "util/exitcodes.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct encoder_cfg cfg = { CODEC_H264, ENCDEV_AUTO, PRESET_ULTRAFAST, 160, 96,
				   25, 1, 10, 0, 0, -1, 1, NULL };
	struct encoder *e;
	struct access_unit au = { 0 };   /* data NULL: the encoder's own buffer */
	struct yuv_frame f, g;
	const char *outpath = NULL;
	FILE *out = NULL;
	uint8_t *buf, *nv;
	int frames = 20, force_at = -1, nv12 = 0, c, i, ret;
	int aus = 0, keys = 0, bad_ps = 0;

	while ((c = getopt(argc, argv, "c:d:n:s:g:k:l:o:v:")) != -1) {
		switch (c) {
		case 'c': cfg.codec = !strcmp(optarg, "h265"); break;
		case 'd': cfg.device = !strcmp(optarg, "nvenc") ? ENCDEV_NVENC :
				       !strcmp(optarg, "v4l2") ? ENCDEV_V4L2 :
				       !strcmp(optarg, "software") ? ENCDEV_SOFTWARE : ENCDEV_AUTO; break;
		case 'v': cfg.v4l2_device = optarg; break;
		case 'n': frames = atoi(optarg); break;
		case 's': if (sscanf(optarg, "%ux%u", &cfg.width, &cfg.height) != 2) return EXIT_USAGE; break;
		case 'g': cfg.gop = atoi(optarg); break;
		case 'k': force_at = atoi(optarg); break;
		case 'l': nv12 = !strcmp(optarg, "nv12"); break;
		case 'o': outpath = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	ret = encoder_open(&e, &cfg);
	if (ret < 0) {
		fprintf(stderr, "helper_encode: no encoder: %s\n", strerror(-ret));
		return ret == -ENODEV ? EXIT_INIT : 1;
	}
	buf = malloc((size_t)cfg.width * cfg.height * 3 / 2);
	nv = malloc((size_t)cfg.width * cfg.height * 3 / 2);
	if (!buf || !nv || (outpath && !(out = fopen(outpath, "wb"))))
		return 1;
	for (i = 0; i < frames; i++) {
		struct au_shape sh;

		synth_i420(&f, buf, cfg.width, cfg.height, (uint32_t)i);
		if (nv12)
			i420_to_nv12(&f, &g, nv);
		if (i == force_at)
			encoder_force_keyframe(e);
		ret = encoder_encode(e, nv12 ? &g : &f, &au);
		if (ret < 0) {
			fprintf(stderr, "helper_encode: frame %d: %s\n", i, strerror(-ret));
			return 1;
		}
		if (ret == 0)
			continue;
		sh = au_shape_of(cfg.codec, au.data, au.size);
		aus++;
		keys += au.keyframe;
		bad_ps += au.keyframe && !sh.ps_before_key;
		bad_ps += au.keyframe != sh.keyframe_nal;
		printf("au %u frame %d key %d size %zu pts %llu dts %llu ps %d disc %d enc %s\n",
		       au.seq, i, au.keyframe, au.size, (unsigned long long)au.pts_ns,
		       (unsigned long long)au.dts_ns, sh.ps_before_key, au.discontinuity,
		       encoder_name(e));
		if (out && fwrite(au.data, 1, au.size, out) != au.size)
			return 1;
	}
	printf("encoder=%s frames=%d aus=%d keys=%d bad_ps=%d\n", encoder_name(e),
	       frames, aus, keys, bad_ps);
	encoder_close(e);
	if (out && fclose(out))
		return 1;
	free(buf);
	free(nv);
	return 0;
}
