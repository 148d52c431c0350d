/* The kill switch: nftables table "inet wirehop", set through libnftables. */
#ifndef WIREHOP_HELPER_FIREWALL_H
#define WIREHOP_HELPER_FIREWALL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define FIREWALL_TABLE "wirehop"

/* What may pass while the kill switch blocks: loopback, the tunnel interface (by name, so the rule
 * holds before the interface exists), and UDP to and from the relay endpoint. */
struct firewall_policy {
	const char *tunnel_ifname;
	int endpoint_family; /* AF_INET or AF_INET6 */
	uint8_t endpoint_addr[16];
	uint16_t endpoint_port;
};

#define FIREWALL_ERROR (firewall_error_quark())
GQuark firewall_error_quark(void);

/* Creates or atomically replaces table inet wirehop so that only policy's traffic passes. */
bool firewall_block(const struct firewall_policy *policy, GError **error);

/* Deletes table inet wirehop if it exists. */
bool firewall_unblock(GError **error);

/* Whether table inet wirehop exists. */
bool firewall_is_blocking(void);

#endif
