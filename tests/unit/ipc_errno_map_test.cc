// The one table from ipc::Error to errno (lib/ipc/errno_map.h): every code has an errno, the
// mapping is the one libposix promises, and unknown codes read as EIO.
#include <errno.h>
#include <gtest/gtest.h>

#include "lib/ipc/errno_map.h"

namespace {

TEST(IpcErrnoMap, EveryCodeMapsToTheErrnoOfItsMeaning) {
    struct Case {
        ipc::Error error;
        int expected;
    };
    const Case cases[] = {
        {ipc::Error::ok, 0},
        {ipc::Error::no_such_name, ENOENT},
        {ipc::Error::exists, EEXIST},
        {ipc::Error::no_permission, EPERM},
        {ipc::Error::bad_message, EBADMSG},
        {ipc::Error::no_memory, ENOMEM},
        {ipc::Error::not_found, ENOENT},
        {ipc::Error::unsupported, ENOTSUP},
        {ipc::Error::bad_operation, ENOSYS},
        {ipc::Error::busy, EBUSY},
        {ipc::Error::io_error, EIO},
        {ipc::Error::invalid_argument, EINVAL},
        {ipc::Error::no_space, ENOSPC},
        {ipc::Error::wrong_interface, EPROTO},
        {ipc::Error::access_denied, EACCES},
        {ipc::Error::not_directory, ENOTDIR},
        {ipc::Error::is_directory, EISDIR},
        {ipc::Error::not_empty, ENOTEMPTY},
        {ipc::Error::name_too_long, ENAMETOOLONG},
        {ipc::Error::symlink_loop, ELOOP},
        {ipc::Error::bad_handle, EBADF},
        {ipc::Error::cross_device, EXDEV},
        {ipc::Error::too_many_open, EMFILE},
        {ipc::Error::read_only, EROFS},
        {ipc::Error::would_block, EAGAIN},
        {ipc::Error::broken_pipe, EPIPE},
        {ipc::Error::too_big, EFBIG},
        {ipc::Error::too_many_links, EMLINK},
        {ipc::Error::not_seekable, ESPIPE},
        {ipc::Error::not_terminal, ENOTTY},
        {ipc::Error::arguments_too_long, E2BIG},
        {ipc::Error::no_child, ECHILD},
        {ipc::Error::no_process, ESRCH},
        {ipc::Error::no_device, ENXIO},
        {ipc::Error::text_busy, ETXTBSY},
        {ipc::Error::not_executable, ENOEXEC},
        {ipc::Error::deadlock, EDEADLK},
        {ipc::Error::no_locks, ENOLCK},
        {ipc::Error::too_many_open_in_system, ENFILE},
        {ipc::Error::timed_out, ETIMEDOUT},
        {ipc::Error::server_gone, EIO},
        {ipc::Error::ipc_failed, EIO},
        {ipc::Error::interrupted, EINTR},
    };
    for (const Case& c : cases)
        EXPECT_EQ(ipc::to_errno(c.error), c.expected) << ipc::error_name(c.error);
}

TEST(IpcErrnoMap, OnlyOkIsZero) {
    for (uint32_t code = 0; code <= 0x1FF; ++code) {
        int value = axo_rpc_errno(code);
        if (code == AXO_RPC_OK)
            EXPECT_EQ(value, 0);
        else
            EXPECT_GT(value, 0) << code;
    }
}

TEST(IpcErrnoMap, CodesOutsideTheVocabularyAreIoErrors) {
    EXPECT_EQ(axo_rpc_errno(0x77), EIO);
    EXPECT_EQ(axo_rpc_errno(0xFFFF), EIO);
    EXPECT_STREQ(ipc::error_name(static_cast<ipc::Error>(0x77)), "unknown error");
}

} // namespace
