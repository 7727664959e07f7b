/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sinks.c - the table of outputs this build has (proto/sink.h).
 *
 * One row per output, present when its Kconfig symbol is on.  The
 * pipeline hands every access unit to the enabled rows in this order.
 */
#include "proto/sink.h"

#include <stddef.h>

extern const struct sink_ops rtp_sink_ops, rtmp_sink_ops, rtsp_sink_ops, rtsp_pub_ops;
extern const struct sink_ops null_sink_ops;
extern const struct sink_ops udp_ts_sink_ops;
extern const struct sink_ops srt_sink_ops;

const struct sink_ops *const sink_table[] = {
	IF_RTP(&rtp_sink_ops,)
	IF_RTMP(&rtmp_sink_ops,)
	IF_RTSP(&rtsp_sink_ops,)
	IF_RTSP_PUBLISH(&rtsp_pub_ops,)
	IF_UDP_TS(&udp_ts_sink_ops,)
	IF_SRT(&srt_sink_ops,)
	IF_SINK_NULL(&null_sink_ops,)
	NULL
};

/* Outputs this build leaves out: their flag gets "not built in" rather
 * than "unknown option". */
const char *const sink_absent[] = {
	IF_NOT_RTP("rtp",)
	IF_NOT_RTMP("rtmp",)
	IF_NOT_RTSP("rtsp",)
	IF_NOT_RTSP_PUBLISH("rtsp-publish",)
	IF_NOT_UDP_TS("udp-ts",)
	IF_NOT_SRT("srt",)
	IF_NOT_SINK_NULL("null",)
	NULL
};
