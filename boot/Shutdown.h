#pragma once

#include <base/Integers.h>

namespace k23::boot {

// Prints the status line `shutdown: status N` (once), then powers the machine
// off. QEMU exits with status 0 for status 0 and with a non-zero status
// otherwise (see Shutdown.cpp for how).
[[noreturn]] void shutdown(u32 status) noexcept;

// Set from the device tree: a SiFive test finisher ("sifive,test0").
void shutdown_set_test_finisher(uptr base) noexcept;

} // namespace k23::boot
