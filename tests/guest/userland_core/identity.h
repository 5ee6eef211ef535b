// worker's identity, events and signals modes (identity.cc).
#pragma once

namespace identity {

// Runs `mode` (with its first argument, or nullptr) if it is one of identity.cc's (and does not
// return); false otherwise.
bool run(const char* mode, const char* argument);

} // namespace identity
