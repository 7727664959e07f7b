/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c - NATS glue between the producer's control plane and the
 * pipeline (see control.h).  All protocol work is in src/nats/; this
 * file only names subjects, filters by instance and routes messages. */
#include "core/control.h"
#include "nats/cvmmap_nats.h"
#include "nats/nats_client.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG "control"
#define STATUS_PERIOD_NS 1000000000ull
#define INFO_TIMEOUT_MS 500
#define SUBJ_MAX 160

struct control {
	struct nats_client *nc;
	const struct control_ops *ops;
	void *arg;
	char instance[32];
	char subj_status[SUBJ_MAX], subj_body[SUBJ_MAX];
	char subj_info_producer[SUBJ_MAX], subj_info_control[SUBJ_MAX];
	char subj_streamer_status[SUBJ_MAX], subj_streamer_stats[SUBJ_MAX];
	uint64_t next_status_ns;
	int connected;
	int info_pending;     /* a source.info request is in flight */
	struct log_limit rl_info, rl_status, rl_body, rl_err;
	char json[4096];
};

static int is_our_instance(const struct control *c, const char *s, size_t n)
{
	return n == strlen(c->instance) && !memcmp(s, c->instance, n);
}

static void request_info(struct control *c, int era_control);

static void on_info_reply(void *arg, int status, const uint8_t *data, size_t n,
			  int era_control)
{
	struct control *c = arg;
	struct pb_source_info si;

	c->info_pending = 0;
	if (status != NATS_REQ_OK) {
		if (!era_control) {
			request_info(c, 1); /* E2 producers answer under .control */
			return;
		}
		log_info(TAG, "no source info from the producer (%s): control plane "
			 "unavailable, streaming on", status == NATS_REQ_TIMEOUT ?
			 "timeout" : "no responders");
		return;
	}
	if (pb_decode_source_info(data, n, &si) < 0 || si.error != PB_ERR_OK) {
		log_limited(&c->rl_info, LOG_WARN, TAG, "bad source info reply (%zu bytes)", n);
		return;
	}
	if (c->ops->source_info)
		c->ops->source_info(c->arg, &si, era_control ? "control" : "producer");
}

static void on_info_producer(void *arg, int status, const uint8_t *data, size_t n)
{
	on_info_reply(arg, status, data, n, 0);
}

static void on_info_control(void *arg, int status, const uint8_t *data, size_t n)
{
	on_info_reply(arg, status, data, n, 1);
}

/* GetSourceInfoRequest is empty (docs/contract.md §6.1: 0 bytes). */
static void request_info(struct control *c, int era_control)
{
	if (c->info_pending && !era_control)
		return;
	if (nats_client_request(c->nc, era_control ? c->subj_info_control :
				c->subj_info_producer, "", 0, INFO_TIMEOUT_MS,
				era_control ? on_info_control : on_info_producer, c) == 0) {
		c->info_pending = 1;
		log_debug(TAG, "source info requested on %s", era_control ?
			  c->subj_info_control : c->subj_info_producer);
	}
}

static void on_status_msg(void *arg, const struct nats_event *ev)
{
	struct control *c = arg;
	struct pb_module_status m;

	if (pb_decode_module_status(ev->data, ev->len, &m) < 0) {
		log_limited(&c->rl_status, LOG_WARN, TAG, "malformed status event (%zu bytes)", ev->len);
		return;
	}
	/* An empty instance means "the publisher of this subject". */
	if (m.instance_len && !is_our_instance(c, m.instance, m.instance_len))
		return;
	log_info(TAG, "producer %s", module_status_name(m.status));
	if (m.status == MODULE_STATUS_ONLINE)
		request_info(c, 0);
	if (c->ops->status)
		c->ops->status(c->arg, m.status);
	control_status_changed(c);      /* our status follows the producer's */
}

static void on_body_msg(void *arg, const struct nats_event *ev)
{
	struct control *c = arg;
	struct body_view v;
	int r = body_parse(ev->data, ev->len, &v);

	if (r != BODY_OK) {
		log_limited(&c->rl_body, LOG_WARN, TAG, "body packet rejected: %s", body_strerror(r));
		return;
	}
	if (v.label[0] && !is_our_instance(c, v.label, strlen(v.label)))
		return;
	if (c->ops->body)
		c->ops->body(c->arg, &v);
}

static int build_status(struct control *c)
{
	int n = c->ops->status_json ? c->ops->status_json(c->arg, c->json, sizeof c->json) : 0;

	return n > 0 && (size_t)n < sizeof c->json ? n : 0;
}

static void on_stats_request(void *arg, const struct nats_event *ev)
{
	struct control *c = arg;
	char reply[SUBJ_MAX];
	int n;

	if (!ev->reply || ev->reply_len >= sizeof reply)
		return;
	memcpy(reply, ev->reply, ev->reply_len);
	reply[ev->reply_len] = '\0';
	n = build_status(c);
	if (n)
		nats_client_publish(c->nc, reply, c->json, (size_t)n);
}

static void on_event(void *arg, int event, const char *text)
{
	struct control *c = arg;

	if (event == NATS_EV_CONNECTED) {
		c->connected = 1;
		c->info_pending = 0;
		request_info(c, 0);
		control_status_changed(c);
	} else if (event == NATS_EV_DISCONNECTED) {
		c->connected = 0;
	} else if (event == NATS_EV_SERVER_ERR) {
		log_limited(&c->rl_err, LOG_WARN, TAG, "NATS server error: %s", text ? text : "");
	}
}

int control_open(struct control **out, const struct control_cfg *cfg,
		 const struct control_ops *ops, void *arg)
{
	struct nats_client_cfg nc;
	struct control *c = calloc(1, sizeof *c);
	int r;

	if (!c)
		return -ENOMEM;
	c->ops = ops;
	c->arg = arg;
	snprintf(c->instance, sizeof c->instance, "%s", cfg->instance);
	if (cvmmap_subject(c->subj_status, SUBJ_MAX, cfg->key, CVMMAP_SUBJ_STATUS) < 0 ||
	    cvmmap_subject(c->subj_body, SUBJ_MAX, cfg->key, CVMMAP_SUBJ_BODY) < 0 ||
	    cvmmap_subject(c->subj_info_producer, SUBJ_MAX, cfg->key,
			   CVMMAP_SUBJ_PRODUCER_SOURCE_INFO) < 0 ||
	    cvmmap_subject(c->subj_info_control, SUBJ_MAX, cfg->key,
			   CVMMAP_SUBJ_CONTROL_SOURCE_INFO) < 0 ||
	    cvmmap_subject(c->subj_streamer_status, SUBJ_MAX, cfg->key,
			   CVMMAP_SUBJ_STREAMER_STATUS) < 0 ||
	    cvmmap_subject(c->subj_streamer_stats, SUBJ_MAX, cfg->key,
			   CVMMAP_SUBJ_STREAMER_STATS) < 0) {
		free(c);
		return -EINVAL;
	}
	memset(&nc, 0, sizeof nc);
	nc.url = cfg->url;
	nc.name = "cvmmap-streamer";
	nc.max_payload = 256 * 1024; /* body packets: 64 + n * 3248 bytes */
	nc.no_responders = 1;
	nc.on_event = on_event;
	nc.arg = c;
	r = nats_client_open(&c->nc, &nc);
	if (r < 0) {
		free(c);
		return r;
	}
	if (nats_client_subscribe(c->nc, c->subj_status, on_status_msg, c) < 0 ||
	    nats_client_subscribe(c->nc, c->subj_body, on_body_msg, c) < 0 ||
	    nats_client_subscribe(c->nc, c->subj_streamer_stats, on_stats_request, c) < 0) {
		nats_client_close(c->nc);
		free(c);
		return -EINVAL;
	}
	log_debug(TAG, "subscribed: %s %s %s; publishing %s; source info from %s or %s",
		  c->subj_status, c->subj_body, c->subj_streamer_stats,
		  c->subj_streamer_status, c->subj_info_producer, c->subj_info_control);
	*out = c;
	return 0;
}

int control_pollfd(struct control *c, struct pollfd *pfd, int *timeout_ms,
		   uint64_t now_mono_ns)
{
	return nats_client_pollfd(c->nc, pfd, timeout_ms, now_mono_ns);
}

void control_service(struct control *c, short revents, uint64_t now_mono_ns)
{
	nats_client_service(c->nc, revents, now_mono_ns);
	if (c->connected && now_mono_ns >= c->next_status_ns)
		control_status_changed(c);
}

void control_status_changed(struct control *c)
{
	int n;

	c->next_status_ns = clock_mono_ns() + STATUS_PERIOD_NS;
	if (!c->connected)
		return;
	n = build_status(c);
	if (n)
		nats_client_publish(c->nc, c->subj_streamer_status, c->json, (size_t)n);
}

int control_connected(const struct control *c)
{
	return c->connected;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	nats_client_close(c->nc);
	free(c);
}
