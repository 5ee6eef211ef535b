// The label table (interfaces/labels.h): ranges do not overlap, every protocol's labels lie in
// its own interface's range, and no label means two operations — so a request sent to the
// wrong server can never be taken for another operation (lib/ipc's dispatcher answers it
// wrong_interface: tests/unit/ipc_dispatcher_test.cc).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "interfaces/block/protocol.h"
#include "interfaces/console/protocol.h"
#include "interfaces/devices/protocol.h"
#include "interfaces/labels.h"
#include "interfaces/mm/protocol.h"
#include "interfaces/names/protocol.h"
#include "interfaces/nic/protocol.h"
#include "interfaces/pci/protocol.h"
#include "interfaces/process/protocol.h"
#include "interfaces/serial/protocol.h"
#include "interfaces/sigma0/protocol.h"
#include "interfaces/stream/protocol.h"

namespace {

struct Labelled {
    const char* range; // the interface's line in labels.h
    uint32_t label;
};

// Every label of every protocol header, with the range it must lie in.
const std::vector<Labelled>& all_labels() {
    static const std::vector<Labelled> labels = {
        {"NAMES", proc::kNameRegister},
        {"NAMES", proc::kNameLookup},
        {"NAMES", proc::kNameUnregister},
        {"PROCESS", proc::kProcSpawn},
        {"PROCESS", proc::kProcExit},
        {"PROCESS", proc::kProcWait},
        {"PROCESS", proc::kProcKill},
        {"PROCESS", proc::kProcStatistics},
        {"PROCESS", proc::kProcThreadCreate},
        {"PROCESS", proc::kProcFork},
        {"DEVICES", proc::kProcDeviceClaim},
        {"DEVICES", proc::kProcDevicePorts},
        {"DEVICES", proc::kProcDeviceIrq},
        {"DEVICES", proc::kProcDeviceMemory},
        {"DEVICES", proc::kProcDmaAllocate},
        {"DEVICES", proc::kProcDeviceStatus},
        {"DEVICES", proc::kProcPciReport},
        {"STREAM", stream::kStreamWrite},
        {"STREAM", stream::kStreamRead},
        {"STREAM", stream::kStreamFlush},
        {"SERIAL", serial::kSerialStatistics},
        {"CONSOLE", console::kConsoleStatistics},
        {"PCI", pci::kPciFind},
        {"PCI", pci::kPciFindClass},
        {"PCI", pci::kPciDeviceAt},
        {"PCI", pci::kPciStatistics},
        {"MM", mm::kMmAttach},
        {"MM", mm::kMmDetach},
        {"MM", mm::kMmRegionCreate},
        {"MM", mm::kMmSbrk},
        {"MM", mm::kMmProtect},
        {"MM", mm::kMmUnmap},
        {"MM", mm::kMmDuplicate},
        {"MM", mm::kMmQuotaSet},
        {"MM", mm::kMmStatistics},
        {"MM", mm::kMmFaultState},
        {"MM", mm::kMmFaultRetry},
        {"MM", mm::kMmFaultWait},
        {"MM", mm::kMmPagerWait},
        {"MM", mm::kMmFaultNotice},
        {"NIC", e1000::kNetAttach},
        {"NIC", e1000::kNetDetach},
        {"NIC", e1000::kNetSend},
        {"NIC", e1000::kNetReceive},
        {"NIC", e1000::kNetStatistics},
        {"BLOCK", ata::kAtaBuffer},
        {"BLOCK", ata::kAtaRelease},
        {"BLOCK", ata::kAtaRead},
        {"BLOCK", ata::kAtaWrite},
        {"BLOCK", ata::kAtaFlush},
        {"BLOCK", ata::kAtaInfo},
        {"BLOCK", ata::kAtaStatistics},
        {"SIGMA0", sigma0::kSigma0AllocateAny},
        {"SIGMA0", sigma0::kSigma0MapPhysical},
        {"SIGMA0", sigma0::kSigma0MapPorts},
        {"SIGMA0", sigma0::kSigma0AddClient},
        {"SIGMA0", sigma0::kSigma0Statistics},
    };
    return labels;
}

TEST(InterfaceLabels, RangesAreDisjointAndBelowTheKernelsLabels) {
    EXPECT_TRUE(labels::ranges_are_disjoint());
    for (const labels::Range& a : labels::kRanges) {
        EXPECT_LE(a.first, a.last) << a.name;
        EXPECT_LT(a.last, uint32_t{AXO_LABEL_EXCEPTION}) << a.name;
        for (const labels::Range& b : labels::kRanges) {
            if (&a == &b) continue;
            EXPECT_TRUE(a.last < b.first || b.last < a.first) << a.name << " " << b.name;
        }
    }
}

TEST(InterfaceLabels, EveryLabelLiesInItsInterfacesRange) {
    for (const Labelled& l : all_labels()) {
        const labels::Range* range = labels::range_of(l.label);
        ASSERT_NE(range, nullptr) << std::hex << l.label;
        EXPECT_EQ(std::string(range->name), l.range) << std::hex << l.label;
    }
}

TEST(InterfaceLabels, NoLabelMeansTwoOperations) {
    std::set<uint32_t> seen;
    for (const Labelled& l : all_labels())
        EXPECT_TRUE(seen.insert(l.label).second) << "label 0x" << std::hex << l.label << " twice";
    // The three operations that once shared 0x0700.
    EXPECT_NE(uint32_t{ata::kAtaBuffer}, uint32_t{pci::kPciFind});
    EXPECT_NE(uint32_t{ata::kAtaBuffer}, uint32_t{mm::kMmAttach});
    EXPECT_NE(uint32_t{pci::kPciFind}, uint32_t{mm::kMmAttach});
}

TEST(InterfaceLabels, LabelsOutsideEveryRangeBelongToNoInterface) {
    EXPECT_EQ(labels::range_of(0), nullptr);
    EXPECT_EQ(labels::range_of(0x00FF), nullptr);
    EXPECT_EQ(labels::range_of(AXO_LABEL_PAGE_FAULT), nullptr);
    EXPECT_NE(labels::range_of(AXO_LABELS_TEST_FIRST), nullptr);
}

TEST(InterfaceLabels, AllInRefusesStraysAndDuplicates) {
    constexpr uint32_t ok[] = {0x0100, 0x01FF};
    constexpr uint32_t stray[] = {0x0100, 0x0200};
    constexpr uint32_t twice[] = {0x0101, 0x0101};
    EXPECT_TRUE(labels::all_in(0x0100, 0x01FF, ok));
    EXPECT_FALSE(labels::all_in(0x0100, 0x01FF, stray));
    EXPECT_FALSE(labels::all_in(0x0100, 0x01FF, twice));
}

} // namespace
