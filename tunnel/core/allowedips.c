/* Allowed-IPs: a path-compressed binary trie per address family, answering which peer owns an address. */
#include "core/allowedips.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum {
	KEY_BITS = 128,
	KEY_WORD_BITS = 64,
	KEY_WORDS = KEY_BITS / KEY_WORD_BITS,
};

/* Addresses are held as big-endian-ordered 64-bit words so that prefix tests are a few XORs and a
 * count of leading zeros; IPv4 uses the top 32 bits of the first word and leaves the rest zero. */
struct key {
	uint64_t word[KEY_WORDS];
};

/* A node either owns a prefix (peer set) or joins two subtrees that diverge right after its prefix;
 * a node doing neither is removed, which bounds the trie at 2n - 1 nodes for n prefixes. Children
 * always have a longer cidr than their parent, so no path is longer than 129 nodes. */
struct wh_allowedips_node {
	struct wh_allowedips_node *child[2];
	struct wh_allowedips_node *parent;
	struct wh_peer *peer;
	struct key key;
	uint8_t cidr;
};

static unsigned int family_bits(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

static struct wh_allowedips_node **family_root(struct wh_allowedips *table, int family)
{
	return family == AF_INET ? &table->root4 : &table->root6;
}

static void key_load(struct key *key, const uint8_t *ip, unsigned int bits)
{
	uint8_t bytes[KEY_BITS / 8] = {0};

	memcpy(bytes, ip, bits / 8);
	for (unsigned int i = 0; i < KEY_WORDS; i++) {
		key->word[i] = 0;
		for (unsigned int j = 0; j < 8; j++)
			key->word[i] = key->word[i] << 8 | bytes[i * 8 + j];
	}
}

static void key_store(uint8_t *ip, const struct key *key, unsigned int bits)
{
	uint8_t bytes[KEY_BITS / 8];

	for (unsigned int i = 0; i < KEY_WORDS; i++)
		for (unsigned int j = 0; j < 8; j++)
			bytes[i * 8 + j] = (uint8_t)(key->word[i] >> (56 - 8 * j));
	memcpy(ip, bytes, bits / 8);
}

static uint64_t prefix_mask(unsigned int cidr, unsigned int word)
{
	unsigned int start = word * KEY_WORD_BITS;

	if (cidr <= start)
		return 0;
	if (cidr >= start + KEY_WORD_BITS)
		return UINT64_MAX;
	return UINT64_MAX << (KEY_WORD_BITS - (cidr - start));
}

static void key_mask(struct key *key, unsigned int cidr)
{
	for (unsigned int i = 0; i < KEY_WORDS; i++)
		key->word[i] &= prefix_mask(cidr, i);
}

/* Bit i counted from the most significant end; past the end reads as 0, which lets lookup step
 * from a full-length node into its (always empty) child slot without a special case. */
static unsigned int key_bit(const struct key *key, unsigned int i)
{
	if (i >= KEY_BITS)
		return 0;
	return (unsigned int)(key->word[i / KEY_WORD_BITS] >> (KEY_WORD_BITS - 1 - i % KEY_WORD_BITS)) & 1;
}

static unsigned int common_bits(const struct key *a, const struct key *b)
{
	for (unsigned int i = 0; i < KEY_WORDS; i++) {
		uint64_t diff = a->word[i] ^ b->word[i];

		if (diff)
			return i * KEY_WORD_BITS + (unsigned int)__builtin_clzll(diff);
	}
	return KEY_BITS;
}

static bool key_has_prefix(const struct key *key, const struct wh_allowedips_node *node)
{
	return common_bits(key, &node->key) >= node->cidr;
}

static struct wh_allowedips_node *node_new(const struct key *key, unsigned int cidr, struct wh_peer *peer)
{
	struct wh_allowedips_node *node = calloc(1, sizeof(*node));

	if (!node)
		return NULL;
	node->key = *key;
	key_mask(&node->key, cidr);
	node->cidr = (uint8_t)cidr;
	node->peer = peer;
	return node;
}

static void set_slot(struct wh_allowedips_node **slot, struct wh_allowedips_node *parent,
		     struct wh_allowedips_node *child)
{
	*slot = child;
	if (child)
		child->parent = parent;
}

static void attach_child(struct wh_allowedips_node *parent, struct wh_allowedips_node *child)
{
	set_slot(&parent->child[key_bit(&child->key, parent->cidr)], parent, child);
}

static struct wh_allowedips_node **parent_slot(struct wh_allowedips_node **root, struct wh_allowedips_node *node)
{
	struct wh_allowedips_node *parent = node->parent;

	if (!parent)
		return root;
	return &parent->child[parent->child[1] == node];
}

static bool node_is_needed(const struct wh_allowedips_node *node)
{
	return node->peer || (node->child[0] && node->child[1]);
}

/* Replaces a node that has at most one child by that child. */
static void node_unlink(struct wh_allowedips_node **root, struct wh_allowedips_node *node)
{
	struct wh_allowedips_node *child = node->child[0] ? node->child[0] : node->child[1];

	set_slot(parent_slot(root, node), node->parent, child);
	free(node);
}

/* The deepest node reached by always taking the first existing child: where post-order starts. */
static struct wh_allowedips_node *postorder_first(struct wh_allowedips_node *node)
{
	while (node->child[0] || node->child[1])
		node = node->child[0] ? node->child[0] : node->child[1];
	return node;
}

/* Needs only node's links, so callers fetch it before they free node. */
static struct wh_allowedips_node *postorder_next(struct wh_allowedips_node *node)
{
	struct wh_allowedips_node *parent = node->parent;

	if (parent && parent->child[0] == node && parent->child[1])
		return postorder_first(parent->child[1]);
	return parent;
}

/* Pre-order is the walk's promised order: a prefix sorts before everything under it, and the
 * 0-side subtree before the 1-side. */
static const struct wh_allowedips_node *preorder_next(const struct wh_allowedips_node *node)
{
	if (node->child[0])
		return node->child[0];
	if (node->child[1])
		return node->child[1];
	for (; node->parent; node = node->parent) {
		if (node->parent->child[0] == node && node->parent->child[1])
			return node->parent->child[1];
	}
	return NULL;
}

static void free_trie(struct wh_allowedips_node *root)
{
	struct wh_allowedips_node *node = root ? postorder_first(root) : NULL;

	while (node) {
		struct wh_allowedips_node *next = postorder_next(node);

		free(node);
		node = next;
	}
}

void wh_allowedips_init(struct wh_allowedips *table)
{
	table->root4 = NULL;
	table->root6 = NULL;
}

void wh_allowedips_free(struct wh_allowedips *table)
{
	free_trie(table->root4);
	free_trie(table->root6);
	wh_allowedips_init(table);
}

/* The slot on key's path holding the first node that is not a proper prefix of key/cidr. */
static struct wh_allowedips_node **find_slot(struct wh_allowedips_node **root, const struct key *key,
					     unsigned int cidr, struct wh_allowedips_node **parent)
{
	struct wh_allowedips_node **slot = root, *node;

	*parent = NULL;
	while ((node = *slot) && node->cidr < cidr && key_has_prefix(key, node)) {
		*parent = node;
		slot = &node->child[key_bit(key, node->cidr)];
	}
	return slot;
}

/* Hangs a new node and the existing subtree below a branch node at the bit where they diverge.
 * Both allocations happen before any link changes so that -ENOMEM leaves the trie as it was. */
static int insert_branch(struct wh_allowedips_node **slot, struct wh_allowedips_node *parent,
			 const struct key *key, unsigned int cidr, unsigned int common, struct wh_peer *peer)
{
	struct wh_allowedips_node *existing = *slot;
	struct wh_allowedips_node *node = node_new(key, cidr, peer);
	struct wh_allowedips_node *branch = node_new(key, common, NULL);

	if (!node || !branch) {
		free(node);
		free(branch);
		return -ENOMEM;
	}
	set_slot(slot, parent, branch);
	attach_child(branch, node);
	attach_child(branch, existing);
	return 0;
}

static int insert_at(struct wh_allowedips_node **slot, struct wh_allowedips_node *parent, const struct key *key,
		     unsigned int cidr, struct wh_peer *peer)
{
	struct wh_allowedips_node *existing = *slot, *node;
	unsigned int common;

	if (existing) {
		/* find_slot stopped here, so existing is no proper prefix of key: common never reaches
		 * existing->cidr unless existing->cidr >= cidr, and capping at cidr is enough. */
		common = common_bits(key, &existing->key);
		if (common > cidr)
			common = cidr;
		if (common == cidr && existing->cidr == cidr) {
			existing->peer = peer;
			return 0;
		}
		if (common < cidr)
			return insert_branch(slot, parent, key, cidr, common, peer);
	}

	/* Either a free slot, or the new prefix covers the existing subtree and goes above it. */
	node = node_new(key, cidr, peer);
	if (!node)
		return -ENOMEM;
	set_slot(slot, parent, node);
	if (existing)
		attach_child(node, existing);
	return 0;
}

/* Validates a prefix from the caller and turns it into a masked key. */
static int load_prefix(struct key *key, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *peer)
{
	unsigned int bits = family_bits(family);

	if (!bits || !ip || cidr > bits || !peer)
		return -EINVAL;
	key_load(key, ip, bits);
	key_mask(key, cidr);
	return 0;
}

int wh_allowedips_insert(struct wh_allowedips *table, int family, const uint8_t *ip, uint8_t cidr,
			 struct wh_peer *peer)
{
	struct wh_allowedips_node **slot, *parent;
	struct key key;
	int ret = load_prefix(&key, family, ip, cidr, peer);

	if (ret)
		return ret;
	slot = find_slot(family_root(table, family), &key, cidr, &parent);
	return insert_at(slot, parent, &key, cidr, peer);
}

int wh_allowedips_remove(struct wh_allowedips *table, int family, const uint8_t *ip, uint8_t cidr,
			 struct wh_peer *peer)
{
	struct wh_allowedips_node **root, *node, *parent;
	struct key key;
	int ret = load_prefix(&key, family, ip, cidr, peer);

	if (ret)
		return ret;
	root = family_root(table, family);
	node = *find_slot(root, &key, cidr, &parent);
	if (!node || node->cidr != cidr || node->peer != peer || common_bits(&key, &node->key) < cidr)
		return -ENOENT;

	node->peer = NULL;
	if (node_is_needed(node))
		return 0;
	node_unlink(root, node);
	/* Losing a leaf can leave its parent a branch node with a single child. */
	if (parent && !node_is_needed(parent))
		node_unlink(root, parent);
	return 0;
}

/* Post-order, so that every node is judged after its children have been pruned. */
static void remove_by_peer_in(struct wh_allowedips_node **root, struct wh_peer *peer)
{
	struct wh_allowedips_node *node = *root ? postorder_first(*root) : NULL;

	while (node) {
		struct wh_allowedips_node *next = postorder_next(node);

		if (node->peer == peer)
			node->peer = NULL;
		if (!node_is_needed(node))
			node_unlink(root, node);
		node = next;
	}
}

void wh_allowedips_remove_by_peer(struct wh_allowedips *table, struct wh_peer *peer)
{
	if (!peer)
		return;
	remove_by_peer_in(&table->root4, peer);
	remove_by_peer_in(&table->root6, peer);
}

struct wh_peer *wh_allowedips_lookup(const struct wh_allowedips *table, int family, const uint8_t *ip)
{
	const struct wh_allowedips_node *node;
	struct wh_peer *found = NULL;
	unsigned int bits = family_bits(family);
	struct key key;

	if (!bits)
		return NULL;
	key_load(&key, ip, bits);
	node = family == AF_INET ? table->root4 : table->root6;
	while (node && key_has_prefix(&key, node)) {
		if (node->peer)
			found = node->peer;
		node = node->child[key_bit(&key, node->cidr)];
	}
	return found;
}

static int walk_trie(const struct wh_allowedips_node *root, int family, struct wh_peer *peer,
		     wh_allowedips_walk_fn fn, void *ctx)
{
	uint8_t ip[KEY_BITS / 8];
	int ret;

	for (const struct wh_allowedips_node *node = root; node; node = preorder_next(node)) {
		if (!node->peer || (peer && node->peer != peer))
			continue;
		key_store(ip, &node->key, family_bits(family));
		ret = fn(ctx, family, ip, node->cidr, node->peer);
		if (ret)
			return ret;
	}
	return 0;
}

int wh_allowedips_walk(const struct wh_allowedips *table, struct wh_peer *peer, wh_allowedips_walk_fn fn,
		       void *ctx)
{
	int ret = walk_trie(table->root4, AF_INET, peer, fn, ctx);

	if (ret)
		return ret;
	return walk_trie(table->root6, AF_INET6, peer, fn, ctx);
}

size_t wh_allowedips_node_count(const struct wh_allowedips *table)
{
	const struct wh_allowedips_node *roots[] = {table->root4, table->root6};
	size_t count = 0;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		for (const struct wh_allowedips_node *node = roots[i]; node; node = preorder_next(node))
			count++;
	return count;
}
