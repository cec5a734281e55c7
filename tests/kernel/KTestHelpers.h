#pragma once

// Scaffolding several KTEST files share: the bytes of an embedded module
// (generated/tests/kernel/Modules.h), and every free frame taken and given
// back, for the out-of-memory paths.

#include <base/Span.h>
#include <kernel/mm/PhysicalMemory.h>

namespace k23::kernel::test {

template<usize N>
ReadonlyBytes bytes_of(u8 const (&module)[N]) noexcept
{
    return ReadonlyBytes(module, N);
}

// Takes every free frame (in runs, halving the run size when none that
// large is left) until give_back(). The runs are static (too many for a
// KTEST's stack): one FrameHog at a time.
class FrameHog {
public:
    void take_all() noexcept
    {
        m_free_before = physical_memory().free_frame_count();
        for (usize count = 1u << 16; count > 0 && m_run_count < max_runs;) {
            auto frames = physical_memory().allocate_frames(count);
            if (frames.is_error()) {
                count /= 2;
                continue;
            }
            s_runs[m_run_count++] = { frames.value(), count };
        }
    }
    // Whether take_all left no frame free (else the test proves nothing).
    [[nodiscard]] bool exhausted() const noexcept { return physical_memory().free_frame_count() == 0; }
    void give_back() noexcept
    {
        for (usize i = 0; i < m_run_count; ++i)
            physical_memory().free_frames(s_runs[i].base, s_runs[i].count);
        m_run_count = 0;
    }
    // Frames free before take_all: what there should be after give_back.
    [[nodiscard]] usize free_before() const noexcept { return m_free_before; }

private:
    struct Run {
        uptr base;
        usize count;
    };
    static constexpr usize max_runs = 512;
    static inline Run s_runs[max_runs];
    usize m_run_count { 0 };
    usize m_free_before { 0 };
};

} // namespace k23::kernel::test
