/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paramsets.c - parameter sets, SPS parsing, avcC/hvcC (see paramsets.h).
 *
 * Pure: every function reads caller buffers and writes caller buffers; the
 * only scratch memory is a bounded array on the stack for the unescaped
 * SPS.  Field references are ITU-T H.264 (04/2017) 7.3.2.1.1, ITU-T H.265
 * (02/2018) 7.3.2.2.1 / 7.3.3 and ISO/IEC 14496-15 5.3.3.1 / 8.3.3.1
 * (docs/protocols.md §3).
 */
#include "codec/paramsets.h"
#include "codec/bitreader.h"
#include "util/bytes.h"

#include <errno.h>
#include <string.h>

/* Everything sps_parse needs comes before the VUI; 2 KiB of RBSP covers
 * the worst-case H.264 scaling lists (12 lists, up to 17 bits/coeff). */
#define SPS_RBSP_MAX 2048

int paramsets_extract(int codec, const uint8_t *au, size_t n, struct param_sets *ps)
{
	const uint8_t *p = au, *end = au + n;
	struct nal u;

	memset(ps, 0, sizeof *ps);
	while ((p = annexb_next(p, end, &u)) != NULL) {
		struct nal *slot = NULL;
		int t = nal_type(codec, &u);

		if (codec) {
			/* Only the base layer (nuh_layer_id 0) describes our stream. */
			if (u.n < 2 || (u.p[0] & 1) || (u.p[1] >> 3))
				continue;
			if (t == H265_NAL_VPS)
				slot = &ps->vps;
			else if (t == H265_NAL_SPS)
				slot = &ps->sps;
			else if (t == H265_NAL_PPS)
				slot = &ps->pps;
		} else if (t == H264_NAL_SPS) {
			slot = &ps->sps;
		} else if (t == H264_NAL_PPS) {
			slot = &ps->pps;
		}
		if (slot && !slot->n)   /* the first of each kind wins */
			*slot = u;
	}
	if (!ps->sps.n || !ps->pps.n || (codec && !ps->vps.n))
		return -ENOENT;
	return 0;
}

static int nal_equal(const struct nal *a, const struct nal *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->p, b->p, a->n));
}

int paramsets_equal(const struct param_sets *a, const struct param_sets *b)
{
	return nal_equal(&a->vps, &b->vps) && nal_equal(&a->sps, &b->sps) &&
	       nal_equal(&a->pps, &b->pps);
}

/* H.264 7.3.2.1.1.1 scaling_list(): only the delta_scale codes matter. */
static void h264_skip_scaling_list(struct bitreader *br, int size)
{
	int j, last = 8, next = 8;

	for (j = 0; j < size && br_ok(br); j++) {
		if (next) {
			int32_t delta = br_se(br);

			/* 64-bit: delta_scale should be -128..127, but
			 * se(v) of hostile input reaches +-2^31 */
			next = (int)(((int64_t)last + delta + 256) % 256);
		}
		last = next ? next : last;
	}
}

/* Conformance cropping units per chroma format (H.264 Table 6-1, H.265
 * Table 6-1): SubWidthC, SubHeightC; ChromaArrayType 0 crops in luma. */
static void crop_units(unsigned chroma_array_type, unsigned *sx, unsigned *sy)
{
	*sx = chroma_array_type == 1 || chroma_array_type == 2 ? 2 : 1;
	*sy = chroma_array_type == 1 ? 2 : 1;
}

/* Apply a crop of (a + b) units of u samples to *len; -EINVAL unless
 * something is left (the sum is formed without overflow). */
static int crop(unsigned *len, uint32_t a, uint32_t b, unsigned u)
{
	unsigned units = *len / u;

	if (a >= units || b >= units - a)
		return -EINVAL;
	*len -= u * (a + b);
	return 0;
}

static int h264_high_profile(unsigned p)
{
	static const uint8_t hp[] = {
		100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135,
	};
	size_t i;

	for (i = 0; i < sizeof hp; i++)
		if (p == hp[i])
			return 1;
	return 0;
}

/* H.264 seq_parameter_set_data() up to frame cropping. */
/* H.264 E.1.2 hrd_parameters(): skipped. */
static void h264_hrd(struct bitreader *br)
{
	uint32_t n = br_ue(br) + 1, i;          /* cpb_cnt_minus1 + 1 */

	br_skip(br, 8);                         /* bit_rate_scale, cpb_size_scale */
	for (i = 0; i < n && i < 32 && br_ok(br); i++) {
		br_ue(br);                      /* bit_rate_value_minus1 */
		br_ue(br);                      /* cpb_size_value_minus1 */
		br_bit(br);                     /* cbr_flag */
	}
	br_skip(br, 20);                        /* four delay/offset lengths */
}

/* H.264 E.1.1 vui_parameters() as far as max_num_reorder_frames. */
static int h264_vui_reorder(struct bitreader *br)
{
	unsigned nal_hrd, vcl_hrd;
	uint32_t r;

	if (br_bit(br) && br_u(br, 8) == 255)   /* aspect_ratio_info, Extended_SAR */
		br_skip(br, 32);
	if (br_bit(br))                         /* overscan_info_present_flag */
		br_bit(br);
	if (br_bit(br)) {                       /* video_signal_type_present_flag */
		br_skip(br, 4);
		if (br_bit(br))                 /* colour_description_present_flag */
			br_skip(br, 24);
	}
	if (br_bit(br)) {                       /* chroma_loc_info_present_flag */
		br_ue(br);
		br_ue(br);
	}
	if (br_bit(br))                         /* timing_info_present_flag */
		br_skip(br, 65);
	if ((nal_hrd = br_bit(br)) != 0)
		h264_hrd(br);
	if ((vcl_hrd = br_bit(br)) != 0)
		h264_hrd(br);
	if (nal_hrd || vcl_hrd)
		br_bit(br);                     /* low_delay_hrd_flag */
	br_bit(br);                             /* pic_struct_present_flag */
	if (!br_bit(br))                        /* bitstream_restriction_flag */
		return -1;
	br_bit(br);                             /* motion_vectors_over_pic_boundaries */
	br_ue(br);                              /* max_bytes_per_pic_denom */
	br_ue(br);                              /* max_bits_per_mb_denom */
	br_ue(br);                              /* log2_max_mv_length_horizontal */
	br_ue(br);                              /* log2_max_mv_length_vertical */
	r = br_ue(br);                          /* max_num_reorder_frames */
	return br_ok(br) && r <= 16 ? (int)r : -1;
}

static int h264_sps(struct bitreader *br, struct sps_info *o)
{
	uint32_t w_mbs, h_map, cw[4] = { 0, 0, 0, 0 }, poc_type;
	unsigned frame_mbs_only, sx, sy, cat, sep = 0, i;

	o->profile_idc = br_u(br, 8);
	o->constraint_flags = br_u(br, 8);
	o->level_idc = br_u(br, 8);
	if (br_ue(br) > 31)                     /* seq_parameter_set_id */
		return -EINVAL;
	o->chroma_format_idc = 1;
	o->bit_depth_luma = o->bit_depth_chroma = 8;
	if (h264_high_profile(o->profile_idc)) {
		o->chroma_format_idc = br_ue(br);
		if (o->chroma_format_idc > 3)
			return -EINVAL;
		if (o->chroma_format_idc == 3)
			sep = br_bit(br);       /* separate_colour_plane_flag */
		o->bit_depth_luma = br_ue(br) + 8;
		o->bit_depth_chroma = br_ue(br) + 8;
		/* < 8: ue(v) near 2^32 wrapped the sum */
		if (o->bit_depth_luma > 14 || o->bit_depth_chroma > 14 ||
		    o->bit_depth_luma < 8 || o->bit_depth_chroma < 8)
			return -EINVAL;
		br_bit(br);                     /* qpprime_y_zero_transform_bypass */
		if (br_bit(br)) {               /* seq_scaling_matrix_present_flag */
			for (i = 0; i < (o->chroma_format_idc != 3 ? 8u : 12u); i++)
				if (br_bit(br))
					h264_skip_scaling_list(br, i < 6 ? 16 : 64);
		}
	}
	br_ue(br);                              /* log2_max_frame_num_minus4 */
	poc_type = br_ue(br);
	if (poc_type == 0) {
		br_ue(br);                      /* log2_max_pic_order_cnt_lsb_minus4 */
	} else if (poc_type == 1) {
		uint32_t cycle;

		br_bit(br);                     /* delta_pic_order_always_zero */
		br_se(br);                      /* offset_for_non_ref_pic */
		br_se(br);                      /* offset_for_top_to_bottom_field */
		cycle = br_ue(br);
		if (cycle > 255)
			return -EINVAL;
		for (i = 0; i < cycle && br_ok(br); i++)
			br_se(br);              /* offset_for_ref_frame[i] */
	} else if (poc_type > 2) {
		return -EINVAL;
	}
	br_ue(br);                              /* max_num_ref_frames */
	br_bit(br);                             /* gaps_in_frame_num_allowed */
	w_mbs = br_ue(br) + 1;
	h_map = br_ue(br) + 1;
	frame_mbs_only = br_bit(br);
	if (!frame_mbs_only)
		br_bit(br);                     /* mb_adaptive_frame_field_flag */
	br_bit(br);                             /* direct_8x8_inference_flag */
	if (br_bit(br))                         /* frame_cropping_flag */
		for (i = 0; i < 4; i++)
			cw[i] = br_ue(br);    /* left, right, top, bottom */
	if (!br_ok(br) || w_mbs > 4096 || h_map > 4096)
		return -EINVAL;

	/* Baseline (and constrained profiles, constraint_set3 for High
	 * intra) have no B slices; otherwise the VUI may say. */
	o->num_reorder = o->profile_idc == 66 || (o->constraint_flags & 0x40) ? 0 : -1;
	if (br_bit(br)) {                       /* vui_parameters_present_flag */
		int r = h264_vui_reorder(br);

		if (r >= 0)
			o->num_reorder = r;
	}
	cat = sep ? 0 : o->chroma_format_idc;  /* ChromaArrayType */
	crop_units(cat, &sx, &sy);
	sy *= 2 - frame_mbs_only;
	o->width = w_mbs * 16;
	o->height = h_map * 16 * (2 - frame_mbs_only);
	o->max_sub_layers = 1;
	if (crop(&o->width, cw[0], cw[1], sx) < 0)
		return -EINVAL;
	return crop(&o->height, cw[2], cw[3], sy);
}

/* H.265 7.3.3 profile_tier_level(1, max_sub_layers_minus1): the 12 general
 * bytes are byte-aligned at RBSP offset 1, so they are copied, not parsed. */
static void h265_ptl(struct bitreader *br, unsigned sub_minus1, struct sps_info *o)
{
	unsigned prof[8] = { 0 }, lvl[8] = { 0 }, i;

	for (i = 0; i < 12; i++)
		o->general_ptl[i] = (uint8_t)br_u(br, 8);
	o->profile_idc = o->general_ptl[0] & 0x1f;
	o->level_idc = o->general_ptl[11];
	for (i = 0; i < sub_minus1; i++) {
		prof[i] = br_bit(br);   /* sub_layer_profile_present_flag */
		lvl[i] = br_bit(br);    /* sub_layer_level_present_flag */
	}
	if (sub_minus1)
		br_skip(br, 2 * (8 - sub_minus1)); /* reserved_zero_2bits */
	for (i = 0; i < sub_minus1; i++)
		br_skip(br, (prof[i] ? 88 : 0) + (lvl[i] ? 8 : 0));
}

/* H.265 seq_parameter_set_rbsp() up to the bit depths. */
static int h265_sps(struct bitreader *br, struct sps_info *o)
{
	uint32_t w, h, cw[4] = { 0, 0, 0, 0 };
	unsigned sub_minus1, sx, sy, sep = 0, i;

	br_u(br, 4);                            /* sps_video_parameter_set_id */
	sub_minus1 = br_u(br, 3);
	o->temporal_id_nesting = (int)br_bit(br);
	if (sub_minus1 > 6)
		return -EINVAL;
	o->max_sub_layers = sub_minus1 + 1;
	h265_ptl(br, sub_minus1, o);
	if (br_ue(br) > 15)                     /* sps_seq_parameter_set_id */
		return -EINVAL;
	o->chroma_format_idc = br_ue(br);
	if (o->chroma_format_idc > 3)
		return -EINVAL;
	if (o->chroma_format_idc == 3)
		sep = br_bit(br);               /* separate_colour_plane_flag */
	w = br_ue(br);                          /* pic_width_in_luma_samples */
	h = br_ue(br);
	if (br_bit(br))                         /* conformance_window_flag */
		for (i = 0; i < 4; i++)
			cw[i] = br_ue(br);    /* left, right, top, bottom */
	o->bit_depth_luma = br_ue(br) + 8;
	o->bit_depth_chroma = br_ue(br) + 8;
	/* < 8: ue(v) near 2^32 wrapped the sum (found by fuzz_sps) */
	if (!br_ok(br) || !w || !h || w > 65535 || h > 65535 ||
	    o->bit_depth_luma > 16 || o->bit_depth_chroma > 16 ||
	    o->bit_depth_luma < 8 || o->bit_depth_chroma < 8)
		return -EINVAL;

	/* 7.3.2.2: the reorder depth of the highest sub-layer */
	o->num_reorder = -1;
	br_ue(br);                              /* log2_max_pic_order_cnt_lsb_minus4 */
	{
		unsigned all = br_bit(br);      /* sps_sub_layer_ordering_info_present */
		uint32_t r = 0;

		for (i = all ? 0 : sub_minus1; i <= sub_minus1 && br_ok(br); i++) {
			br_ue(br);              /* sps_max_dec_pic_buffering_minus1 */
			r = br_ue(br);          /* sps_max_num_reorder_pics */
			br_ue(br);              /* sps_max_latency_increase_plus1 */
		}
		if (br_ok(br) && r <= 16)
			o->num_reorder = (int)r;
	}
	crop_units(sep ? 0 : o->chroma_format_idc, &sx, &sy);
	o->width = w;
	o->height = h;
	if (crop(&o->width, cw[0], cw[1], sx) < 0)
		return -EINVAL;
	return crop(&o->height, cw[2], cw[3], sy);
}

int sps_parse(int codec, const struct nal *sps, struct sps_info *out)
{
	uint8_t rbsp[SPS_RBSP_MAX];
	size_t hdr = codec ? 2 : 1, in, n;
	struct bitreader br;
	int ret;

	memset(out, 0, sizeof *out);
	if (!sps->p || sps->n <= hdr ||
	    nal_type(codec, sps) != (codec ? H265_NAL_SPS : H264_NAL_SPS))
		return -EINVAL;
	/* Unescape a prefix only: the output is never longer than the input. */
	in = sps->n - hdr < sizeof rbsp ? sps->n - hdr : sizeof rbsp;
	n = nal_unescape(sps->p + hdr, in, rbsp, sizeof rbsp);
	if (n == (size_t)-1)
		return -EINVAL;
	br_init(&br, rbsp, n);
	ret = codec ? h265_sps(&br, out) : h264_sps(&br, out);
	if (ret < 0)
		memset(out, 0, sizeof *out);
	return ret;
}

/* ISO/IEC 14496-15 5.3.3.1 AVCDecoderConfigurationRecord, one SPS and one
 * PPS, lengthSizeMinusOne 3. */
int avcc_build(const struct param_sets *ps, uint8_t *out, size_t cap)
{
	uint8_t *p = out, *end = out + cap;
	struct sps_info si;
	int ret;

	if (!ps->pps.n || ps->sps.n > 0xffff || ps->pps.n > 0xffff)
		return -EINVAL;
	if ((ret = sps_parse(0, &ps->sps, &si)) < 0)
		return ret;
	p = put_u8(p, end, 1);                          /* configurationVersion */
	p = put_u8(p, end, (uint8_t)si.profile_idc);    /* AVCProfileIndication */
	p = put_u8(p, end, (uint8_t)si.constraint_flags); /* profile_compatibility */
	p = put_u8(p, end, (uint8_t)si.level_idc);      /* AVCLevelIndication */
	p = put_u8(p, end, 0xfc | 3);                   /* lengthSizeMinusOne */
	p = put_u8(p, end, 0xe0 | 1);                   /* numOfSequenceParameterSets */
	p = put_be16(p, end, (uint16_t)ps->sps.n);
	p = put_bytes(p, end, ps->sps.p, ps->sps.n);
	p = put_u8(p, end, 1);                          /* numOfPictureParameterSets */
	p = put_be16(p, end, (uint16_t)ps->pps.n);
	p = put_bytes(p, end, ps->pps.p, ps->pps.n);
	/* The High-profile tail.  14496-15 lists 100/110/122/144; 144 (High
	 * 4:4:4) was withdrawn from H.264 in favour of 244, which gets the
	 * tail too - FFmpeg's MP4 muxer writes it (suite codec_records). */
	if (si.profile_idc == 100 || si.profile_idc == 110 ||
	    si.profile_idc == 122 || si.profile_idc == 144 ||
	    si.profile_idc == 244) {
		p = put_u8(p, end, (uint8_t)(0xfc | si.chroma_format_idc));
		p = put_u8(p, end, (uint8_t)(0xf8 | (si.bit_depth_luma - 8)));
		p = put_u8(p, end, (uint8_t)(0xf8 | (si.bit_depth_chroma - 8)));
		p = put_u8(p, end, 0);                  /* numOfSequenceParameterSetExt */
	}
	return p ? (int)(p - out) : -ENOSPC;
}

/* One hvcC array: completeness 0 (sets repeat in-band), one NAL unit. */
static uint8_t *hvcc_array(uint8_t *p, const uint8_t *end, int type,
			   const struct nal *u)
{
	p = put_u8(p, end, (uint8_t)type);
	p = put_be16(p, end, 1);                        /* numNalus */
	p = put_be16(p, end, (uint16_t)u->n);
	return put_bytes(p, end, u->p, u->n);
}

/* ISO/IEC 14496-15 8.3.3.1 HEVCDecoderConfigurationRecord: 23 fixed bytes
 * then arrays VPS, SPS, PPS. */
int hvcc_build(const struct param_sets *ps, uint8_t *out, size_t cap)
{
	uint8_t *p = out, *end = out + cap;
	struct sps_info si;
	int ret;

	if (!ps->vps.n || !ps->pps.n || ps->vps.n > 0xffff ||
	    ps->sps.n > 0xffff || ps->pps.n > 0xffff)
		return -EINVAL;
	if ((ret = sps_parse(1, &ps->sps, &si)) < 0)
		return ret;
	if (si.bit_depth_luma > 15 || si.bit_depth_chroma > 15)
		return -EINVAL;                         /* 3-bit fields */
	p = put_u8(p, end, 1);                          /* configurationVersion */
	p = put_bytes(p, end, si.general_ptl, 12);      /* bytes 1..12 */
	p = put_be16(p, end, 0xf000);                   /* min_spatial_segmentation_idc 0 */
	p = put_u8(p, end, 0xfc);                       /* parallelismType 0 */
	p = put_u8(p, end, (uint8_t)(0xfc | si.chroma_format_idc));
	p = put_u8(p, end, (uint8_t)(0xf8 | (si.bit_depth_luma - 8)));
	p = put_u8(p, end, (uint8_t)(0xf8 | (si.bit_depth_chroma - 8)));
	p = put_be16(p, end, 0);                        /* avgFrameRate */
	/* constantFrameRate 0 | numTemporalLayers | temporalIdNested | 3 */
	p = put_u8(p, end, (uint8_t)((si.max_sub_layers & 7) << 3 |
				     (si.temporal_id_nesting ? 4 : 0) | 3));
	p = put_u8(p, end, 3);                          /* numOfArrays */
	p = hvcc_array(p, end, H265_NAL_VPS, &ps->vps);
	p = hvcc_array(p, end, H265_NAL_SPS, &ps->sps);
	p = hvcc_array(p, end, H265_NAL_PPS, &ps->pps);
	return p ? (int)(p - out) : -ENOSPC;
}
