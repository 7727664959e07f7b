/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.h - the streamer's NATS side (runs on the I/O thread).
 *
 * Follows the producer's status (cvmmap.<key>.status), asks for its
 * source info (.producer.source.info, then .control.source.info, 500 ms
 * each), receives body tracking (cvmmap.<key>.body), publishes the
 * streamer's own status once per second and on change
 * (cvmmap.<key>.streamer.status) and answers cvmmap.<key>.streamer.stats.
 * Streaming never waits on any of it: with NATS down every call here is
 * a cheap no-op and the client reconnects in the background.
 */
#ifndef CVMMAP_CONTROL_H
#define CVMMAP_CONTROL_H

#include "nats/body.h"
#include "nats/pb.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/* UUID of the SEI user_data_unregistered message that carries one body
 * tracking v1 packet (docs/sei.md): "cvmmap-body-v1" 00 01. */
#define CVMMAP_BODY_SEI_UUID { \
	0x63, 0x76, 0x6d, 0x6d, 0x61, 0x70, 0x2d, 0x62, \
	0x6f, 0x64, 0x79, 0x2d, 0x76, 0x31, 0x00, 0x01, \
}

struct control_ops {
	/* ModuleStatusEvent for our instance: MODULE_STATUS_ONLINE/OFFLINE/STREAM_RESET */
	void (*status)(void *arg, uint32_t status);
	/* A validated body tracking packet for our instance (view into a
	 * buffer valid only during the call). */
	void (*body)(void *arg, const struct body_view *v);
	/* The producer's source info (era: "producer" E3 or "control" E2). */
	void (*source_info)(void *arg, const struct pb_source_info *si, const char *era);
	/* Write the streamer's status as one JSON object; returns its length. */
	int (*status_json)(void *arg, char *buf, size_t cap);
};

struct control_cfg {
	const char *url;       /* nats://host:port */
	const char *key;       /* NATS target key, e.g. cvmmap_default */
	const char *instance;  /* producer instance name (status filter) */
};

struct control;

/* 0, or -errno (bad URL: -EINVAL). Does not connect yet. */
int control_open(struct control **out, const struct control_cfg *cfg,
		 const struct control_ops *ops, void *arg);
int control_pollfd(struct control *c, struct pollfd *pfd, int *timeout_ms,
		   uint64_t now_mono_ns);
/* Drive the client; publishes the status every second. */
void control_service(struct control *c, short revents, uint64_t now_mono_ns);
/* Publish the status now (state changed). */
void control_status_changed(struct control *c);
/* 1 while connected to the NATS server. */
int control_connected(const struct control *c);
void control_close(struct control *c);

#endif
