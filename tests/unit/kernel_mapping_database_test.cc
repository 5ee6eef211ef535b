// The mapping database on the host: derivation trees, recursive revocation, grant, rights
// reduction. Spaces are stood in for by a fake page table that records what the hooks do.
#include <cstdlib>
#include <map>
#include <utility>

#include <gtest/gtest.h>

#include "axolotl/abi.h"
#include "kernel/kmem.h"
#include "kernel/mapping_database.h"

// The kernel heap, on the host: plain malloc, so ASan sees every node.
namespace axo::kmem {
Result<void*> allocate(size_t size) {
    return std::calloc(1, size);
}
void free(void* object, size_t) {
    std::free(object);
}
Result<void*> allocate_map_node() {
    return std::calloc(1, sizeof(MapNode));
}
void free_map_node(void* node) {
    std::free(node);
}
Result<void*> allocate_block(size_t count) {
    void* block = std::aligned_alloc(kPageSize, count * kPageSize);
    __builtin_memset(block, 0, count * kPageSize);
    return block;
}
void free_block(void* block, size_t) {
    std::free(block);
}
} // namespace axo::kmem

namespace axo {
namespace {

// (space, address) -> rights: what the page tables would hold.
std::map<std::pair<Space*, uint32_t>, uint8_t> g_tables;
bool g_fail_install;

Space* space(int n) {
    return reinterpret_cast<Space*>(uintptr_t(0x1000 * n));
}

Result<void> install(MapNode* node) {
    if (g_fail_install) return Error::out_of_memory;
    g_tables[{node->space, node->address}] = node->rights;
    return {};
}
void update(MapNode* node) {
    g_tables[{node->space, node->address}] = node->rights;
}
void uninstall(MapNode* node) {
    g_tables.erase({node->space, node->address});
}

bool mapped(int s, uint32_t address) {
    return g_tables.count({space(s), address}) != 0;
}
uint8_t rights(int s, uint32_t address) {
    return g_tables.at({space(s), address});
}

class MapDb : public ::testing::Test {
protected:
    void SetUp() override {
        g_tables.clear();
        g_fail_install = false;
        mapdb::set_hooks(mapdb::Hooks{install, update, uninstall});
        baseline = mapdb::node_count();
    }
    uint32_t baseline = 0;
    Space* sigma0 = space(100);
};

TEST_F(MapDb, RootIsCreatedOnceAndFound) {
    auto a = mapdb::root(sigma0, 0x7000000, false);
    auto b = mapdb::root(sigma0, 0x7000000, false);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.value(), b.value());
    EXPECT_EQ(mapdb::find_root(0x7000000, false), a.value());
    EXPECT_EQ(mapdb::find_root(0x7001000, false), nullptr);
    EXPECT_EQ(a.value()->rights, AXO_FPAGE_RWX);
}

TEST_F(MapDb, ChainFlushRevokesEverythingBelow) {
    MapNode* root = mapdb::root(sigma0, 0x7100000, false).value();
    MapNode* a = mapdb::map(root, space(1), 0x10000, AXO_FPAGE_RWX).value();
    MapNode* b = mapdb::map(a, space(2), 0x20000, AXO_FPAGE_RWX).value();
    mapdb::map(b, space(3), 0x30000, AXO_FPAGE_R).value();
    EXPECT_TRUE(mapped(1, 0x10000) && mapped(2, 0x20000) && mapped(3, 0x30000));
    EXPECT_EQ(rights(3, 0x30000), AXO_FPAGE_R);

    mapdb::revoke(a, AXO_FPAGE_RWX, false); // A flushes: B and C go, A stays
    EXPECT_TRUE(mapped(1, 0x10000));
    EXPECT_FALSE(mapped(2, 0x20000));
    EXPECT_FALSE(mapped(3, 0x30000));
    EXPECT_EQ(mapdb::node_count(), baseline + 2); // the root (new) and A
}

TEST_F(MapDb, RightsReductionReachesTheWholeSubtree) {
    MapNode* root = mapdb::root(sigma0, 0x7200000, false).value();
    MapNode* a = mapdb::map(root, space(1), 0x10000, AXO_FPAGE_RWX).value();
    MapNode* b = mapdb::map(a, space(2), 0x20000, AXO_FPAGE_RWX).value();
    mapdb::map(b, space(3), 0x30000, AXO_FPAGE_RWX).value();
    mapdb::map(a, space(4), 0x40000, AXO_FPAGE_RWX).value();
    mapdb::revoke(a, AXO_FPAGE_W, false);
    EXPECT_EQ(rights(1, 0x10000), AXO_FPAGE_RWX);
    EXPECT_EQ(rights(2, 0x20000), AXO_FPAGE_R | AXO_FPAGE_X);
    EXPECT_EQ(rights(3, 0x30000), AXO_FPAGE_R | AXO_FPAGE_X);
    EXPECT_EQ(rights(4, 0x40000), AXO_FPAGE_R | AXO_FPAGE_X);
    mapdb::revoke(a, AXO_FPAGE_W, true);
    EXPECT_EQ(rights(1, 0x10000), AXO_FPAGE_R | AXO_FPAGE_X);
}

TEST_F(MapDb, ChildRightsNeverExceedTheParent) {
    MapNode* root = mapdb::root(sigma0, 0x7300000, false).value();
    MapNode* a = mapdb::map(root, space(1), 0x10000, AXO_FPAGE_R).value();
    MapNode* b = mapdb::map(a, space(2), 0x20000, AXO_FPAGE_RWX).value();
    EXPECT_EQ(b->rights, AXO_FPAGE_R);
}

TEST_F(MapDb, GrantMovesTheNodeAndKeepsItsChildren) {
    MapNode* root = mapdb::root(sigma0, 0x7400000, false).value();
    MapNode* a = mapdb::map(root, space(1), 0x10000, AXO_FPAGE_RWX).value();
    mapdb::map(a, space(3), 0x30000, AXO_FPAGE_RWX).value();
    ASSERT_TRUE(mapdb::grant(a, space(2), 0x20000, AXO_FPAGE_RWX).ok());
    EXPECT_FALSE(mapped(1, 0x10000));
    EXPECT_TRUE(mapped(2, 0x20000));
    EXPECT_TRUE(mapped(3, 0x30000));
    mapdb::revoke(a, AXO_FPAGE_RWX, false); // the grantee's flush still reaches the child
    EXPECT_FALSE(mapped(3, 0x30000));
}

TEST_F(MapDb, GrantWithFewerRightsReducesTheChildren) {
    MapNode* root = mapdb::root(sigma0, 0x7500000, false).value();
    MapNode* a = mapdb::map(root, space(1), 0x10000, AXO_FPAGE_RWX).value();
    mapdb::map(a, space(3), 0x30000, AXO_FPAGE_RWX).value();
    ASSERT_TRUE(mapdb::grant(a, space(2), 0x20000, AXO_FPAGE_R).ok());
    EXPECT_EQ(rights(3, 0x30000), AXO_FPAGE_R);
}

TEST_F(MapDb, FailedInstallLeavesNoNode) {
    MapNode* root = mapdb::root(sigma0, 0x7600000, false).value();
    uint32_t before = mapdb::node_count();
    g_fail_install = true;
    EXPECT_FALSE(mapdb::map(root, space(1), 0x10000, AXO_FPAGE_RWX).ok());
    EXPECT_EQ(mapdb::node_count(), before);
    EXPECT_EQ(root->first_child, nullptr);
}

TEST_F(MapDb, RevokeSelfRemovesTheNodeFromItsParent) {
    MapNode* root = mapdb::root(sigma0, 0x7700000, false).value();
    MapNode* a = mapdb::map(root, space(1), 0x10000, AXO_FPAGE_RWX).value();
    MapNode* b = mapdb::map(root, space(2), 0x20000, AXO_FPAGE_RWX).value();
    mapdb::revoke(a, AXO_FPAGE_R, true);
    EXPECT_FALSE(mapped(1, 0x10000));
    EXPECT_EQ(root->first_child, b);
    EXPECT_EQ(b->prev_sibling, nullptr);
}

// Regression guard for the iterative traversal: a wide and deep tree, flushed in one go.
TEST_F(MapDb, WideAndDeepTreeIsFlushedCompletely) {
    MapNode* root = mapdb::root(sigma0, 0x7800000, false).value();
    MapNode* top = mapdb::map(root, space(1), 0x1000, AXO_FPAGE_RWX).value();
    uint32_t created = 0;
    for (int i = 0; i < 20; ++i) {
        MapNode* chain = top;
        for (int depth = 0; depth < 10; ++depth) {
            int s = 2 + i * 10 + depth;
            chain = mapdb::map(chain, space(s), 0x1000 * (depth + 1), AXO_FPAGE_RWX).value();
            ++created;
        }
    }
    EXPECT_EQ(g_tables.size(), created + 1);
    uint32_t before = mapdb::node_count();
    mapdb::revoke(top, AXO_FPAGE_RWX, false);
    EXPECT_EQ(g_tables.size(), 1u);
    EXPECT_EQ(mapdb::node_count(), before - created);
}

TEST_F(MapDb, PortsHaveTheirOwnRoots) {
    MapNode* port = mapdb::root(sigma0, 0x3F8, true).value();
    EXPECT_TRUE(port->io);
    EXPECT_EQ(mapdb::find_root(0x3F8, true), port);
    EXPECT_EQ(mapdb::find_root(0x3F8, false), nullptr);
    MapNode* driver = mapdb::map(port, space(5), 0x3F8, AXO_FPAGE_RWX).value();
    EXPECT_TRUE(driver->io);
    mapdb::revoke(port, AXO_FPAGE_RWX, false);
    EXPECT_FALSE(mapped(5, 0x3F8));
}

} // namespace
} // namespace axo
