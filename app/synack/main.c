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
"  demo     server and client stacks in one process over the in-memory link: 10 s of\n"
"           short HTTP connections, live progress, summary (no NIC, no configuration)\n"
"  server   the stack on a port: ARP, ICMP echo, and TCP with --app\n"
"  client   the L4 load generator on a port\n"
"  pktpath  the bare packet path (no TCP) until --packets frames: Mpps and cycles/frame\n"
"\n"
"options of every command:\n"
"  --profile FILE    drivers-config profile (demo: drivers-config/mem_pair.ini)\n"
"  --duration S      stop after S seconds (demo: 10; others: run until SIGINT/SIGTERM)\n"
"  --json FILE       write the result as JSON (client, demo: docs/results-schema.json;\n"
"                    pktpath, server: counters at exit)\n"
"  --quiet           no progress line, no counter dump\n"
"  --cc NAME         congestion control of every connection: newreno (default) | cubic\n"
"  --tx-zerocopy N   payloads of at least N (<= 65535) bytes are sent without copying (0: always\n"
"                    copy, default; 1024 suggested); needs a port that takes\n"
"                    multi-segment frames (the in-memory pair; profiles with\n"
"                    offload_multi_seg = yes, e.g. net_tap.ini)\n"
"  --test FILE       options from a test profile (INI: [run], [server], [client];\n"
"                    keys are these long options without dashes; the command line wins)\n"
"  --pcap FILE       capture each worker's first frames (rx and tx) to FILE, pcapng\n"
"  --pcap-count N    frames per worker for --pcap (default 1000)\n"
"\n"
"server (and demo):\n"
"  --app NAME        none | echo | discard | http | source (server default none, demo\n"
"                    http)\n"
"  --port N          TCP port to listen on (default 80)\n"
"  --status N        http: status of GET/HEAD responses (default 200)\n"
"  --body-size N     http: body bytes (default 0; demo 64)\n"
"  --max-header N    http: request header bound in bytes (default 8192)\n"
"  --header \"N: V\"   http: an extra response header (repeatable, 512 bytes in all)\n"
"  --source-bytes N  source: bytes sent to each client, then close (0: no end; default)\n"
"  --hash            discard: print \"discard: conn N bytes B sha256 HEX\" for each\n"
"                    connection when it closes\n"
"\n"
"demo only:\n"
"  --keepalive S     arm TCP keepalive on every connection of both stacks, S s idle\n"
"\n"
"client (and demo):\n"
"  --target IP[:PORT]     server address (demo: the server stack); --target-count N\n"
"  --rate N               connection opens per second over all workers (0: as fast as\n"
"                         --concurrency allows; default 0)\n"
"  --concurrency N        open connections at most (default 1000)\n"
"  --ramp-up S            grow rate and concurrency linearly from 1 over S seconds\n"
"  --syn-flood N|max      also send N spoofed SYNs per second (or as fast as possible)\n"
"                         from 203.0.113.0/24: tests the SYN-cookie defence\n"
"  --connections N        stop after N connections (default: until the duration ends)\n"
"  --requests N           requests per connection: 1 short (default), 0 keep-alive\n"
"  --proto http|raw       http GET (default) or raw bytes (--request-size,\n"
"                         --response-size, e.g. against --app echo)\n"
"  --path P, --host H     http request target and Host header\n"
"  --expect-body N        http: exact body length to expect (demo: --body-size)\n"
"  --response-max-header N  http: response header bound in bytes (default 8192)\n"
"  --think-us N           pause between a response and the next request\n"
"  --closer client|server which side closes first (default client)\n"
"  --src-ports LO-HI      source ports (default the engine's ephemeral range)\n"
"  --drain S              at stop, let open connections finish for S s, then abort\n"
"                         (default 2)\n"
"\n"
"pktpath:\n"
"  --packets N       frames to process over all workers (default 10000000)\n"
"\n"
"EAL options after -- are passed to DPDK and win over those derived from the profile.\n"
"Exit codes: 0 success, 1 runtime failure (leaked mbufs; for client and demo also any\n"
"failed connection or bad response), 2 bad configuration. See docs/cli.md.\n";

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
