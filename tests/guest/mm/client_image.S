/* The client's flat image (client.c, client.ld), which the root task's image pager serves to
 * every client space through mm. MM_TEST_CLIENT_BIN is its path in the build tree. */
    .section .rodata
    .balign 4096
    .globl mm_test_client_image, mm_test_client_image_end
mm_test_client_image:
    .incbin MM_TEST_CLIENT_BIN
mm_test_client_image_end:
    .section .note.GNU-stack, "", @progbits
