/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * One network port, from a drivers-config profile to started queues.
 *
 * Two steps, kept apart so that a bad profile is reported before EAL touches a device:
 *  1. sy_port_conf_load() reads an INI profile (rte_cfgfile) into struct sy_port_conf and
 *     validates every value. Errors name the file, the section and the key
 *     ("drivers-config/net_tap.ini: [port] rx_desc = 70000: out of range (64..32768)"); the
 *     program turns them into exit code 2.
 *  2. sy_port_start() probes the device, decides the queue count (RSS over one queue per
 *     worker when the device can hash what the profile asks, else one queue), turns on the
 *     offloads that the profile wants AND the device reports, creates the mbuf pools and
 *     starts the port. struct sy_port reports every decision so the layers above know, for
 *     example, whether they must compute checksums in software.
 *
 * The in-memory pair (driver = net_ring_pair) is two ethdev ports built with
 * rte_eth_from_rings and wired back to back: port A's tx ring q is port B's rx ring q and
 * vice versa. There is no RSS on rings, and none is needed: a stack that transmits on queue
 * q reaches the peer's queue q, and the peer answers on q, so each queue pair is a private
 * wire between worker q of one stack and worker q of the other.
 *
 * Layering: lib/port is the bottom library. The IP and ARP values of a profile live in
 * struct sy_port_ip_conf (addresses in network order); lib/stack copies them into the net
 * layer's struct sy_net_conf.
 */
#ifndef SY_PORT_H
#define SY_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#define SY_PORT_PATH_LEN 256        /**< profile path kept for messages */
#define SY_PORT_DEVICE_LEN 256      /**< device string: vdev args or PCI address (+ args) */
#define SY_PORT_RSS_KEY_MAX 52      /**< Toeplitz key bytes: 40 (mlx5, most) or 52 (i40e, ice) */
#define SY_PORT_MAX_QUEUES 64       /**< rx/tx queues per port */
#define SY_PORT_MAX_WORKERS 64      /**< worker lcores in [lcores] workers */
#define SY_PORT_ERR_LEN 512         /**< a buffer this size holds any error message */

/** What kind of device a profile drives. */
enum sy_port_driver {
	SY_PORT_DRV_NULL,           /**< net_null: discards tx, rx yields empty frames */
	SY_PORT_DRV_TAP,            /**< net_tap: a kernel TAP interface */
	SY_PORT_DRV_MEMIF,          /**< net_memif: shared-memory packet interface */
	SY_PORT_DRV_RING_PAIR,      /**< two stacks in one process, see sy_port_pair_create() */
	SY_PORT_DRV_PCI,            /**< a physical NIC by PCI address (mlx5, ice, i40e, ...) */
};

/** [ip] (and [peer]) of a profile. Addresses in network byte order. */
struct sy_port_ip_conf {
	rte_be32_t addr_first;      /**< first local address */
	uint32_t addr_count;        /**< contiguous local addresses from addr_first (>= 1) */
	uint8_t prefix_len;         /**< on-link prefix length */
	rte_be32_t gateway;         /**< 0: none (off-link destinations unreachable) */
	uint32_t arp_timeout_s;
	uint32_t arp_retry_ms;
	uint32_t arp_retries;
	uint32_t arp_pending_max;
	uint32_t arp_table_size;
};

/** A profile, validated. Fill with sy_port_conf_defaults() or sy_port_conf_load(). */
struct sy_port_conf {
	char file[SY_PORT_PATH_LEN];         /**< where it came from, for messages */
	/* [port] */
	enum sy_port_driver driver;
	char device[SY_PORT_DEVICE_LEN];     /**< devargs for rte_dev_probe, or pair name */
	uint16_t rx_desc;
	uint16_t tx_desc;
	uint16_t mtu;                        /**< IP MTU in bytes */
	bool mac_set;                        /**< false: keep the port's own address */
	struct rte_ether_addr mac;
	uint16_t rx_queues;                  /**< 0 = auto (one per worker when RSS works) */
	uint8_t rss_key_len;                 /**< 0 = symmetric default sized for the device */
	uint8_t rss_key[SY_PORT_RSS_KEY_MAX];
	uint64_t rss_hf;                     /**< RTE_ETH_RSS_* wanted */
	bool want_rx_cksum;                  /**< offloads wanted; see struct sy_port for active */
	bool want_tx_ip_cksum;
	bool want_tx_tcp_cksum;
	bool want_tso;
	bool want_lro;
	/**
	 * Want tx of frames of several mbufs (zero-copy transmit, --tx-zerocopy). Off by
	 * default: on some NICs (i40e, ixgbe, ...) RTE_ETH_TX_OFFLOAD_MULTI_SEGS rules out the
	 * fastest vector tx path, which single-mbuf frames can use.
	 */
	bool want_multi_seg;
	/**
	 * net_ring_pair only: frames move between two stacks of this process by pointer and
	 * cannot be corrupted on the way, so neither side computes or verifies checksums, as
	 * Linux does on loopback and veth (CHECKSUM_UNNECESSARY). Captures then show zeros.
	 */
	bool want_trusted_link;
	bool promiscuous;
	uint32_t link_wait_ms;               /**< bounded wait for link up at start, 0 = none */
	/* [mempool] */
	uint32_t mbufs;                      /**< per NUMA socket pool */
	uint32_t mbuf_cache;                 /**< per-lcore cache of each pool */
	uint16_t data_room;                  /**< bytes per mbuf incl. RTE_PKTMBUF_HEADROOM */
	/* [ip] */
	struct sy_port_ip_conf ip;
	/* [lcores] */
	unsigned int main_lcore;
	uint16_t worker_count;
	uint16_t worker_lcores[SY_PORT_MAX_WORKERS]; /**< resolved list, ascending */
	/* [peer]: only with SY_PORT_DRV_RING_PAIR */
	bool has_peer;
	struct sy_port_ip_conf peer_ip;      /**< prefix, gateway and ARP knobs copied from [ip] */
	bool peer_mac_set;
	struct rte_ether_addr peer_mac;
};

/** Fills @p conf with the documented defaults (docs/configuration.md); no device, no address. */
void sy_port_conf_defaults(struct sy_port_conf *conf);

/**
 * Loads and validates a profile.
 * @param path   INI file
 * @param conf   filled on success (undefined on failure)
 * @param err    receives a one-line message naming file, section and key on failure
 * @param errlen size of @p err (SY_PORT_ERR_LEN is enough)
 * @return 0; -ENOENT (cannot open), -EINVAL (syntax, unknown section or key, missing
 *   required key, malformed or out-of-range value).
 */
int sy_port_conf_load(const char *path, struct sy_port_conf *conf, char *err, size_t errlen);

/**
 * The configuration of the other end of a net_ring_pair profile: @p conf with [ip] and
 * [port] mac replaced by the [peer] values (and the peer's mac set to ours). Used by the
 * stack that runs on port B.
 * @return 0, or -EINVAL when @p conf has no [peer].
 */
int sy_port_conf_peer(const struct sy_port_conf *conf, struct sy_port_conf *peer);

/**
 * Writes the EAL core list ("-l" argument) the profile needs: main lcore then workers,
 * e.g. "0,1-2" is written as "0,1,2".
 * @return 0, or -ENOSPC when @p len is too small.
 */
int sy_port_conf_lcore_list(const struct sy_port_conf *conf, char *buf, size_t len);

/** A started port and the decisions bring-up made. */
struct sy_port {
	uint16_t port_id;
	int socket;                          /**< NUMA socket of the device, SOCKET_ID_ANY if unknown */
	uint16_t nb_rxq;
	uint16_t nb_txq;
	bool rss;                            /**< hashing over nb_rxq queues */
	uint64_t rss_hf;                     /**< hash types in force (asked & supported) */
	const char *queue_reason;            /**< why nb_rxq is what it is (static string) */
	uint16_t rx_desc;                    /**< after rte_eth_dev_adjust_nb_rx_tx_desc */
	uint16_t tx_desc;
	uint16_t mtu;
	bool rx_ip_cksum;                    /**< offloads in force: the device checks ... */
	bool rx_l4_cksum;
	bool tx_ip_cksum;                    /**< ... and the device computes */
	bool tx_tcp_cksum;
	bool tso;                            /**< the device cuts TCP segments (and chains) */
	bool tso_whole;                      /**< the ring pair carries large segments whole */
	bool lro;
	bool trusted_link;                   /**< checksums skipped both ways (ring pair) */
	/**
	 * tx takes frames of several mbufs (RTE_ETH_TX_OFFLOAD_MULTI_SEGS wanted, by
	 * offload_multi_seg or TSO, and reported, and then requested; or the ring pair, whose
	 * rings pass chains untouched): what TSO and TCP zero-copy transmit need.
	 */
	bool tx_multi_seg;
	uint64_t rx_offloads;                /**< RTE_ETH_RX_OFFLOAD_* in force */
	uint64_t tx_offloads;                /**< RTE_ETH_TX_OFFLOAD_* in force */
	bool promiscuous;
	bool link_up;
	uint32_t link_speed_mbps;
	struct rte_ether_addr mac;           /**< the port's address in force */
	bool probed;                         /**< we probed the device; stop removes it */
	bool started;                        /**< between start and stop */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES]; /**< by socket; [0] also for ANY */
	unsigned int pools_in_use;           /**< mbufs out at the last sy_port_stop() */
	/**
	 * The pools are also the other port's of an in-memory pair: the last of the two to
	 * stop frees them. Sharing is what keeps mbufs on one core: a frame is freed by the
	 * lcore that received it, into that lcore's cache, and that lcore's next allocation
	 * takes it back while it is still in its own cache (docs/benchmarks.md).
	 */
	bool pools_shared;
	struct sy_port_pair *pair;           /**< set on ports of an in-memory pair */
};

/**
 * Brings a port up from a profile (not for net_ring_pair: see sy_port_start_pair()).
 * Probes the device unless EAL already has it, configures queues, RSS, offloads, MTU,
 * descriptors and pools, starts the port and logs one line with the queue decision.
 * @param port      filled on success
 * @param conf      a validated profile
 * @param n_workers worker lcores that will poll the port (>= 1)
 * @param err       one-line reason on failure
 * @return 0 or a negative errno (-ENODEV: no such device; -EINVAL: the device cannot do
 *   what the profile requires, e.g. the MTU; -ENOMEM: pools; others from ethdev).
 */
int sy_port_start(struct sy_port *port, const struct sy_port_conf *conf, unsigned int n_workers,
		  char *err, size_t errlen);

/**
 * Like sy_port_start() for an ethdev that already exists (e.g. made by
 * sy_port_pair_create()); @p conf's driver and device are not used to find it.
 */
int sy_port_start_id(struct sy_port *port, uint16_t port_id, const struct sy_port_conf *conf,
		     unsigned int n_workers, char *err, size_t errlen);

/**
 * Stops and closes the port (removing the device when bring-up probed it), then frees the
 * pools whose mbufs are all back.
 * @return 0; -EBUSY when mbufs are still out: port->pools_in_use says how many, and the
 *   pools stay allocated (call again once they are returned).
 */
int sy_port_stop(struct sy_port *port);

/** The pool for frames built on @p socket (the port's pool when none was made there). */
struct rte_mempool *sy_port_pool(const struct sy_port *port, int socket);

/** Two ethdev ports wired back to back through rte_rings, one ring per queue and direction. */
struct sy_port_pair {
	uint16_t port_a;
	uint16_t port_b;
	uint16_t nb_queues;
	char name[16];                                 /**< "<name>" of net_ring_<name>_a/b */
	unsigned int users;                            /**< started ports not yet stopped */
	struct rte_ring *a_to_b[SY_PORT_MAX_QUEUES];   /**< A's tx q = B's rx q */
	struct rte_ring *b_to_a[SY_PORT_MAX_QUEUES];   /**< B's tx q = A's rx q */
};

/**
 * Creates the two ports of an in-memory pair, named "<name>_a" and "<name>_b" (the name
 * must be unique in the process).
 * @param ring_size slots per ring (power of two; the ring holds ring_size - 1 frames)
 * @return the pair (free with sy_port_pair_free()), or NULL with rte_errno set.
 */
struct sy_port_pair *sy_port_pair_create(const char *name, uint16_t nb_queues,
					 unsigned int ring_size, int socket);

/** Frees every frame waiting in the pair's rings (no lcore may be polling them). */
void sy_port_pair_drain(struct sy_port_pair *pair);

/**
 * Frees a pair: frees every frame still in its rings, closes ports that are still open
 * and frees the rings. Stop the ports (sy_port_stop()) first to get their pool counts right.
 */
void sy_port_pair_free(struct sy_port_pair *pair);

/**
 * Creates an in-memory pair for a net_ring_pair profile and starts both ports: @p a with
 * the profile's [port] mac and [ip], @p b with [peer]. One queue per worker on each side.
 * sy_port_stop() on both ports, in any order, frees the pair with the second stop.
 */
int sy_port_start_pair(struct sy_port *a, struct sy_port *b, const struct sy_port_conf *conf,
		       unsigned int n_workers, char *err, size_t errlen);

#endif /* SY_PORT_H */
