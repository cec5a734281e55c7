#pragma once

#include <arch/riscv64/TrapFrame.h>
#include <base/Format.h>
#include <base/StringView.h>

namespace k23::kernel {

// Prints "panic: <message>" and shuts down with a failure status. For broken
// kernel invariants only (DESIGN.md): everything else is a Result error.
[[noreturn]] void panic_message(StringView message) noexcept;

template<typename... Args>
[[noreturn]] void panic(StringView fmt, const Args&... args) noexcept
{
    FormatBuffer<256> message;
    message.appendf(fmt, args...);
    panic_message(message.view());
}

// For a trap nobody expected: "panic: <cause> at sepc=0x... stval=0x...",
// then the registers.
[[noreturn]] void panic_with_trap_frame(const riscv64::TrapFrame&) noexcept;

} // namespace k23::kernel

namespace k23::kernel {

class BootArgs;

// `panic=test|trap|corrupt` on the command line: fail on purpose
// (kernel/PanicTest.cpp). Returns if the argument is absent or unknown.
void handle_panic_request(const BootArgs&) noexcept;

} // namespace k23::kernel
