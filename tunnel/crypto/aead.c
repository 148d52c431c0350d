#include "crypto/aead.h" /* being written */
