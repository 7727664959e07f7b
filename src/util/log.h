/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - levelled, timestamped logging to stderr with rate limiting.
 *
 * log_msg() writes one line: "2026-11-26T13:00:00.123Z W rtp: text".
 * Lines below the current level (log_set_level) are dropped cheaply.
 *
 * Repeated run-time warnings go through a struct log_limit owned by the
 * caller (usually static, one per call site):
 *
 *     static struct log_limit rl;
 *     log_limited(&rl, LOG_WARN, "rtp", "send failed: %s", strerror(e));
 *
 * At most one line per LOG_LIMIT_INTERVAL_MS is printed; the next printed
 * line says how many were suppressed.  Every call is counted in rl.count.
 */
#ifndef CVMMAP_LOG_H
#define CVMMAP_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define LOG_LIMIT_INTERVAL_MS 2000

struct log_limit {
	uint64_t last_ns;    /* monotonic time of the last printed line */
	uint64_t suppressed; /* calls dropped since that line */
	uint64_t count;      /* all calls ever */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warn", "info", "debug" -> 0 and *out, else -1. */
int log_parse_level(const char *s, enum log_level *out);

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

void log_msg(enum log_level level, const char *tag, const char *fmt, ...)
	LOG_PRINTF(3, 4);
/* Returns 1 when the line was printed, 0 when suppressed. */
int log_limited(struct log_limit *rl, enum log_level level, const char *tag,
		const char *fmt, ...) LOG_PRINTF(4, 5);

/* Formats a message into err (errlen bytes, may be 0) for the caller to
 * print, and returns rc: "return errf(err, errlen, -EINVAL, ...)". */
int errf(char *err, size_t errlen, int rc, const char *fmt, ...) LOG_PRINTF(4, 5);

#define log_error(tag, ...) log_msg(LOG_ERROR, tag, __VA_ARGS__)
#define log_warn(tag, ...)  log_msg(LOG_WARN, tag, __VA_ARGS__)
#define log_info(tag, ...)  log_msg(LOG_INFO, tag, __VA_ARGS__)
#define log_debug(tag, ...) log_msg(LOG_DEBUG, tag, __VA_ARGS__)

#endif
