/* DNS while connected: systemd-resolved over D-Bus when it runs, else /etc/resolv.conf replaced and
 * later restored byte for byte. */
#ifndef WIREHOP_HELPER_DNS_H
#define WIREHOP_HELPER_DNS_H

#include <stdbool.h>

#include <gio/gio.h>

struct dns_config {
	GDBusConnection *system_bus; /* where org.freedesktop.resolve1 is looked for; NULL: never */
	const char *resolv_conf;     /* the file to replace; NULL: "/etc/resolv.conf" */
	const char *state_dir;       /* where the backup of resolv.conf lives until restored */
};

#define DNS_ERROR (dns_error_quark())
GQuark dns_error_quark(void);

enum dns_error_code {
	DNS_ERROR_INVALID,     /* no server, a server that is not an IP address literal, or ifindex 0 */
	DNS_ERROR_RESOLVED,    /* systemd-resolved refused a call or did not answer */
	DNS_ERROR_RESOLV_CONF, /* resolv.conf or its backup could not be read, written or restored */
};

/* Points the system at servers (IP address literals) for every domain through the tunnel link. */
bool dns_apply(const struct dns_config *config, unsigned ifindex, const char *const *servers,
	       GError **error);

/* Undoes dns_apply: resolved's RevertLink when ifindex is not 0 and resolved is used, and the
 * resolv.conf backup in state_dir written back if there is one (also after a crash). Idempotent. */
bool dns_revert(const struct dns_config *config, unsigned ifindex, GError **error);

/* "resolved" or "resolv.conf": which way dns_apply would take now. */
const char *dns_backend_name(const struct dns_config *config);

#endif
