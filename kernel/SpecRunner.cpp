#include <kernel/SpecRunner.h>

#include <base/Error.h>
#include <base/Memory.h>
#include <base/Platform.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/Vector.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Heap.h>
#include <kernel/WasmGuest.h>
#include <kernel/fs/Initrd.h>
#include <kernel/mm/GuestSpace.h>
#include <kernel/mm/PhysicalMemory.h>
#include <wasm/BinaryReader.h>
#include <wasm/Limits.h>
#include <wasm/Module.h>
#include <wasm/Runtime.h>

namespace k23::kernel {

namespace {

using wasm::ExportEntry;
using wasm::ExternKind;
using wasm::FunctionInstance;
using wasm::FunctionType;
using wasm::Instance;
using wasm::Value;
using wasm::ValueType;

template<typename T>
void free_object(T* object) noexcept
{
    if (!object)
        return;
    destroy_at(object);
    platform_deallocate(object, sizeof(T), alignof(T));
}

// ---------------------------------------------------------------- the guest
//
// Every touch of the engine's objects (store, linker, instances, values)
// is here, so that the rest of the runner never reads guest-owned memory.

// What an export is, copied out of the guest (kernel memory).
struct ExportInfo {
    ExternKind kind { ExternKind::Function };
    FunctionInstance* function { nullptr };
    Vector<ValueType> params;
    Vector<ValueType> results;
    Value global_value;
};

// The spec runner's side of a WasmGuest (kernel/WasmGuest.h). What WasmGuest
// does not offer itself is done here inside the guest's scope
// (GuestSpace::Scope), and nothing kernel-side is allocated in a scope
// (it would land in the guest's heap).
class SpecGuest {
public:
    SpecGuest() noexcept = default;
    ~SpecGuest() noexcept { destroy(); }
    SpecGuest(const SpecGuest&) = delete;
    SpecGuest& operator=(const SpecGuest&) = delete;

    Result<void> reset() noexcept
    {
        destroy();
        WasmGuestOptions options;
        // A runaway invocation ends with `interrupted` instead of hanging the
        // run (the driver gives up after 60 s without output).
        options.time_limit = g_platform.timebase_frequency * 30;
        TRY(m_guest.create(options));
        if (auto spectest = m_guest.define_spectest(); spectest.is_error()) {
            destroy();
            return spectest.release_error();
        }
        return {};
    }

    void destroy() noexcept
    {
        if (m_guest.is_created()) {
            const auto& tiers = m_guest.stats().tiers;
            m_tiers.optimized += tiers.optimized;
            m_tiers.baseline += tiers.baseline;
            m_tiers.fallbacks += tiers.fallbacks;
        }
        m_guest.destroy();
    }
    [[nodiscard]] bool is_created() const noexcept { return m_guest.is_created(); }
    // Per tier, the functions every guest destroyed so far compiled.
    [[nodiscard]] const jit::TierCounts& tier_counts() const noexcept { return m_tiers; }
    [[nodiscard]] bool can_execute() const noexcept { return m_guest.is_created(); }

    Result<void> instantiate(ReadonlyBytes bytes, const wasm::ReadOptions& options, Instance** out) noexcept
    {
        *out = TRY(m_guest.instantiate(bytes, {}, options));
        return {};
    }

    Result<void> register_instance(StringView as, Instance* instance) noexcept
    {
        GuestSpace::Scope scope(m_guest.space());
        return m_guest.linker().register_instance(as, instance);
    }

    // False when `instance` has no export `field`.
    Result<bool> describe_export(Instance* instance, StringView field, ExportInfo& info) noexcept
    {
        ValueType params[wasm::limits::max_function_params];
        ValueType results[wasm::limits::max_function_results];
        usize param_count = 0, result_count = 0;
        {
            GuestSpace::Scope scope(m_guest.space());
            const ExportEntry* entry = instance->find_export(field);
            if (!entry)
                return false;
            info.kind = entry->value.kind;
            if (info.kind == ExternKind::Global) {
                info.global_value = entry->value.global()->value;
            } else if (info.kind == ExternKind::Function) {
                info.function = entry->value.function();
                FunctionType type = m_guest.store().type(info.function->type);
                if (type.params.size() > wasm::limits::max_function_params || type.results.size() > wasm::limits::max_function_results)
                    return Error::from_code(ErrorCode::LimitExceeded, "too many parameters or results");
                param_count = type.params.size();
                result_count = type.results.size();
                copy_bytes(params, type.params.data(), param_count * sizeof(ValueType));
                copy_bytes(results, type.results.data(), result_count * sizeof(ValueType));
            }
        }
        info.params.clear();
        info.results.clear();
        TRY(info.params.try_extend(Span<const ValueType>(params, param_count)));
        TRY(info.results.try_extend(Span<const ValueType>(results, result_count)));
        return true;
    }

    Result<void> invoke(FunctionInstance* function, Span<Value const> args, Span<Value> results) noexcept
    {
        return m_guest.invoke(function, args, results);
    }

private:
    WasmGuest m_guest;
    jit::TierCounts m_tiers;
};

// ---------------------------------------------------------------- text

class Answer {
public:
    explicit Answer(Vector<char>& text) noexcept
        : m_text(text)
    {
    }
    void clear() noexcept { m_text.clear(); }
    void append(char c) noexcept { (void)m_text.try_append(c); }
    void append(StringView text) noexcept { (void)m_text.try_extend(Span<const char>(text.data(), text.length())); }
    void append_decimal(u64 value) noexcept
    {
        char digits[24];
        usize n = 0;
        do {
            digits[n++] = char('0' + value % 10);
            value /= 10;
        } while (value);
        while (n)
            append(digits[--n]);
    }
    void append_hex_byte(u8 byte) noexcept
    {
        static constexpr char hex[] = "0123456789abcdef";
        append(hex[byte >> 4]);
        append(hex[byte & 15]);
    }
    [[nodiscard]] StringView view() const noexcept { return { m_text.data(), m_text.size() }; }

private:
    Vector<char>& m_text;
};

// k23-spec's describe(): "error <lower-case code> <message, newlines as spaces>".
void describe(Answer& answer, const Error& error) noexcept
{
    answer.append("error "_sv);
    for (char c : error_code_name(error.code()))
        answer.append(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
    answer.append(' ');
    for (char c : error.message())
        answer.append(c == '\n' ? ' ' : c);
}

// Whitespace-separated words of a line.
class Words {
public:
    explicit Words(StringView line) noexcept
        : m_line(line)
    {
    }
    bool next(StringView& word) noexcept
    {
        while (m_at < m_line.length() && is_space(m_line[m_at]))
            ++m_at;
        if (m_at >= m_line.length())
            return false;
        usize start = m_at;
        while (m_at < m_line.length() && !is_space(m_line[m_at]))
            ++m_at;
        word = m_line.substring(start, m_at - start);
        return true;
    }
    // The next word, or "" when there is none (as `words >> s` leaves s).
    StringView next_or_empty() noexcept
    {
        StringView word;
        return next(word) ? word : StringView();
    }

private:
    static bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
    StringView m_line;
    usize m_at { 0 };
};

int hex_digit(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Names arrive percent-encoded (k23-spec's unquote: "%XX" with two hex
// digits is that byte; anything else is itself).
Result<void> unquote(StringView text, Vector<char>& out) noexcept
{
    out.clear();
    for (usize i = 0; i < text.length(); ++i) {
        if (text[i] == '%' && i + 2 < text.length()) {
            int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
            if (high >= 0 && low >= 0) {
                TRY(out.try_append(char(high * 16 + low)));
                i += 2;
                continue;
            }
        }
        TRY(out.try_append(text[i]));
    }
    return {};
}

StringView view_of(const Vector<char>& text) noexcept { return { text.data(), text.size() }; }

// A decimal u64 (an optional '-' wraps, as std::stoull does); false for
// anything else.
bool parse_decimal(StringView text, u64& value) noexcept
{
    bool negative = text.starts_with('-');
    usize i = negative ? 1 : 0;
    if (i >= text.length())
        return false;
    u64 v = 0;
    for (; i < text.length(); ++i) {
        char c = text[i];
        if (c < '0' || c > '9')
            return false;
        u64 digit = u64(c - '0');
        if (v > (~u64(0) - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    value = negative ? u64(0) - v : v;
    return true;
}

// TYPE:VALUE as k23-spec's parse_value reads it.
bool parse_value(StringView text, Value& value) noexcept
{
    usize colon = text.find(':');
    if (colon == StringView::not_found)
        return false;
    StringView type = text.substring(0, colon), rest = text.substring(colon + 1);
    if (type == "v128"_sv) {
        if (rest.length() != 32)
            return false;
        value = Value::default_of(ValueType::V128);
        for (usize i = 0; i < 16; ++i) {
            int high = hex_digit(rest[2 * i]), low = hex_digit(rest[2 * i + 1]);
            if (high < 0 || low < 0)
                return false;
            value.v128[i] = u8(high * 16 + low);
        }
        return true;
    }
    if (type == "funcref"_sv || type == "externref"_sv) {
        ValueType t = type == "funcref"_sv ? ValueType::FuncRef : ValueType::ExternRef;
        if (rest == "null"_sv) {
            value = Value::from_ref(t, nullptr);
            return true;
        }
        u64 n;
        if (!parse_decimal(rest, n))
            return false;
        value = Value::from_ref(t, reinterpret_cast<void*>(uptr(n + 1)));
        return true;
    }
    u64 bits;
    if (!parse_decimal(rest, bits))
        return false;
    if (type == "i32"_sv)
        value = Value::from_i32(u32(bits));
    else if (type == "i64"_sv)
        value = Value::from_i64(bits);
    else if (type == "f32"_sv)
        value = Value::from_f32_bits(u32(bits));
    else if (type == "f64"_sv)
        value = Value::from_f64_bits(bits);
    else
        return false;
    return true;
}

void format_value(Answer& answer, const Value& v) noexcept
{
    switch (v.type) {
    case ValueType::I32:
        answer.append("i32:"_sv);
        answer.append_decimal(v.i32);
        return;
    case ValueType::I64:
        answer.append("i64:"_sv);
        answer.append_decimal(v.i64);
        return;
    case ValueType::F32:
        answer.append("f32:"_sv);
        answer.append_decimal(v.f32_bits);
        return;
    case ValueType::F64:
        answer.append("f64:"_sv);
        answer.append_decimal(v.f64_bits);
        return;
    case ValueType::FuncRef:
        answer.append("funcref:"_sv);
        if (v.ref)
            answer.append_decimal(u64(uptr(v.ref)));
        else
            answer.append("null"_sv);
        return;
    case ValueType::ExternRef:
        answer.append("externref:"_sv);
        if (v.ref)
            answer.append_decimal(u64(uptr(v.ref)) - 1);
        else
            answer.append("null"_sv);
        return;
    case ValueType::V128:
        answer.append("v128:"_sv);
        for (u8 b : v.v128)
            answer.append_hex_byte(b);
        return;
    default:
        answer.append('?');
    }
}

// ---------------------------------------------------------------- the runner

class Runner {
public:
    explicit Runner(wasi::RamFs& fs) noexcept
        : m_fs(fs)
    {
        m_options.features = wasm::Features::wasm2();
    }

    // Answers one command line; false for an empty line (no answer).
    bool run(StringView line, Answer& answer) noexcept;
    void finish() noexcept
    {
        m_named.clear();
        m_current = nullptr;
        m_guest.destroy();
    }
    [[nodiscard]] const jit::TierCounts& tier_counts() const noexcept { return m_guest.tier_counts(); }

private:
    struct Named {
        Vector<char> name;
        Instance* instance { nullptr };
    };

    void reset(Answer& answer) noexcept;
    Instance* find(StringView name) noexcept;
    void set_name(StringView name, Instance* instance) noexcept;
    void run_register(Words& words, Answer& answer) noexcept;
    void run_module(StringView command, Words& words, Answer& answer) noexcept;
    void run_action(StringView command, Words& words, Answer& answer) noexcept;

    wasi::RamFs& m_fs;
    SpecGuest m_guest;
    wasm::ReadOptions m_options;
    Vector<Named> m_named;
    Instance* m_current { nullptr };
    Vector<u8> m_bytes;
    ExportInfo m_export;
    Vector<Value> m_args;
    Vector<Value> m_results;
};

void Runner::reset(Answer& answer) noexcept
{
    m_named.clear();
    m_current = nullptr;
    if (auto result = m_guest.reset(); result.is_error()) {
        describe(answer, result.error());
        return;
    }
    answer.append("ok"_sv);
}

Instance* Runner::find(StringView name) noexcept
{
    if (name == "-"_sv)
        return m_current;
    for (const Named& named : m_named) {
        if (view_of(named.name) == name)
            return named.instance;
    }
    return nullptr;
}

void Runner::set_name(StringView name, Instance* instance) noexcept
{
    for (Named& named : m_named) {
        if (view_of(named.name) == name) {
            named.instance = instance;
            return;
        }
    }
    Named named;
    if (named.name.try_extend(Span<const char>(name.data(), name.length())).is_error())
        return;
    named.instance = instance;
    (void)m_named.try_append(k23::move(named));
}

void Runner::run_register(Words& words, Answer& answer) noexcept
{
    Vector<char> as, name;
    if (unquote(words.next_or_empty(), as).is_error() || unquote(words.next_or_empty(), name).is_error()) {
        answer.append("error outofmemory cannot hold the names"_sv);
        return;
    }
    Instance* instance = find(view_of(name));
    if (!instance || !m_guest.is_created()) {
        answer.append("error notfound no module "_sv);
        answer.append(view_of(name));
        return;
    }
    if (auto result = m_guest.register_instance(view_of(as), instance); result.is_error()) {
        describe(answer, result.error());
        return;
    }
    answer.append("ok"_sv);
}

void Runner::run_module(StringView command, Words& words, Answer& answer) noexcept
{
    Vector<char> name;
    if (command == "load"_sv && unquote(words.next_or_empty(), name).is_error()) {
        answer.append("error outofmemory cannot hold the name"_sv);
        return;
    }
    StringView path = words.next_or_empty();
    if (read_whole_file(m_fs, path, m_bytes).is_error()) {
        answer.append("error io cannot read "_sv);
        answer.append(path);
        return;
    }
    ReadonlyBytes bytes(m_bytes.data(), m_bytes.size());
    if (command == "check"_sv) {
        // Read and validate only: kernel memory, freed right away.
        auto module = wasm::read_module(bytes, m_options);
        if (module.is_error())
            describe(answer, module.error());
        else
            answer.append("ok"_sv);
        return;
    }
    if (!m_guest.is_created()) {
        answer.append("error notfound no engine (the last reset failed)"_sv);
        return;
    }
    Instance* instance = nullptr;
    auto result = m_guest.instantiate(bytes, m_options, &instance);
    bool unsupported = result.is_error() && result.error().code() == ErrorCode::Unsupported;
    if (unsupported) {
        answer.append("skip "_sv);
        answer.append(result.error().message());
    } else if (result.is_error()) {
        describe(answer, result.error());
    } else {
        answer.append("ok"_sv);
    }
    // A module whose start function could not run is still the current
    // module: later commands may refer to it.
    if (command == "load"_sv && instance && (!result.is_error() || unsupported)) {
        m_current = instance;
        if (view_of(name) != "-"_sv)
            set_name(view_of(name), instance);
    }
}

void Runner::run_action(StringView command, Words& words, Answer& answer) noexcept
{
    Vector<char> name, field;
    if (unquote(words.next_or_empty(), name).is_error() || unquote(words.next_or_empty(), field).is_error()) {
        answer.append("error outofmemory cannot hold the names"_sv);
        return;
    }
    Instance* instance = find(view_of(name));
    bool found = false;
    if (instance) {
        auto described = m_guest.describe_export(instance, view_of(field), m_export);
        if (described.is_error()) {
            describe(answer, described.error());
            return;
        }
        found = described.value();
    }
    if (!m_guest.can_execute()) {
        answer.append("skip needs the baseline tier"_sv);
        return;
    }
    if (!found) {
        answer.append("error notfound no export "_sv);
        answer.append(view_of(field));
        return;
    }
    if (command == "get"_sv) {
        if (m_export.kind != ExternKind::Global) {
            answer.append("error notfound not a global "_sv);
            answer.append(view_of(field));
            return;
        }
        answer.append("ok "_sv);
        format_value(answer, m_export.global_value);
        return;
    }
    if (m_export.kind != ExternKind::Function) {
        answer.append("error notfound not a function "_sv);
        answer.append(view_of(field));
        return;
    }
    m_args.clear();
    bool ok = true;
    StringView item;
    while (words.next(item)) {
        Value v;
        if (!parse_value(item, v))
            ok = false;
        if (m_args.try_append(v).is_error())
            ok = false;
    }
    if (!ok || m_args.size() != m_export.params.size()) {
        answer.append("error invalidargument bad arguments"_sv);
        return;
    }
    m_results.clear();
    if (m_results.try_resize(m_export.results.size()).is_error()) {
        answer.append("error outofmemory cannot hold the results"_sv);
        return;
    }
    auto result = m_guest.invoke(m_export.function, m_args.span(), m_results.span());
    if (result.is_error()) {
        describe(answer, result.error());
        return;
    }
    answer.append("ok"_sv);
    for (usize i = 0; i < m_results.size(); ++i) {
        m_results[i].type = m_export.results[i];
        answer.append(' ');
        format_value(answer, m_results[i]);
    }
}

bool Runner::run(StringView line, Answer& answer) noexcept
{
    Words words(line);
    StringView command;
    if (!words.next(command))
        return false;
    if (command == "features"_sv) {
        StringView list = words.next_or_empty();
        wasm::Features f = wasm::Features::wasm2();
        usize start = 0;
        while (start <= list.length()) {
            usize comma = list.find(',', start);
            usize end = comma == StringView::not_found ? list.length() : comma;
            StringView item = list.substring(start, end - start);
            if (item == "extended-const"_sv)
                f.extended_const = true;
            else if (item == "tail-call"_sv)
                f.tail_call = true;
            else if (item == "multi-memory"_sv)
                f.multi_memory = true;
            else if (item == "relaxed-simd"_sv)
                f.relaxed_simd = true;
            start = end + 1;
        }
        m_options.features = f;
        answer.append("ok"_sv);
    } else if (command == "vector"_sv) {
        if (words.next_or_empty() == "on"_sv)
            answer.append("error unsupported a kernel guest has no vector state yet: SIMD runs on the scalar path"_sv);
        else
            answer.append("ok"_sv);
    } else if (command == "reset"_sv) {
        reset(answer);
    } else if (command == "register"_sv) {
        run_register(words, answer);
    } else if (command == "load"_sv || command == "check"_sv || command == "link"_sv) {
        run_module(command, words, answer);
    } else if (command == "invoke"_sv || command == "get"_sv) {
        run_action(command, words, answer);
    } else {
        answer.append("error invalidargument unknown command "_sv);
        answer.append(command);
    }
    return true;
}

} // namespace

struct SpecInterpreter::State {
    explicit State(wasi::RamFs& fs) noexcept
        : runner(fs)
    {
    }
    Runner runner;
};

SpecInterpreter::SpecInterpreter(wasi::RamFs& fs) noexcept
{
    void* memory = platform_allocate(sizeof(State), alignof(State));
    if (memory)
        m_state = construct_at(static_cast<State*>(memory), fs);
}

SpecInterpreter::~SpecInterpreter() noexcept
{
    free_object(m_state);
}

bool SpecInterpreter::run(StringView line, Vector<char>& text) noexcept
{
    Answer answer(text);
    answer.clear();
    if (!m_state) {
        if (Words(line).next_or_empty().is_empty())
            return false;
        answer.append("error outofmemory cannot allocate the interpreter"_sv);
        return true;
    }
    return m_state->runner.run(line, answer);
}

void SpecInterpreter::finish() noexcept
{
    if (m_state)
        m_state->runner.finish();
}

jit::TierCounts SpecInterpreter::tier_counts() const noexcept
{
    return m_state ? m_state->runner.tier_counts() : jit::TierCounts {};
}

long run_spec_commands(wasi::RamFs& fs, StringView path) noexcept
{
    Vector<u8> commands;
    if (auto result = read_whole_file(fs, path, commands); result.is_error()) {
        kprintln("spec: cannot read {}: {}"_sv, path, result.error().message());
        return -1;
    }
    long answered = 0;
    jit::TierCounts tiers;
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    {
        SpecInterpreter interpreter(fs);
        Vector<char> answer, out;
        StringView text(reinterpret_cast<const char*>(commands.data()), commands.size());
        usize start = 0;
        while (start < text.length()) {
            usize end = text.find('\n', start);
            if (end == StringView::not_found)
                end = text.length();
            StringView line = text.substring(start, end - start);
            start = end + 1;
            if (!interpreter.run(line, answer))
                continue;
            // One write per line: nothing can come between the prefix and the answer.
            out.clear();
            (void)out.try_extend(Span<const char>("spec> ", 6));
            (void)out.try_extend(answer.span());
            (void)out.try_append('\n');
            console_write(StringView(out.data(), out.size()));
            ++answered;
        }
        interpreter.finish();
        tiers = interpreter.tier_counts();
    }
    heap_collect();
    kprintln("spec: done {} commands (free frames: {} before, {} after; tier {}: {} functions optimized, {} baseline, {} fell back)"_sv,
        answered, frames_before, physical_memory().free_frame_count(), jit::tier_name(default_guest_tier()),
        tiers.optimized, tiers.baseline, tiers.fallbacks);
    return answered;
}

} // namespace k23::kernel
