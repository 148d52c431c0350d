/* Placeholder until the module lands. */
#include "netcfg.h"
