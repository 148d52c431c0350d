#include "crypto/blake2s.h" /* being written */
