/* The probe's flat image (probe.c, probe.ld), which the root task copies into the pages it
 * maps into every test space. SMALL_SPACES_PROBE_BIN is its path in the build tree. */
    .section .rodata
    .balign 16
    .globl small_spaces_probe_image, small_spaces_probe_image_end
small_spaces_probe_image:
    .incbin SMALL_SPACES_PROBE_BIN
small_spaces_probe_image_end:
    .section .note.GNU-stack, "", @progbits
