/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness of lib/app (app_pair.c): the client stack "cli" and the server stack "srv"
 * joined by fake wires, the applications under test, and a raw client.
 */
#ifndef APP_PAIR_H
#define APP_PAIR_H

#include <stdbool.h>
#include <stdint.h>
#include <criterion/criterion.h>
#include <rte_ether.h>

#include "http_parse.h"
#include "sy_app_server.h"
#include "sy_http_server.h"
#include "sy_loadgen.h"
#include "sy_net.h"
#include "sy_tcp.h"
#include "sy_test.h"

#define CLI_IP 0x0a000001u
#define SRV_IP 0x0a000002u
#define PORT 80
#define MAX_CONNS 256

struct side {
	struct rte_mempool *pool;
	struct sy_clock clock;
	struct sy_test_wire wire;
	struct sy_txq txq;
	struct sy_net *net;
	struct sy_tcp *tcp;
};

extern struct side cli, srv;
extern struct sy_http_server *hs;    /* started by a test, freed by the teardown */
extern struct sy_app_server *es;
extern struct sy_loadgen *lg;
extern uint64_t done_at;             /* when run_until_done() saw the generator done */
extern unsigned int syns_seen, syns_odd_sport;   /* client SYNs on the wire */
extern uint64_t now_us;

/* Criterion .init / .fini: both stacks up; down with every mempool and message pool
 * checked whole. */
void app_pair_setup(void);
void app_pair_teardown(void);

/* One loop iteration of both workers, then time moves by @p step_us; frames moved. */
unsigned int step(uint64_t step_us);
/* Steps until the generator is done (asserts it is), then lets the last segments settle. */
void run_until_done(uint64_t max_us);

void server_start(uint64_t body, uint16_t status);
void server_start_conf(const struct sy_http_server_conf *sc);
void client_conf(struct sy_loadgen_conf *c);
void client_start(const struct sy_loadgen_conf *c);
void assert_no_errors(void);

/* Connections of @p tcp neither closed nor in TIME-WAIT (nor listening). */
uint32_t app_pair_open(const struct sy_tcp *tcp);

struct raw_client {
	uint8_t buf[1 << 16];
	uint32_t len;
	bool connected, peer_closed, closed;
	bool discard;                 /* count the bytes received, keep none */
	enum sy_tcp_close_reason why;
};

sy_conn_t raw_connect(struct raw_client *r);
void raw_send(sy_conn_t c, const char *text);
/* Parses the responses in @p r; HEAD positions say which ones have no body. */
unsigned int parse_responses(const struct raw_client *r, const bool *head, uint16_t *status,
			     uint64_t *body, unsigned int max);

#endif /* APP_PAIR_H */
