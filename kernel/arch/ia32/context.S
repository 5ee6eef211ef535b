// Kernel context switch. A switched-out thread's kernel stack holds its callee-saved
// registers and the address to continue at; Thread::m_kernel_sp (offset 0) points at them.

    .text
    .globl ia32_switch_context
// void ia32_switch_context(uint32_t* save_sp, uint32_t new_sp)
ia32_switch_context:
    mov 4(%esp), %eax
    mov 8(%esp), %edx
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, (%eax)
    mov %edx, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

// A new user thread's first switch "returns" here with its TrapFrame on top of the stack.
    .globl ia32_enter_user
ia32_enter_user:
    jmp ia32_trap_return

// A new kernel thread's first switch returns here; the entry function is in %ebx. It runs
// with interrupts disabled, like all kernel code.
    .globl ia32_enter_kernel_thread
ia32_enter_kernel_thread:
    call *%ebx
1:  cli
    hlt
    jmp 1b
