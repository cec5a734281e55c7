// k23-run's tier-up worker thread (hosted/TierUpThread.h).

#include <hosted/Bench.h>
#include <hosted/TierUpThread.h>

#include <signal.h>

namespace k23::hosted {

Result<void> TierUpThread::start() noexcept
{
    sigset_t all, previous;
    sigfillset(&all);
    // The worker inherits this mask: no asynchronous signal lands there.
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int failed = pthread_create(&m_thread, nullptr, &TierUpThread::run, this);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (failed)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot start the tier-up thread");
    m_started = true;
    return {};
}

TierUpThread::~TierUpThread() noexcept
{
    drain();
    stop();
}

void TierUpThread::stop() noexcept
{
    if (!m_started)
        return;
    pthread_mutex_lock(&m_mutex);
    m_stop = true;
    m_next = m_jobs.size();
    pthread_cond_signal(&m_wake);
    pthread_mutex_unlock(&m_mutex);
    pthread_join(m_thread, nullptr);
    m_started = false;
}

bool TierUpThread::post(jit::TierUpJob* job) noexcept
{
    if (!m_started)
        return false;
    pthread_mutex_lock(&m_mutex);
    bool taken = !m_stop && !m_jobs.try_append(job).is_error();
    if (taken)
        pthread_cond_signal(&m_wake);
    pthread_mutex_unlock(&m_mutex);
    return taken;
}

void TierUpThread::drain() noexcept
{
    pthread_mutex_lock(&m_mutex);
    while (m_busy || m_next < m_jobs.size())
        pthread_cond_wait(&m_idle, &m_mutex);
    pthread_mutex_unlock(&m_mutex);
}

void* TierUpThread::run(void* self_pointer) noexcept
{
    auto& self = *static_cast<TierUpThread*>(self_pointer);
    pthread_mutex_lock(&self.m_mutex);
    while (true) {
        if (self.m_next < self.m_jobs.size()) {
            jit::TierUpJob* job = self.m_jobs[self.m_next++];
            self.m_busy = true;
            pthread_mutex_unlock(&self.m_mutex);
            jit::run_tier_up_job(job);
            pthread_mutex_lock(&self.m_mutex);
            self.m_busy = false;
            continue;
        }
        // Empty: forget the taken jobs, tell drain().
        self.m_jobs.clear();
        self.m_next = 0;
        pthread_cond_broadcast(&self.m_idle);
        if (self.m_stop)
            break;
        pthread_cond_wait(&self.m_wake, &self.m_mutex);
    }
    pthread_mutex_unlock(&self.m_mutex);
    return nullptr;
}

bool InlineTierUp::post(jit::TierUpJob* job) noexcept
{
    bench::execute_pause_marker();
    jit::run_tier_up_job(job);
    bench::execute_resume_marker();
    return true;
}

} // namespace k23::hosted
