/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A frame the stack under test sent, read with every SACK block (the harness's own parser
 * keeps only their number): the SACK, D-SACK and recovery tests assert on the blocks.
 */
#ifndef TCPDATA_RAW_ACK_H
#define TCPDATA_RAW_ACK_H

#include <stdint.h>

#include "tcp_harness.h"

struct raw_ack {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t len;                /* payload bytes */
	uint32_t nblk;
	uint32_t blk[4][2];          /* [start, end) of each SACK block, in option order */
};

/* Pops the next frame of TH's wire (asserting there is one) into @p r and frees it. */
void raw_ack_pop(struct raw_ack *r);

#endif /* TCPDATA_RAW_ACK_H */
