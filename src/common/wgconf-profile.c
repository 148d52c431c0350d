#include "wgconf-profile.h"
