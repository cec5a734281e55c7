#pragma once

// Generated code in U-mode (DESIGN.md "Guests in the kernel"): the engine
// runs in the kernel, the code it generates runs in the guest's own address
// space, and every call from that code into the engine is a system call.
//
// An engine created with EngineOptions::executor generates user-mode stubs
// instead of calling C++ directly:
//   - helper stubs, one per HelperId: `li a7, helper_base + id; ecall; ret`
//     (arguments and results as the C helper's, a0..a6 -> a0/a1);
//   - the host-call trampoline saves a0..a7/fa0..fa7 on the guest stack as
//     in a Linux process, then `ecall` host_call with a0 = the callee's
//     VMFuncEntry (s11), a1 = the saved registers, a2 = the stack arguments;
//     it gets {status, bytes to pop} back in a0/a1;
//   - the typed host-call stub (a host function with a typed form,
//     wasm/Runtime.h) leaves the arguments where they are, a0..a5, and
//     makes the system call host_call_typed with a6 = the entry's host
//     index (VMFuncEntry::host); the result comes back in a0, and a failure
//     ends the invocation in the kernel (no return to U-mode);
//   - the entry stub ends with `ecall` entry_return instead of returning;
//   - the trap landing pad is `ecall` trap (a0 code, a1 pc, a2 detail).
// Engine::invoke hands the entry stub to the executor, which runs it in
// U-mode and passes every system call numbered here to
// Engine::user_call(); a fault of the guest goes to Engine::user_fault().
//
// Nothing that comes from U-mode is trusted: the engine checks every
// VMContext, entry, index, reference and pointer against its own state
// before it uses it, and a call that fails a check ends the invocation
// with an error (a guest that makes one is broken or hostile; generated
// code never does).

#include <base/Integers.h>
#include <jit/Helpers.h>

namespace k23::jit {

class Engine;

namespace user_call {
// System call numbers (a7) for generated code; numbers below first are the
// embedder's own (the kernel's exit is 0).
inline constexpr u64 first = 0x100;
inline constexpr u64 helper_base = 0x100; // + HelperId
inline constexpr u64 host_call = 0x180;
inline constexpr u64 entry_return = 0x181;
inline constexpr u64 trap = 0x182;
inline constexpr u64 host_call_typed = 0x183;
inline constexpr u64 last = 0x183;
} // namespace user_call

// What the executor does after a system call the engine handled.
enum class UserCallOutcome : u8 {
    Resume,   // results are in regs; continue the guest after its ecall
    Returned, // the entry stub finished: the invocation returned normally
    Trapped,  // the invocation ends with a trap (recorded in the engine)
};

// Runs generated code for an engine whose code runs elsewhere (the kernel:
// in U-mode, in the guest's address space).
class Executor {
public:
    // Runs from `pc` with a0 = `argument` and sp = `stack_pointer`, every
    // other register zero, until Engine::user_call() says Returned or
    // Trapped, or the guest faults (Engine::user_fault()). Returns true when
    // the code returned, false when the invocation ended otherwise (the
    // engine then holds the trap or error).
    virtual bool run(Engine& engine, u64 pc, u64 argument, u64 stack_pointer) noexcept = 0;

protected:
    // Never deleted through this interface (no operator delete in the kernel).
    ~Executor() = default;
};

} // namespace k23::jit
