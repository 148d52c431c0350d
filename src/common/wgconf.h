/* wg-quick .conf files: a line-at-a-time parser into plain structs, with line-numbered errors and
 * warnings for keys Wirehop reads but does not use. Plain C so that the fuzzer can take it. */
#ifndef WIREHOP_COMMON_WGCONF_H
#define WIREHOP_COMMON_WGCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WGCONF_KEY_SIZE = 32,
	WGCONF_MAX_PEERS = 64,
	WGCONF_MAX_LIST = 256,   /* addresses, DNS entries, allowed IPs per peer */
	WGCONF_MAX_WARNINGS = 32,
	WGCONF_MESSAGE_SIZE = 320, /* room for a translation: Cyrillic takes two bytes a letter */
};

/* A CIDR prefix as written ("10.64.0.2/32", "fc00::2/128"); family is AF_INET or AF_INET6. */
struct wgconf_prefix {
	int family;
	uint8_t addr[16];
	uint8_t cidr;
};

struct wgconf_peer {
	uint8_t public_key[WGCONF_KEY_SIZE];
	bool has_preshared_key;
	uint8_t preshared_key[WGCONF_KEY_SIZE];
	char endpoint[256]; /* "host:port" or "[v6]:port" as written; "" when absent */
	struct wgconf_prefix *allowed_ips;
	size_t n_allowed_ips;
	uint16_t persistent_keepalive; /* 0: off */
};

struct wgconf {
	bool has_private_key;
	uint8_t private_key[WGCONF_KEY_SIZE]; /* wiped by wgconf_free */
	struct wgconf_prefix *addresses;
	size_t n_addresses;
	char **dns_servers;   /* IP literals from DNS = */
	size_t n_dns_servers;
	char **dns_search;    /* non-IP entries of DNS = (search domains) */
	size_t n_dns_search;
	uint32_t mtu;         /* 0: not given */
	struct wgconf_peer *peers;
	size_t n_peers;
};

struct wgconf_warning {
	unsigned line;
	char message[WGCONF_MESSAGE_SIZE]; /* e.g. "PostUp is ignored: Wirehop runs no scripts" */
};

/* Messages are NUL-terminated UTF-8: English (printable ASCII) unless the program bound the gettext
 * domain "wirehop", as the app does; what they quote of the file is printable ASCII either way. */
struct wgconf_diagnostics {
	unsigned error_line; /* 0: the error concerns the whole file */
	char error[WGCONF_MESSAGE_SIZE];
	struct wgconf_warning warnings[WGCONF_MAX_WARNINGS];
	size_t n_warnings;
};

/* Parses len bytes of text (need not be NUL-terminated; LF or CRLF, # comments, case-insensitive
 * keys and sections). Returns 0 and fills conf, or -1 with diag->error set (conf then holds nothing
 * to free). Requires [Interface] with PrivateKey and at least one [Peer] with PublicKey. */
int wgconf_parse(const char *text, size_t len, struct wgconf *conf, struct wgconf_diagnostics *diag);

/* Frees and wipes what wgconf_parse filled; safe on a zeroed struct. */
void wgconf_free(struct wgconf *conf);

#endif
