// memcpy and memset with the string instructions: `rep movsl` / `rep stosl` move a word per
// iteration (the Pentium streams them at about a word a cycle once started; a C loop costs
// three or four instructions a word). Zeroing or copying a page — mm's zero-fill and
// copy-on-write faults, the kernel's fresh page tables and frames — is the common large case.
// Built into the kernel and into lib/rt (every freestanding program); kernel/lib/string.cc
// holds the rest of the string functions.
//
// The direction flag is clear: the i386 System V ABI guarantees it at every call, and the
// kernel clears it at every entry (trap_entry.S, ipc_fastpath.S).

    .text

// void* memcpy(void* dst, const void* src, size_t n)
    .globl memcpy
    .type memcpy, @function
memcpy:
    push %edi
    push %esi
    mov 12(%esp), %edi
    mov 16(%esp), %esi
    mov 20(%esp), %ecx
    mov %edi, %eax             // the result
    mov %ecx, %edx
    shr $2, %ecx
    rep movsl
    mov %edx, %ecx
    and $3, %ecx
    rep movsb
    pop %esi
    pop %edi
    ret
    .size memcpy, . - memcpy

// void* memset(void* dst, int value, size_t n)
    .globl memset
    .type memset, @function
memset:
    push %edi
    mov 8(%esp), %edi
    movzbl 12(%esp), %eax
    mov 16(%esp), %ecx
    imul $0x01010101, %eax, %eax  // the byte in all four
    mov %ecx, %edx
    shr $2, %ecx
    rep stosl
    mov %edx, %ecx
    and $3, %ecx
    rep stosb
    mov 8(%esp), %eax          // the result
    pop %edi
    ret
    .size memset, . - memset

    .section .note.GNU-stack, "", @progbits
