/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitcodes.h - the one table of process exit codes (README "Exit codes"). */
#ifndef CVMMAP_EXITCODES_H
#define CVMMAP_EXITCODES_H

enum exit_code {
	EXIT_OK = 0,            /* success */
	EXIT_FAILED = 1,        /* ZED tools: a conversion failed */
	EXIT_USAGE = 2,         /* invalid arguments or configuration */
	EXIT_PT_MISMATCH = 3,   /* tester: RTP payload type mismatch */
	EXIT_THRESHOLD = 4,     /* tester: packet/frame threshold not met */
	EXIT_INIT = 5,          /* pipeline initialisation error (no encoder) */
	EXIT_MODE_MISMATCH = 6, /* tester: RTMP mode mismatch */
	EXIT_PROTOCOL = 7,      /* tester: protocol validation error */
	EXIT_TIMEOUT = 124      /* timeout (as timeout(1)) */
};

#endif
