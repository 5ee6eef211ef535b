/*
 * Ring-3 attacks on the kernel's trap and descriptor-table surface (trap_surface_tests.cc).
 * Every probe stores its esp at entry in trap_probe_esp first; the test's exception handler
 * resumes a faulting probe at trap_landing with that esp, which returns 0 to the probe's
 * caller. A probe that completes returns 1 (or what it says).
 */
    .text

    .globl trap_landing
trap_landing:
    xorl %eax, %eax
    ret

.macro probe_entry name
    .globl \name
    .type \name, @function
\name:
    movl %esp, trap_probe_esp
.endm

/* uint32_t trap_load_<reg>(uint32_t selector): 1 if the load worked (the register is put
 * back to its usual selector at once), 0 if it faulted at trap_load_<reg>_ip. */
.macro load_probe reg, usual
    probe_entry trap_load_\reg
    movl 4(%esp), %eax
    movl $\usual, %ecx
    .globl trap_load_\reg\()_ip
trap_load_\reg\()_ip:
    movl %eax, %\reg
    movl %ecx, %\reg
    movl $1, %eax
    ret
.endm
    load_probe ds, 0x0F
    load_probe es, 0x0F
    load_probe fs, 0x0F
    load_probe gs, 0x33
    load_probe ss, 0x0F

/* uint32_t trap_int(uint32_t n): jumps to entry n of trap_int_table (int $n; return 1). */
    probe_entry trap_int
    movl 4(%esp), %eax
    leal trap_int_table(,%eax,8), %eax
    jmp *%eax

    .align 8
    .globl trap_int_table
trap_int_table:
.altmacro
.set n, 0
.rept 256
    .byte 0xCD, n                   /* int $n, never the one-byte int3 form */
    movl $1, %eax
    ret
.set n, n + 1
.endr

/* uint32_t trap_icebp(): INT1 (0xF1), which no gate's DPL guards. */
    probe_entry trap_icebp
    .globl trap_icebp_ip
trap_icebp_ip:
    .byte 0xF1
    movl $1, %eax
    ret

/* uint32_t trap_int3(): the one-byte int3. */
    probe_entry trap_int3
    .globl trap_int3_ip
trap_int3_ip:
    int3
    movl $1, %eax
    ret

/* uint32_t trap_far_call(const uint32_t pointer[2]): lcall through {offset, selector}; the
 * cs the target ran with, or 0 if the call faulted at trap_far_call_ip. */
    probe_entry trap_far_call
    movl 4(%esp), %ecx
    xorl %eax, %eax
    .globl trap_far_call_ip
trap_far_call_ip:
    lcall *(%ecx)
    ret

/* uint32_t trap_far_jump(const uint32_t pointer[2]): ljmp; the cs the target ran with. */
    probe_entry trap_far_jump
    movl 4(%esp), %ecx
    xorl %eax, %eax
    .globl trap_far_jump_ip
trap_far_jump_ip:
    ljmp *(%ecx)

/* Targets: record that they ran and with which cs. Were a gate to take them to ring 0, the
 * marker write proves it. */
    .globl trap_far_call_target
trap_far_call_target:
    movl %cs, %eax
    movl %eax, trap_target_cs
    lret

    .globl trap_far_jump_target
trap_far_jump_target:
    movl %cs, %eax
    movl %eax, trap_target_cs
    ret                             /* back to the probe's caller: a jump pushed nothing */

/* uint32_t trap_lar(uint32_t selector): the access rights lar reports, or 0xFFFFFFFF. */
    .globl trap_lar
trap_lar:
    movl 4(%esp), %ecx
    movl $0xFFFFFFFF, %eax
    lar %ecx, %ecx
    jnz 1f
    movl %ecx, %eax
1:  ret

/* uint32_t trap_sldt(): the LDTR selector. */
    .globl trap_sldt
trap_sldt:
    xorl %eax, %eax
    sldt %ax
    ret

/* uint32_t trap_iret_v86(uint32_t eflags, uint32_t cs, uint32_t ip): an iret whose flags
 * image asks for virtual-8086 mode (ss:sp = cs:0x100, data segments 0). Never returns 1: a
 * Pentium (Bochs) refuses the image at trap_iret_v86_ip, QEMU enters v86 mode and faults
 * there. */
    probe_entry trap_iret_v86
    movl 4(%esp), %eax
    movl 8(%esp), %ecx
    movl 12(%esp), %edx
    pushl $0                        /* gs */
    pushl $0                        /* fs */
    pushl $0                        /* ds */
    pushl $0                        /* es */
    pushl %ecx                      /* ss */
    pushl $0x100                    /* sp */
    pushl %eax                      /* eflags */
    pushl %ecx                      /* cs */
    pushl %edx                      /* ip */
    .globl trap_iret_v86_ip
trap_iret_v86_ip:
    iret

/* uint32_t trap_call(uint32_t address): calls `address` (beyond the space). */
    probe_entry trap_call
    movl 4(%esp), %eax
    .globl trap_call_ip
trap_call_ip:
    call *%eax
    movl $1, %eax
    ret

    .bss
    .align 4
    .globl trap_probe_esp, trap_target_cs, trap_ring0_marker
trap_probe_esp: .long 0
trap_target_cs: .long 0
trap_ring0_marker: .long 0

    .text
/* The would-be ring-0 function behind an LDT call gate: writes the marker, returns far. */
    .globl trap_ring0_function
trap_ring0_function:
    movl $0x600DF00D, %ss:trap_ring0_marker
    lret

/* Code for two threads, V and R, each in a new space of its own (copied to a page mapped at
 * 0x30000000 there, the ids patched in). V calls R — the IPC fast path, which leaves V
 * blocked in it — and would spin after the reply. R receives V's call, then waits for the
 * root task's main thread M, then replies to V and waits for anyone (the fast path again,
 * straight into V's user mode). */
    .globl trap_fp_code_start, trap_fp_code_end, trap_fp_r_entry, trap_fp_v_resume
    .globl trap_fp_r_id, trap_fp_v_id, trap_fp_m_id
trap_fp_code_start:
    xorl %eax, %eax                 /* ipc */
    xorl %ebx, %ebx                 /* timeouts never */
    xorl %esi, %esi                 /* tag: no words */
    .byte 0xB9                      /* movl $R, %ecx */
trap_fp_r_id:
    .long 0
    movl %ecx, %edx                 /* a call */
    int $0x30
trap_fp_v_resume:
    jmp trap_fp_v_resume
trap_fp_r_entry:
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %esi, %esi
    xorl %ecx, %ecx                 /* no send phase */
    movl $0xFFFFFFFF, %edx          /* from anyone: V's call */
    int $0x30
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %esi, %esi
    xorl %ecx, %ecx
    .byte 0xBA                      /* movl $M, %edx: wait for the go */
trap_fp_m_id:
    .long 0
    int $0x30
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %esi, %esi                 /* the reply: no words */
    .byte 0xB9                      /* movl $V, %ecx */
trap_fp_v_id:
    .long 0
    movl $0xFFFFFFFF, %edx          /* reply and wait for anyone */
    int $0x30
1:  jmp 1b
trap_fp_code_end:

/* uint32_t trap_lsl(uint32_t selector): the limit lsl reports, or 0xFFFFFFFF.
 * uint32_t trap_verr(uint32_t selector), trap_verw: 1 if readable / writable from ring 3. */
    .text
    .globl trap_lsl, trap_verr, trap_verw
trap_lsl:
    movl 4(%esp), %ecx
    movl $0xFFFFFFFF, %eax
    lsl %ecx, %ecx
    jnz 1f
    movl %ecx, %eax
1:  ret
trap_verr:
    xorl %eax, %eax
    verr 4(%esp)
    setz %al
    ret
trap_verw:
    xorl %eax, %eax
    verw 4(%esp)
    setz %al
    ret

/* uint32_t trap_inb(uint32_t port), trap_inw, trap_inl: 1 if the read worked, 0 if it
 * faulted at trap_in*_ip. */
.macro in_probe name, insn
    probe_entry \name
    movl 4(%esp), %edx
    .globl \name\()_ip
\name\()_ip:
    \insn %dx
    movl $1, %eax
    ret
.endm
    in_probe trap_inb, inb
    in_probe trap_inw, inw
    in_probe trap_inl, inl
