// Port I/O and the few privileged instructions the kernel needs, as inline functions.
#pragma once

#include <stdint.h>

namespace axo::ia32 {

inline void outb(uint16_t port, uint8_t value) {
    asm volatile("outb %0, %1" ::"a"(value), "Nd"(port));
}
inline void outw(uint16_t port, uint16_t value) {
    asm volatile("outw %0, %1" ::"a"(value), "Nd"(port));
}
inline void outl(uint16_t port, uint32_t value) {
    asm volatile("outl %0, %1" ::"a"(value), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
// A write to an unused port: gives slow devices (the 8259 PIC) time between accesses.
inline void io_delay() {
    outb(0x80, 0);
}

inline uint32_t read_cr0() {
    uint32_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline uint32_t read_cr2() {
    uint32_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline uint32_t read_cr3() {
    uint32_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline uint32_t read_cr4() {
    uint32_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr3(uint32_t v) {
    asm volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
inline void write_cr4(uint32_t v) {
    asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}
inline void invlpg(uint32_t addr) {
    asm volatile("invlpg (%0)" ::"r"(addr) : "memory");
}

inline void enable_interrupts() {
    asm volatile("sti" ::: "memory");
}
inline void disable_interrupts() {
    asm volatile("cli" ::: "memory");
}
inline void halt() {
    asm volatile("hlt" ::: "memory");
}
// Interrupts on, then halt, atomically: sti's one-instruction shadow covers the hlt.
inline void enable_interrupts_and_halt() {
    asm volatile("sti; hlt" ::: "memory");
}

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

} // namespace axo::ia32
