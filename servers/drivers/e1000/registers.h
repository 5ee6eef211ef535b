// 82540EM registers and descriptor formats used by the driver (Intel PCI/PCI-X Family of
// Gigabit Ethernet Controllers Software Developer's Manual, 8254x; §13 registers, §3 rings).
#pragma once

#include <stdint.h>

namespace e1000::reg {

constexpr uint32_t kCtrl = 0x0000;
constexpr uint32_t kStatus = 0x0008;
constexpr uint32_t kEerd = 0x0014;
constexpr uint32_t kIcr = 0x00C0; // read clears
constexpr uint32_t kIms = 0x00D0;
constexpr uint32_t kImc = 0x00D8;
constexpr uint32_t kRctl = 0x0100;
constexpr uint32_t kTctl = 0x0400;
constexpr uint32_t kTipg = 0x0410;
constexpr uint32_t kRdbal = 0x2800, kRdbah = 0x2804, kRdlen = 0x2808, kRdh = 0x2810, kRdt = 0x2818,
                   kRdtr = 0x2820;
constexpr uint32_t kTdbal = 0x3800, kTdbah = 0x3804, kTdlen = 0x3808, kTdh = 0x3810, kTdt = 0x3818;
constexpr uint32_t kMpc = 0x4010; // missed packets, read clears
constexpr uint32_t kMta = 0x5200; // 128 dwords
constexpr uint32_t kRal0 = 0x5400, kRah0 = 0x5404;

constexpr uint32_t kCtrlSlu = 1u << 6, kCtrlAsde = 1u << 5, kCtrlLrst = 1u << 3,
                   kCtrlRst = 1u << 26, kCtrlPhyRst = 1u << 31;
constexpr uint32_t kStatusLu = 1u << 1;
constexpr uint32_t kEerdStart = 1u << 0, kEerdDone = 1u << 4;
constexpr uint32_t kRahAv = 1u << 31;

constexpr uint32_t kIntTxdw = 1u << 0, kIntLsc = 1u << 2, kIntRxdmt0 = 1u << 4, kIntRxo = 1u << 6,
                   kIntRxt0 = 1u << 7;

constexpr uint32_t kRctlEn = 1u << 1, kRctlBam = 1u << 15, kRctlSecrc = 1u << 26; // BSIZE 00: 2048
constexpr uint32_t kTctlEn = 1u << 1, kTctlPsp = 1u << 3;
constexpr uint32_t kTctlCt = 0x0Fu << 4, kTctlCold = 0x40u << 12;
constexpr uint32_t kTipgValue = 10u | 8u << 10 | 6u << 20;

struct RxDescriptor {
    uint64_t address;
    uint16_t length;
    uint16_t checksum;
    uint8_t status; // kRxDd, kRxEop
    uint8_t errors;
    uint16_t special;
};
static_assert(sizeof(RxDescriptor) == 16);
constexpr uint8_t kRxDd = 1u << 0, kRxEop = 1u << 1;

struct TxDescriptor {
    uint64_t address;
    uint16_t length;
    uint8_t cso;
    uint8_t command; // kTxEop | kTxIfcs | kTxRs
    uint8_t status;  // kTxDd
    uint8_t css;
    uint16_t special;
};
static_assert(sizeof(TxDescriptor) == 16);
constexpr uint8_t kTxEop = 1u << 0, kTxIfcs = 1u << 1, kTxRs = 1u << 3;
constexpr uint8_t kTxDd = 1u << 0;

} // namespace e1000::reg
