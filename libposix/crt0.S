/*
 * crt0: where every user program starts.
 *
 * Entry state assumed (System V i386 process start): a valid stack with %esp pointing at
 *     argc, argv[0] ... argv[argc-1], NULL, envp[0] ... NULL
 * and nothing else promised: crt0 zeroes the part of .bss that shares a page with the file's
 * data, so that a loader which maps the file image without clearing the rest of its last page
 * cannot leave garbage in C's zero-initialised data. The pages of .bss after that one, like
 * the heap arena after .bss, hold no byte of the file: they are anonymous memory that every
 * ELF loader zero-fills (p_memsz beyond p_filesz), and touching them here would make a
 * demand-zero pager allocate all of them up front (libposix's .bss is over a megabyte: its
 * clearing cost every exec of a program ~1.4 M instructions and ~350 page faults).
 */
    .section .text.startup, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* Outermost frame: debuggers and backtraces stop at a zero frame pointer. */
    xorl %ebp, %ebp

    /* Clear .bss up to the end of its first page, or to its end if that comes first
     * (symbols from lib/user.ld), before any C code can read it. */
    cld
    movl $__bss_start, %edi
    leal 4095(%edi), %ecx
    andl $-4096, %ecx
    cmpl $__bss_end, %ecx
    jbe 1f
    movl $__bss_end, %ecx
1:  subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    /* Read a word of every page of the start block, from %esp to the end of its last string
     * (the last environment string, else the last argument): its pages become this process's
     * own now, so a fork before main has read them all gives the child copies too (proc serves
     * a process's arguments to that process only: servers/proc/argument_blocks.h). */
    movl (%esp), %ecx
    xorl %eax, %eax
    testl %ecx, %ecx
    jz 10f
    movl (%esp, %ecx, 4), %eax      /* argv[argc - 1] */
10: leal 8(%esp, %ecx, 4), %edx     /* envp */
11: movl (%edx), %ecx
    testl %ecx, %ecx
    jz 12f
    movl %ecx, %eax
    addl $4, %edx
    jmp 11b
12: testl %eax, %eax
    jz 14f
    movl %eax, %edi                 /* past the last string's terminator */
    movl $-1, %ecx
    xorl %eax, %eax
    repne scasb
    movl %esp, %edx
    andl $-4096, %edx
13: cmpl %edi, %edx
    jae 14f
    movl (%edx), %eax
    addl $4096, %edx
    jmp 13b
14:
    /* argc in %esi, argv in %edi, envp = &argv[argc + 1] in %ebx: all callee-saved. */
    movl (%esp), %esi
    leal 4(%esp), %edi
    leal 8(%esp, %esi, 4), %ebx
    movl %ebx, environ

    /* gcc's i386 code assumes a 16-byte aligned stack at each call. */
    andl $-16, %esp

    /* Constructors (.preinit_array, _init, .init_array); destructors run at exit(). */
    call __libc_init_array
    subl $12, %esp
    pushl $__libc_fini_array
    call atexit
    addl $16, %esp

    /* exit(main(argc, argv, envp)): flushes stdio and runs atexit handlers. */
    subl $4, %esp
    pushl %ebx
    pushl %edi
    pushl %esi
    call main
    addl $16, %esp
    subl $12, %esp
    pushl %eax
    call exit

    /* exit does not return; if it ever did, stay here rather than run into whatever follows. */
1:  jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
