// A WASI command inside the kernel (kernel/WasiRun.h).

#include <arch/riscv64/Csr.h>
#include <base/Format.h>
#include <jit/Engine.h>
#include <kernel/Console.h>
#include <kernel/ConsoleInput.h>
#include <kernel/Heap.h>
#include <kernel/WasiRun.h>
#include <kernel/Scheduler.h>
#include <kernel/Timer.h>
#include <kernel/WasmGuest.h>
#include <kernel/fs/Initrd.h>
#include <generated/kernel/DemoModules.h>
#include <wasi/Wasi.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

constexpr u32 exit_trap = 134;
constexpr u32 exit_error = 1;
constexpr u32 exit_killed = 124; // timeout(1)'s

// ---------------------------------------------------------------- the frame

class Frame {
public:
    Frame() noexcept { console_write("\x10"
                                     "B"_sv); }
    ~Frame() noexcept { end(); }

    void end() noexcept
    {
        if (m_ended)
            return;
        m_ended = true;
        console_write("\x10"
                      "X\n"_sv);
    }

    // `handle` 1 = stdout, 2 = stderr.
    void write(int handle, const u8* bytes, usize length) noexcept
    {
        if (m_ended)
            return;
        if (handle != m_stream) {
            console_write(handle == 2 ? "\x10"
                                        "E"_sv
                                      : "\x10"
                                        "O"_sv);
            m_stream = handle;
        }
        usize start = 0;
        for (usize i = 0; i < length; ++i) {
            if (bytes[i] != 0x10)
                continue;
            console_write(StringView(reinterpret_cast<const char*>(bytes + start), i + 1 - start));
            console_write("\x10"_sv);
            start = i + 1;
        }
        if (start < length)
            console_write(StringView(reinterpret_cast<const char*>(bytes + start), length - start));
    }

    // One line of the run's own on stderr.
    template<typename... Args>
    void line(StringView fmt, const Args&... args) noexcept
    {
        char text[256];
        usize length = format_to(Span<char>(text, sizeof text - 1), fmt, args...);
        text[length++] = '\n';
        write(2, reinterpret_cast<const u8*>(text), length);
    }

    static void sink(void* data, int handle, const u8* bytes, usize length) noexcept
    {
        static_cast<Frame*>(data)->write(handle, bytes, length);
    }

private:
    int m_stream { 1 };
    bool m_ended { false };
};

void plain_console_sink(void*, int, const u8* bytes, usize length) noexcept
{
    console_write(StringView(reinterpret_cast<const char*>(bytes), length));
}

// ---------------------------------------------------------------- the command

struct Command {
    StringView module;
    StringView name;
    Vector<StringView> arguments;
    Vector<StringView> environment;
    Vector<StringView> dirs; // PATH, GUEST pairs
    StringView invoke;
};

// Parses the command file (NUL-terminated strings); the views point into `text`.
Result<void> parse_command(const Vector<u8>& text, Command& command) noexcept
{
    Vector<StringView> words;
    usize start = 0;
    for (usize i = 0; i < text.size(); ++i) {
        if (text[i] != 0)
            continue;
        TRY(words.try_append(StringView(reinterpret_cast<const char*>(text.data()) + start, i - start)));
        start = i + 1;
    }
    if (start != text.size())
        return Error::from_code(ErrorCode::Malformed, "command file: the last string has no NUL");
    for (usize i = 0; i < words.size();) {
        StringView key = words[i++];
        usize values = key == "dir"_sv ? 2 : 1;
        if (i + values > words.size())
            return Error::formatted(ErrorCode::Malformed, "command file: \"{}\" without its value"_sv, key);
        StringView value = words[i];
        if (key == "module"_sv)
            command.module = value;
        else if (key == "name"_sv)
            command.name = value;
        else if (key == "arg"_sv)
            TRY(command.arguments.try_append(value));
        else if (key == "env"_sv)
            TRY(command.environment.try_append(value));
        else if (key == "invoke"_sv)
            command.invoke = value;
        else if (key == "dir"_sv) {
            TRY(command.dirs.try_append(value));
            TRY(command.dirs.try_append(words[i + 1]));
        } else
            return Error::formatted(ErrorCode::Malformed, "command file: unknown key \"{}\""_sv, key);
        i += values;
    }
    if (command.module.is_empty())
        return Error::from_code(ErrorCode::Malformed, "command file: no module");
    if (command.name.is_empty())
        command.name = command.module;
    return {};
}

bool parse_integer(StringView text, i64& out) noexcept
{
    bool negative = text.starts_with('-');
    if (negative || text.starts_with('+'))
        text = text.substring(1);
    if (text.is_empty())
        return false;
    u64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        u64 next = value * 10 + u64(c - '0');
        if (next / 10 != value)
            return false;
        value = next;
    }
    out = negative ? -i64(value) : i64(value);
    return true;
}

void describe(const Error& error, Span<char> buffer, StringView& out) noexcept
{
    StringView message = error.message();
    if (message.is_empty())
        message = error_code_name(error.code());
    usize n = error.has_offset() ? format_to(buffer, "{} at offset {:#x}"_sv, message, error.offset())
                                 : format_to(buffer, "{}"_sv, message);
    out = StringView(buffer.data(), n);
}

// One guest's stdout and stderr into the frame: as they come with one
// guest; with several, in whole lines, each after the guest's prefix
// "[NAME] " (a line longer than the buffer is cut into several).
class GuestOutput {
public:
    explicit GuestOutput(Frame& frame) noexcept
        : m_frame(frame)
    {
    }

    void set_prefix(StringView prefix) noexcept { m_prefix = prefix; }

    void write(int handle, const u8* bytes, usize length) noexcept
    {
        if (m_prefix.is_empty()) {
            m_frame.write(handle, bytes, length);
            return;
        }
        Line& line = m_lines[handle == 2 ? 1 : 0];
        for (usize i = 0; i < length; ++i) {
            line.bytes[line.length++] = bytes[i];
            if (bytes[i] == '\n' || line.length == sizeof line.bytes)
                flush(handle);
        }
    }

    void finish() noexcept
    {
        flush(1);
        flush(2);
    }

    // One line of the run's own on stderr.
    template<typename... Args>
    void line(StringView fmt, const Args&... args) noexcept
    {
        char text[256];
        usize length = format_to(Span<char>(text, sizeof text - 1), fmt, args...);
        text[length++] = '\n';
        write(2, reinterpret_cast<const u8*>(text), length);
    }

private:
    struct Line {
        u8 bytes[200];
        usize length { 0 };
    };

    void flush(int handle) noexcept
    {
        Line& line = m_lines[handle == 2 ? 1 : 0];
        if (line.length == 0)
            return;
        m_frame.write(handle, reinterpret_cast<const u8*>(m_prefix.characters_without_null_termination()), m_prefix.length());
        m_frame.write(handle, line.bytes, line.length);
        if (line.bytes[line.length - 1] != '\n')
            m_frame.write(handle, reinterpret_cast<const u8*>("\n"), 1);
        line.length = 0;
    }

    Frame& m_frame;
    StringView m_prefix;
    Line m_lines[2];
};

// One guest of a run: its command, its thread (kernel/Scheduler.h) and
// how it ended.
class Run {
public:
    Run(wasi::RamFs& fs, Frame& frame) noexcept
        : m_fs(fs)
        , m_output(frame)
    {
    }

    // The command file at `command_path` (the run= boot argument's).
    [[nodiscard]] Result<void> load(StringView command_path) noexcept
    {
        if (auto read = read_whole_file(m_fs, command_path, m_command_text); read.is_error()) {
            m_output.line("run: {}: {}"_sv, command_path, read.error().message());
            return read.release_error();
        }
        if (auto parsed = parse_command(m_command_text, m_command); parsed.is_error()) {
            m_output.line("run: {}: {}"_sv, command_path, parsed.error().message());
            return parsed.release_error();
        }
        return {};
    }

    // A module already in memory (the default program's), run as `name`.
    void set_module(StringView name, ReadonlyBytes bytes) noexcept
    {
        m_command.name = name;
        m_command.module = name;
        m_embedded = bytes;
    }

    u32 run() noexcept
    {
        ReadonlyBytes bytes = m_embedded;
        if (bytes.is_empty()) {
            if (auto read = read_whole_file(m_fs, m_command.module, m_module_bytes); read.is_error()) {
                m_output.line("run: {}: {}"_sv, m_command.name, read.error().message());
                return exit_error;
            }
            bytes = m_module_bytes.span();
        }
        wasi::WasiContext context(m_fs);
        return run_in(context, bytes);
    }

    [[nodiscard]] StringView name() const noexcept { return m_command.name; }
    [[nodiscard]] GuestOutput& output() noexcept { return m_output; }
    [[nodiscard]] Thread& thread() noexcept { return m_thread; }

private:
    u32 fail(const Error& error) noexcept
    {
        char text[160];
        StringView message;
        describe(error, Span<char>(text, sizeof text), message);
        m_output.line("run: {}: {}"_sv, m_command.name, message);
        return exit_error;
    }

    // k23-run's verdict on how an instantiation or invocation ended.
    u32 finish(const Error& error, const wasi::WasiContext& context) noexcept
    {
        if (error.code() == ErrorCode::Exit && context.has_exited())
            return context.exit_status();
        // The scheduler ended it (its budget or deadline): 124, timeout(1)'s.
        if (m_thread.kill_reason() == KillReason::Deadline) {
            m_output.line("run: {}: killed: time is up (--timeout {} ms)"_sv, m_command.name,
                m_timeout_ms);
            return exit_killed;
        }
        if (m_thread.kill_reason() == KillReason::Budget) {
            m_output.line("run: {}: killed: used up its CPU budget of {} ms"_sv, m_command.name,
                m_thread.budget() * 1000 / timer_frequency());
            return exit_killed;
        }
        if (jit::is_trap(error)) {
            m_output.line("trap: {}"_sv, error.message());
            return exit_trap;
        }
        return fail(error);
    }

    u32 run_in(wasi::WasiContext& context, ReadonlyBytes module_bytes) noexcept
    {
        if (context.add_argument(m_command.name).is_error())
            return fail(Error::from_code(ErrorCode::OutOfMemory, "out of memory"));
        for (StringView argument : m_command.arguments) {
            if (m_command.invoke.is_empty() && context.add_argument(argument).is_error())
                return fail(Error::from_code(ErrorCode::OutOfMemory, "out of memory"));
        }
        for (StringView entry : m_command.environment) {
            if (context.add_environment(entry).is_error())
                return fail(Error::from_code(ErrorCode::OutOfMemory, "out of memory"));
        }
        for (usize i = 0; i + 1 < m_command.dirs.size(); i += 2) {
            if (auto added = context.add_preopen(m_command.dirs[i], m_command.dirs[i + 1]); added.is_error()) {
                m_output.line("run: --dir {}: {}"_sv, m_command.dirs[i + 1], added.error().message());
                return exit_error;
            }
        }

        WasmGuest guest;
        if (auto created = guest.create(); created.is_error())
            return fail(created.error());
        auto module = guest.read_module(module_bytes);
        if (module.is_error())
            return fail(module.error());
        if (auto defined = guest.define_wasi(*module.value(), context); defined.is_error())
            return fail(defined.error());
        wasm::Instance* instance = nullptr;
        context.set_instance_slot(&instance);
        auto instantiated = guest.instantiate_module(*module.value(), &instance);
        if (instantiated.is_error())
            return finish(instantiated.error(), context);
        instance = instantiated.value();

        StringView name = m_command.invoke.is_empty() ? "_start"_sv : m_command.invoke;
        wasm::FunctionInstance* function = nullptr;
        wasm::Value args[16];
        wasm::Value results[16];
        usize result_count = 0;
        {
            GuestSpace::Scope scope(guest.space());
            const auto* entry = instance->find_export(name);
            if (!entry || entry->value.kind != wasm::ExternKind::Function)
                return fail(Error::formatted(ErrorCode::NotFound, "no exported function {}"_sv, name));
            function = entry->value.function();
            wasm::FunctionType type = guest.store().type(function->type);
            if (m_command.invoke.is_empty() && (!type.params.is_empty() || !type.results.is_empty()))
                return fail(Error::from_code(ErrorCode::InvalidArgument, "_start must take and return nothing"));
            usize given = m_command.invoke.is_empty() ? 0 : m_command.arguments.size(); // else argv
            if (type.params.size() != given || type.params.size() > 16 || type.results.size() > 16)
                return fail(Error::formatted(ErrorCode::InvalidArgument, "{} takes {} arguments, {} given"_sv, name,
                    type.params.size(), given));
            for (usize i = 0; i < type.params.size(); ++i) {
                i64 value = 0;
                bool is_integer = type.params[i] == wasm::ValueType::I32 || type.params[i] == wasm::ValueType::I64;
                if (!is_integer || !parse_integer(m_command.arguments[i], value))
                    return fail(Error::formatted(ErrorCode::InvalidArgument, "argument {} of {}: an i32 or i64 in decimal"_sv,
                        i + 1, name));
                args[i] = type.params[i] == wasm::ValueType::I32 ? wasm::Value::from_i32(u32(value)) : wasm::Value::from_i64(u64(value));
            }
            for (usize i = 0; i < type.results.size(); ++i)
                results[i].type = type.results[i];
            result_count = type.results.size();
            m_param_count = type.params.size();
        }
        u64 start = read_csr<Csr::Time>();
        auto invoked = guest.invoke(function, Span<wasm::Value const>(args, m_param_count), Span<wasm::Value>(results, result_count));
        m_ticks = read_csr<Csr::Time>() - start;
        m_stats = guest.stats();
        if (invoked.is_error())
            return finish(invoked.error(), context);
        for (usize i = 0; i < result_count; ++i) {
            char text[64];
            usize length = 0;
            switch (results[i].type) {
            case wasm::ValueType::I32:
                length = format_to(Span<char>(text, sizeof text), "{}\n"_sv, i32(results[i].i32));
                break;
            case wasm::ValueType::I64:
                length = format_to(Span<char>(text, sizeof text), "{}\n"_sv, i64(results[i].i64));
                break;
            case wasm::ValueType::F32:
                length = format_to(Span<char>(text, sizeof text), "{:#x} (f32 bits)\n"_sv, results[i].f32_bits);
                break;
            case wasm::ValueType::F64:
                length = format_to(Span<char>(text, sizeof text), "{:#x} (f64 bits)\n"_sv, results[i].f64_bits);
                break;
            default:
                length = format_to(Span<char>(text, sizeof text), "(a reference or v128)\n"_sv);
                break;
            }
            m_output.write(1, reinterpret_cast<const u8*>(text), length);
        }
        return 0;
    }

    wasi::RamFs& m_fs;
    GuestOutput m_output;
    Vector<u8> m_command_text;
    Vector<u8> m_module_bytes;
    ReadonlyBytes m_embedded;
    Command m_command;
    usize m_param_count { 0 };
    Thread m_thread;

public:
    WasmGuestStats m_stats;
    u64 m_ticks { 0 }; // timebase ticks of the invocation
    u32 m_status { 0 };
    u64 m_timeout_ms { 0 };
    char m_prefix[64] {};
};

// ---------------------------------------------------------------- the guests' threads

// The root file system's console and waits while guests run: whatever the
// current thread's guest writes goes to its output; sleeping and yielding
// give the hart to the other guests.
void route_console(void*, int handle, const u8* bytes, usize length) noexcept
{
    if (Thread* thread = Scheduler::current())
        static_cast<Run*>(thread->argument())->output().write(handle, bytes, length);
    else
        console_write(StringView(reinterpret_cast<const char*>(bytes), length));
}

void sleep_nanoseconds(u64 nanoseconds) noexcept
{
    u64 frequency = timer_frequency();
    u64 ticks = nanoseconds / 1'000'000'000ull * frequency + nanoseconds % 1'000'000'000ull * frequency / 1'000'000'000ull;
    u64 now = timer_now();
    Scheduler::sleep_until(ticks > timer_never - now ? timer_never : now + ticks);
}

void yield_hart() noexcept { Scheduler::yield(); }

// stdin: the console's input (kernel/ConsoleInput.h), read by the first
// guest of a run; the others, and the default program's guests, read end of
// file. One per boot: what the driver sent is read once.
ConsoleInput s_console_input;
Thread* s_stdin_owner = nullptr;

// How long a reader with nothing to read is off the hart before it looks
// again: the console raises no interrupt the kernel handles, so it polls.
constexpr u64 stdin_poll_hz = 1000;

wasi::Errno read_stdin(void*, u8* buffer, usize length, usize& done) noexcept
{
    done = 0;
    Thread* thread = Scheduler::current();
    if (thread == nullptr || thread != s_stdin_owner || length == 0)
        return wasi::errno_::success;
    for (;;) {
        done = s_console_input.read_available(buffer, length);
        // A guest killed while it waits reads end of file; the run loop
        // then ends it before it runs again (Scheduler::kill_pending()).
        if (done > 0 || s_console_input.ended() || Scheduler::kill_pending())
            return wasi::errno_::success;
        // Nothing yet: off the hart, so the other guests run (with none
        // runnable the hart waits in wfi), then look again.
        Scheduler::sleep_until(timer_now() + timer_frequency() / stdin_poll_hz);
    }
}

void guest_thread(void* argument) noexcept
{
    auto& run = *static_cast<Run*>(argument);
    run.m_status = run.run();
    run.output().finish();
}

// Runs every guest of `runs` side by side, each on its own thread, until
// all have ended. `timeout_ms` (0: none): each one's wall deadline.
Result<void> run_side_by_side(wasi::RamFs& fs, Span<Run*> runs, u64 timeout_ms, Thread* stdin_owner = nullptr) noexcept
{
    Vector<Thread*> threads;
    u64 deadline = timeout_ms == 0 ? 0 : timer_now() + timeout_ms * timer_frequency() / 1000;
    for (Run* run : runs) {
        TRY(run->thread().create(run->name(), guest_thread, run));
        if (deadline != 0)
            run->thread().set_deadline(deadline);
        run->m_timeout_ms = timeout_ms;
        TRY(threads.try_append(&run->thread()));
    }
    fs.set_console(route_console, nullptr);
    wasi::RamFs::Waiting waiting;
    waiting.sleep_nanoseconds = sleep_nanoseconds;
    waiting.yield = yield_hart;
    fs.set_waiting(waiting);
    s_stdin_owner = stdin_owner;
    fs.set_console_input(read_stdin, nullptr);
    Scheduler::run_threads(threads.span());
    fs.set_console_input(nullptr, nullptr);
    s_stdin_owner = nullptr;
    fs.set_waiting({});
    fs.set_console(plain_console_sink, nullptr);
    return {};
}

// "[NAME] ": NAME is the last path component of the guest's name.
void make_prefix(Run& run) noexcept
{
    StringView name = run.name();
    for (usize i = name.length(); i > 0; --i) {
        if (name[i - 1] == '/') {
            name = name.substring(i);
            break;
        }
    }
    usize length = format_to(Span<char>(run.m_prefix, sizeof run.m_prefix - 1), "[{}] "_sv, name);
    run.output().set_prefix(StringView(run.m_prefix, length));
}

void print_guest_summary(Run& run) noexcept
{
    const auto& stats = run.thread().stats();
    u64 frequency = timer_frequency();
    kprintln("run: {}: exit status {}, {} ms on the hart ({} ticks), {} instructions, {} turns, {} preempted, {} waits"_sv,
        run.name(), run.m_status, stats.ticks * 1000 / frequency, stats.ticks, stats.instructions, stats.switches_in,
        stats.preemptions, stats.sleeps);
    // k23-run --verbose's line: what each tier compiled (the boot argument tier=).
    const auto& tiers = run.m_stats.tiers;
    kprintln("run: {}: tier {}: {} functions optimized, {} baseline ({} fell back{}{})"_sv, run.name(),
        jit::tier_name(default_guest_tier()), tiers.optimized, tiers.baseline, tiers.fallbacks,
        tiers.fallbacks ? "; first: "_sv : ""_sv, StringView(tiers.first_fallback));
    if (default_guest_tier() == jit::Tier::Auto) {
        kprintln("run: {}: tier-up: {} functions tiered up, {} refused; code bytes: baseline {}, optimizing {}; OSR: {} loop entries, {} transfers"_sv,
            run.name(), tiers.tiered_up, tiers.tier_up_refused, tiers.baseline_bytes, tiers.optimized_bytes, tiers.osr_entries,
            tiers.osr_transfers);
        // Compiled at preemption points, not in the helper (kernel/DeferredTierUp.h);
        // what still waited when _start ended was dropped with the guest.
        const auto& jobs = run.m_stats.tier_up_jobs;
        kprintln("run: {}: tier-up jobs: {} posted, {} compiled at preemption points ({} instructions), {} dropped at exit"_sv,
            run.name(), jobs.posted, jobs.compiled, jobs.instructions, jobs.posted - jobs.compiled);
    }
}

} // namespace

namespace {

// The guests of one run: at most max_guests, in static slots (a Run is big
// and lives as long as the run).
constexpr usize max_guests = 8;
alignas(Run) u8 s_run_slots[max_guests][sizeof(Run)];

class Guests {
public:
    Guests(wasi::RamFs& fs, Frame& frame) noexcept
        : m_fs(fs)
        , m_frame(frame)
    {
    }
    ~Guests() noexcept
    {
        for (usize i = 0; i < m_count; ++i)
            destroy_at(m_runs[i]);
    }

    Run* add() noexcept
    {
        if (m_count == max_guests)
            return nullptr;
        m_runs[m_count] = construct_at(reinterpret_cast<Run*>(s_run_slots[m_count]), m_fs, m_frame);
        return m_runs[m_count++];
    }

    [[nodiscard]] Span<Run*> span() noexcept { return Span<Run*>(m_runs, m_count); }

private:
    wasi::RamFs& m_fs;
    Frame& m_frame;
    Run* m_runs[max_guests] {};
    usize m_count { 0 };
};

} // namespace

u32 run_wasi_commands(wasi::RamFs& fs, StringView command_paths, u64 timeout_ms) noexcept
{
    u32 status = 0;
    {
        Frame frame;
        Guests guests(fs, frame);
        bool loaded = true;
        for (usize start = 0; start <= command_paths.length();) {
            usize comma = command_paths.find(',', start);
            usize end = comma == StringView::not_found ? command_paths.length() : comma;
            StringView path = command_paths.substring(start, end - start);
            start = end + 1;
            Run* run = guests.add();
            if (run == nullptr) {
                GuestOutput(frame).line("run: more than {} guests"_sv, max_guests);
                loaded = false;
                break;
            }
            if (run->load(path).is_error())
                loaded = false;
        }
        auto runs = guests.span();
        if (loaded && runs.size() > 1) {
            for (Run* run : runs)
                make_prefix(*run);
        }
        // The first guest owns stdin (issue 14): one reader, so no guest
        // sees another's input.
        if (loaded && run_side_by_side(fs, runs, timeout_ms, &runs[0]->thread()).is_error()) {
            GuestOutput(frame).line("run: out of memory for the guests' threads"_sv);
            loaded = false;
        }
        frame.end();
        if (!loaded) {
            status = exit_error;
        } else {
            // One guest: its invocation's figures, as before. Then each
            // guest's; the run's status is the first guest's.
            if (runs.size() == 1) {
                const auto& stats = runs[0]->m_stats;
                kprintln("run: {} timebase ticks in the guest, {} system calls, {} faults turned into traps, {} pages committed on first touch"_sv,
                    runs[0]->m_ticks, stats.system_calls, stats.faults, stats.pages_committed);
                // ./k23 bench's k23-kernel column (WasmGuestStats::bench_instructions).
                if (stats.bench_regions != 0)
                    kprintln("bench: {} instructions between bench.start and bench.end ({} regions)"_sv,
                        stats.bench_instructions, stats.bench_regions);
            }
            for (Run* run : runs)
                print_guest_summary(*run);
            status = runs[0]->m_status;
        }
    }
    kprintln("run: exit status {}"_sv, status);
    return status;
}

// ---------------------------------------------------------------- the default program

namespace {

struct DemoGuest {
    StringView name;
    ReadonlyBytes module;
    u64 budget_ms;        // CPU budget (0: none)
    u32 expected_status;  // how it should end
    StringView what;      // what it does, for the table
};

} // namespace

u32 run_default_program(wasi::RamFs& fs) noexcept
{
    DemoGuest const demo[] = {
        { "primes"_sv, ReadonlyBytes(demo_modules::primes, sizeof demo_modules::primes), 0, 0, "counts primes below 400000"_sv },
        { "fib"_sv, ReadonlyBytes(demo_modules::fib, sizeof demo_modules::fib), 0, 0, "fib(20), fib(25), fib(30) recursively"_sv },
        { "sleeper"_sv, ReadonlyBytes(demo_modules::sleeper, sizeof demo_modules::sleeper), 0, 0, "four 50 ms naps in poll_oneoff"_sv },
        { "spinner"_sv, ReadonlyBytes(demo_modules::spinner, sizeof demo_modules::spinner), 300, exit_killed, "loops forever"_sv },
    };
    constexpr usize count = sizeof demo / sizeof demo[0];
    u32 status = 0;
    {
        Frame frame;
        GuestOutput out(frame);
        out.write(1, reinterpret_cast<const u8*>("k23: the default program, four WASI guests side by side on one hart\n"), 68);
        Guests guests(fs, frame);
        for (const auto& guest : demo) {
            Run* run = guests.add();
            VERIFY(run != nullptr);
            run->set_module(guest.name, guest.module);
            make_prefix(*run);
        }
        auto runs = guests.span();
        for (usize i = 0; i < count; ++i) {
            if (demo[i].budget_ms != 0)
                runs[i]->thread().set_budget(demo[i].budget_ms * timer_frequency() / 1000);
        }
        u64 start = timer_now();
        if (run_side_by_side(fs, runs, 0).is_error()) {
            frame.end();
            kprintln("run: exit status 1"_sv);
            return exit_error;
        }
        u64 elapsed = timer_now() - start;
        u64 frequency = timer_frequency();
        char text[200];
        auto say = [&](usize length) { frame.write(1, reinterpret_cast<const u8*>(text), length); };
        say(format_to(Span<char>(text, sizeof text), "k23: all done in {} ms; round-robin in {} ms slices, timer: {}\n"_sv,
            elapsed * 1000 / frequency, Scheduler::slice_ticks * 1000 / frequency,
            timer_uses_sstc() ? "Sstc stimecmp"_sv : "SBI set_timer"_sv));
        say(format_to(Span<char>(text, sizeof text), "{:<8} {:<40} {:<22} {:>6} {:>12} {:>6} {:>9} {:>5}\n"_sv,
            "guest"_sv, "what it does"_sv, "how it ended"_sv, "cpu ms"_sv, "instructions"_sv, "turns"_sv, "preempted"_sv, "waits"_sv));
        for (usize i = 0; i < count; ++i) {
            Run& run = *runs[i];
            const auto& stats = run.thread().stats();
            char ended[32];
            usize ended_length = run.thread().kill_reason() == KillReason::Budget
                ? format_to(Span<char>(ended, sizeof ended), "killed: {} ms budget"_sv, demo[i].budget_ms)
                : format_to(Span<char>(ended, sizeof ended), "exit status {}"_sv, run.m_status);
            say(format_to(Span<char>(text, sizeof text), "{:<8} {:<40} {:<22} {:>6} {:>12} {:>6} {:>9} {:>5}\n"_sv,
                demo[i].name, demo[i].what, StringView(ended, ended_length), stats.ticks * 1000 / frequency,
                stats.instructions, stats.switches_in, stats.preemptions, stats.sleeps));
            if (run.m_status != demo[i].expected_status)
                status = exit_error;
        }
        frame.end();
        for (Run* run : runs)
            print_guest_summary(*run);
    }
    kprintln("run: exit status {}"_sv, status);
    return status;
}

} // namespace k23::kernel
