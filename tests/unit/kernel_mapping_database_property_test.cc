// Property test of the mapping database: long random sequences of map, grant and revoke,
// checked after every step against a plain reference model of derivation trees. The model
// is written the obvious way (recursion, std:: containers); the kernel's code is iterative
// and intrusive. Any divergence in what is mapped where, with which rights, fails the test.
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "axolotl/abi.h"
#include "kernel/mapping_database.h"

namespace axo {
namespace {

using Key = std::pair<uintptr_t, uint32_t>; // (space, address)

// What the hooks say the page tables hold.
std::map<Key, uint8_t> g_installed;

Result<void> install(MapNode* node) {
    g_installed[{reinterpret_cast<uintptr_t>(node->space), node->address}] = node->rights;
    return {};
}
void update(MapNode* node) {
    g_installed[{reinterpret_cast<uintptr_t>(node->space), node->address}] = node->rights;
}
void uninstall(MapNode* node) {
    g_installed.erase({reinterpret_cast<uintptr_t>(node->space), node->address});
}

// The reference model: nodes by id, each with its parent id (0: a root).
struct ModelNode {
    Key key;
    uint8_t rights;
    int parent;
};

class Model {
public:
    int add(Key key, uint8_t rights, int parent) {
        int id = ++m_next;
        m_nodes[id] = ModelNode{key, rights, parent};
        return id;
    }
    std::vector<int> children(int id) const {
        std::vector<int> out;
        for (const auto& [child, node] : m_nodes) {
            if (node.parent == id) out.push_back(child);
        }
        return out;
    }
    void remove_subtree(int id) {
        for (int child : children(id))
            remove_subtree(child);
        m_nodes.erase(id);
    }
    void reduce_below(int id, uint8_t take) {
        for (int child : children(id)) {
            uint8_t remaining = m_nodes[child].rights & ~take;
            if (!(remaining & AXO_FPAGE_R)) {
                remove_subtree(child);
            } else {
                m_nodes[child].rights = remaining;
                reduce_below(child, take);
            }
        }
    }
    void revoke(int id, uint8_t take, bool include_self) {
        if (include_self && m_nodes[id].parent != 0) {
            uint8_t remaining = m_nodes[id].rights & ~take;
            if (!(remaining & AXO_FPAGE_R)) {
                remove_subtree(id);
                return;
            }
            m_nodes[id].rights = remaining;
        }
        reduce_below(id, take);
    }
    void grant(int id, Key to, uint8_t rights) {
        uint8_t old = m_nodes[id].rights;
        m_nodes[id].key = to;
        m_nodes[id].rights = old & rights;
        if (m_nodes[id].rights != old) reduce_below(id, old & ~m_nodes[id].rights);
    }
    bool is_ancestor(int ancestor, int id) const {
        for (int n = id; n != 0; n = m_nodes.at(n).parent) {
            if (n == ancestor) return true;
        }
        return false;
    }
    // Installed mappings: every non-root node.
    std::map<Key, uint8_t> installed() const {
        std::map<Key, uint8_t> out;
        for (const auto& [id, node] : m_nodes) {
            if (node.parent != 0) out[node.key] = node.rights;
        }
        return out;
    }
    const std::map<int, ModelNode>& nodes() const { return m_nodes; }
    bool exists(int id) const { return m_nodes.count(id) != 0; }

private:
    std::map<int, ModelNode> m_nodes;
    int m_next = 0;
};

TEST(MapDbProperty, RandomMapGrantRevokeAgreeWithTheModel) {
    constexpr int kOperations = 100000;
    constexpr int kSpaces = 6;
    constexpr uint32_t kPages = 12;
    constexpr int kFrames = 4;

    g_installed.clear();
    mapdb::set_hooks(mapdb::Hooks{install, update, uninstall});
    std::mt19937 random(20261122);
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(random() % n); };

    Model model;
    // Real node <-> model id, both ways.
    std::map<int, MapNode*> real;
    std::map<MapNode*, int> id_of;
    Space* sigma0 = reinterpret_cast<Space*>(uintptr_t{0x100});
    for (int f = 0; f < kFrames; ++f) {
        uint32_t frame = 0x0F000000u + static_cast<uint32_t>(f) * 0x1000u;
        MapNode* root = mapdb::root(sigma0, frame, false).value();
        int id = model.add({0x100, frame}, AXO_FPAGE_RWX, 0);
        real[id] = root;
        id_of[root] = id;
    }
    auto space_key = [](uint32_t s) { return uintptr_t{0x1000} * (s + 1); };
    auto occupant = [&](Key key) -> int {
        for (const auto& [id, node] : model.nodes()) {
            if (node.parent != 0 && node.key == key) return id;
        }
        return 0;
    };
    auto forget_dead = [&] {
        for (auto it = real.begin(); it != real.end();) {
            if (!model.exists(it->first)) {
                id_of.erase(it->second);
                it = real.erase(it);
            } else {
                ++it;
            }
        }
    };
    auto random_node = [&](bool include_roots) -> int {
        std::vector<int> ids;
        for (const auto& [id, node] : model.nodes()) {
            if (include_roots || node.parent != 0) ids.push_back(id);
        }
        return ids.empty() ? 0 : ids[pick(static_cast<uint32_t>(ids.size()))];
    };
    auto random_rights = [&] { return static_cast<uint8_t>(1 + pick(7)); };

    int maps = 0, grants = 0, revokes = 0;
    for (int step = 0; step < kOperations; ++step) {
        uint32_t op = pick(10);
        if (op < 5) { // map
            int source = random_node(true);
            uint32_t s = pick(kSpaces);
            Key to{space_key(s), pick(kPages) * 0x1000u};
            if (int existing = occupant(to)) {
                if (model.is_ancestor(existing, source)) continue; // as map_items.cc refuses
                mapdb::revoke(real[existing], AXO_FPAGE_RWX, true);
                model.revoke(existing, AXO_FPAGE_RWX, true);
                forget_dead();
            }
            uint8_t rights = random_rights();
            if (rights & (AXO_FPAGE_W | AXO_FPAGE_X)) rights |= AXO_FPAGE_R;
            uint8_t effective = rights & model.nodes().at(source).rights;
            if (!(effective & AXO_FPAGE_R)) continue;
            MapNode* node =
                mapdb::map(real[source], reinterpret_cast<Space*>(to.first), to.second, effective)
                    .value();
            int id = model.add(to, effective, source);
            real[id] = node;
            id_of[node] = id;
            ++maps;
        } else if (op < 7) { // grant
            int id = random_node(false);
            if (!id) continue;
            Key to{space_key(pick(kSpaces)), pick(kPages) * 0x1000u};
            if (occupant(to)) continue;
            uint8_t rights = random_rights() | AXO_FPAGE_R;
            ASSERT_TRUE(
                mapdb::grant(real[id], reinterpret_cast<Space*>(to.first), to.second, rights).ok());
            model.grant(id, to, rights);
            forget_dead();
            ++grants;
        } else { // revoke
            int id = random_node(true);
            uint8_t take = random_rights();
            bool include_self = pick(2);
            mapdb::revoke(real[id], take, include_self);
            model.revoke(id, take, include_self);
            forget_dead();
            ++revokes;
        }
        ASSERT_EQ(g_installed, model.installed()) << "diverged at step " << step;
        // Every node the model keeps is one the database keeps, with the same parent.
        for (const auto& [model_id, node] : model.nodes()) {
            MapNode* r = real.at(model_id);
            ASSERT_EQ(r->rights, node.rights) << "step " << step;
            if (node.parent) {
                ASSERT_EQ(r->parent, real.at(node.parent)) << "step " << step;
            }
        }
    }
    EXPECT_GT(maps, 10000);
    EXPECT_GT(grants, 5000);
    EXPECT_GT(revokes, 10000);
}

} // namespace
} // namespace axo
