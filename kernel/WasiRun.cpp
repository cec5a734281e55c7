// A WASI command inside the kernel (kernel/WasiRun.h).

#include <arch/riscv64/Csr.h>
#include <base/Format.h>
#include <jit/Engine.h>
#include <kernel/Console.h>
#include <kernel/Heap.h>
#include <kernel/WasiRun.h>
#include <kernel/WasmGuest.h>
#include <kernel/fs/Initrd.h>
#include <wasi/Wasi.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

constexpr u32 exit_trap = 134;
constexpr u32 exit_error = 1;

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
    void write(int handle, u8 const* bytes, usize length) noexcept
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
            console_write(StringView(reinterpret_cast<char const*>(bytes + start), i + 1 - start));
            console_write("\x10"_sv);
            start = i + 1;
        }
        if (start < length)
            console_write(StringView(reinterpret_cast<char const*>(bytes + start), length - start));
    }

    // One line of the run's own on stderr.
    template<typename... Args>
    void line(StringView fmt, Args const&... args) noexcept
    {
        char text[256];
        usize length = format_to(Span<char>(text, sizeof text - 1), fmt, args...);
        text[length++] = '\n';
        write(2, reinterpret_cast<u8 const*>(text), length);
    }

    static void sink(void* data, int handle, u8 const* bytes, usize length) noexcept
    {
        static_cast<Frame*>(data)->write(handle, bytes, length);
    }

private:
    int m_stream { 1 };
    bool m_ended { false };
};

void plain_console_sink(void*, int, u8 const* bytes, usize length) noexcept
{
    console_write(StringView(reinterpret_cast<char const*>(bytes), length));
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
Result<void> parse_command(Vector<u8> const& text, Command& command) noexcept
{
    Vector<StringView> words;
    usize start = 0;
    for (usize i = 0; i < text.size(); ++i) {
        if (text[i] != 0)
            continue;
        TRY(words.try_append(StringView(reinterpret_cast<char const*>(text.data()) + start, i - start)));
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

void describe(Error const& error, Span<char> buffer, StringView& out) noexcept
{
    StringView message = error.message();
    if (message.is_empty())
        message = error_code_name(error.code());
    usize n = error.has_offset() ? format_to(buffer, "{} at offset {:#x}"_sv, message, error.offset())
                                 : format_to(buffer, "{}"_sv, message);
    out = StringView(buffer.data(), n);
}

class Run {
public:
    Run(wasi::RamFs& fs, Frame& frame) noexcept
        : m_fs(fs)
        , m_frame(frame)
    {
    }

    u32 run(StringView command_path) noexcept
    {
        if (auto read = read_whole_file(m_fs, command_path, m_command_text); read.is_error()) {
            m_frame.line("run: {}: {}"_sv, command_path, read.error().message());
            return exit_error;
        }
        if (auto parsed = parse_command(m_command_text, m_command); parsed.is_error()) {
            m_frame.line("run: {}: {}"_sv, command_path, parsed.error().message());
            return exit_error;
        }
        if (auto read = read_whole_file(m_fs, m_command.module, m_module_bytes); read.is_error()) {
            m_frame.line("run: {}: {}"_sv, m_command.name, read.error().message());
            return exit_error;
        }
        wasi::WasiContext context(m_fs);
        auto status = run_in(context);
        return status;
    }

private:
    u32 fail(Error const& error) noexcept
    {
        char text[160];
        StringView message;
        describe(error, Span<char>(text, sizeof text), message);
        m_frame.line("run: {}: {}"_sv, m_command.name, message);
        return exit_error;
    }

    // k23-run's verdict on how an instantiation or invocation ended.
    u32 finish(Error const& error, wasi::WasiContext const& context) noexcept
    {
        if (error.code() == ErrorCode::Exit && context.has_exited())
            return context.exit_status();
        if (jit::is_trap(error)) {
            m_frame.line("trap: {}"_sv, error.message());
            return exit_trap;
        }
        return fail(error);
    }

    u32 run_in(wasi::WasiContext& context) noexcept
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
                m_frame.line("run: --dir {}: {}"_sv, m_command.dirs[i + 1], added.error().message());
                return exit_error;
            }
        }

        WasmGuest guest;
        if (auto created = guest.create(); created.is_error())
            return fail(created.error());
        auto module = guest.read_module(m_module_bytes.span());
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
            auto const* entry = instance->find_export(name);
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
            m_frame.write(1, reinterpret_cast<u8 const*>(text), length);
        }
        return 0;
    }

    wasi::RamFs& m_fs;
    Frame& m_frame;
    Vector<u8> m_command_text;
    Vector<u8> m_module_bytes;
    Command m_command;
    usize m_param_count { 0 };

public:
    WasmGuestStats m_stats;
    u64 m_ticks { 0 }; // timebase ticks of the invocation
};

} // namespace

u32 run_wasi_command(wasi::RamFs& fs, StringView command_path) noexcept
{
    u32 status = 0;
    WasmGuestStats stats;
    u64 ticks = 0;
    {
        Frame frame;
        fs.set_console(Frame::sink, &frame);
        {
            Run run(fs, frame);
            status = run.run(command_path);
            stats = run.m_stats;
            ticks = run.m_ticks;
        }
        fs.set_console(plain_console_sink, nullptr);
        frame.end();
    }
    kprintln("run: {} timebase ticks in the guest, {} system calls, {} faults turned into traps, {} pages committed on first touch"_sv,
        ticks, stats.system_calls, stats.faults, stats.pages_committed);
    // ./k23 bench's k23-kernel column (WasmGuestStats::bench_instructions).
    if (stats.bench_regions != 0)
        kprintln("bench: {} instructions between bench.start and bench.end ({} regions)"_sv,
            stats.bench_instructions, stats.bench_regions);
    kprintln("run: exit status {}"_sv, status);
    return status;
}

} // namespace k23::kernel
