/* Local session indices: random 32-bit receiver indices mapped to the handshake or keypair they name. */
#ifndef WH_CORE_INDEX_TABLE_H
#define WH_CORE_INDEX_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "wirehop/tunnel.h"

struct wh_peer;

enum wh_index_kind {
	WH_INDEX_HANDSHAKE,
	WH_INDEX_KEYPAIR,
};

struct wh_index_entry {
	struct wh_index_entry *next_in_bucket;
	uint32_t index;
	enum wh_index_kind kind;
	struct wh_peer *peer;
	void *object; /* struct wh_handshake * or struct wh_keypair * */
};

enum { WH_INDEX_BUCKETS = 1 << 13 };

struct wh_index_table {
	struct wh_index_entry *buckets[WH_INDEX_BUCKETS];
	unsigned count;
};

void wh_index_table_init(struct wh_index_table *table);
/* Frees every entry (the objects are not touched). */
void wh_index_table_free(struct wh_index_table *table);

/* Picks an unused random non-zero index for object and returns it, or 0 on allocation failure. */
uint32_t wh_index_table_insert(struct wh_index_table *table, enum wh_index_kind kind, struct wh_peer *peer,
			       void *object, const struct wh_rng *rng);
/* Points an existing index at another object (a handshake's index handed to its keypair). */
bool wh_index_table_replace(struct wh_index_table *table, uint32_t index, enum wh_index_kind kind, void *object);
/* Forgets an index (0 or unknown indices are ignored). */
void wh_index_table_remove(struct wh_index_table *table, uint32_t index);
/* The entry for index with that kind, or NULL. */
struct wh_index_entry *wh_index_table_lookup(const struct wh_index_table *table, uint32_t index,
					     enum wh_index_kind kind);

#endif
