/* The name service's labels and sizes for C callers (newlib's glue); protocol.h, the C++
 * header, is built on them and pins the layouts. */
#ifndef AXO_INTERFACES_NAMES_WIRE_H
#define AXO_INTERFACES_NAMES_WIRE_H

#include "interfaces/labels.h"

enum axo_name_label {
    AXO_NAME_REGISTER = AXO_LABELS_NAMES_FIRST + 0,
    AXO_NAME_LOOKUP =
        AXO_LABELS_NAMES_FIRST + 1, /* a name (AXO_NAME_BYTES) -> 1 word, the thread */
    AXO_NAME_UNREGISTER = AXO_LABELS_NAMES_FIRST + 2,
    AXO_NAME_WAIT = AXO_LABELS_NAMES_FIRST + 3, /* as lookup, answered once the name is bound */
};

/* A name: up to 31 bytes, NUL-terminated and zero-filled in 32 (8 words). */
#define AXO_NAME_BYTES 32u

#endif /* AXO_INTERFACES_NAMES_WIRE_H */
