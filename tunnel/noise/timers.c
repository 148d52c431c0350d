#include "noise/timers.h" /* being written */
