/* What the helper has changed on the system, written under the state directory before it changes
 * anything, so that a restarted helper can undo what a crashed one left behind. */
#ifndef WIREHOP_HELPER_STATE_FILE_H
#define WIREHOP_HELPER_STATE_FILE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct applied_state {
	char ifname[IFNAMSIZ];
	uint32_t table;
	uint32_t fwmark;
	uint32_t rule_priority;
	bool firewall;
};

/* Writes state_dir/state atomically (the directory is made 0700 if missing, the file is 0600). */
bool state_file_write(const char *state_dir, const struct applied_state *state, GError **error);

/* Reads it back; FALSE with G_FILE_ERROR_NOENT when there is none. */
bool state_file_read(const char *state_dir, struct applied_state *state, GError **error);

/* Removes it; no error when there is none. */
bool state_file_remove(const char *state_dir, GError **error);

#endif
