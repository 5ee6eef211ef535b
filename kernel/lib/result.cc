#include "kernel/lib/result.h"

namespace axo {

const char* error_name(Error error) {
    switch (error) {
    case Error::none:
        return "none";
    case Error::invalid_argument:
        return "invalid_argument";
    case Error::out_of_memory:
        return "out_of_memory";
    case Error::malformed:
        return "malformed";
    case Error::overlap:
        return "overlap";
    case Error::out_of_range:
        return "out_of_range";
    case Error::not_found:
        return "not_found";
    case Error::exists:
        return "exists";
    case Error::no_permission:
        return "no_permission";
    case Error::busy:
        return "busy";
    case Error::unsupported:
        return "unsupported";
    }
    return "unknown";
}

} // namespace axo
