#include "crypto/kdf.h" /* being written */
