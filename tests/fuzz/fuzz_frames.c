/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary frames (and application calls) into a stack instance with
 * listeners and connections in ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1/2, SYN-RECEIVED,
 * SYN-SENT and TIME-WAIT, on a virtual clock so that every timer can fire. Input format
 * and the scripted states: fuzz_stack.h.
 *
 * By default the stack is rebuilt for every input, so an input found by the fuzzer
 * reproduces alone, and after each input the mempool must be whole (a leaked mbuf
 * abort()s). SY_FUZZ_REBUILD_EVERY=N keeps one stack for N inputs (faster, but a finding
 * may then depend on the inputs before it); it is rebuilt early when the connection
 * table is nearly full.
 */
#include <stdlib.h>

#include "fuzz_stack.h"

static struct fz_stack stack;
static unsigned long rebuild_every = 1;
static unsigned long runs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("SY_FUZZ_REBUILD_EVERY");

	if (e != NULL && strtoul(e, NULL, 10) > 0)
		rebuild_every = strtoul(e, NULL, 10);
	fz_init();
	fz_build(&stack);
	return 0;
}

static uint32_t
conns_in_use(const struct fz_stack *s)
{
	uint32_t n = 0;

	for (int st = SY_TCP_SYN_SENT; st < SY_TCP_TIME_WAIT; st++)
		n += sy_tcp_count(s->tcp, (enum sy_tcp_state)st);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (stack.tcp == NULL)
		fz_build(&stack);
	fz_run(&stack, data, size);
	if (++runs % rebuild_every == 0 || conns_in_use(&stack) + 8 >= stack.conf.max_conns) {
		fz_destroy(&stack);      /* abort()s on a leaked mbuf */
		fz_build(&stack);
	}
	return 0;
}
