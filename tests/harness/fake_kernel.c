/*
 * A stand-in kernel for testing the test harness itself: a Multiboot v1 ELF that follows
 * the guest conventions of tests/README.md and misbehaves on request, so that every verdict
 * of qemu_run.py and bochs_run.py can be provoked on a real emulator, independently of the
 * real kernel. The command line word `mode=NAME` picks the behaviour (see kernel_main);
 * `test=panic` acts like `mode=panic`, so the fake can stand in for kernel.elf in the
 * system tests of tests/system and tests/bochs.
 *
 * Built by tests/harness/CMakeLists.txt with the host gcc in 32-bit freestanding mode.
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

/* Multiboot v1 header: flag bit 0 page-aligns modules, bit 1 asks for the memory map. */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_HEADER_FLAGS 0x00000003
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define STRING(x) #x
#define XSTRING(x) STRING(x)

__asm__(".section .multiboot, \"a\"\n"
        ".align 4\n"
        ".long " XSTRING(MULTIBOOT_HEADER_MAGIC) ", " XSTRING(
            MULTIBOOT_HEADER_FLAGS) "\n"
                                    ".long -(" XSTRING(MULTIBOOT_HEADER_MAGIC) " + " XSTRING(
                                        MULTIBOOT_HEADER_FLAGS) ")\n"
                                                                ".section .bss\n"
                                                                ".align 16\n"
                                                                "stack: .space 16384\n"
                                                                "stack_top:\n"
                                                                ".text\n"
                                                                ".globl _start\n"
                                                                "_start:\n"
                                                                "  mov $stack_top, %esp\n"
                                                                "  push %ebx\n"
                                                                "  push %eax\n"
                                                                "  call kernel_main\n"
                                                                "1: cli\n"
                                                                "  hlt\n"
                                                                "  jmp 1b\n");

struct multiboot_info {
    u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};
struct multiboot_module {
    u32 mod_start, mod_end, string, reserved;
};

/* 16550 UART on COM1. */
#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1 0x03
#define UART_FCR_ENABLE_CLEAR 0xc7
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_THRE 0x20 /* transmit holding register empty: may write */
#define UART_LSR_TEMT 0x40 /* transmitter empty: the last byte has left */

/* QEMU isa-debug-exit (status = value << 1 | 1), Bochs' shutdown port, PIIX4 ACPI PM. */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_SUCCESS 0x10
#define DEBUG_EXIT_PANIC 0x11
#define BOCHS_SHUTDOWN_PORT 0x8900

static inline void outb(u16 port, u8 v) {
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline u8 inb(u16 port) {
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void serial_init(void) {
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, UART_LCR_DLAB);
    outb(COM1 + UART_DLL, 1); /* 115200 baud */
    outb(COM1 + UART_DLM, 0);
    /* Bochs truncates characters unless the line format is programmed. */
    outb(COM1 + UART_LCR, UART_LCR_8N1);
    outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
    outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

static void put_char(char c) {
    while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE)) {
    }
    outb(COM1 + UART_DATA, (u8)c);
}

static void put(const char* s) {
    for (; *s; s++) {
        if (*s == '\n') put_char('\r');
        put_char(*s);
    }
}

static void put_u32(u32 v) {
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

static const char* cmdline = "";

/* Is `word` one of the blank-separated words of the command line? */
static int has_word(const char* word) {
    for (const char* s = cmdline; *s;) {
        while (*s == ' ')
            s++;
        const char* w = word;
        while (*w && *s == *w)
            s++, w++;
        if (!*w && (*s == ' ' || !*s)) return 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

static void drain_uart(void) {
    while (!(inb(COM1 + UART_LSR) & UART_LSR_TEMT)) {
    }
}

static void bochs_shutdown(void) {
    for (const char* s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN_PORT, (u8)*s);
}

static void halt_forever(void) {
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* How a real kernel leaves: QEMU exits at once, Bochs on request, elsewhere we halt. */
static void leave(u8 debug_exit_value) {
    drain_uart(); /* or Bochs drops the last bytes when it powers off */
    outb(DEBUG_EXIT_PORT, debug_exit_value);
    if (has_word("shutdown=bochs")) bochs_shutdown();
    halt_forever();
}

static void end_of_tests(void) {
    put("AXOLOTL: END OF TESTS\n");
    leave(DEBUG_EXIT_SUCCESS);
}

static void print_cpu(void) {
    u32 a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
    char vendor[13];
    *(u32*)&vendor[0] = b, *(u32*)&vendor[4] = d, *(u32*)&vendor[8] = c, vendor[12] = 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1));
    put("cpu: "), put(vendor);
    put(" family "), put_u32((a >> 8) & 15);
    put(" model "), put_u32((a >> 4) & 15);
    put(" stepping "), put_u32(a & 15), put("\n");
    static const char* const names[16] = {"fpu", "vme",  "de", "pse", "tsc",  "msr", "pae", "mce",
                                          "cx8", "apic", 0,    "sep", "mtrr", "pge", "mca", "cmov"};
    put("cpu: features:");
    for (int bit = 0; bit < 16; bit++)
        if (names[bit] && (d >> bit & 1)) put(" "), put(names[bit]);
    put("\n");
}

static void triple_fault(void) {
    static const struct {
        u16 limit;
        u32 base;
    } __attribute__((packed)) empty_idt = {0, 0};
    __asm__ volatile("lidt %0; int3" ::"m"(empty_idt));
}

void kernel_main(u32 magic, const struct multiboot_info* mbi) {
    serial_init();
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE) cmdline = (const char*)mbi->cmdline;
    put("Axolotl harness-fake-kernel booting\n");
    put("cmdline: "), put(cmdline), put("\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) put("warning: not started by a Multiboot loader\n");
    print_cpu();
    if (mbi->flags & MULTIBOOT_INFO_MODS) {
        const struct multiboot_module* m = (const struct multiboot_module*)mbi->mods_addr;
        for (u32 i = 0; i < mbi->mods_count; i++) {
            put("module: '"), put((const char*)m[i].string), put("' size ");
            put_u32(m[i].mod_end - m[i].mod_start), put("\n");
        }
    }

    if (has_word("mode=hang")) {
        put("hanging on purpose\n");
        halt_forever();
    }
    if (has_word("mode=triple-fault")) {
        put("triple faulting on purpose\n");
        triple_fault();
    }
    if (has_word("mode=no-tap")) end_of_tests();
    if (has_word("mode=panic") || has_word("test=panic")) {
        put("TAP version 13\nok 1 - before the panic\n");
        put("KERNEL PANIC: deliberate panic of the fake kernel\n");
        put("  eax=0xdeadbeef ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n");
        leave(DEBUG_EXIT_PANIC);
    }

    put("TAP version 13\n");
    put(has_word("mode=plan-mismatch") ? "1..6\n" : "1..4\n");
    put("ok 1 - serial console works\n");
    put("# a diagnostic line\n");
    put(has_word("mode=not-ok") ? "not ok 2 - deliberately failing\n" : "ok 2 - second\n");
    put("ok 3 - optional feature # SKIP not on this machine\n");
    put("not ok 4 - known bug # TODO fix later\n");

    if (has_word("mode=no-end-marker")) leave(DEBUG_EXIT_SUCCESS);
    if (has_word("mode=no-exit")) {
        put("AXOLOTL: END OF TESTS\n");
        halt_forever();
    }
    end_of_tests();
}
