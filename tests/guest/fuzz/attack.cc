// The isolation attacks (README.md): each child of the fuzzer runs one, chosen and shaped by
// its seed, and must end by an exception (proc reports it faulted with the vector). An exit
// with a status of 10 or more says the attack succeeded — the child read or wrote what it must
// not, ran a privileged instruction, or raised its I/O privilege — and fails the test. Attacks
// that may legitimately complete (a selector that loads, a user address that turns out to be
// its own) end with exit 0.
#include "fuzz.h"

extern "C" char fuzz_int_table[];
extern "C" [[noreturn]] void fuzz_iret(uint32_t* frame);

namespace fuzz {

namespace {

// Breach statuses: which attack got through.
enum Breach : int32_t {
    kReadKernel = 10,
    kWriteKernel = 11,
    kWriteKip = 13,
    kLowMemory = 14,
    kPrivileged = 16,
    kSoftwareInterrupt = 18,
    kIoPrivilege = 19,
    kKernelIp = 21,
};

uint32_t read_at(uint32_t address) {
    return *reinterpret_cast<volatile uint32_t*>(address);
}
void write_at(uint32_t address, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(address) = value;
}

uint32_t kernel_address(Random& random) {
    // The small-space area (3 GiB - 3.5 GiB) and the kernel above it; often page boundaries.
    uint32_t address = 0xC0000000u + random.below(0x40000000u);
    return random.one_in(2) ? address & ~0xFFFu : address & ~3u;
}

[[noreturn]] void privileged_instruction(uint32_t which) {
    switch (which) {
    case 0:
        asm volatile("cli");
        break;
    case 1:
        asm volatile("sti");
        break;
    case 2:
        asm volatile("hlt");
        break;
    case 3:
        asm volatile("inb $0x80, %%al" ::: "eax");
        break;
    case 4:
        asm volatile("outb %%al, $0x80" ::"a"(0));
        break;
    case 5:
        asm volatile("movl %%cr0, %%eax" ::: "eax");
        break;
    case 6:
        asm volatile("movl %%cr3, %%eax\n\tmovl %%eax, %%cr3" ::: "eax");
        break;
    case 7:
        asm volatile("xorl %%eax, %%eax\n\tmovl %%eax, %%cr0" ::: "eax");
        break;
    case 8:
        asm volatile("movl %%dr7, %%eax" ::: "eax");
        break;
    case 9:
        asm volatile("xorl %%eax, %%eax\n\tmovl %%eax, %%dr7" ::: "eax");
        break;
    case 10:
        asm volatile("movl $0x10, %%ecx\n\trdmsr" ::: "eax", "ecx", "edx");
        break;
    case 11:
        asm volatile("movl $0x174, %%ecx\n\txorl %%eax, %%eax\n\txorl %%edx, %%edx\n\twrmsr" ::
                         : "eax", "ecx", "edx");
        break;
    case 12:
        asm volatile("wbinvd");
        break;
    case 13:
        asm volatile("invd");
        break;
    case 14:
        asm volatile("invlpg (%0)" ::"r"(0x00400000u));
        break;
    case 15:
        asm volatile("clts");
        break;
    case 16: {
        uint8_t descriptor[6] = {};
        asm volatile("lgdt %0" ::"m"(descriptor));
        break;
    }
    case 17: {
        uint8_t descriptor[6] = {};
        asm volatile("lidt %0" ::"m"(descriptor));
        break;
    }
    case 18:
        asm volatile("xorl %%eax, %%eax\n\tlldt %%ax" ::: "eax");
        break;
    case 19:
        asm volatile("movl $0x28, %%eax\n\tltr %%ax" ::: "eax");
        break;
    case 20:
        asm volatile("movl $0x3f8, %%edx\n\tinb %%dx, %%al" ::: "eax", "edx");
        break;
    case 21:
        asm volatile("movl $0xcf8, %%edx\n\tinl %%dx, %%eax" ::: "eax", "edx");
        break;
    case 22:
        asm volatile("movl $0x64, %%edx\n\tmovb $0xfe, %%al\n\toutb %%al, %%dx" ::: "eax", "edx");
        break;
    case 23:
        asm volatile("xorl %%ecx, %%ecx\n\trdpmc" ::: "eax", "ecx", "edx");
        break;
    case 24:
        asm volatile("lmsw %%ax" ::"a"(0));
        break;
    default:
        asm volatile("movl %%cr4, %%eax" ::: "eax");
        break;
    }
    exit(kPrivileged);
}
constexpr uint32_t kPrivilegedInstructions = 26;

// Loads a selector into a segment register and uses it; a load that works is put back. Ends
// the process only by a fault.
void load_selector(uint32_t which, uint16_t selector) {
    uint16_t saved;
    switch (which) {
    case 0:
        asm volatile("movw %%ds, %0\n\tmovw %1, %%ds\n\tmovl (%%esp), %%eax\n\tmovl (0x400000), "
                     "%%eax\n\tmovw %0, %%ds"
                     : "=&r"(saved)
                     : "r"(selector)
                     : "eax", "memory");
        break;
    case 1:
        asm volatile(
            "movw %%es, %0\n\tmovw %1, %%es\n\tmovl %%es:(0x400000), %%eax\n\tmovw %0, %%es"
            : "=&r"(saved)
            : "r"(selector)
            : "eax", "memory");
        break;
    case 2:
        asm volatile(
            "movw %%fs, %0\n\tmovw %1, %%fs\n\tmovl %%fs:(0x400000), %%eax\n\tmovw %0, %%fs"
            : "=&r"(saved)
            : "r"(selector)
            : "eax", "memory");
        break;
    case 3:
        asm volatile("movw %%gs, %0\n\tmovw %1, %%gs\n\tmovl %%gs:0, %%eax\n\tmovw %0, %%gs"
                     : "=&r"(saved)
                     : "r"(selector)
                     : "eax", "memory");
        break;
    case 4:
        asm volatile("movw %%ss, %0\n\tmovw %1, %%ss\n\tpushl %%eax\n\tpopl %%eax\n\tmovw %0, %%ss"
                     : "=&r"(saved)
                     : "r"(selector)
                     : "eax", "memory");
        break;
    case 5: {
        // A far call through the selector: a call gate in a descriptor table would lead into
        // ring 0. Returns only if the selector named this very code segment.
        uint32_t target[2] = {0, selector};
        asm volatile("lcall *%0" ::"m"(target) : "memory");
        break;
    }
    default: {
        uint32_t target[2] = {0, selector};
        asm volatile("ljmp *%0" ::"m"(target) : "memory");
        break;
    }
    }
}

uint16_t hostile_selector(Random& random) {
    switch (random.below(4)) {
    case 0:
        return static_cast<uint16_t>(random.next());
    case 1:
        return static_cast<uint16_t>(random.below(32) << 3 | random.below(4)); // the GDT
    case 2:
        return static_cast<uint16_t>(random.below(32) << 3 | 4 | random.below(4)); // an LDT
    default:
        return static_cast<uint16_t>(random.below(4)); // null selectors
    }
}

[[noreturn]] void crafted_iret(Random& random) {
    uint16_t cs, ss;
    asm volatile("movw %%cs, %0\n\tmovw %%ss, %1" : "=r"(cs), "=r"(ss));
    static uint32_t stack[1024];
    uint32_t eflags_choices[] = {
        0x00003202u,   // IOPL 3
        0x00023202u,   // VM, IOPL 3: virtual-8086 mode
        0x00020202u,   // VM
        0x00004202u,   // NT
        0x00000302u,   // TF: a trap after the next instruction
        0x00040202u,   // AC
        0x00200202u,   // ID
        random.next(), // anything
    };
    uint32_t eflags = random.pick(eflags_choices);
    uint16_t cs_choices[] = {cs, 0x08, 0x10, static_cast<uint16_t>(cs & ~3u),
                             hostile_selector(random)};
    uint16_t new_cs = random.pick(cs_choices);
    uint16_t ss_choices[] = {ss, 0x10, 0, hostile_selector(random)};
    uint32_t ip_choices[] = {reinterpret_cast<uint32_t>(&&landed), kernel_address(random), 0x1000u,
                             random.next()};
    uint32_t* frame = stack + 512;
    frame[0] = random.pick(ip_choices);
    frame[1] = new_cs;
    frame[2] = eflags;
    frame[3] = reinterpret_cast<uint32_t>(stack + 256);
    frame[4] = random.pick(ss_choices);
    // A virtual-8086 frame also holds es, ds, fs, gs.
    for (uint32_t i = 5; i < 9; ++i)
        frame[i] = random.below(0x10000);
    fuzz_iret(frame);
landed:
    // Back in this code at CPL 3 with a valid frame: the kernel must not have left us the I/O
    // privilege level (IOPL 3 would let this process use every port and cli).
    uint32_t now;
    asm volatile("pushfl\n\tpopl %0" : "=r"(now));
    if ((now & 0x3000u) != 0) exit(kIoPrivilege);
    exit(0);
}

} // namespace

void run_attack(uint32_t seed) {
    Random random(seed);
    uint32_t kind = random.below(11);
    switch (kind) {
    case 0: {
        uint32_t address = kernel_address(random);
        read_at(address);
        exit(kReadKernel);
    }
    case 1:
        write_at(kernel_address(random), random.next());
        exit(kWriteKernel);
    case 2:
        write_at(reinterpret_cast<uint32_t>(rt_kip()) + random.below(1024) * 4, 0);
        exit(kWriteKip);
    case 3: {
        uint32_t address = random.below(AXO_LOWEST_MAPPABLE) & ~3u;
        if (random.one_in(2)) {
            read_at(address);
        } else {
            write_at(address, 1);
        }
        exit(kLowMemory);
    }
    case 4:
        privileged_instruction(random.below(kPrivilegedInstructions));
    case 5:
        for (uint32_t i = 0; i < 16; ++i)
            load_selector(random.below(7), hostile_selector(random));
        exit(0);
    case 6: {
        uint32_t n = random.below(256);
        if (n == AXO_SYSCALL_VECTOR) n = 0x80;
        reinterpret_cast<void (*)()>(fuzz_int_table + n * 4)();
        exit(kSoftwareInterrupt);
    }
    case 7:
        crafted_iret(random);
    case 8: {
        // An instruction that enters the kernel another way, or none.
        switch (random.below(4)) {
        case 0:
            asm volatile("sysenter");
            break;
        case 1:
            asm volatile(".byte 0x0f, 0x05");
            break; // syscall: #UD on the Pentium
        case 2:
            asm volatile(".byte 0xf1");
            break; // icebp: int1
        default:
            asm volatile("ud2");
            break;
        }
        exit(kPrivileged);
    }
    case 9: {
        // Its own registers through the kernel: an ip in the kernel must be refused; then a
        // random ip and sp, which end it wherever they lead.
        axo_exreg_t regs{};
        regs.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP;
        regs.ip = kernel_address(random);
        regs.sp = random.next();
        if (axo_exchange_registers(rt_my_id(), &regs) == AXO_OK) exit(kKernelIp);
        regs = {};
        regs.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_SET_FLAGS;
        regs.ip = random.below(0xC0000000u);
        regs.sp = random.next();
        regs.flags = random.next();
        axo_exchange_registers(rt_my_id(), &regs);
        exit(0); // not reached: the call returns to the new ip
    }
    default: {
        // A jump into the kernel or the small-space area.
        uint32_t target = kernel_address(random);
        asm volatile("jmp *%0" ::"r"(target));
        exit(kKernelIp);
    }
    }
}

} // namespace fuzz
