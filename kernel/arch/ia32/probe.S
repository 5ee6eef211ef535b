// Instructions the kernel expects may fault. Each faulting instruction has an entry in the
// __extable section (fault address, fixup address); ia32_trap resumes at the fixup.

.macro extable fault, fixup
    .pushsection __extable, "a"
    .long \fault, \fixup
    .popsection
.endm

    .text
    .globl ia32_probe_read
ia32_probe_read:            // bool (uint32_t addr, uint32_t* out)
    mov 4(%esp), %ecx
1:  mov (%ecx), %eax
    mov 8(%esp), %edx
    mov %eax, (%edx)
    mov $1, %eax
    ret
2:  xor %eax, %eax
    ret
    extable 1b, 2b

    .globl ia32_probe_write
ia32_probe_write:           // bool (uint32_t addr, uint32_t value)
    mov 4(%esp), %ecx
    mov 8(%esp), %edx
1:  mov %edx, (%ecx)
    mov $1, %eax
    ret
2:  xor %eax, %eax
    ret
    extable 1b, 2b

    .globl ia32_probe_load_fs
ia32_probe_load_fs:         // bool (uint32_t selector)
    mov 4(%esp), %eax
1:  mov %eax, %fs
    xor %eax, %eax
    mov %eax, %fs
    mov $1, %eax
    ret
2:  xor %eax, %eax
    ret
    extable 1b, 2b

    .globl ia32_probe_invalid_opcode
ia32_probe_invalid_opcode:  // bool ()
1:  ud2
    mov $1, %eax
    ret
2:  xor %eax, %eax
    ret
    extable 1b, 2b

    .globl ia32_probe_read_fs
ia32_probe_read_fs:         // bool (uint32_t selector, uint32_t offset, uint32_t* out)
    mov 4(%esp), %eax
    mov %eax, %fs
    mov 8(%esp), %ecx
1:  mov %fs:(%ecx), %eax
    mov 12(%esp), %edx
    mov %eax, (%edx)
    xor %eax, %eax
    mov %eax, %fs
    mov $1, %eax
    ret
2:  xor %eax, %eax
    mov %eax, %fs
    ret
    extable 1b, 2b
