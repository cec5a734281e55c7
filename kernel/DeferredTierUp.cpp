// Tier-up compiles at the next preemption point (kernel/DeferredTierUp.h).

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <base/Platform.h>
#include <jit/EngineState.h>
#include <kernel/DeferredTierUp.h>
#include <kernel/Heap.h>
#include <kernel/Panic.h>
#include <kernel/mm/GuestSpace.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

// The guests with jobs waiting, in the order they first posted (one hart:
// no lock; per hart with a second one, which would then run them).
DeferredTierUp* s_first_waiting = nullptr;
DeferredTierUp* s_last_waiting = nullptr;
DeferredTierUpStats s_totals;

} // namespace

DeferredTierUp::~DeferredTierUp() noexcept
{
    // A queue that still has jobs was never dropped inside its Scope: its
    // guest's memory may be gone, so the jobs cannot be touched.
    VERIFY(m_first == nullptr);
    unlist();
}

void DeferredTierUp::operator delete(void*) noexcept
{
    VERIFY_NOT_REACHED();
}

void DeferredTierUp::attach(GuestSpace& space) noexcept
{
    VERIFY(m_first == nullptr);
    m_space = &space;
    m_stats = {};
}

bool DeferredTierUp::post(jit::TierUpJob* job) noexcept
{
    VERIFY(m_space != nullptr && current_guest_space() == m_space);
    job->next = nullptr;
    if (m_last)
        m_last->next = job;
    else
        m_first = job;
    m_last = job;
    ++m_stats.posted;
    ++s_totals.posted;
    if (!m_listed) {
        m_listed = true;
        m_next_waiting = nullptr;
        if (s_last_waiting)
            s_last_waiting->m_next_waiting = this;
        else
            s_first_waiting = this;
        s_last_waiting = this;
    }
    return true;
}

void DeferredTierUp::unlist() noexcept
{
    if (!m_listed)
        return;
    DeferredTierUp* previous = nullptr;
    for (DeferredTierUp* at = s_first_waiting; at; previous = at, at = at->m_next_waiting) {
        if (at != this)
            continue;
        if (previous)
            previous->m_next_waiting = m_next_waiting;
        else
            s_first_waiting = m_next_waiting;
        if (s_last_waiting == this)
            s_last_waiting = previous;
        break;
    }
    m_next_waiting = nullptr;
    m_listed = false;
}

void DeferredTierUp::run_waiting() noexcept
{
    unlist();
    if (!m_first)
        return;
    GuestSpace::Scope scope(*m_space);
    // The compile allocates from the guest's heap and touches no user page.
    bool kernel_allocation = kernel_allocation_active();
    set_kernel_allocation_active(false);
    u64 sum = clear_csr_bits<Csr::Sstatus>(Sstatus::SUM) & Sstatus::SUM;
    while (jit::TierUpJob* job = m_first) {
        m_first = job->next;
        if (!m_first)
            m_last = nullptr;
        u64 start = read_csr<Csr::Instret>();
        // Pushes the job onto the engine's finished list (job->next is the
        // engine's again): installed at the guest's next helper call.
        jit::run_tier_up_job(job);
        u64 spent = read_csr<Csr::Instret>() - start;
        ++m_stats.compiled;
        ++s_totals.compiled;
        m_stats.instructions += spent;
        s_totals.instructions += spent;
    }
    if (sum)
        set_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    set_kernel_allocation_active(kernel_allocation);
}

void DeferredTierUp::drain() noexcept
{
    run_waiting();
}

void DeferredTierUp::drop_waiting() noexcept
{
    unlist();
    if (!m_first)
        return;
    VERIFY(current_guest_space() == m_space);
    while (jit::TierUpJob* job = m_first) {
        m_first = job->next;
        destroy_at(job);
        platform_deallocate(job, sizeof(jit::TierUpJob), alignof(jit::TierUpJob));
        ++m_stats.dropped;
        ++s_totals.dropped;
    }
    m_last = nullptr;
}

bool deferred_tier_ups_waiting() noexcept
{
    return s_first_waiting != nullptr;
}

void run_deferred_tier_ups() noexcept
{
    while (DeferredTierUp* queue = s_first_waiting)
        queue->run_waiting(); // leaves the line first
}

DeferredTierUpStats deferred_tier_up_totals() noexcept
{
    return s_totals;
}

} // namespace k23::kernel
