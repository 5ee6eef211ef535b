/* The process interface's labels for C callers (newlib's glue); protocol.h, the C++ header,
 * is built on them and pins the layouts. */
#ifndef AXO_INTERFACES_PROCESS_WIRE_H
#define AXO_INTERFACES_PROCESS_WIRE_H

#include "interfaces/labels.h"

enum axo_process_label {
    AXO_PROC_SPAWN = AXO_LABELS_PROCESS_FIRST + 0,
    AXO_PROC_EXIT = AXO_LABELS_PROCESS_FIRST + 1, /* 1 word, the status; no reply on success */
    AXO_PROC_WAIT = AXO_LABELS_PROCESS_FIRST + 2,
    AXO_PROC_KILL = AXO_LABELS_PROCESS_FIRST + 3,
    AXO_PROC_STATISTICS = AXO_LABELS_PROCESS_FIRST + 4,
    AXO_PROC_THREAD_CREATE = AXO_LABELS_PROCESS_FIRST + 5,
    AXO_PROC_FORK = AXO_LABELS_PROCESS_FIRST + 6,
};

#endif /* AXO_INTERFACES_PROCESS_WIRE_H */
