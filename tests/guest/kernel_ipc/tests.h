// The groups of tests main() runs, in order. Each group leaves no thread behind.
#pragma once

namespace kt {

void environment_tests();          // the initial task's environment, the KIP, thread basics
void ipc_tests();                  // ping-pong, a server with clients, the sender's true id
void timeout_tests();              // zero and relative timeouts, the order of wake-ups
void thread_tests();               // stale ids, deletion during IPC, aborted IPC
void scheduling_tests();           // priorities, preemption, round robin, donation
void exception_tests();            // exception IPC and resumption, unhandled faults
void notification_tests();         // notify: running, receiving and calling targets, many senders
void lib_ipc_notification_tests(); // lib/ipc's serve with a mask, call_interruptible
void bad_input_tests();            // error codes for bad arguments, the privilege probe
void message_rewrite_tests();      // a queued message rewritten; preemptible user-sized work

} // namespace kt
