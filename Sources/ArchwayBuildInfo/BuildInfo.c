#include "ArchwayBuildInfo.h"

#ifndef ARCHWAY_COMMIT
#define ARCHWAY_COMMIT ""
#endif

const char *archway_build_commit(void) { return ARCHWAY_COMMIT; }
