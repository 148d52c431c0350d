/* Placeholder until the module lands. */
#include "dns.h"
