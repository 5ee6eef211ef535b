// lib/ipc/map_item.h and the calls on it: the layout of requests and replies with one map or
// grant item (axolotl ABI: u words, then send base | type and the fpage), the shape checks on
// both sides, the page-fault answer every pager writes, a request with an item through the
// dispatcher (route_with_item) and a reply with one through call_receiving_item, whose
// receive window is set for the call only.
#include <gtest/gtest.h>

#include "ipc_fake_kernel.h"
#include "lib/ipc/client.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/map_item.h"

namespace ipc {
namespace {

struct Pair {
    uint32_t a, b;
};

struct Registers {
    uint32_t mr[AXO_MR_COUNT] = {};
    Message message{mr};
};

TEST(IpcMapItem, ARequestWithAnItemHasItsWordsThenTwoTypedWords) {
    Registers r;
    put_with_item(r.message, 0x0123, Pair{5, 6}, MapItem::map(0x40001234, 0x40000000 | 0xC6));
    EXPECT_EQ(r.message.label(), 0x0123u);
    EXPECT_EQ(r.message.untyped(), 2u);
    EXPECT_EQ(r.message.typed(), 2u);
    EXPECT_EQ(r.mr[1], 5u);
    EXPECT_EQ(r.mr[2], 6u);
    EXPECT_EQ(r.mr[3], 0x40001000u | AXO_ITEM_MAP); // send base bits 31..10, the type
    EXPECT_EQ(r.mr[4], 0x400000C6u);

    put_reply_with_item(r.message, Empty{}, MapItem::grant_of(0x2000, 0x2000 | 0xC4));
    EXPECT_EQ(r.message.label(), 0u);
    EXPECT_EQ(r.message.untyped(), 0u);
    EXPECT_EQ(r.message.typed(), 2u);
    EXPECT_EQ(r.mr[1], 0x2000u | AXO_ITEM_GRANT);
    EXPECT_EQ(r.mr[2], 0x20C4u);
}

TEST(IpcMapItem, ReadingChecksTheShapeAndTheItemType) {
    Registers r;
    put_with_item(r.message, 0x0123, Pair{5, 6}, MapItem::grant_of(0x8000, 0x8000 | 0xC7));
    Pair pair{};
    MapItem item;
    ASSERT_EQ(get_with_item(r.message, pair, item), Error::ok);
    EXPECT_EQ(pair.b, 6u);
    EXPECT_TRUE(item.grant);
    EXPECT_EQ(item.send_base, 0x8000u);
    EXPECT_EQ(item.fpage, 0x80C7u);

    Empty empty;
    EXPECT_EQ(get_with_item(r.message, empty, item), Error::bad_message); // word count
    EXPECT_EQ(get(r.message, pair), Error::bad_message); // an item where none belongs
    r.mr[3] = 0x8000u | 0x1u;                            // no map or grant item
    EXPECT_EQ(get_with_item(r.message, pair, item), Error::bad_message);
    put(r.message, 0x0123, Pair{1, 2}); // no item at all
    EXPECT_EQ(get_with_item(r.message, pair, item), Error::bad_message);
}

TEST(IpcMapItem, AnErrorReplyCarriesNoItem) {
    Registers r;
    put_error(r.message, Error::no_space);
    Pair pair{};
    MapItem item;
    EXPECT_EQ(get_reply_with_item(r.message, pair, item), Error::no_space);
    put_reply(r.message, Pair{1, 2}); // ok, but without the item
    EXPECT_EQ(get_reply_with_item(r.message, pair, item), Error::bad_message);
}

TEST(IpcMapItem, ThePageFaultAnswerIsOneMapItemAndNothingElse) {
    Registers r;
    r.message.set_tag(AXO_LABEL_PAGE_FAULT | AXO_FPAGE_W, 2);
    r.mr[1] = 0x0804A123;
    r.mr[2] = 0x08048010;
    PageFault fault{};
    ASSERT_TRUE(get_page_fault(r.message, fault));
    EXPECT_EQ(fault.address, 0x0804A123u);
    EXPECT_EQ(fault.ip, 0x08048010u);
    EXPECT_TRUE(fault.write());

    put_fault_reply(r.message, 0x0804A000, axo_fpage(0x00300000, 12, AXO_FPAGE_RWX));
    EXPECT_EQ(r.mr[0], axo_msg_tag(0, 0, 2));
    EXPECT_EQ(r.mr[1], axo_map_item_word0(0x0804A000, 0));
    EXPECT_EQ(r.mr[2], axo_fpage(0x00300000, 12, AXO_FPAGE_RWX));
    EXPECT_FALSE(get_page_fault(r.message, fault)); // a reply is no fault

    r.message.set_tag(AXO_LABEL_PAGE_FAULT | AXO_FPAGE_R, 3); // wrong word count
    EXPECT_FALSE(is_page_fault(r.message));
}

// A server that takes a page with a request and answers with a page of its own.
struct ShareReply {
    uint32_t got_base;
    uint32_t got_fpage;
};
struct ShareRequest {
    static constexpr uint32_t kLabel = 0x0A01;
    using Reply = ShareReply;
    uint32_t tag;
};
struct BufferReply {
    uint32_t bytes;
};
struct BufferRequest {
    static constexpr uint32_t kLabel = 0x0A02;
    using Reply = BufferReply;
};

struct Server {
    uint32_t last_tag = 0;
};
Error on_share(Server& server, axo_thread_id_t, const ShareRequest& request, const MapItem& item,
               ShareReply& reply) {
    server.last_tag = request.tag;
    reply = ShareReply{item.send_base, item.fpage};
    return item.grant ? Error::ok : Error::invalid_argument;
}
constexpr Route<Server> kRoutes[] = {route_with_item<&on_share>()};

TEST(IpcMapItem, ARequestWithAnItemReachesItsHandler) {
    Server server;
    Dispatcher<Server> dispatcher(server, kRoutes);
    fake::Kernel kernel;
    kernel.add_dispatcher(1, dispatcher);
    fake::Transport client(kernel, 42);
    ShareReply reply{};
    axo_fpage_t page = axo_fpage(0x10000, 12, AXO_FPAGE_R | AXO_FPAGE_W);
    ASSERT_EQ(call_with_item(client, 1, ShareRequest{9}, MapItem::grant_of(0x10000, page), reply),
              Error::ok);
    EXPECT_EQ(server.last_tag, 9u);
    EXPECT_EQ(reply.got_base, 0x10000u);
    EXPECT_EQ(reply.got_fpage, page);
    EXPECT_EQ(call_with_item(client, 1, ShareRequest{9}, MapItem::map(0x10000, page), reply),
              Error::invalid_argument);
    // Without its item the request never reaches the handler.
    server.last_tag = 0;
    EXPECT_EQ(call(client, 1, ShareRequest{3}, reply), Error::bad_message);
    EXPECT_EQ(server.last_tag, 0u);
}

TEST(IpcMapItem, AReplyWithAnItemLandsInTheWindowOfThatCallOnly) {
    fake::Kernel kernel;
    const axo_fpage_t given = axo_fpage(0x60000000, 16, AXO_FPAGE_R | AXO_FPAGE_W);
    kernel.add_server(1, [given](axo_thread_id_t, Message& m) {
        if (m.label() != BufferRequest::kLabel) {
            put_error(m, Error::bad_operation);
            return Outcome::reply;
        }
        put_reply_with_item(m, BufferReply{65536}, MapItem::map(0x60000000, given));
        return Outcome::reply;
    });
    fake::Transport client(kernel, 42);
    const axo_fpage_t window = axo_fpage(0x20000000, 16, AXO_FPAGE_RWX);
    BufferReply reply{};
    MapItem item;
    ASSERT_EQ(
        call_receiving_item(client, 1, BufferRequest{}, reply, window, AXO_TIMEOUT_NEVER, &item),
        Error::ok);
    EXPECT_EQ(reply.bytes, 65536u);
    EXPECT_EQ(item.fpage, given);
    EXPECT_EQ(client.window_in_last_call, window);
    EXPECT_EQ(client.receive_window(), AXO_FPAGE_NIL); // restored
    // A reply without the item is refused.
    kernel.add_server(2, [](axo_thread_id_t, Message& m) {
        put_reply(m, BufferReply{1});
        return Outcome::reply;
    });
    EXPECT_EQ(call_receiving_item(client, 2, BufferRequest{}, reply, window), Error::bad_message);
    // A gone server: the window is restored too.
    EXPECT_EQ(call_receiving_item(client, 3, BufferRequest{}, reply, window), Error::server_gone);
    EXPECT_EQ(client.receive_window(), AXO_FPAGE_NIL);
}

// An item's two words follow the struct's: a struct that leaves no room for them in MR1..MR63
// cannot be sent or read with an item at all (before, a message tagged u = 63, t = 2 made
// get_with_item of a 63-word struct read the item from beyond MR63).
struct AllWords {
    uint32_t w[kMaxWords];
};
struct RoomForItem {
    uint32_t w[kMaxWords - kItemWords];
};
static_assert(!ItemCarrier<AllWords>);
static_assert(ItemCarrier<RoomForItem>);

TEST(IpcMapItem, ItemAfterTheLargestCarrierEndsInLastRegister) {
    uint32_t mr[AXO_MR_COUNT] = {};
    Message m(mr);
    RoomForItem sent{};
    for (uint32_t i = 0; i < kMaxWords - kItemWords; ++i)
        sent.w[i] = i + 1;
    const axo_fpage_t fpage = axo_fpage(0x30000000, 12, AXO_FPAGE_R);
    put_with_item(m, 5, sent, MapItem::map(0x40000000, fpage));
    EXPECT_EQ(m.untyped() + m.typed(), kMaxWords);
    EXPECT_EQ(mr[AXO_MR_COUNT - 1], fpage);
    RoomForItem got{};
    MapItem item;
    ASSERT_EQ(get_with_item(m, got, item), Error::ok);
    EXPECT_EQ(got.w[kMaxWords - kItemWords - 1], kMaxWords - kItemWords);
    EXPECT_EQ(item.fpage, fpage);
    EXPECT_EQ(item.send_base, 0x40000000u);
}

} // namespace
} // namespace ipc
