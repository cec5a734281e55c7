// JIT code memory and the fault handler for Linux processes
// (base/Platform.h). Code pages are mapped RW, filled, then switched to RX
// and the instruction cache flushed (__builtin___clear_cache: on riscv64
// glibc that is the riscv_flush_icache system call; under qemu-riscv64 it is
// what QEMU's translation-block invalidation needs).
//
// Faults: SIGSEGV, SIGBUS, SIGILL and SIGFPE are caught on an alternate
// stack. A fault whose pc the JIT's handler claims resumes at the landing
// pad it names (a trap); any other fault is a real crash: one report line,
// the default action restored, the signal re-raised.

#include <base/Platform.h>
#include <base/Result.h>
#include <base/StringView.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

namespace k23 {

namespace {

usize page_round(usize size)
{
    usize page = usize(sysconf(_SC_PAGESIZE));
    return (size + page - 1) & ~(page - 1);
}

FaultHandler s_handler = nullptr;
constexpr int s_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };

[[maybe_unused]] void on_fault(int signal, siginfo_t* info, void* context)
{
    auto* uc = static_cast<ucontext_t*>(context);
    u64 pc = 0;
#if defined(__riscv)
    pc = uc->uc_mcontext.__gregs[REG_PC];
#else
    (void)uc;
#endif
    u64 address = u64(reinterpret_cast<uintptr_t>(info->si_addr));
    FaultRedirect redirect;
    if (s_handler && s_handler(pc, address, redirect)) {
#if defined(__riscv)
        uc->uc_mcontext.__gregs[REG_PC] = redirect.pc;
        uc->uc_mcontext.__gregs[10] = redirect.a0;
        uc->uc_mcontext.__gregs[11] = redirect.a1;
        uc->uc_mcontext.__gregs[12] = redirect.a2;
#endif
        return;
    }
    char line[160];
    int n = snprintf(line, sizeof line, "k23: fatal signal %d (%s) at pc 0x%llx, address 0x%llx\n", signal,
        strsignal(signal), (unsigned long long)pc, (unsigned long long)address);
    if (n > 0)
        (void)!write(STDERR_FILENO, line, usize(n) < sizeof line ? usize(n) : sizeof line - 1);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigaction(signal, &action, nullptr);
    raise(signal);
}

} // namespace

Result<u8*> platform_code_allocate(usize size) noexcept
{
    void* p = mmap(nullptr, page_round(size ? size : 1), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return Error::formatted(ErrorCode::OutOfMemory, "cannot map {} bytes of code memory"_sv, size);
    return static_cast<u8*>(p);
}

Result<void> platform_code_publish(u8* code, usize size) noexcept
{
    if (mprotect(code, page_round(size ? size : 1), PROT_READ | PROT_EXEC) != 0)
        return Error::from_code(ErrorCode::PermissionDenied, "cannot make code memory executable");
    __builtin___clear_cache(reinterpret_cast<char*>(code), reinterpret_cast<char*>(code + size));
    return {};
}

void platform_code_release(u8* code, usize size) noexcept
{
    if (code)
        munmap(code, page_round(size ? size : 1));
}

void platform_perf_map_add(const void* code, usize size, StringView name) noexcept
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", int(getpid()));
    FILE* file = fopen(path, "a");
    if (!file)
        return;
    fprintf(file, "%llx %zx %.*s\n", (unsigned long long)reinterpret_cast<uintptr_t>(code), size_t(size), int(name.length()), name.data());
    fclose(file);
}

bool platform_can_execute_jit() noexcept
{
#if defined(__riscv) && __riscv_xlen == 64
    return true;
#else
    return false;
#endif
}

Result<void> platform_install_fault_handler(FaultHandler handler) noexcept
{
    s_handler = handler;
#if defined(__riscv)
    // One alternate stack per thread that runs guest code; this thread's.
    static thread_local void* s_altstack = nullptr;
    if (!s_altstack) {
        usize size = 256 * 1024;
        s_altstack = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (s_altstack == MAP_FAILED) {
            s_altstack = nullptr;
            return Error::from_code(ErrorCode::OutOfMemory, "cannot map the signal stack");
        }
        stack_t stack;
        memset(&stack, 0, sizeof stack);
        stack.ss_sp = s_altstack;
        stack.ss_size = size;
        if (sigaltstack(&stack, nullptr) != 0)
            return Error::from_code(ErrorCode::Unknown, "sigaltstack failed");
    }
    static bool s_installed = false;
    if (!s_installed) {
        for (int signal : s_signals) {
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_sigaction = on_fault;
            action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
            sigemptyset(&action.sa_mask);
            if (sigaction(signal, &action, nullptr) != 0)
                return Error::from_code(ErrorCode::Unknown, "sigaction failed");
        }
        s_installed = true;
    }
#else
    (void)s_signals;
#endif
    return {};
}

} // namespace k23
