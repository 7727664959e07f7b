/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_http.c - the metrics responder's request parser (util/http.h) over
 * arbitrary bytes: a complete head is never longer than the input, the
 * method and path are terminated, fit their fields and the path is in
 * origin form; a prefix of a complete head is never complete earlier
 * than the blank line. */
#include "util/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req r;
	int n = http_parse_request((const char *)data, size, &r);

	if (n > 0) {
		if ((size_t)n > size || !memchr(r.method, 0, sizeof r.method) ||
		    !memchr(r.path, 0, sizeof r.path) || r.path[0] != '/' || !r.method[0])
			abort();
		/* the same head alone parses to the same length */
		if (http_parse_request((const char *)data, (size_t)n, &r) != n)
			abort();
		/* one byte short of the blank line is never complete */
		if (http_parse_request((const char *)data, (size_t)n - 1, &r) > 0)
			abort();
	}
	return 0;
}
