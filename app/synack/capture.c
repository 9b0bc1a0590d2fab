/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --pcap: each worker keeps copies of its first frames (lib/stack/sy_capture.h); after the
 * loops stop, they are written to one pcapng file and freed.
 */
#include "synack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_malloc.h>

void
synack_capture_start(struct synack_run *r, struct sy_stack *s)
{
	for (uint16_t q = 0; q < s->n_workers; q++) {
		struct sy_worker *w = s->workers[q];
		struct sy_capture *c = rte_zmalloc_socket("sy_capture", sizeof(*c), 0,
							  s->port->socket);

		if (c == NULL || sy_capture_init(c, s->port->port_id, q, r->opts.pcap_count,
						 s->port->socket) != 0) {
			fprintf(stderr, "synack: --pcap: no memory for %u frames\n",
				r->opts.pcap_count);
			exit(1);
		}
		w->capture = c;
		w->txq.observe = sy_capture_tx;
		w->txq.observe_arg = c;
	}
}

/* Writes every worker's capture to --pcap (after the loops stopped) and frees them. */
void
synack_capture_finish(struct synack_run *r)
{
	struct sy_capture *caps[2 * SY_PORT_MAX_QUEUES];
	struct sy_stack *stacks[2] = { &r->stack_a, &r->stack_b };
	unsigned int n = 0;

	for (int i = 0; i < (r->pair ? 2 : 1); i++)
		for (uint16_t q = 0; q < stacks[i]->n_workers; q++)
			if (stacks[i]->workers[q] != NULL && stacks[i]->workers[q]->capture != NULL)
				caps[n++] = stacks[i]->workers[q]->capture;
	if (n == 0)
		return;
	int rc = sy_capture_write(r->opts.pcap_path, caps, n);

	if (rc < 0)
		fprintf(stderr, "synack: --pcap %s: %s\n", r->opts.pcap_path, strerror(-rc));
	else
		printf("captured %d frames to %s\n", rc, r->opts.pcap_path);
	for (unsigned int i = 0; i < n; i++) {
		sy_capture_free(caps[i]);
		rte_free(caps[i]);
	}
	for (int i = 0; i < (r->pair ? 2 : 1); i++)
		for (uint16_t q = 0; q < stacks[i]->n_workers; q++)
			if (stacks[i]->workers[q] != NULL) {
				stacks[i]->workers[q]->capture = NULL;
				stacks[i]->workers[q]->txq.observe = NULL;
			}
}

