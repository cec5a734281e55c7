#pragma once

#include <base/Integers.h>

namespace k23::kernel {

// What mimalloc's "OS" (kernel/heap/MimallocPort.cpp) holds: every page
// mimalloc reserved, which until the MMU is on are physical frames taken
// from the frame allocator and therefore committed.
struct MimallocPortStats {
    usize pages { 0 };       // 4 KiB pages held now
    usize peak_pages { 0 };
    usize map_calls { 0 };
    usize failed_maps { 0 };
};

[[nodiscard]] MimallocPortStats mimalloc_port_stats() noexcept;

// At most `pages` pages for mimalloc (0: no limit beyond free RAM). The OOM
// tests use this to make running out fast and deterministic.
void mimalloc_port_set_page_limit(usize pages) noexcept;
[[nodiscard]] usize mimalloc_port_page_limit() noexcept;

} // namespace k23::kernel
