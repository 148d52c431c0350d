/* Allowed-IPs: a longest-prefix-match trie per address family mapping prefixes to peers. */
#ifndef WH_CORE_ALLOWEDIPS_H
#define WH_CORE_ALLOWEDIPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wh_peer;
struct wh_allowedips_node;

struct wh_allowedips {
	struct wh_allowedips_node *root4;
	struct wh_allowedips_node *root6;
};

/* family is AF_INET (ip: 4 bytes, cidr 0..32) or AF_INET6 (ip: 16 bytes, cidr 0..128). */

void wh_allowedips_init(struct wh_allowedips *table);
/* Frees every node. */
void wh_allowedips_free(struct wh_allowedips *table);

/* Maps ip/cidr (host bits are masked off) to peer, replacing the previous owner of exactly that prefix.
 * Returns 0, -EINVAL for a bad family, cidr or NULL peer, -ENOMEM. */
int wh_allowedips_insert(struct wh_allowedips *table, int family, const uint8_t *ip, uint8_t cidr,
			 struct wh_peer *peer);

/* Removes exactly ip/cidr if peer owns it. Returns 0, -ENOENT when peer does not own it, -EINVAL. */
int wh_allowedips_remove(struct wh_allowedips *table, int family, const uint8_t *ip, uint8_t cidr,
			 struct wh_peer *peer);

/* Removes every prefix that peer owns. */
void wh_allowedips_remove_by_peer(struct wh_allowedips *table, struct wh_peer *peer);

/* The peer owning the longest prefix containing ip, or NULL. */
struct wh_peer *wh_allowedips_lookup(const struct wh_allowedips *table, int family, const uint8_t *ip);

/* Calls fn for every prefix owned by peer (every prefix when peer is NULL), with masked ip, in
 * ascending order of family then address then cidr. Stops early and returns fn's value when it is
 * non-zero; 0 otherwise. fn must not change the table. */
typedef int (*wh_allowedips_walk_fn)(void *ctx, int family, const uint8_t *ip, uint8_t cidr,
				     struct wh_peer *peer);
int wh_allowedips_walk(const struct wh_allowedips *table, struct wh_peer *peer, wh_allowedips_walk_fn fn,
		       void *ctx);

/* Nodes in use, prefixes and the branch nodes joining them (at most 2n - 1 per family for n
 * prefixes); lets tests check that churn does not leave dead structure behind. */
size_t wh_allowedips_node_count(const struct wh_allowedips *table);

#endif
