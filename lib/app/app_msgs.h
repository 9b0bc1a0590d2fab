/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/app: how many message-state blocks an application pools.
 *
 * The HTTP server and the load generator keep per connection only what must survive
 * between messages (a few bytes); the state of a message in progress (parser, held input,
 * output waiting for send space) lives in a block of an index arena (lib/flow sy_arena),
 * taken when the message starts and returned as soon as the connection is between
 * messages with nothing held. An idle keep-alive connection holds none, so a table of
 * millions of mostly idle connections needs far fewer blocks than connections: the same
 * sizing rule as lib/tcp's data blocks (sy_tcp_conf.max_data_blocks).
 *
 * Handles store the block index plus one, so that 0 (a zeroed record) means "no block".
 */
#ifndef SY_APP_MSGS_H
#define SY_APP_MSGS_H

#include <stdint.h>
#include <rte_common.h>

#include "sy_flow.h"

/* all connections get a block up to this many; above it, a sixteenth but at least this */
#define APP_MSGS_ALL_UP_TO 262144u

/* a connection's "no message block" */
#define APP_MSG_NONE 0u

/** Blocks for @p max_conns connections: @p requested (at most max_conns), or with 0 the
 * default rule above. */
static inline uint32_t
app_msgs_count(uint32_t requested, uint32_t max_conns)
{
	if (requested != 0)
		return RTE_MIN(requested, max_conns);
	if (max_conns <= APP_MSGS_ALL_UP_TO)
		return max_conns;
	return RTE_MAX(APP_MSGS_ALL_UP_TO, max_conns / 16);
}

/** The block of handle @p msg (not APP_MSG_NONE). */
static inline void *
app_msg_ptr(const struct sy_arena_view *v, uint32_t msg)
{
	return sy_arena_ptr(v, msg - 1);
}

/** 0 and *msg set to a zeroed block's handle; -ENOMEM when every block is in use. */
static inline int
app_msg_take(struct sy_arena *a, uint32_t *msg)
{
	uint32_t idx;
	int rc = sy_arena_alloc(a, &idx);

	if (rc == 0)
		*msg = idx + 1;
	return rc;
}

static inline void
app_msg_put(struct sy_arena *a, uint32_t msg)
{
	sy_arena_put(a, msg - 1);
}

#endif /* SY_APP_MSGS_H */
