/* Local session indices: random, so they reveal nothing, and looked up per received packet. */
#include "core/index_table.h"

#include <stdlib.h>
#include <string.h>

static unsigned bucket_of(uint32_t index)
{
	/* Indices are uniformly random: their low bits are a fine hash. */
	return index & (WH_INDEX_BUCKETS - 1);
}

void wh_index_table_init(struct wh_index_table *table)
{
	memset(table, 0, sizeof(*table));
}

void wh_index_table_free(struct wh_index_table *table)
{
	for (unsigned i = 0; i < WH_INDEX_BUCKETS; i++) {
		struct wh_index_entry *entry = table->buckets[i];

		while (entry) {
			struct wh_index_entry *next = entry->next_in_bucket;

			free(entry);
			entry = next;
		}
		table->buckets[i] = NULL;
	}
	table->count = 0;
}

static struct wh_index_entry *find(const struct wh_index_table *table, uint32_t index)
{
	struct wh_index_entry *entry;

	for (entry = table->buckets[bucket_of(index)]; entry; entry = entry->next_in_bucket)
		if (entry->index == index)
			return entry;
	return NULL;
}

uint32_t wh_index_table_insert(struct wh_index_table *table, enum wh_index_kind kind, struct wh_peer *peer,
			       void *object, const struct wh_rng *rng)
{
	struct wh_index_entry *entry = calloc(1, sizeof(*entry));
	uint32_t index;

	if (!entry)
		return 0;
	if (!rng)
		rng = wh_rng_system();
	do
		rng->fill(rng->ctx, &index, sizeof(index));
	while (index == 0 || find(table, index));

	entry->index = index;
	entry->kind = kind;
	entry->peer = peer;
	entry->object = object;
	entry->next_in_bucket = table->buckets[bucket_of(index)];
	table->buckets[bucket_of(index)] = entry;
	table->count++;
	return index;
}

bool wh_index_table_replace(struct wh_index_table *table, uint32_t index, enum wh_index_kind kind, void *object)
{
	struct wh_index_entry *entry = find(table, index);

	if (!entry)
		return false;
	entry->kind = kind;
	entry->object = object;
	return true;
}

void wh_index_table_remove(struct wh_index_table *table, uint32_t index)
{
	struct wh_index_entry **link = &table->buckets[bucket_of(index)];

	if (index == 0)
		return;
	for (; *link; link = &(*link)->next_in_bucket) {
		struct wh_index_entry *entry = *link;

		if (entry->index == index) {
			*link = entry->next_in_bucket;
			free(entry);
			table->count--;
			return;
		}
	}
}

struct wh_index_entry *wh_index_table_lookup(const struct wh_index_table *table, uint32_t index,
					     enum wh_index_kind kind)
{
	struct wh_index_entry *entry = find(table, index);

	return entry && entry->kind == kind ? entry : NULL;
}
