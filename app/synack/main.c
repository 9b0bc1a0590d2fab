/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synack: a userspace TCP/IP stack on DPDK. This file only picks the command.
 */
#include "synack.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
"usage: synack COMMAND [OPTIONS] [-- EAL OPTIONS]\n"
"\n"
"commands:\n"
"  server   run the stack on a port and answer ARP, ICMP echo and TCP (--app)\n"
"  pktpath  the bare packet path (no TCP) until --packets frames: Mpps and cycles/frame\n"
"\n"
"options of every command:\n"
"  --profile FILE    drivers-config profile (required), e.g. drivers-config/net_tap.ini\n"
"  --duration S      stop after S seconds (default: run until SIGINT/SIGTERM)\n"
"  --json FILE       write the result as JSON\n"
"  --quiet           no progress line, no counter dump\n"
"\n"
"pktpath:\n"
"  --packets N       frames to process over all workers (default 10000000)\n"
"\n"
"server:\n"
"  --app NAME        none | echo | discard (default none: ARP, ICMP, RST to any SYN)\n"
"  --port N          TCP port to listen on (default 80)\n"
"\n"
"EAL options after -- are passed to DPDK and win over those derived from the profile.\n"
"Exit codes: 0 success, 1 runtime failure (e.g. leaked mbufs), 2 bad configuration.\n"
"See docs/cli.md.\n";

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? SYNACK_EXIT_CONFIG : 0;
	}
	if (strcmp(argv[1], "pktpath") == 0)
		return synack_cmd_pktpath(argc - 1, argv + 1);
	if (strcmp(argv[1], "server") == 0)
		return synack_cmd_server(argc - 1, argv + 1);
	if (strcmp(argv[1], "client") == 0)
		return synack_cmd_client(argc - 1, argv + 1);
	if (strcmp(argv[1], "demo") == 0)
		return synack_cmd_demo(argc - 1, argv + 1);
	fprintf(stderr, "synack: unknown command '%s'\n%s", argv[1], usage);
	return SYNACK_EXIT_CONFIG;
}
