/* mm's labels for C callers (newlib's sbrk, the mm test's client); protocol.h, the C++ header, is
 * built on them and pins the layouts. */
#ifndef AXO_INTERFACES_MM_WIRE_H
#define AXO_INTERFACES_MM_WIRE_H

#include "interfaces/labels.h"

enum axo_mm_label {
    /* client (nil: the caller), delta -> the old break; errors as in protocol.h */
    AXO_MM_SBRK = AXO_LABELS_MM_FIRST + 3,
    /* an external pager: token, answer (+ the page's map item) -> the next fault it must answer
     * (protocol.h, "Stacking") */
    AXO_MM_PAGER_WAIT = AXO_LABELS_MM_FIRST + 0x0C,
};

#endif /* AXO_INTERFACES_MM_WIRE_H */
