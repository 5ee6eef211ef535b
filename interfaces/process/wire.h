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
    AXO_PROC_IDENTIFY = AXO_LABELS_PROCESS_FIRST + 7,
    AXO_PROC_SET_PROCESS_GROUP = AXO_LABELS_PROCESS_FIRST + 8,
    AXO_PROC_SET_SESSION = AXO_LABELS_PROCESS_FIRST + 9,
    AXO_PROC_SET_CREDENTIALS = AXO_LABELS_PROCESS_FIRST + 10,
    AXO_PROC_SET_GROUPS = AXO_LABELS_PROCESS_FIRST + 11,
    AXO_PROC_EVENT_SUBSCRIBE = AXO_LABELS_PROCESS_FIRST + 12,
    AXO_PROC_EVENT_NEXT = AXO_LABELS_PROCESS_FIRST + 13,
    AXO_PROC_LIST = AXO_LABELS_PROCESS_FIRST + 14,
    AXO_PROC_SIGNAL_STATE = AXO_LABELS_PROCESS_FIRST + 15,
    AXO_PROC_EXEC = AXO_LABELS_PROCESS_FIRST + 16,
    AXO_PROC_SPAWN_BLOCK = AXO_LABELS_PROCESS_FIRST + 17, /* + one map item: the argument block */
    AXO_PROC_EXEC_BLOCK = AXO_LABELS_PROCESS_FIRST + 18,  /* likewise */
    AXO_PROC_EXEC_FILE = AXO_LABELS_PROCESS_FIRST + 19,   /* likewise: headers, then the block */
    /* Signal delivery to handlers (libposix): dispositions, mask and entry; take; suspend. */
    AXO_PROC_SIGNAL_ACTION = AXO_LABELS_PROCESS_FIRST + 0x20,
    AXO_PROC_SIGNAL_TAKE = AXO_LABELS_PROCESS_FIRST + 0x21,
    AXO_PROC_SIGNAL_SUSPEND = AXO_LABELS_PROCESS_FIRST + 0x22,
    /* The realtime clock: the date of the boot, from the RTC proc read then. */
    AXO_PROC_REAL_TIME = AXO_LABELS_PROCESS_FIRST + 0x23,
    /* Terminals (servers/tty): the session of a process group. */
    AXO_PROC_GROUP_SESSION = AXO_LABELS_PROCESS_FIRST + 0x30,
    /* The machine: power off or reset (init at the end of a shutdown; root only). */
    AXO_PROC_POWER = AXO_LABELS_PROCESS_FIRST + 0x40,
    /* The event stream with a notification: proc sets the subscriber's bits on every event. */
    AXO_PROC_EVENT_SUBSCRIBE_NOTIFY = AXO_LABELS_PROCESS_FIRST + 0x41,
    /* Tools (apps/svc): one process's name, state, threads, restarts and memory. */
    AXO_PROC_INFO = AXO_LABELS_PROCESS_FIRST + 0x48,
    /* Tools (/proc/<pid>/cmdline): one process's arguments. */
    AXO_PROC_COMMAND_LINE = AXO_LABELS_PROCESS_FIRST + 0x49,
};

#endif /* AXO_INTERFACES_PROCESS_WIRE_H */
