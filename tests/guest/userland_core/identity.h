// worker's identity, events and signals modes (identity.cc).
#pragma once

namespace identity {

// Runs `mode` if it is one of identity.cc's (and does not return); false otherwise.
bool run(const char* mode);

} // namespace identity
