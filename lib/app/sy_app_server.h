/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Simple server applications on the TCP event API, one instance per worker:
 * - echo: sends back every byte it receives, in order; closes after the peer closes and
 *   everything was sent back (RFC 862 semantics, half-close aware).
 * - discard: reads and frees everything (RFC 863), closes after the peer closes.
 * - source: sends N bytes (or without end) to every client, then closes; discards what
 *   arrives. Byte k of a connection's stream is (uint8_t)k, so a receiver can check it.
 * Data that cannot be queued at once (send buffer full) waits in a per-connection chain
 * and goes out on the writable callback: nothing is dropped.
 */
#ifndef SY_APP_SERVER_H
#define SY_APP_SERVER_H

#include <stdint.h>
#include <rte_byteorder.h>

#include "sy_tcp.h"

enum sy_app_kind {
	SY_APP_NONE = 0,
	SY_APP_ECHO,
	SY_APP_DISCARD,
	SY_APP_SOURCE,
};

/** Parses "none", "echo", "discard", "source"; -EINVAL otherwise. */
int sy_app_kind_parse(const char *name, enum sy_app_kind *kind);

#define SY_APP_SERVER_STATS(X) \
	X(accepted) \
	X(closed) \
	X(rx_bytes) \
	X(tx_bytes) \
	X(send_deferred)   /* data held until the send buffer had room */ \
	X(no_mbuf)         /* source: no mbuf for the next chunk (retried on writable) */

struct sy_app_server_stats {
#define SY_APP_SERVER_FIELD(name) uint64_t name;
	SY_APP_SERVER_STATS(SY_APP_SERVER_FIELD)
#undef SY_APP_SERVER_FIELD
};

extern const char *const sy_app_server_stats_names[];
extern const uint32_t sy_app_server_stats_count;

struct sy_app_server;

/**
 * Starts a server on one worker's TCP engine, listening on (any local address, @p port).
 * @param max_conns  the engine's max_conns (handles are below it)
 * @return the server, or NULL with rte_errno set
 */
struct sy_app_server *sy_app_server_start(struct sy_tcp *tcp, enum sy_app_kind kind,
					  rte_be16_t port, uint32_t max_conns, int socket);

/**
 * Makes a source server send @p bytes per connection (0: until the client goes away),
 * building segments from @p pool. Call right after sy_app_server_start().
 * @return 0, or -EINVAL (not a source server) / -ENOMEM.
 */
int sy_app_server_source(struct sy_app_server *a, struct rte_mempool *pool, uint64_t bytes,
			 int socket);

/**
 * Makes a discard server hash what each connection receives (SHA-256, libsodium) and print
 * one line per connection when it closes, on stdout:
 * "discard: conn N bytes B sha256 HEX" (N the connection handle, B the bytes received).
 * The line is printed at close, off the per-packet path. Call right after
 * sy_app_server_start().
 * @return 0, or -EINVAL (not a discard server) / -ENOMEM.
 */
int sy_app_server_hash(struct sy_app_server *a, int socket);

/** Frees the server and any data it still holds. Call after the TCP engine is freed (its
 * teardown may still call back into the server). */
void sy_app_server_free(struct sy_app_server *a);

const struct sy_app_server_stats *sy_app_server_stats(const struct sy_app_server *a);

#endif /* SY_APP_SERVER_H */
