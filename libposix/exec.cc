// exec (libposix/README.md, "exec"): execve and the calls built on it. The file is opened with
// fs's client (interfaces/file/client.h) directly, its first bytes decide: "#!" runs the
// interpreter the line names, an ELF image goes to proc (interfaces/process kProcExecFile) with
// its headers and the mm object fs pages it from (interfaces/file kFileExecObject). On success
// nothing returns: the process runs the new program.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <new>

#include "interfaces/file/client.h"
#include "interfaces/process/client.h"
#include "libposix/posix.h"

extern char** environ;
extern "C" void axo_close_on_exec_descriptors(void); // descriptors.cc

namespace posix {
namespace {

// Interpreters of interpreters: "#!" scripts nest this deep at most, then ENOEXEC.
constexpr int kMaxInterpreterDepth = 4;
// The "#!" line is read from this many first bytes (Linux reads 256; the ELF headers need more).
constexpr uint32_t kHeadBytes = proc::kExecHeaderBytes;
constexpr const char* kDefaultPath = "/bin:/usr/bin";

// Static: exec runs once per program image (it replaces it), and both are large. Only the
// pages written become memory.
alignas(file::kBufferBytes) uint8_t g_window[file::kBufferBytes];
proc::client::ArgumentBlock g_block;
uint8_t g_head[kHeadBytes];
// argv of an interpreter: its name, its argument, the script, then the caller's argv[1..].
constexpr int kMaxScriptArguments = 4096;
const char* g_script_argv[kMaxScriptArguments + 4];
char g_interpreter[kMaxInterpreterDepth][kHeadBytes];

// fs's client, made anew in a forked child: the session (fs's buffer mapped into g_window) is
// the thread's that attached, and a child's thread is another (known by its id: no request to
// proc for the pid, which a fork's child has not asked for yet).
alignas(file::Client) uint8_t g_client[sizeof(file::Client)];
file::Client* g_fs = nullptr;
axo_thread_id_t g_fs_thread = AXO_NIL_THREAD;

file::Client& fs_client() {
    axo_thread_id_t self = axo_my_utcb()->my_id;
    if (g_fs == nullptr || g_fs_thread != self) {
        g_fs = new (g_client) file::Client(g_window);
        g_fs_thread = self;
    }
    return *g_fs;
}

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

// The interpreter line of a script (the head after "#!"): its path and optional argument in
// `line` (NUL-separated), false if it has none or no end within the head (ENOEXEC).
bool interpreter_of(const uint8_t* head, uint32_t length, char* line, const char** path,
                    const char** argument) {
    uint32_t end = 2;
    while (end < length && head[end] != '\n')
        ++end;
    if (end == length && length == kHeadBytes) return false; // a line longer than the head
    uint32_t n = end - 2;
    memcpy(line, head + 2, n);
    line[n] = '\0';
    char* p = line;
    while (is_space(*p))
        ++p;
    if (*p == '\0') return false;
    *path = p;
    while (*p != '\0' && !is_space(*p))
        ++p;
    *argument = nullptr;
    if (*p == '\0') return true;
    *p++ = '\0';
    while (is_space(*p))
        ++p;
    // The rest of the line, trailing blanks dropped, is one argument (as Linux does).
    char* last = p + strlen(p);
    while (last > p && (is_space(last[-1]) || last[-1] == '\r'))
        *--last = '\0';
    if (*p != '\0') *argument = p;
    return true;
}

int exec_at(const char* path, char* const argv[], char* const envp[], int depth);

// The file is an ELF image (its head read): proc runs it.
int exec_image(int32_t handle, uint32_t head_bytes, char* const argv[], char* const envp[]) {
    file::Client& fs = fs_client();
    file::ExecObjectReply object{};
    ipc::Error error = fs.exec_object(handle, object);
    (void)fs.close(handle); // the pager keeps a handle of its own
    if (error != ipc::Error::ok) {
        if (error == ipc::Error::is_directory) return fail_errno(EACCES);
        return fail(error);
    }
    g_block.clear();
    if (!g_block.set_prefix(g_head, head_bytes)) return fail_errno(ENOEXEC);
    for (int i = 0; argv != nullptr && argv[i] != nullptr; ++i)
        if (!g_block.add_argument(argv[i])) return fail_errno(E2BIG);
    for (int i = 0; envp != nullptr && envp[i] != nullptr; ++i) {
        // A table the caller inherited and passes on in its environment is not the one it has.
        if (__builtin_strncmp(envp[i], DescriptorTable::kInheritPrefix,
                              __builtin_strlen(DescriptorTable::kInheritPrefix)) == 0)
            continue;
        if (!g_block.add_environment(envp[i])) return fail_errno(E2BIG);
    }
    if (g_block.argc() == 0) return fail_errno(EINVAL); // argv[0] is the program's name
    // What exec keeps: descriptors without close-on-exec (their fs handles stay the process's,
    // the others are released at fs), handed to the new program in its environment
    // (descriptor_table.h, "Across exec"; taken out again by its start-up).
    static DescriptorTable kept;
    kept = descriptors();
    kept.close_on_exec();
    static char table[DescriptorTable::kInheritMax];
    if (!kept.encode(table, sizeof table) || !g_block.add_environment(table))
        return fail_errno(E2BIG);
    axo_close_on_exec_descriptors();
    ipc::KernelTransport transport;
    error =
        proc::client::exec_file(transport, proc_thread(), object.object, object.size_low, g_block);
    return fail(error); // only if proc refused
}

// A "#!" script: its interpreter runs with the script's path (one more level of depth).
int exec_script(const char* path, uint32_t head_bytes, char* const argv[], char* const envp[],
                int depth) {
    if (depth >= kMaxInterpreterDepth) return fail_errno(ENOEXEC);
    const char* interpreter = nullptr;
    const char* argument = nullptr;
    if (!interpreter_of(g_head, head_bytes, g_interpreter[depth], &interpreter, &argument))
        return fail_errno(ENOEXEC);
    int n = 0;
    g_script_argv[n++] = interpreter;
    if (argument != nullptr) g_script_argv[n++] = argument;
    g_script_argv[n++] = path;
    for (int i = 1; argv != nullptr && argv[0] != nullptr && argv[i] != nullptr; ++i) {
        if (n == kMaxScriptArguments) return fail_errno(E2BIG);
        g_script_argv[n++] = argv[i];
    }
    g_script_argv[n] = nullptr;
    // The interpreter may be a script itself: its argv is built anew from this one, so copy.
    static const char* next_argv[kMaxInterpreterDepth][kMaxScriptArguments + 4];
    memcpy(next_argv[depth], g_script_argv, sizeof(const char*) * (n + 1));
    return exec_at(interpreter, const_cast<char* const*>(next_argv[depth]), envp, depth + 1);
}

int exec_at(const char* path, char* const argv[], char* const envp[], int depth) {
    if (path == nullptr) return fail_errno(EFAULT);
    if (path[0] == '\0') return fail_errno(ENOENT);
    if (strlen(path) >= PATH_MAX) return fail_errno(ENAMETOOLONG);
    file::Client& fs = fs_client();
    int32_t handle = -1;
    file::OpenReply opened{};
    ipc::Error error = fs.open(file::kAtCwd, path, O_RDONLY, 0, handle, &opened);
    if (error != ipc::Error::ok) return fail(error);
    auto close_and_fail = [&](int code) {
        (void)fs.close(handle);
        return fail_errno(code);
    };
    if (opened.kind == file::kKindDirectory) return close_and_fail(EACCES);
    if (opened.kind != file::kKindFile) return close_and_fail(EACCES);
    size_t done = 0;
    error = fs.pread(handle, g_head, kHeadBytes, 0, done);
    if (error != ipc::Error::ok) {
        (void)fs.close(handle);
        return fail(error);
    }
    uint32_t head_bytes = static_cast<uint32_t>(done);
    if (head_bytes >= 2 && g_head[0] == '#' && g_head[1] == '!') {
        // The script must be executable too: fs's check, without keeping the object.
        file::Stat stat{};
        if (fs.fstat(handle, stat) == ipc::Error::ok && (stat.mode & 0111) == 0)
            return close_and_fail(EACCES);
        (void)fs.close(handle);
        return exec_script(path, head_bytes, argv, envp, depth);
    }
    if (head_bytes < 4 || g_head[0] != 0x7F || g_head[1] != 'E' || g_head[2] != 'L' ||
        g_head[3] != 'F') {
        // Not a program: but EACCES wins if it is not executable either.
        file::Stat stat{};
        if (fs.fstat(handle, stat) == ipc::Error::ok && (stat.mode & 0111) == 0)
            return close_and_fail(EACCES);
        return close_and_fail(ENOEXEC);
    }
    return exec_image(handle, head_bytes, argv, envp);
}

// execvp's search: every directory of PATH (empty entries are the working directory).
int exec_search(const char* name, char* const argv[], char* const envp[]) {
    if (name == nullptr) return fail_errno(EFAULT);
    if (name[0] == '\0') return fail_errno(ENOENT);
    if (strchr(name, '/') != nullptr) return exec_at(name, argv, envp, 0);
    size_t name_length = strlen(name);
    if (name_length > NAME_MAX) return fail_errno(ENAMETOOLONG);
    const char* path = getenv("PATH");
    if (path == nullptr) path = kDefaultPath;
    static char candidate[PATH_MAX];
    bool denied = false;
    for (const char* p = path;;) {
        const char* end = strchr(p, ':');
        size_t length = end != nullptr ? static_cast<size_t>(end - p) : strlen(p);
        if (length + 1 + name_length < sizeof candidate) {
            memcpy(candidate, p, length);
            size_t at = length;
            if (length == 0) candidate[at++] = '.';
            candidate[at++] = '/';
            memcpy(candidate + at, name, name_length + 1);
            (void)exec_at(candidate, argv, envp, 0);
            if (errno == EACCES)
                denied = true;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG)
                return -1; // found, but it could not run: that error
        }
        if (end == nullptr) break;
        p = end + 1;
    }
    return fail_errno(denied ? EACCES : ENOENT);
}

// The variadic forms' argv: at most this many arguments.
constexpr int kMaxListArguments = 1024;

} // namespace
} // namespace posix

extern "C" {

int execve(const char* path, char* const argv[], char* const envp[]) {
    return posix::exec_at(path, argv, envp, 0);
}

// newlib's reentrant wrapper (_execve_r) calls this.
int _execve(const char* path, char* const argv[], char* const envp[]) {
    return execve(path, argv, envp);
}

int execv(const char* path, char* const argv[]) {
    return execve(path, argv, environ);
}

int execvpe(const char* file, char* const argv[], char* const envp[]) {
    return posix::exec_search(file, argv, envp);
}

int execvp(const char* file, char* const argv[]) {
    return posix::exec_search(file, argv, environ);
}

int fexecve(int, char* const[], char* const[]) {
    // Descriptors of files are not libposix's yet (its file calls are ENOSYS): nothing to run.
    return posix::fail_errno(ENOSYS);
}

} // extern "C"

namespace {

// argv of execl and friends: arg0 and the variadic arguments up to the null pointer; `envp`
// (execle) after it when asked. nullptr (errno E2BIG) if there are too many.
char* const* list_arguments(const char* arg0, va_list& list, char* const** envp) {
    static const char* argv[posix::kMaxListArguments + 1];
    int n = 0;
    argv[n++] = arg0;
    for (const char* next = arg0; next != nullptr;) {
        next = va_arg(list, const char*);
        if (n == posix::kMaxListArguments) {
            errno = E2BIG;
            return nullptr;
        }
        argv[n++] = next;
    }
    if (envp != nullptr) *envp = va_arg(list, char* const*);
    return const_cast<char* const*>(argv);
}

} // namespace

extern "C" {

int execl(const char* path, const char* arg0, ...) {
    va_list list;
    va_start(list, arg0);
    char* const* argv = list_arguments(arg0, list, nullptr);
    va_end(list);
    return argv != nullptr ? execve(path, argv, environ) : -1;
}

int execle(const char* path, const char* arg0, ...) {
    va_list list;
    va_start(list, arg0);
    char* const* envp = nullptr;
    char* const* argv = list_arguments(arg0, list, &envp);
    va_end(list);
    return argv != nullptr ? execve(path, argv, envp) : -1;
}

int execlp(const char* file, const char* arg0, ...) {
    va_list list;
    va_start(list, arg0);
    char* const* argv = list_arguments(arg0, list, nullptr);
    va_end(list);
    return argv != nullptr ? execvp(file, argv) : -1;
}

} // extern "C"
