// Copies between kernel and user memory that may fault; the faults are recovered through
// the exception table (probe.S explains it) and reported as a failed copy.

    .pushsection __extable, "a"
    .long copy_fault_at, copy_fixup
    .popsection

    .text
    .globl ia32_copy_user
// bool ia32_copy_user(void* dst, const void* src, size_t n): true if all bytes were copied.
ia32_copy_user:
    push %esi
    push %edi
    mov 12(%esp), %edi
    mov 16(%esp), %esi
    mov 20(%esp), %ecx
    cld
copy_fault_at:
    rep movsb
    mov $1, %eax
    pop %edi
    pop %esi
    ret
copy_fixup:
    xor %eax, %eax
    pop %edi
    pop %esi
    ret
