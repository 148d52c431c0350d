#include "core/allowedips.h" /* being written */
