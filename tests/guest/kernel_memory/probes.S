/*
 * Accesses of the root task's main thread that may fault, each at a known eip. The main
 * thread's exception handler (the supervisor, memory_harness.cc) resumes a faulting probe at
 * its *_resume label with eax = 1, the esp of the fault and every other register as it was:
 * a probe returns 0 if the access worked, 1 if it faulted. Page faults arrive there too,
 * as exceptions (vector 14): the main thread has no pager.
 */
    .text

/* uint32_t probe_read(uint32_t address, uint32_t* value) */
    .globl probe_read, probe_read_ip, probe_read_resume
    .type probe_read, @function
probe_read:
    movl 4(%esp), %ecx
    movl 8(%esp), %edx
    xorl %eax, %eax
probe_read_ip:
    movl (%ecx), %ecx
    movl %ecx, (%edx)
probe_read_resume:
    ret

/* uint32_t probe_write(uint32_t address, uint32_t value) */
    .globl probe_write, probe_write_ip, probe_write_resume
    .type probe_write, @function
probe_write:
    movl 4(%esp), %ecx
    movl 8(%esp), %edx
    xorl %eax, %eax
probe_write_ip:
    movl %edx, (%ecx)
probe_write_resume:
    ret

/* uint32_t probe_inb(uint32_t port, uint8_t* value) */
    .globl probe_inb, probe_inb_ip, probe_inb_resume
    .type probe_inb, @function
probe_inb:
    movl 4(%esp), %edx
    xorl %eax, %eax
probe_inb_ip:
    inb %dx, %al
    movl 8(%esp), %ecx
    movb %al, (%ecx)
    xorl %eax, %eax
probe_inb_resume:
    ret

/* uint32_t probe_outb(uint32_t port, uint32_t value) */
    .globl probe_outb, probe_outb_ip, probe_outb_resume
    .type probe_outb, @function
probe_outb:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
probe_outb_ip:
    outb %al, %dx
    xorl %eax, %eax
probe_outb_resume:
    ret
