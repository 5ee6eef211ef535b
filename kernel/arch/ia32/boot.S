// Multiboot v1 entry. GRUB and QEMU enter here in 32-bit protected mode with paging off,
// EAX = multiboot magic, EBX = physical address of the boot information.
// We map the first 8 MiB identically (to keep running here) and 0xE0000000 onward to
// physical 0 with 4 MiB pages (PSE, present on every Pentium), then jump to the higher half.
// kernel_main builds the real kernel page directory and drops the identity mapping.

#define KERNEL_BASE 0xE0000000
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory information */

#define CR0_PG 0x80000000
#define CR4_PSE 0x00000010
#define PDE_4M_RW 0x83 /* present | writable | page size */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .boot.bss, "aw", @nobits
    .align 4096
boot_page_directory:
    .skip 4096

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, %esi
    mov %ebx, %edi

    // The loader zeroes .bss, but nothing obliges it to for this NOLOAD section.
    xor %eax, %eax
    mov $boot_page_directory, %edx
    mov $1024, %ecx
0:  mov %eax, (%edx)
    add $4, %edx
    loop 0b

    // Identity map 0 – 8 MiB.
    movl $(0x00000000 | PDE_4M_RW), boot_page_directory + 0
    movl $(0x00400000 | PDE_4M_RW), boot_page_directory + 4
    // KERNEL_BASE.. -> physical 0.. (512 MiB; kernel_main restricts it to real memory).
    mov $boot_page_directory + (KERNEL_BASE >> 22) * 4, %edx
    mov $PDE_4M_RW, %eax
    mov $128, %ecx
1:  mov %eax, (%edx)
    add $0x400000, %eax
    add $4, %edx
    loop 1b

    mov %cr4, %eax
    or $CR4_PSE, %eax
    mov %eax, %cr4
    mov $boot_page_directory, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0

    lea higher_half, %eax
    jmp *%eax

    .text
higher_half:
    mov $boot_stack_top, %esp
    xor %ebp, %ebp
    push %edi              // multiboot info (physical)
    push %esi              // multiboot magic
    call kernel_main
2:  cli
    hlt
    jmp 2b

    .bss
    .align 16
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip 16384
boot_stack_top:
