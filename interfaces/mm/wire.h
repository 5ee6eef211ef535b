/* mm's labels for C callers (newlib's sbrk, the mm test's client); protocol.h, the C++ header, is built on them and
 * pins the layouts. */
#ifndef AXO_INTERFACES_MM_WIRE_H
#define AXO_INTERFACES_MM_WIRE_H

#include "interfaces/labels.h"

enum axo_mm_label {
    /* client (nil: the caller), delta -> the old break; errors as in protocol.h */
    AXO_MM_SBRK = AXO_LABELS_MM_FIRST + 3,
    /* mm -> an external pager: cookie, offset, access, client -> one map item of a page */
    AXO_MM_EXTERNAL_FAULT = AXO_LABELS_MM_FIRST + 0x80,
};

#endif /* AXO_INTERFACES_MM_WIRE_H */
