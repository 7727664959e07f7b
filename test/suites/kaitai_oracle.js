// SPDX-License-Identifier: GPL-2.0-or-later
// kaitai_oracle.js - an independent parser for the ingest suite.
//
//   node kaitai_oracle.js KSY_DIR OUT_DIR meta.bin:ours.json [...]
//   node kaitai_oracle.js KSY_DIR OUT_DIR --sync sync.bin:frame,ts,label
//
// Compiles the upstream Kaitai schemas (test/vectors/contract/*.ksy) to
// JavaScript with the npm kaitai-struct-compiler, parses each 256-byte
// metadata dump with it, and compares every field with the JSON that
// cvmmap_inspect --json printed for the same bytes.  Prints one line per
// mismatch; exit 1 on any.  Kaitai checks layout only, so only dumps our
// parser accepted carry field comparisons; the magic must match anyway.
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const ksc = require('kaitai-struct-compiler');
const KaitaiStream = require('kaitai-struct/KaitaiStream');

async function load(ksyDir, outDir, name) {
	const ksy = yaml.load(fs.readFileSync(path.join(ksyDir, name + '.ksy'), 'utf8'));
	const files = await ksc.compile('javascript', ksy, null, false);
	let mod;
	for (const [fn, code] of Object.entries(files)) {
		const p = path.join(outDir, fn);
		fs.writeFileSync(p, code);
		mod = require(p);
	}
	return Object.values(mod)[0];
}

function num(v) { return typeof v === 'bigint' ? Number(v) : v; }

function compare(tag, want, got, bad) {
	for (const [k, v] of Object.entries(want)) {
		if (num(v) !== num(got[k])) {
			console.log(`MISMATCH ${tag} ${k}: kaitai ${v} ours ${got[k]}`);
			bad.n++;
		}
	}
}

async function main() {
	const [ksyDir, outDir, ...args] = process.argv.slice(2);
	fs.mkdirSync(outDir, { recursive: true });
	const Meta = await load(ksyDir, outDir, 'cvmmap_shm_metadata_v1_v2');
	const Sync = await load(ksyDir, outDir, 'cvmmap_sync_v1');
	const bad = { n: 0 };
	let checked = 0;

	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--sync') {
			const [bin, exp] = args[++i].split(':');
			const [frame, ts, label] = exp.split(',');
			const s = new Sync(new KaitaiStream(fs.readFileSync(bin)));
			compare(bin, { frame_count: s.frameCount, timestamp_ns: s.timestampNs,
				       label: s.label, major: s.versionsMajor },
				{ frame_count: +frame, timestamp_ns: +ts, label, major: 1 }, bad);
			checked++;
			continue;
		}
		const [bin, js] = args[i].split(':');
		const ours = JSON.parse(fs.readFileSync(js, 'utf8'));
		const k = new Meta(new KaitaiStream(fs.readFileSync(bin)));
		const tag = path.basename(bin);
		compare(tag, { versions_major: k.versionsMajor, versions_minor: k.versionsMinor },
			ours, bad);
		if (k.versionsMajor === 1) {
			const v = k.asV1;
			compare(tag, { frame_id: v.frameCount, capture_ts_ns: v.timestampNs,
				       payload_size_bytes: v.info.bufferSize,
				       channels: v.info.channels }, ours, bad);
			compare(tag + ' plane0', { width: v.info.width, height: v.info.height,
				       depth: v.info.depth, pixel_format: v.info.pixelFormat },
				ours.planes[0], bad);
		} else if (k.versionsMajor === 2) {
			const h = k.asV2.header;
			const w = { frame_id: h.frameId, capture_ts_ns: h.captureTsNs,
				    publish_seq: h.publishSeq, plane_count: h.planeCount,
				    plane_presence_mask: h.planePresenceMask,
				    payload_size_bytes: h.payloadSizeBytes, depth_unit: h.depthUnit,
				    flags: h.flags };
			if (h.versionsMinor >= 1) {
				const e = h.reserved0;
				Object.assign(w, { encoded_codec: e.encodedCodec,
					encoded_bitstream_format: e.encodedBitstreamFormat,
					encoded_flags: e.encodedFlags,
					encoded_frame_rate_num: e.encodedFrameRateNum,
					encoded_frame_rate_den: e.encodedFrameRateDen,
					encoded_stream_pts_ns: e.encodedStreamPtsNs });
			}
			compare(tag, w, ours, bad);
			[k.asV2.plane0, k.asV2.plane1, k.asV2.plane2, k.asV2.plane3].forEach((p, s) => {
				compare(`${tag} plane${s}`, { plane_type: p.planeType,
					pixel_format: p.pixelFormat, depth: p.depth, width: p.width,
					height: p.height, stride_bytes: p.strideBytes,
					offset_bytes: p.offsetBytes, size_bytes: p.sizeBytes },
					ours.planes[s], bad);
			});
		}
		checked++;
	}
	console.log(`kaitai: ${checked} checked, ${bad.n} mismatches`);
	process.exit(bad.n || !checked ? 1 : 0);
}

main().catch((e) => { console.log('kaitai error: ' + (e.stack || e)); process.exit(1); });
