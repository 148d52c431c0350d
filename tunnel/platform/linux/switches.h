/* Run-time switches for the Linux ports' optimisations, so that each can be ruled out when a kernel,
 * a firewall or a bug report calls for it. */
#ifndef WH_PLATFORM_LINUX_SWITCHES_H
#define WH_PLATFORM_LINUX_SWITCHES_H

#include <stdbool.h>

/* Whether the optimisation named by an environment variable (WIREHOP_UDP_GSO, WIREHOP_UDP_GRO,
 * WIREHOP_TUN_OFFLOAD, WIREHOP_BATCH) is on: it is unless that variable or WIREHOP_OFFLOADS is "0".
 * Ports read it when they open. */
bool wh_linux_switch_on(const char *variable);

#endif
