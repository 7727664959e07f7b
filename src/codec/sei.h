/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sei.h - user_data_unregistered SEI: build, insert into an AU, find (pure).
 *
 * H.264 7.3.2.3 sei_rbsp / D.1.7 user_data_unregistered (payloadType 5) in
 * an SEI NAL (type 6); H.265 7.3.2.4 / D.2.7 in a prefix SEI NAL (type 39,
 * nuh_layer_id 0, TemporalId 0).  The payload is a 16-byte UUID followed by
 * opaque bytes.  codec: 0 = H.264, 1 = H.265.
 */
#ifndef CVMMAP_SEI_H
#define CVMMAP_SEI_H

#include "codec/nal.h"

#include <stddef.h>
#include <stdint.h>

enum { SEI_USER_DATA_UNREGISTERED = 5 };

/* Largest NAL sei_build_user_data makes for an n-byte payload: the RBSP
 * (payloadType, ff-coded payloadSize, UUID, payload, trailing bits) plus at
 * worst one emulation-prevention byte per two RBSP bytes, plus the header. */
#define SEI_RBSP_MAX(n) ((n) + 19 + ((n) + 16) / 255)
#define SEI_NAL_MAX(n) (2 + SEI_RBSP_MAX(n) * 3 / 2 + 1)

/* Write one complete SEI NAL unit (header included, no start code, with
 * emulation prevention) carrying a single user_data_unregistered message
 * into out[cap].  Returns its length, -ENOSPC or -EINVAL. */
int sei_build_user_data(int codec, const uint8_t uuid[16], const uint8_t *payload,
			size_t n, uint8_t *out, size_t cap);

/* Copy the Annex B AU au[n] into out[cap] with sei_nal (from
 * sei_build_user_data) inserted behind a 4-byte start code just before the
 * first VCL NAL unit, i.e. after any AUD, parameter sets and SEI already
 * there.  Returns the new AU length, -ENOSPC, or -EINVAL when the AU holds
 * no VCL NAL unit.  au and out must not overlap. */
int annexb_insert_sei(int codec, const uint8_t *au, size_t n,
		      const uint8_t *sei_nal, size_t sei_n, uint8_t *out, size_t cap);

/* Look through the SEI NAL unit n for a user_data_unregistered message
 * with this uuid.  The NAL is unescaped into scratch[cap]; on success
 * *payload and *len point at the bytes after the UUID inside scratch and 0 is
 * returned.  -ENOENT: not an SEI NAL or no such message; -EINVAL:
 * malformed; -ENOSPC: scratch too small. */
int sei_find_user_data(int codec, const struct nal *n, const uint8_t uuid[16],
		       const uint8_t **payload, size_t *len, uint8_t *scratch, size_t cap);

#endif
