/* _setjmp and _longjmp (XSI): setjmp and longjmp without the signal mask. newlib's setjmp and
 * longjmp never touch the mask, so these are tail jumps to them: the return address and the
 * arguments on the stack stay the caller's, and setjmp saves the caller's frame, not ours.
 * Lua with LUA_USE_POSIX throws its errors with them. */
    .text
    .globl _setjmp
    .type _setjmp, @function
_setjmp:
    jmp setjmp
    .size _setjmp, . - _setjmp

    .globl _longjmp
    .type _longjmp, @function
_longjmp:
    jmp longjmp
    .size _longjmp, . - _longjmp

    .section .note.GNU-stack, "", @progbits
