/* The ABI is the header; this file gives the C target a source to build. */
#include "proctor_plugin.h"
