/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cvmmap_meta.c - cv-mmap SHM metadata v1/v2.0/v2.1 (docs/contract.md §4). */
#include "ipc/cvmmap_meta.h"

#include "util/bytes.h"

#include <string.h>

const uint8_t cvmmap_magic[8] = { 'C', 'V', '-', 'M', 'M', 'A', 'P', 0 };

unsigned cvmmap_pixfmt_channels(unsigned f)
{
	static const uint8_t ch[PIXFMT_COUNT] = { 3, 3, 4, 4, 1, 3, 2 };

	return f < PIXFMT_COUNT ? ch[f] : 0;
}

unsigned cvmmap_depth_bytes(unsigned d)
{
	static const uint8_t b[DEPTH_COUNT] = { 1, 1, 2, 2, 4, 4, 8, 2 };

	return d < DEPTH_COUNT ? b[d] : 0;
}

const char *cvmmap_pixfmt_name(unsigned f)
{
	static const char *const n[PIXFMT_COUNT] = {
		"rgb", "bgr", "rgba", "bgra", "gray", "yuv", "yuyv"
	};

	return f < PIXFMT_COUNT ? n[f] : "unknown";
}

const char *cvmmap_depth_name(unsigned d)
{
	static const char *const n[DEPTH_COUNT] = {
		"u8", "s8", "u16", "s16", "s32", "f32", "f64", "f16"
	};

	return d < DEPTH_COUNT ? n[d] : "unknown";
}

static const struct {
	const char *id, *text;
} reasons[META_REASON_COUNT] = {
	[META_OK] = { "ok", "valid" },
	[META_BAD_MAGIC] = { "bad_magic", "magic is not \"CV-MMAP\\0\" (4.1)" },
	[META_BAD_MAJOR] = { "bad_major", "versions_major not 1 or 2 (or 0.0 as v1) (4.1)" },
	[META_V1_ZERO_GEOMETRY] = { "v1_zero_geometry",
		"v1: width, height, channels and buffer_size must be non-zero (4.2)" },
	[META_V1_BAD_FORMAT] = { "v1_bad_format", "v1: unknown pixel_format or depth (4.8)" },
	[META_V1_CHANNELS] = { "v1_channels", "v1: channels differ from the pixel_format's (4.8)" },
	[META_V1_STRIDE_NOT_EXACT] = { "v1_stride_not_exact",
		"v1: buffer_size is not a multiple of height (4.2, ksy rule)" },
	[META_V1_STRIDE_SHORT] = { "v1_stride_short",
		"v1: stride buffer_size/height < width*channels*bytes(depth) (4.2)" },
	[META_V2_DESC_LAYOUT] = { "v2_desc_layout",
		"v2: descriptor offset/size/capacity must be 64/24/4 (4.6)" },
	[META_V2_PLANE_COUNT] = { "v2_plane_count", "v2: plane_count not in 1..4 (4.6)" },
	[META_V2_MASK_NIBBLE] = { "v2_mask_nibble",
		"v2: plane_presence_mask upper nibble not zero (4.6)" },
	[META_V2_PAYLOAD_ZERO] = { "v2_payload_zero", "v2: payload_size_bytes is 0 (4.6)" },
	[META_PAYLOAD_BEYOND_OBJECT] = { "payload_beyond_object",
		"payload size > SHM object size - 256 (3.2, 4.6)" },
	[META_V2_DEPTH_UNIT] = { "v2_depth_unit", "v2: depth_unit > 2 (4.3)" },
	[META_V20_MASK] = { "v20_mask",
		"v2.0: mask must equal (1 << plane_count) - 1 (4.6)" },
	[META_V20_ONLY] = { "v20_only",
		"v2 minor >= 1 (v2.1) rejected by a v2.0-only parser (4.6)" },
	[META_V21_NO_LEFT] = { "v21_no_left", "v2.1: mask bit 0 (LEFT) must be set (4.6)" },
	[META_V21_COUNT] = { "v21_count", "v2.1: plane_count != popcount(mask) (4.6)" },
	[META_PLANE_ZERO] = { "plane_zero",
		"active plane: width, height, stride and size must be non-zero (4.6)" },
	[META_PLANE_TYPE] = { "plane_type", "active plane: plane_type differs from its slot (4.5)" },
	[META_PLANE_FORMAT] = { "plane_format",
		"active plane: unknown pixel_format or depth (4.8)" },
	[META_PLANE_SLOT_FORMAT] = { "plane_slot_format",
		"slots 1/2 must be GRAY/F32, slot 3 GRAY/U8 (4.6; C++ rule for confidence)" },
	[META_PLANE_STRIDE] = { "plane_stride",
		"active plane: stride < width*channels*bytes(depth) (4.6)" },
	[META_PLANE_SIZE] = { "plane_size", "active plane: size < stride*height (4.6)" },
	[META_PLANE_BOUNDS] = { "plane_bounds",
		"active plane: offset/size outside payload_size_bytes (4.6)" },
	[META_PLANE_NOT_PACKED] = { "plane_not_packed",
		"planes not packed in slot order from offset 0 (4.6)" },
	[META_INACTIVE_NOT_ZERO] = { "inactive_not_zero",
		"inactive plane: width/height/stride/offset/size must be 0 (4.6)" },
	[META_AU_CODEC] = { "au_codec", "v2.1 AU: encoded_codec must be 1 (H.264) or 2 (H.265) (4.4)" },
	[META_AU_FORMAT] = { "au_format", "v2.1 AU: encoded_bitstream_format must be 1 (Annex-B) (4.4)" },
	[META_AU_NEEDS_V21] = { "au_needs_v21",
		"slot 3 (encoded AU) present with minor 0: codec unknown (4.6)" },
};

const char *meta_reason_str(int r)
{
	return r >= 0 && r < META_REASON_COUNT ? reasons[r].text : "unknown reason";
}

const char *meta_reason_id(int r)
{
	return r >= 0 && r < META_REASON_COUNT ? reasons[r].id : "unknown";
}

static uint64_t payload_room(uint64_t object_size)
{
	if (object_size == CVMMAP_SIZE_UNKNOWN)
		return UINT64_MAX;
	return object_size > CVMMAP_PAYLOAD_OFFSET ?
	       object_size - CVMMAP_PAYLOAD_OFFSET : 0;
}

/* v1 (4.2): one plane at payload offset 0; stride = buffer_size/height
 * with the ksy's exact-division rule (stricter than C++). */
static int parse_v1(const uint8_t *m, uint64_t object_size,
		    struct cvmmap_meta *o)
{
	struct cvmmap_plane *pl = &o->plane[0];
	uint16_t w = rd_le16(m + 0x18), h = rd_le16(m + 0x1A);
	uint8_t ch = m[0x1C], depth = m[0x1D], fmt = m[0x1E];
	uint32_t size = rd_le32(m + 0x20);

	o->layout = 1;
	o->frame_id = rd_le32(m + 0x0C);
	o->capture_ns = rd_le64(m + 0x10);
	o->channels = ch;
	o->plane_count = 1;
	o->mask = 0x01;
	o->payload_size = size;
	if (o->minor != 0 && o->major == 1)
		o->warn |= CVMMAP_META_WARN_V1_MINOR;

	if (!w || !h || !ch || !size)
		return META_V1_ZERO_GEOMETRY;
	if (!cvmmap_pixfmt_channels(fmt) || !cvmmap_depth_bytes(depth))
		return META_V1_BAD_FORMAT;
	if (ch != cvmmap_pixfmt_channels(fmt))
		return META_V1_CHANNELS;
	if (size % h)
		return META_V1_STRIDE_NOT_EXACT;
	if ((uint64_t)(size / h) < (uint64_t)w * ch * cvmmap_depth_bytes(depth))
		return META_V1_STRIDE_SHORT;
	if (size > payload_room(object_size))
		return META_PAYLOAD_BEYOND_OBJECT;

	pl->active = 1;
	pl->type = PLANE_LEFT;
	pl->pixel_format = fmt;
	pl->depth = depth;
	pl->width = w;
	pl->height = h;
	pl->stride = size / h;
	pl->offset = 0;
	pl->size = size;
	return META_OK;
}

static int popcount4(unsigned v)
{
	return (v & 1) + (v >> 1 & 1) + (v >> 2 & 1) + (v >> 3 & 1);
}

/* One v2 descriptor slot (4.5, 4.6).  *next is where the next active
 * plane must start (packed rule). */
static int check_plane(const struct cvmmap_meta *o, unsigned slot,
		       unsigned flags, uint32_t *next, unsigned *warn)
{
	const struct cvmmap_plane *p = &o->plane[slot];
	unsigned ch = cvmmap_pixfmt_channels(p->pixel_format);
	unsigned db = cvmmap_depth_bytes(p->depth);

	if (!p->active)
		return p->width || p->height || p->stride || p->offset || p->size ?
		       META_INACTIVE_NOT_ZERO : META_OK;
	if (!p->width || !p->height || !p->stride || !p->size)
		return META_PLANE_ZERO;
	if (p->type != slot)
		return META_PLANE_TYPE;
	if (!ch || !db)
		return META_PLANE_FORMAT;
	if (slot == PLANE_DEPTH || slot == PLANE_CONFIDENCE) {
		int f32 = p->pixel_format == PIXFMT_GRAY && p->depth == DEPTH_F32;

		/* docs/contract.md §13 item 6: C++ requires F32 confidence; the
		 * Python fixture uses U8.  Default = C++ rule. */
		if (!f32 && slot == PLANE_CONFIDENCE && (flags & CVMMAP_META_CONF_ANY_U8) &&
		    p->pixel_format == PIXFMT_GRAY && p->depth == DEPTH_U8)
			*warn |= CVMMAP_META_WARN_CONF_U8;
		else if (!f32)
			return META_PLANE_SLOT_FORMAT;
	}
	if (slot == PLANE_ENCODED_AU &&
	    (p->pixel_format != PIXFMT_GRAY || p->depth != DEPTH_U8))
		return META_PLANE_SLOT_FORMAT;
	if ((uint64_t)p->stride < (uint64_t)p->width * ch * db)
		return META_PLANE_STRIDE;
	if ((uint64_t)p->size < (uint64_t)p->stride * p->height)
		return META_PLANE_SIZE;
	if (p->offset > o->payload_size || p->size > o->payload_size - p->offset)
		return META_PLANE_BOUNDS;
	if (p->offset != *next)
		return META_PLANE_NOT_PACKED;
	*next = p->offset + p->size;
	return META_OK;
}

/* v2 (4.3 .. 4.6), rules checked in the order docs/contract.md lists them. */
static int parse_v2(const uint8_t *m, uint64_t object_size, unsigned flags,
		    struct cvmmap_meta *o)
{
	uint32_t next = 0;
	unsigned s, count;
	int r;

	o->layout = 2;
	o->flags = rd_le16(m + 0x0A);
	o->frame_id = rd_le32(m + 0x0C);
	o->capture_ns = rd_le64(m + 0x10);
	o->publish_seq = rd_le64(m + 0x18);
	o->plane_count = m[0x20];
	o->mask = m[0x21];
	o->payload_size = rd_le32(m + 0x28);
	o->depth_unit = m[0x2C];
	if (o->minor >= 1) {
		o->au_codec = m[0x2D];
		o->au_format = m[0x2E];
		o->au_flags = rd_le16(m + 0x2F);
		o->fps_num = rd_le16(m + 0x31);
		o->fps_den = rd_le16(m + 0x33);
		o->au_pts_ns = rd_le64(m + 0x35);
	}
	for (s = 0; s < CVMMAP_PLANES; s++) {
		const uint8_t *d = m + 0x40 + 24 * s;
		struct cvmmap_plane *p = &o->plane[s];

		p->type = d[0];
		p->pixel_format = d[1];
		p->depth = d[2];
		p->width = rd_le32(d + 4);
		p->height = rd_le32(d + 8);
		p->stride = rd_le32(d + 12);
		p->offset = rd_le32(d + 16);
		p->size = rd_le32(d + 20);
	}

	if (rd_le16(m + 0x22) != 64 || rd_le16(m + 0x24) != 24 ||
	    rd_le16(m + 0x26) != 4)
		return META_V2_DESC_LAYOUT;
	count = o->plane_count;
	if (count < 1 || count > 4)
		return META_V2_PLANE_COUNT;
	if (o->mask & 0xF0)
		return META_V2_MASK_NIBBLE;
	if (!o->payload_size)
		return META_V2_PAYLOAD_ZERO;
	if (o->payload_size > payload_room(object_size))
		return META_PAYLOAD_BEYOND_OBJECT;
	if (o->depth_unit > DEPTH_UNIT_M)
		return META_V2_DEPTH_UNIT;
	if (o->minor == 0) {
		if (o->mask != (1u << count) - 1)
			return META_V20_MASK;
	} else {
		if (flags & CVMMAP_META_V20_ONLY)
			return META_V20_ONLY;
		if (!(o->mask & 1))
			return META_V21_NO_LEFT;
		if ((unsigned)popcount4(o->mask) != count)
			return META_V21_COUNT;
	}
	for (s = 0; s < CVMMAP_PLANES; s++)
		o->plane[s].active = o->mask >> s & 1;
	for (s = 0; s < CVMMAP_PLANES; s++) {
		r = check_plane(o, s, flags, &next, &o->warn);
		if (r != META_OK)
			return r;
	}
	if (o->plane[PLANE_ENCODED_AU].active) {
		if (o->minor == 0)
			return META_AU_NEEDS_V21;
		if (o->au_codec != AU_CODEC_H264 && o->au_codec != AU_CODEC_H265)
			return META_AU_CODEC;
		if (o->au_format != 1)
			return META_AU_FORMAT;
	}
	return META_OK;
}

int cvmmap_meta_parse(const uint8_t *m, uint64_t object_size, unsigned flags,
		      struct cvmmap_meta *o)
{
	memset(o, 0, sizeof *o);
	o->major = m[0x08];
	o->minor = m[0x09];
	if (memcmp(m, cvmmap_magic, sizeof cvmmap_magic) != 0)
		return META_BAD_MAGIC;
	if (o->major == 1 || (o->major == 0 && o->minor == 0))
		return parse_v1(m, object_size, o);
	if (o->major == 2)
		return parse_v2(m, object_size, flags, o);
	return META_BAD_MAJOR;
}

void cvmmap_meta_build(uint8_t *out, const struct cvmmap_meta *o)
{
	unsigned s;

	memset(out, 0, CVMMAP_META_SIZE);
	memcpy(out, cvmmap_magic, sizeof cvmmap_magic);
	out[0x08] = o->major;
	out[0x09] = o->minor;
	wr_le32(out + 0x0C, o->frame_id);
	wr_le64(out + 0x10, o->capture_ns);
	if (o->layout == 1) {
		const struct cvmmap_plane *p = &o->plane[0];

		wr_le16(out + 0x18, (uint16_t)p->width);
		wr_le16(out + 0x1A, (uint16_t)p->height);
		out[0x1C] = o->channels;
		out[0x1D] = p->depth;
		out[0x1E] = p->pixel_format;
		wr_le32(out + 0x20, o->payload_size);
		return;
	}
	wr_le16(out + 0x0A, o->flags);
	wr_le64(out + 0x18, o->publish_seq);
	out[0x20] = o->plane_count;
	out[0x21] = o->mask;
	wr_le16(out + 0x22, 64);
	wr_le16(out + 0x24, 24);
	wr_le16(out + 0x26, 4);
	wr_le32(out + 0x28, o->payload_size);
	out[0x2C] = o->depth_unit;
	if (o->minor >= 1) {
		out[0x2D] = o->au_codec;
		out[0x2E] = o->au_format;
		wr_le16(out + 0x2F, o->au_flags);
		wr_le16(out + 0x31, o->fps_num);
		wr_le16(out + 0x33, o->fps_den);
		wr_le64(out + 0x35, o->au_pts_ns);
	}
	for (s = 0; s < CVMMAP_PLANES; s++) {
		const struct cvmmap_plane *p = &o->plane[s];
		uint8_t *d = out + 0x40 + 24 * s;

		if (!p->active)
			continue;
		d[0] = p->type;
		d[1] = p->pixel_format;
		d[2] = p->depth;
		wr_le32(d + 4, p->width);
		wr_le32(d + 8, p->height);
		wr_le32(d + 12, p->stride);
		wr_le32(d + 16, p->offset);
		wr_le32(d + 20, p->size);
	}
}
