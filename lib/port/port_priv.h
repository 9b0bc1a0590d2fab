/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/port, exposed for its unit tests: decisions made from what a device
 * reports, as pure functions of their inputs.
 */
#ifndef SY_PORT_PRIV_H
#define SY_PORT_PRIV_H

#include <stdint.h>

#include "sy_port.h"

/**
 * Fills the offload fields of @p p (rx/tx checksums, tso, tso_whole, lro, trusted_link,
 * tx_multi_seg, rx_offloads, tx_offloads) from what @p c wants and what the device
 * reports in @p rx_capa / @p tx_capa (RTE_ETH_RX/TX_OFFLOAD_* bits).
 */
void port_decide_offloads(struct sy_port *p, const struct sy_port_conf *c, uint64_t rx_capa,
			  uint64_t tx_capa);

#endif /* SY_PORT_PRIV_H */
