// The groups of tests main() runs, in order. Each group stops every agent and deletes every
// thread it started.
#pragma once

namespace kt {

void sigma0_tests();             // σ0's protocol: allocation, idempotence, clients, bad requests
void fault_tests();              // page faults to a pager, read-only then write, map shares, grant
void notification_fault_tests(); // notify across spaces; abort of a fault; raised faults
void chain_tests();              // σ0 → A → B → C: flush, rights reduction, space deletion
void port_tests();               // I/O ports: #GP without a mapping, mapped ranges, unmap
void interrupt_tests();          // IRQ 8 (RTC) as IPC, masking until acknowledged, attach rules
void bad_input_tests();          // malformed items and windows, bad unmaps, kernel addresses
void trap_surface_tests(); // the LDT, v86 mode, int n, selectors, far calls, unexecutable eips
void bounded_work_tests(); // large maps and unmaps stay preemptible

} // namespace kt
