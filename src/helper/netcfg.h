/* The tunnel's addresses, MTU, routes and policy rules, set through rtnetlink (libmnl). */
#ifndef WIREHOP_HELPER_NETCFG_H
#define WIREHOP_HELPER_NETCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct netcfg_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t cidr;
};

/* What the helper asks for while connected. Default routes (0.0.0.0/0, ::/0) among routes go into
 * table with the wg-quick rules: "not fwmark FWMARK lookup TABLE" and "lookup main
 * suppress_prefixlength 0", at priority rule_priority and rule_priority - 1 (IPv4 and IPv6 each, only
 * for the families that have a default route); other routes go into the main table. The engine's
 * UDP socket carries fwmark, so the relay endpoint still goes out the physical link. */
struct netcfg_plan {
	unsigned ifindex;
	unsigned mtu;
	const struct netcfg_prefix *addresses;
	size_t n_addresses;
	const struct netcfg_prefix *routes;
	size_t n_routes;
	uint32_t table;
	uint32_t fwmark;
	uint32_t rule_priority;
};

#define NETCFG_ERROR (netcfg_error_quark())
GQuark netcfg_error_quark(void);

/* Brings the link up with its MTU, addresses, routes and rules. On failure it removes what it added
 * and sets error (code: errno) with a message naming the step. */
bool netcfg_apply(const struct netcfg_plan *plan, GError **error);

/* Removes the rules and table routes that apply adds (matched by table, fwmark and priority) and,
 * when ifindex is not 0 and the link still exists, its addresses and routes. Idempotent and needs
 * nothing but table, fwmark, rule_priority and ifindex, so it also cleans up after a crash. Returns
 * false only when something that exists could not be removed. */
bool netcfg_remove(const struct netcfg_plan *plan, GError **error);

/* The index of a link by name; 0 when there is none. */
unsigned netcfg_link_index(const char *ifname);

/* Whether the kernel has a route to addr outside the tunnel (RTM_GETROUTE with fwmark as the mark
 * the engine's socket uses): false means the machine is offline for that endpoint. */
bool netcfg_has_route(int family, const uint8_t addr[16], uint32_t fwmark);

#endif
