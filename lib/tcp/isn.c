/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Initial sequence numbers, RFC 6528 section 3:
 *     ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * M is a 4-microsecond timer (RFC 9293 3.4.1), read from the lcore's sy_clock so that
 * tests with a virtual clock get reproducible ISNs. F is SipHash-2-4 (libsodium
 * crypto_shorthash) of the 4-tuple keyed with a 128-bit secret drawn at engine creation
 * (or given in sy_tcp_conf.isn_secret). Different tuples get unrelated sequence spaces;
 * one tuple's ISNs advance with the clock, which is what lets a new connection reuse a
 * TIME-WAIT tuple (RFC 6191) and what makes connect() reuse safe (docs/tcp.md).
 */
#include <string.h>
#include <sodium.h>

#include "tcb.h"

uint32_t
tcp_isn(const struct sy_tcp *tcp, const struct sy_flow_key *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint32_t f;

	RTE_BUILD_BUG_ON(sizeof(*key) != 12);
	RTE_BUILD_BUG_ON(crypto_shorthash_KEYBYTES != sizeof(tcp->isn_secret));
	crypto_shorthash(h, (const unsigned char *)key, sizeof(*key), tcp->isn_secret);
	memcpy(&f, h, sizeof(f));
	return (uint32_t)(sy_clock_us(tcp->clock) / 4) + f;
}
