// parent IMAGE [ARGS...]: spawns IMAGE with ARGS, waits for it and exits with its shell
// status (protocol.h, shell_status): a process that is itself a parent. If spawn or wait
// fails it exits with 200 + the error code.
#include "program.h"

int main() {
    loader::StartArguments args = program::arguments();
    if (args.argc < 2) program::exit(200);
    char words[proc::kArgumentBytes] = {};
    uint32_t used = 0;
    for (uint32_t i = 2; i < args.argc; ++i) {
        uint32_t n = strlen(args.argv[i]);
        if (used + n + 2 > sizeof words) program::exit(201);
        if (used > 0) words[used++] = ' ';
        memcpy(words + used, args.argv[i], n);
        used += n;
    }
    ipc::KernelTransport transport;
    proc::SpawnReply child{};
    ipc::Error error =
        proc::client::spawn(transport, program::proc_thread(), args.argv[1], words, child);
    if (error != ipc::Error::ok) program::exit(200 + static_cast<int32_t>(error));
    proc::WaitReply ended{};
    error = proc::client::wait(transport, program::proc_thread(), child.pid, 0, ended);
    if (error != ipc::Error::ok) program::exit(200 + static_cast<int32_t>(error));
    program::exit(static_cast<int32_t>(proc::shell_status(ended)));
}
