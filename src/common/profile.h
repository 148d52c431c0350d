/* The Connect profile (docs/dbus-api.md): validation of the a{sv} a client sends, into plain structs
 * whose secrets live in locked memory. */
#ifndef WIREHOP_COMMON_PROFILE_H
#define WIREHOP_COMMON_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum {
	PROFILE_KEY_SIZE = 32,
	PROFILE_MAX_HOPS = 2,
	PROFILE_MAX_LIST = 256,
	PROFILE_DEFAULT_MTU = 1420,
	PROFILE_DEFAULT_MTU_MULTIHOP = 1340,
	PROFILE_MIN_MTU = 1280,
	PROFILE_MAX_MTU = 1920,
};

struct profile_prefix {
	int family;
	uint8_t addr[16];
	uint8_t cidr;
};

struct profile_secrets {
	uint8_t private_key[PROFILE_KEY_SIZE];
	uint8_t preshared_keys[PROFILE_MAX_HOPS][PROFILE_KEY_SIZE];
};

struct profile_hop {
	uint8_t public_key[PROFILE_KEY_SIZE];
	bool has_preshared_key; /* the key itself is in secrets->preshared_keys[hop index] */
	char *endpoint_host;    /* an IP literal or a host name, without brackets */
	uint16_t endpoint_port;
	struct profile_prefix *allowed_ips;
	size_t n_allowed_ips;
	uint16_t persistent_keepalive;
};

struct profile {
	char *name;
	struct profile_secrets *secrets; /* sodium_malloc: locked, guarded, wiped when freed */
	struct profile_prefix *addresses;
	size_t n_addresses;
	char **dns; /* NULL-terminated IP literals */
	uint32_t mtu;
	bool kill_switch;
	bool daita;
	struct profile_hop *hops; /* entry first, exit last */
	size_t n_hops;
};

#define PROFILE_ERROR (profile_error_quark())
GQuark profile_error_quark(void);

/* Validates every field of an a{sv} profile. On error returns NULL with a message that starts with
 * the field ("hops[0].endpoint: ...") and says what is wrong. Unknown keys are errors too. */
struct profile *profile_from_variant(GVariant *dict, GError **error);

void profile_free(struct profile *profile);

/* Overwrites, inside the variant's own buffer, the text of the private key and of every preshared
 * key of an a{sv} profile: whoever held the profile (the client that built it, the helper that
 * received it) wipes it once it has been sent or read. Anything else is left alone. */
void profile_wipe_secret_text(GVariant *dict);

#endif
