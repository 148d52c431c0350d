#include "wgconf.h"
