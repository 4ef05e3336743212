#ifndef ARCHWAY_BUILD_INFO_H
#define ARCHWAY_BUILD_INFO_H

/// The commit this archway was built from, as Scripts/install.sh passes it
/// (`-Xcc -DARCHWAY_COMMIT="..."`); empty for a plain `swift build`.
const char *archway_build_commit(void);

#endif
