/* The instructions that return to user mode (trap_entry.S, ipc_fastpath.S) and may fault on a
 * value user space chose: each is listed in the __user_return section as {instruction, what
 * it restores}, and trap.cc's recover_user_return handles its fault. A segment pop is retried
 * with the default user selector for that register; the iret becomes an exception of the
 * thread (for instance an eip beyond its code segment's limit, which Bochs and the Pentium
 * check at iret and QEMU does not). */
#ifndef AXO_IA32_USER_RETURN_H
#define AXO_IA32_USER_RETURN_H

#define USER_RETURN_IRET 0
#define USER_RETURN_DATA_SELECTOR 0x0F /* ia32::kUserData */
#define USER_RETURN_UTCB_SELECTOR 0x33 /* ia32::kUtcbSelector */
/* EFLAGS.VM (bit 17) in the third byte of the flags word: testb $..., 2+offset(%esp). */
#define EFLAGS_VM_BYTE2 0x02

#ifdef __ASSEMBLER__
/* An assembler macro, not C: */
/* clang-format off */
.macro user_return insn, kind
    .pushsection __user_return, "a"
    .long \insn, \kind
    .popsection
.endm
/* clang-format on */
#endif

#endif
