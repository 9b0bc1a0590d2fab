/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the drivers-config profile loader, sy_port_conf_load() (lib/port,
 * rte_cfgfile underneath; neither needs EAL), on a temporary file holding the input.
 * A profile that loads is also passed to sy_port_conf_peer() and
 * sy_port_conf_lcore_list(). Invariants (abort() on violation): an error leaves a
 * NUL-terminated message that names the file; a loaded profile names the file too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_log.h>

#include "sy_port.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static int fd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(path, sizeof(path), "/tmp/sy_fuzz_conf_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		abort();
	}
	/* rte_cfgfile logs every syntax error; thousands of lines a second help nobody */
	rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

static __attribute__((destructor)) void
cleanup(void)
{
	if (fd >= 0)
		unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sy_port_conf conf, peer;
	char err[SY_PORT_ERR_LEN];
	char lcores[64];

	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	memset(err, 0x5a, sizeof(err));
	int rc = sy_port_conf_load(path, &conf, err, sizeof(err));

	if (rc != 0) {
		if (rc != -EINVAL && rc != -ENOENT)
			abort();
		if (memchr(err, 0, sizeof(err)) == NULL || strstr(err, path) == NULL)
			abort();
		return 0;
	}
	if (strcmp(conf.file, path) != 0)
		abort();
	if (sy_port_conf_peer(&conf, &peer) == 0 && peer.has_peer != conf.has_peer)
		abort();
	if (sy_port_conf_lcore_list(&conf, lcores, sizeof(lcores)) == 0 &&
	    memchr(lcores, 0, sizeof(lcores)) == NULL)
		abort();
	return 0;
}
