#pragma once

// The platform interface: everything the engine (base/, wasm/, jit/,
// arch/riscv64/asm) needs from whatever it runs on, declared here and
// nowhere else (DESIGN.md, "Rules of the house"). It is implemented once per
// platform — hosted/platform/ for a Linux process, kernel/Platform.cpp (with
// kernel/Heap.cpp and kernel/Panic.cpp) for the kernel — and the executable
// picks one at link time: no engine library links a platform.
//
// Every call is noexcept and reports failure as a value. Log lines go through
// the LogSink the platform installs (base/Log.h).

#include <base/Integers.h>

namespace k23 {

// Declared, not included: Result.h and StringView.h include this header's
// users (Assertions.h), and a declaration needs no complete return type.
template<typename T>
class Result;
class StringView;

// ---------------------------------------------------------------- heap

// Returns nullptr when the memory is not available; never aborts. alignment
// is a power of two. size may be any value (absurd sizes just fail).
[[nodiscard]] void* platform_allocate(usize size, usize alignment) noexcept;
// p came from platform_allocate(size, alignment) with the same size and
// alignment. p may be nullptr (no-op).
void platform_deallocate(void* p, usize size, usize alignment) noexcept;

// ---------------------------------------------------------------- exposed objects

// The objects generated code reads or writes itself: VM contexts, function
// entries and function instances, table elements, global values, the guest
// stack. Where guests run in an address space of their own (the kernel,
// DESIGN.md "Guests in the kernel"), these are the only engine objects the
// guest can see: ReadOnly ones are readable by the guest, ReadWrite ones
// also writable, and the engine reads and writes both at the same address.
// Every other allocation (platform_allocate) stays invisible to the guest.
// So an exposed object may point only to exposed objects, linear memories
// and code — never to a host function, a vtable or other engine state —
// and the engine treats what it reads back from a ReadWrite one as guest
// input. In a Linux process they are ordinary heap memory.
enum class Exposure : u8 {
    ReadOnly,
    ReadWrite,
};
[[nodiscard]] void* platform_allocate_exposed(usize size, usize alignment, Exposure exposure) noexcept;
void platform_deallocate_exposed(void* p, usize size, usize alignment, Exposure exposure) noexcept;

// ---------------------------------------------------------------- panics

// A broken invariant (VERIFY): report with the location and stop. Never for
// bad input, which is an Error.
[[noreturn]] void platform_panic(const char* message, const char* file, int line) noexcept;

// ---------------------------------------------------------------- linear memories

// A linear memory is a reservation of address space whose base never moves
// (generated code keeps it in a register, jit/Abi.h): growing only makes
// more of it accessible. Bytes past `accessible` fault.
struct MemoryReservation {
    u8* base { nullptr };
    usize accessible { 0 }; // bytes readable and writable from base
    usize reserved { 0 };   // bytes of address space held
};

// Reserves room for at least `maximum` bytes (a 32-bit memory gets its whole
// guard region, DESIGN.md "Execution model") and makes `initial` accessible
// and zeroed.
[[nodiscard]] Result<MemoryReservation> platform_memory_reserve(usize initial, usize maximum) noexcept;
// Makes the first `new_size` bytes accessible, the new ones zeroed, in place.
// Fails (and changes nothing) past the reservation or when out of memory.
[[nodiscard]] Result<void> platform_memory_grow(MemoryReservation& reservation, usize new_size) noexcept;
void platform_memory_release(MemoryReservation& reservation) noexcept;

// ---------------------------------------------------------------- code memory

// Code memory is never writable and executable at once: allocate (RW),
// write, publish (RX everywhere it is mapped, instruction cache flushed),
// release.
[[nodiscard]] Result<u8*> platform_code_allocate(usize size) noexcept;
[[nodiscard]] Result<void> platform_code_publish(u8* code, usize size) noexcept;
void platform_code_release(u8* code, usize size) noexcept;

// Perf-map support (/tmp/perf-PID.map on Linux): one line per code range,
// so `perf` and the QEMU profile plugin can name JIT code. May do nothing.
void platform_perf_map_add(const void* code, usize size, StringView name) noexcept;

// Whether this platform can run the code the JIT generates (riscv64 only;
// the host build is a cross-compiler).
[[nodiscard]] bool platform_can_execute_jit() noexcept;

// ---------------------------------------------------------------- faults

// A fault (SIGSEGV/SIGBUS/SIGILL/SIGFPE on Linux, a page fault or illegal
// instruction in the kernel) at `pc`. The handler returns true when the pc
// is in JIT code and it redirected the thread: it sets the resume pc and the
// values for a0..a2 there. Faults the handler declines are real crashes
// (the platform reports them).
struct FaultRedirect {
    u64 pc { 0 };
    u64 a0 { 0 };
    u64 a1 { 0 };
    u64 a2 { 0 };
};
using FaultHandler = bool (*)(u64 pc, u64 fault_address, FaultRedirect& redirect) noexcept;
[[nodiscard]] Result<void> platform_install_fault_handler(FaultHandler handler) noexcept;

// ---------------------------------------------------------------- time and entropy

// Nanoseconds since an arbitrary point, never going backwards.
[[nodiscard]] u64 platform_monotonic_ns() noexcept;
// Fills `buffer` with cryptographically strong random bytes; false when the
// platform has no entropy to give (nothing is written then).
[[nodiscard]] bool platform_random_bytes(u8* buffer, usize size) noexcept;

} // namespace k23
