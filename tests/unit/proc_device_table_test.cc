// The rules of device grants (servers/proc/device_table.h) on the host: who gets which ports,
// IRQ lines and device memory, who holds them, conflicts between modules, DMA blocks that
// outlive a driver's instance, PCI reports resolving pci= words, restarts. σ0 and the kernel
// are a fake that records what proc would ask of them.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "servers/proc/device_table.h"

namespace proc {
namespace {

struct FakeHost {
    std::vector<axo_fpage_t> ports;                        // map_ports
    std::vector<std::pair<uint32_t, uint32_t>> pages;      // map_device_page: physical, address
    std::vector<std::pair<uint32_t, uint32_t>> dma;        // allocate_dma: log2, address
    std::vector<std::pair<uint32_t, axo_thread_id_t>> irq; // attach_irq: line, thread
    std::vector<uint32_t> detached;                        // detach_irq
    uint32_t next_physical = 0x01000000;
    bool sigma0_refuses = false;

    DeviceHost bind() {
        DeviceHost host;
        host.context = this;
        host.map_ports = [](void* c, axo_fpage_t fpage) {
            auto* self = static_cast<FakeHost*>(c);
            self->ports.push_back(fpage);
            return !self->sigma0_refuses;
        };
        host.map_device_page = [](void* c, uint32_t physical, uint32_t address) {
            auto* self = static_cast<FakeHost*>(c);
            self->pages.push_back({physical, address});
            return !self->sigma0_refuses;
        };
        host.allocate_dma = [](void* c, uint32_t log2, uint32_t address, uint32_t& physical) {
            auto* self = static_cast<FakeHost*>(c);
            if (self->sigma0_refuses) return false;
            self->dma.push_back({log2, address});
            physical = self->next_physical;
            self->next_physical += 1u << log2;
            return true;
        };
        host.attach_irq = [](void* c, uint32_t line, axo_thread_id_t thread) {
            static_cast<FakeHost*>(c)->irq.push_back({line, thread});
            return uint32_t{AXO_OK};
        };
        host.detach_irq = [](void* c, uint32_t line) {
            static_cast<FakeHost*>(c)->detached.push_back(line);
        };
        return host;
    }
};

// A report of the pci driver: one memory BAR, one I/O BAR, an IRQ line.
PciReportRequest device_report(uint32_t vendor, uint32_t device, uint32_t index, uint32_t location,
                               uint32_t memory, uint32_t ports, uint32_t irq) {
    PciReportRequest r{};
    r.vendor = vendor;
    r.device = device;
    r.index = index;
    r.location = location;
    r.irq_line = irq;
    r.irq_pin = 1;
    r.bars[0] = {memory, 0x20000, 1}; // present, memory: 128 KiB
    r.bars[1] = {ports, 0x40, 1 | 2}; // present, I/O: 64 ports
    return r;
}

class DeviceTableTest : public ::testing::Test {
protected:
    // Modules, in boot order: 0 serial, 1 pci (the configuration ports), 2 nic (a pci= word,
    // restarted), 3 twin (the second device with nic's ids), 4 hello (no grants), 5 clash (a device
    // whose BARs another module holds).
    void SetUp() override {
        add("/boot/serial port=0x3f8-0x3ff irq=4 mem=0xb8000-0xb8fff");
        add("/boot/pci port=0xcf8-0xcff on-exit=restart");
        add("/boot/nic pci=8086:100e on-exit=restart");
        add("/boot/twin pci=8086:100e.1");
        add("/boot/hello");
        add("/boot/clash pci=1234:1111");
        m_table.init(&m_config, m_host.bind());
        m_table.set_clock(1000);
    }

    void add(const char* line) {
        ConfigError error{};
        ASSERT_TRUE(parse_module(line, m_config.modules[m_config.module_count], error))
            << line << ": " << error.message;
        ++m_config.module_count;
    }

    static DeviceCaller caller(ProcessId pid, uint32_t module) {
        return {pid, module, axo_thread_id(100 + pid, 1)};
    }

    // The pci driver (module 1, process 20) reports a device.
    ipc::Error report(const PciReportRequest& r, uint32_t* named = nullptr) {
        PciReportReply reply{};
        ipc::Error error = m_table.pci_report(caller(20, 1), r, reply);
        if (named != nullptr) *named = reply.named;
        return error;
    }

    BootConfig m_config{};
    FakeHost m_host;
    DeviceTable m_table;
};

TEST_F(DeviceTableTest, ADriverGetsExactlyItsLinesGrants) {
    DeviceClaimReply reply{};
    ASSERT_EQ(m_table.claim(caller(10, 0), reply), ipc::Error::ok);
    ASSERT_EQ(reply.port_count, 1u);
    EXPECT_EQ(reply.ports[0].first, 0x3F8u);
    EXPECT_EQ(reply.ports[0].last, 0x3FFu);
    ASSERT_EQ(reply.irq_count, 1u);
    EXPECT_EQ(reply.irqs[0], 4u);
    ASSERT_EQ(reply.memory_count, 1u);
    EXPECT_EQ(reply.memory[0].first, 0xB8000u);
    EXPECT_EQ(reply.memory[0].last, 0xB8FFFu);
    EXPECT_EQ(reply.restarts, 0u);
    EXPECT_EQ(m_table.module(0).holder, 10u);

    // Its ports, line and memory, and nothing beside them.
    MapAnswer answer;
    EXPECT_EQ(m_table.ports(caller(10, 0), axo_io_fpage(0x3F8, 3), answer), ipc::Error::ok);
    EXPECT_EQ(answer.fpage, axo_io_fpage(0x3F8, 3));
    ASSERT_EQ(m_host.ports.size(), 1u);
    EXPECT_EQ(m_table.ports(caller(10, 0), axo_io_fpage(0x3F0, 4), answer),
              ipc::Error::no_permission);
    EXPECT_EQ(m_table.ports(caller(10, 0), axo_io_fpage(0x2F8, 3), answer),
              ipc::Error::no_permission);
    EXPECT_EQ(m_host.ports.size(), 1u) << "σ0 is not asked for ports that are not granted";
    EXPECT_EQ(m_table.irq(caller(10, 0), 4), ipc::Error::ok);
    EXPECT_EQ(m_table.irq(caller(10, 0), 3), ipc::Error::no_permission);
    ASSERT_EQ(m_host.irq.size(), 1u);
    EXPECT_EQ(m_host.irq[0].second, axo_thread_id(110, 1));
    EXPECT_EQ(m_table.memory(caller(10, 0), 0xB8000, 12, answer), ipc::Error::ok);
    EXPECT_EQ(answer.send_base & 0xFFFu, 0u);
    EXPECT_EQ(answer.send_base % (1u << 22), 0xB8000u) << "4 MiB congruence kept";
    EXPECT_EQ(m_table.memory(caller(10, 0), 0xB9000, 12, answer), ipc::Error::no_permission);
    EXPECT_EQ(m_table.memory(caller(10, 0), 0xB8000, 13, answer), ipc::Error::no_permission);

    // A module without grants, and a sender that is no process, get nothing.
    EXPECT_EQ(m_table.claim(caller(11, 4), reply), ipc::Error::no_permission);
    EXPECT_EQ(m_table.claim(DeviceCaller{}, reply), ipc::Error::no_permission);
}

TEST_F(DeviceTableTest, ClaimsByANonHolderAreRefused) {
    DeviceClaimReply reply{};
    ASSERT_EQ(m_table.claim(caller(10, 0), reply), ipc::Error::ok);
    ASSERT_EQ(m_table.claim(caller(10, 0), reply), ipc::Error::ok) << "idempotent for the holder";
    // Another process of the same module, while the holder lives: busy, for every operation.
    MapAnswer answer;
    EXPECT_EQ(m_table.claim(caller(12, 0), reply), ipc::Error::busy);
    EXPECT_EQ(m_table.ports(caller(12, 0), axo_io_fpage(0x3F8, 3), answer), ipc::Error::busy);
    EXPECT_EQ(m_table.irq(caller(12, 0), 4), ipc::Error::busy);
    EXPECT_EQ(m_table.dma(caller(12, 0), 0, 12, answer), ipc::Error::busy);
    EXPECT_TRUE(m_host.irq.empty() && m_host.ports.empty() && m_host.dma.empty());
    // Only the holder of the configuration ports may report PCI devices.
    PciReportReply pci{};
    EXPECT_EQ(m_table.pci_report(caller(10, 0),
                                 device_report(0x8086, 0x100E, 0, 0x300, 0xFEB00000, 0xC000, 11),
                                 pci),
              ipc::Error::no_permission);
    EXPECT_EQ(m_table.pci_count(), 0u);

    // Once the holder ends, its IRQ lines are detached and the next process may claim.
    ASSERT_EQ(m_table.irq(caller(10, 0), 4), ipc::Error::ok);
    EXPECT_EQ(m_table.process_ended(10, 0, kExitNormal).kind, EndAnswer::nothing);
    EXPECT_EQ(m_host.detached, std::vector<uint32_t>{4});
    EXPECT_EQ(m_table.claim(caller(12, 0), reply), ipc::Error::ok);
    EXPECT_EQ(m_table.module(0).holder, 12u);
}

TEST_F(DeviceTableTest, APciReportResolvesAPciWord) {
    DeviceClaimReply reply{};
    EXPECT_EQ(m_table.claim(caller(30, 2), reply), ipc::Error::not_found)
        << "the device is not reported yet: lib/driver's claim waits";
    uint32_t named = 0;
    ASSERT_EQ(report(device_report(0x8086, 0x100E, 0, 0x000300, 0xFEB00000, 0xC000, 11), &named),
              ipc::Error::ok);
    EXPECT_EQ(named, 1u) << "nic names the device";
    ASSERT_EQ(report(device_report(0x8086, 0x100E, 1, 0x000400, 0xFEA00000, 0xC100, 10), &named),
              ipc::Error::ok);
    EXPECT_EQ(named, 1u) << "twin names the second device with these ids (.1)";
    ASSERT_EQ(report(device_report(0x8086, 0x1234, 0, 0x000500, 0xFE900000, 0xC200, 9), &named),
              ipc::Error::ok);
    EXPECT_EQ(named, 0u) << "a device nobody names";

    ASSERT_EQ(m_table.claim(caller(30, 2), reply), ipc::Error::ok);
    ASSERT_EQ(reply.memory_count, 1u);
    EXPECT_EQ(reply.memory[0].first, 0xFEB00000u);
    EXPECT_EQ(reply.memory[0].last, 0xFEB1FFFFu);
    ASSERT_EQ(reply.port_count, 1u);
    EXPECT_EQ(reply.ports[0].first, 0xC000u);
    EXPECT_EQ(reply.ports[0].last, 0xC03Fu);
    ASSERT_EQ(reply.irq_count, 1u);
    EXPECT_EQ(reply.irqs[0], 11u);
    DeviceNote notes[DeviceTable::kMaxNotes];
    ASSERT_EQ(m_table.take_notes(notes, DeviceTable::kMaxNotes), 1u);
    EXPECT_EQ(notes[0].kind, DeviceNote::pci_granted);
    EXPECT_EQ(notes[0].location, 0x300u);

    // A later report of the same location (a restarted pci driver) replaces the entry, and
    // grants already resolved stay as they were.
    ASSERT_EQ(report(device_report(0x8086, 0x100E, 0, 0x000300, 0xFE000000, 0xD000, 9)),
              ipc::Error::ok);
    EXPECT_EQ(m_table.pci_count(), 3u);
    ASSERT_EQ(m_table.claim(caller(30, 2), reply), ipc::Error::ok);
    EXPECT_EQ(reply.memory[0].first, 0xFEB00000u);
    EXPECT_EQ(reply.irqs[0], 11u);

    // Bad reports.
    EXPECT_EQ(report(device_report(0xFFFF, 0x100E, 0, 0x500, 0, 0, 0)),
              ipc::Error::invalid_argument);
    EXPECT_EQ(report(device_report(0x8086, 0x100E, 0, 0x1000000, 0, 0, 0)),
              ipc::Error::invalid_argument);
}

TEST_F(DeviceTableTest, ASecondModuleNamingAGrantedDeviceIsRefused) {
    // Two lines naming the same device never get this far: the boot configuration refuses
    // the second (the same check the table applies to resolved grants).
    ModuleConfig same{};
    ConfigError why{};
    ASSERT_TRUE(parse_module("/boot/again pci=8086:100e", same, why));
    EXPECT_TRUE(conflicts(same, m_config.modules[2], why));
    // twin's device (.1) decodes the memory and the line nic was granted with its own.
    ASSERT_EQ(report(device_report(0x8086, 0x100E, 0, 0x300, 0xFEB00000, 0xC000, 11)),
              ipc::Error::ok);
    ASSERT_EQ(report(device_report(0x8086, 0x100E, 1, 0x400, 0xFEB10000, 0xC100, 11)),
              ipc::Error::ok);
    DeviceClaimReply reply{};
    ASSERT_EQ(m_table.claim(caller(30, 2), reply), ipc::Error::ok);
    DeviceNote notes[DeviceTable::kMaxNotes];
    (void)m_table.take_notes(notes, DeviceTable::kMaxNotes);
    EXPECT_EQ(m_table.claim(caller(31, 3), reply), ipc::Error::no_permission);
    ASSERT_EQ(m_table.take_notes(notes, DeviceTable::kMaxNotes), 1u);
    EXPECT_EQ(notes[0].kind, DeviceNote::pci_conflict);
    EXPECT_EQ(notes[0].module, 3u);
    EXPECT_FALSE(m_table.module(3).resolved);
    EXPECT_EQ(m_table.module(3).holder, kNoProcess);
}

TEST_F(DeviceTableTest, ASecondModuleNamingAGrantedPortOrIrqIsRefused) {
    // clash's device decodes serial's ports.
    ASSERT_EQ(report(device_report(0x1234, 0x1111, 0, 0x500, 0xFE000000, 0x3C0, 10)),
              ipc::Error::ok);
    DeviceClaimReply reply{};
    MapAnswer answer;
    EXPECT_EQ(m_table.claim(caller(40, 5), reply), ipc::Error::no_permission);
    EXPECT_EQ(m_table.ports(caller(40, 5), axo_io_fpage(0x3F8, 3), answer),
              ipc::Error::no_permission);
    EXPECT_TRUE(m_host.ports.empty());

    // Reported again (the pci driver restarted) on serial's IRQ line, with free ports.
    ASSERT_EQ(report(device_report(0x1234, 0x1111, 0, 0x500, 0xFE000000, 0xE000, 4)),
              ipc::Error::ok);
    EXPECT_EQ(m_table.claim(caller(40, 5), reply), ipc::Error::no_permission);
    EXPECT_EQ(m_table.irq(caller(40, 5), 4), ipc::Error::no_permission);
    EXPECT_TRUE(m_host.irq.empty());

    // With nothing in common it is granted.
    ASSERT_EQ(report(device_report(0x1234, 0x1111, 0, 0x500, 0xFE000000, 0xE000, 5)),
              ipc::Error::ok);
    EXPECT_EQ(m_table.claim(caller(40, 5), reply), ipc::Error::ok);
    EXPECT_EQ(m_table.irq(caller(40, 5), 5), ipc::Error::ok);
}

TEST_F(DeviceTableTest, ARestartedDriverGetsTheSameDmaBlock) {
    ASSERT_EQ(report(device_report(0x8086, 0x100E, 0, 0x300, 0xFEB00000, 0xC000, 11)),
              ipc::Error::ok);
    m_table.started_at_boot(2, 30);
    MapAnswer first, second;
    ASSERT_EQ(m_table.dma(caller(30, 2), 0, 16, first), ipc::Error::ok);
    ASSERT_EQ(m_table.dma(caller(30, 2), 1, 12, second), ipc::Error::ok);
    EXPECT_NE(first.physical, second.physical);
    EXPECT_EQ(first.fpage, axo_fpage(first.send_base, 16, AXO_FPAGE_R | AXO_FPAGE_W));
    EXPECT_EQ(first.send_base % (1u << 16), 0u);
    ASSERT_EQ(m_host.dma.size(), 2u);
    MapAnswer wrong;
    EXPECT_EQ(m_table.dma(caller(30, 2), 0, 12, wrong), ipc::Error::invalid_argument)
        << "slot 0 exists with another size";
    EXPECT_EQ(m_table.dma(caller(30, 2), kDmaSlots, 12, wrong), ipc::Error::invalid_argument);

    // Killed: restarted (a kill is a deliberate restart), the new instance claims again.
    m_table.set_clock(2000);
    EXPECT_EQ(m_table.process_ended(30, 2, kExitKilled).kind, EndAnswer::restart);
    m_table.restarted(2, 33);
    EXPECT_EQ(m_table.module(2).instance, 33u);
    DeviceClaimReply reply{};
    ASSERT_EQ(m_table.claim(caller(33, 2), reply), ipc::Error::ok);
    EXPECT_EQ(reply.restarts, 1u);
    EXPECT_EQ(reply.irqs[0], 11u) << "the same grants";
    MapAnswer again;
    ASSERT_EQ(m_table.dma(caller(33, 2), 0, 16, again), ipc::Error::ok);
    EXPECT_EQ(again.physical, first.physical);
    EXPECT_EQ(again.send_base, first.send_base);
    EXPECT_EQ(m_host.dma.size(), 2u) << "σ0 is not asked again: the block is the module's";
    // The old instance can do nothing more; its process id is no holder.
    EXPECT_EQ(m_table.dma(caller(30, 2), 0, 16, again), ipc::Error::busy);

    // The module's DMA limit counts every slot.
    MapAnswer big;
    ASSERT_EQ(m_table.dma(caller(33, 2), 2, 20, big), ipc::Error::ok);
    ASSERT_EQ(m_table.dma(caller(33, 2), 3, 20, big), ipc::Error::ok);
    EXPECT_EQ(m_table.module(2).dma_bytes, (1u << 16) + (1u << 12) + (2u << 20));
}

TEST_F(DeviceTableTest, AModuleThatKeepsFailingAtItsStartIsGivenUp) {
    m_table.started_at_boot(1, 20);
    ProcessId pid = 20;
    for (uint32_t i = 0; i < kRestartAttempts; ++i) {
        EXPECT_EQ(m_table.process_ended(pid, 1, kExitFaulted).kind, EndAnswer::restart) << i;
        m_table.restarted(1, ++pid);
    }
    EXPECT_EQ(m_table.process_ended(pid, 1, kExitFaulted).kind, EndAnswer::give_up);
    EXPECT_TRUE(m_table.module(1).given_up);
    DeviceNote notes[DeviceTable::kMaxNotes];
    ASSERT_EQ(m_table.take_notes(notes, DeviceTable::kMaxNotes), 1u);
    EXPECT_EQ(notes[0].kind, DeviceNote::given_up);

    // A module without on-exit=restart is never restarted.
    EXPECT_EQ(m_table.process_ended(10, 0, kExitFaulted).kind, EndAnswer::nothing);
}

TEST_F(DeviceTableTest, AnInstanceThatRanLongEnoughIsNotFailing) {
    m_table.started_at_boot(1, 20);
    ProcessId pid = 20;
    for (uint32_t i = 0; i < 2 * kRestartAttempts; ++i) {
        m_table.set_clock(m_table.module(1).instance_started_us + kStableRunUs);
        ASSERT_EQ(m_table.process_ended(pid, 1, kExitNormal).kind, EndAnswer::restart) << i;
        m_table.restarted(1, ++pid);
    }
    EXPECT_EQ(m_table.module(1).failures, 0u);
    EXPECT_EQ(m_table.module(1).restarts, 2 * kRestartAttempts);
}

TEST_F(DeviceTableTest, WhatSigma0RefusesIsNotKept) {
    DeviceClaimReply reply{};
    ASSERT_EQ(m_table.claim(caller(10, 0), reply), ipc::Error::ok);
    m_host.sigma0_refuses = true;
    MapAnswer answer;
    EXPECT_EQ(m_table.ports(caller(10, 0), axo_io_fpage(0x3F8, 3), answer), ipc::Error::io_error);
    EXPECT_EQ(m_table.memory(caller(10, 0), 0xB8000, 12, answer), ipc::Error::no_memory);
    EXPECT_EQ(m_table.dma(caller(10, 0), 0, 12, answer), ipc::Error::no_memory);
    EXPECT_EQ(m_table.module(0).memory_window[0], 0u);
    EXPECT_EQ(m_table.module(0).dma[0].log2, 0u) << "the slot stays free";
    EXPECT_EQ(m_table.module(0).dma_bytes, 0u);
    // σ0 gives them later: the slot is allocated then, once.
    m_host.sigma0_refuses = false;
    EXPECT_EQ(m_table.dma(caller(10, 0), 0, 12, answer), ipc::Error::ok);
    EXPECT_EQ(m_table.memory(caller(10, 0), 0xB8000, 12, answer), ipc::Error::ok);
    EXPECT_EQ(m_host.dma.size(), 1u);
    EXPECT_EQ(m_table.module(0).dma_bytes, 1u << 12);
}

Name name(const char* text) {
    Name n{};
    n.set(text);
    return n;
}

TEST_F(DeviceTableTest, StatusNamesAModule) {
    DeviceStatusReply status{};
    m_table.started_at_boot(1, 20);
    EXPECT_EQ(m_table.status(name("pci"), status), ipc::Error::ok);
    EXPECT_EQ(status.instance, 20u);
    EXPECT_EQ(status.holder, kNoProcess);
    EXPECT_EQ(status.restart_policy, 1u);
    EXPECT_EQ(m_table.status(name("nothing"), status), ipc::Error::not_found);
    EXPECT_EQ(m_table.status(name(""), status), ipc::Error::invalid_argument);
}

TEST_F(DeviceTableTest, ADeviceGivenToAModuleServesOnlyThatModulesBootInstance) {
    add("/boot/ata port=0x1f0-0x1f7 irq=14 client=fs"); // module 6
    add("/boot/fs");                                    // module 7
    DeviceClientReply reply{};
    // The driver must hold its grants to ask.
    EXPECT_EQ(m_table.client(caller(30, 6), caller(40, 7), true, reply), ipc::Error::ok);
    EXPECT_EQ(reply.pid, 40u) << "fs's boot instance: the client";
    EXPECT_EQ(m_table.client(caller(31, 6), caller(40, 7), true, reply), ipc::Error::busy)
        << "another process of the driver's module asks nothing";
    EXPECT_EQ(m_table.client(caller(30, 6), caller(41, 7), false, reply), ipc::Error::no_permission)
        << "a copy of fs's image that someone spawned is no boot instance";
    EXPECT_EQ(m_table.client(caller(30, 6), caller(42, 4), true, reply), ipc::Error::no_permission)
        << "another module's boot instance";
    EXPECT_EQ(m_table.client(caller(30, 6), DeviceCaller{}, false, reply), ipc::Error::not_found)
        << "a thread of no process";
    EXPECT_EQ(m_table.client(caller(43, 4), caller(40, 7), true, reply), ipc::Error::no_permission)
        << "a module without grants has no device to give";

    // A driver whose line names no client serves anyone (the driver tests' own lines).
    DeviceClaimReply claim{};
    ASSERT_EQ(m_table.claim(caller(10, 0), claim), ipc::Error::ok);
    EXPECT_EQ(m_table.client(caller(10, 0), caller(42, 4), false, reply), ipc::Error::ok);
    EXPECT_EQ(m_table.client(caller(10, 0), DeviceCaller{}, false, reply), ipc::Error::ok);
    EXPECT_EQ(reply.pid, kNoProcess);
}

} // namespace
} // namespace proc
