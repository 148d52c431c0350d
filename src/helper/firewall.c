/* Placeholder until the module lands. */
#include "firewall.h"
