#pragma once

// k23-run's background compiler for Tier::Auto (jit/Engine.h "Tier-up"):
// one worker thread that runs the tier-up jobs the guest thread posts, in
// order, while the guest keeps running in the baseline. The engine installs
// what finished on the guest thread.

#include <jit/Engine.h>

#include <pthread.h>

namespace k23::hosted {

class TierUpThread final : public jit::TierUpQueue {
public:
    TierUpThread() noexcept = default;
    ~TierUpThread() noexcept override;
    TierUpThread(const TierUpThread&) = delete;
    TierUpThread& operator=(const TierUpThread&) = delete;

    // Starts the worker (signals blocked there: SIGALRM and the like stay
    // with the guest thread).
    Result<void> start() noexcept;
    bool post(jit::TierUpJob* job) noexcept override;
    void drain() noexcept override;
    // Ends the worker without running the jobs still waiting (they are
    // dropped: the process is about to exit) and returns once the one it
    // runs finished, so nothing it reads (the module) can go away under
    // it. Later posts are refused (the engine compiles those itself).
    void stop() noexcept;

private:
    static void* run(void* self) noexcept;

    pthread_t m_thread {};
    pthread_mutex_t m_mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t m_wake = PTHREAD_COND_INITIALIZER; // a job, or stop
    pthread_cond_t m_idle = PTHREAD_COND_INITIALIZER; // the queue ran empty
    Vector<jit::TierUpJob*> m_jobs;
    usize m_next { 0 };
    bool m_busy { false };
    bool m_started { false };
    bool m_stop { false };
};

// --tier-up-compile inline: each job runs at once on the guest's thread,
// between the bench pause/resume markers (hosted/Bench.h), so ./k23 bench
// counts the compile beside the region, not in it, exactly.
class InlineTierUp final : public jit::TierUpQueue {
public:
    bool post(jit::TierUpJob* job) noexcept override;
    void drain() noexcept override { }
};

} // namespace k23::hosted
