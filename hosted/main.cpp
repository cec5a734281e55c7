// k23-run: runs a WebAssembly command on RISC-V Linux with k23's JIT.
//
//   k23-run [--tier baseline|optimizing|auto] [--tier-budget N] [--tier-up-compile thread|inline] [--verbose] [--isa STRING] [--perf-map] [--timeout SECONDS]
//           [--dir HOST[::GUEST]]... [--env KEY=VALUE]... FILE.wasm [ARGS...]
//   k23-run --print-isa [--isa STRING]
//   k23-run --invoke-all FILE.wasm...
//
// Exit status: the guest's proc_exit code (0 when _start returns); 134
// after a trap (one line on stderr: `trap: <message> in <function> at wasm
// offset 0x...`); 1 when the module is malformed, invalid or cannot be
// linked (one line: `k23-run: FILE: <message> at offset 0x...`); 2 for a
// bad command line. Guest behaviour never crashes this process, and with
// --timeout a guest still running after SECONDS (wall clock, instantiation
// included) traps with `interrupted` (jit::Engine::interrupt).
//
// --invoke-all is the differential-testing mode (tests/hosted/
// test_differential.py): each module given is linked against binaryen's
// `fuzzing-support` logging imports instead of WASI, and every exported
// function is called in export order with default arguments; calls, log
// lines, results and traps are printed in the canonical form that
// tests/hosted/differential.js prints for V8.

#include <hosted/Bench.h>
#include <hosted/CpuDetect.h>
#include <hosted/TierUpThread.h>
#include <hosted/wasi/Posix.h>
#include <wasi/Wasi.h>
#include <jit/Engine.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

using namespace k23;

namespace {

constexpr int exit_trap = 134;
constexpr int exit_error = 1;
constexpr int exit_usage = 2;

const char* s_program = "k23-run";
hosted::TierUpThread* s_tier_up_thread = nullptr; // --tier auto's background compiler

void usage(FILE* out)
{
    fprintf(out,
        "usage: k23-run [--tier T] [--verbose] [--isa STRING] [--perf-map] [--timeout SECONDS]\n"
        "               [--dir HOST[::GUEST]]... [--env KEY=VALUE]... FILE.wasm [ARGS...]\n"
        "       k23-run --print-isa [--isa STRING]\n"
        "       k23-run --invoke-all FILE.wasm...\n"
        "\n"
        "Runs a WASI (preview1) command with k23's JIT. The exit status is the guest's\n"
        "proc_exit code; a trap prints one line and exits with 134.\n"
        "\n"
        "  --tier T          compiler tier: auto (default: baseline first, hot functions\n"
        "                    and loops move to the optimizing tier), baseline, or\n"
        "                    optimizing (functions it cannot compile yet fall back to the\n"
        "                    baseline, counted)\n"
        "  --tier-budget N   auto: calls + loop iterations before a function tiers up\n"
        "                    (default 1000, or $K23_TIER_BUDGET)\n"
        "  --tier-up-compile thread|inline\n"
        "                    auto: compile hot functions on a background thread (default)\n"
        "                    or in the guest's thread when they get hot (between the\n"
        "                    bench pause/resume markers: ./k23 bench counts it apart)\n"
        "  --no-tier-up-osr  auto: no on-stack replacement (by default a hot loop moves\n"
        "                    to optimized code at its header; --tier-up-osr: on)\n"
        "  --verbose         print per tier how many functions it compiled (stderr)\n"
        "  --isa STRING      use these RISC-V extensions instead of the detected ones\n"
        "                    (e.g. rv64gc, rv64gcv_zba_zbb)\n"
        "  --dir HOST[::GUEST]  preopen host directory HOST as GUEST (default: HOST)\n"
        "  --env KEY=VALUE   add to the guest's environment\n"
        "  --perf-map        write /tmp/perf-PID.map (Linux perf's JIT symbol convention)\n"
        "  --timeout SECONDS stop the guest after SECONDS (wall clock; fractions allowed):\n"
        "                    it traps with `interrupted` (exit status 134)\n"
        "  --print-isa       print the ISA string the JIT would use, and exit\n"
        "  --invoke-all      call every exported function with default arguments\n"
        "                    (differential testing; see tests/hosted/)\n");
}

[[noreturn]] void fail(int status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void fail(int status, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", s_program);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    fflush(stdout);
    if (s_tier_up_thread)
        s_tier_up_thread->stop(); // exit() runs destructors it may use
    exit(status);
}

// "message at offset 0x1c" (the offset when the error has one).
void describe(const Error& error, char* buffer, usize size)
{
    StringView message = error.message();
    if (message.is_empty())
        message = error_code_name(error.code());
    int n = snprintf(buffer, size, "%.*s", int(message.length()), message.data());
    if (error.has_offset() && n >= 0 && usize(n) < size)
        snprintf(buffer + n, size - usize(n), " at offset 0x%llx", (unsigned long long)error.offset());
}

bool read_file(const char* path, Vector<u8>& out, int& error)
{
    FILE* file = fopen(path, "rb");
    if (!file) {
        error = errno;
        return false;
    }
    u8 chunk[65536];
    while (true) {
        usize n = fread(chunk, 1, sizeof(chunk), file);
        if (out.try_extend(Span<const u8>(chunk, n)).is_error()) {
            fclose(file);
            error = ENOMEM;
            return false;
        }
        if (n < sizeof(chunk))
            break;
    }
    error = ferror(file) ? EIO : 0;
    fclose(file);
    return error == 0;
}

struct Options {
    // Tier-up by default (jit/Engine.h "Tier-up"): baseline start-up,
    // optimized steady state.
    const char* tier { "auto" };
    jit::Tier tier_value { jit::Tier::Auto };
    bool verbose { false };
    u32 tier_budget { jit::EngineOptions {}.tier_up_budget };
    bool tier_up_thread { true };
    bool tier_up_osr { jit::EngineOptions {}.tier_up_osr };
    const char* isa { nullptr };
    bool print_isa { false };
    bool invoke_all { false };
    bool perf_map { false };
    double timeout { 0 }; // seconds; 0: none
    Vector<const char*> dirs;
    Vector<const char*> envs;
    const char* file { nullptr };
    int guest_argc { 0 };
    char** guest_argv { nullptr };
};

u32 parse_budget(const char* name, const char* text)
{
    char* end = nullptr;
    errno = 0;
    unsigned long long budget = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || budget > 0x7fffffffull)
        fail(exit_usage, "%s %s: expected a number from 0 to 2147483647", name, text);
    return u32(budget);
}

void parse_options(int argc, char** argv, Options& options)
{
    if (const char* budget = getenv("K23_TIER_BUDGET"))
        options.tier_budget = parse_budget("K23_TIER_BUDGET", budget);
    int i = 1;
    auto value = [&](const char* name) -> const char* {
        if (i + 1 >= argc)
            fail(exit_usage, "%s needs a value (see --help)", name);
        return argv[++i];
    };
    for (; i < argc; ++i) {
        const char* arg = argv[i];
        if (arg[0] != '-')
            break;
        if (!strcmp(arg, "--")) {
            ++i;
            break;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(arg, "--tier"))
            options.tier = value(arg);
        else if (!strcmp(arg, "--tier-budget"))
            options.tier_budget = parse_budget(arg, value(arg));
        else if (!strcmp(arg, "--tier-up-osr"))
            options.tier_up_osr = true;
        else if (!strcmp(arg, "--no-tier-up-osr"))
            options.tier_up_osr = false;
        else if (!strcmp(arg, "--tier-up-compile")) {
            const char* how = value(arg);
            if (strcmp(how, "thread") && strcmp(how, "inline"))
                fail(exit_usage, "--tier-up-compile %s: expected thread or inline", how);
            options.tier_up_thread = !strcmp(how, "thread");
        } else if (!strcmp(arg, "--isa"))
            options.isa = value(arg);
        else if (!strcmp(arg, "--dir"))
            (void)options.dirs.try_append(value(arg));
        else if (!strcmp(arg, "--env"))
            (void)options.envs.try_append(value(arg));
        else if (!strcmp(arg, "--print-isa"))
            options.print_isa = true;
        else if (!strcmp(arg, "--invoke-all"))
            options.invoke_all = true;
        else if (!strcmp(arg, "--perf-map"))
            options.perf_map = true;
        else if (!strcmp(arg, "--verbose"))
            options.verbose = true;
        else if (!strcmp(arg, "--timeout")) {
            const char* text = value(arg);
            char* end = nullptr;
            errno = 0;
            options.timeout = strtod(text, &end);
            // setitimer takes at most ~68 years of seconds in 32 bits on
            // some ABIs: a year is plenty for a timeout.
            if (errno || end == text || *end || !isfinite(options.timeout) || options.timeout <= 0 || options.timeout > 365.0 * 86400)
                fail(exit_usage, "--timeout %s: expected a number of seconds > 0", text);
        }
        else {
            fprintf(stderr, "%s: unknown option %s\n", s_program, arg);
            usage(stderr);
            exit(exit_usage);
        }
    }
    if (!jit::parse_tier(StringView(options.tier, strlen(options.tier)), options.tier_value))
        fail(exit_usage, "tier '%s' is not available (baseline, optimizing and auto are)", options.tier);
    if (options.print_isa)
        return;
    if (options.invoke_all && options.timeout > 0)
        fail(exit_usage, "--timeout applies to a command, not to --invoke-all");
    if (i >= argc) {
        usage(stderr);
        exit(exit_usage);
    }
    options.file = argv[i];
    options.guest_argc = argc - i;
    options.guest_argv = argv + i;
}

riscv64::CpuFeatures choose_features(const Options& options, StringView& source)
{
    if (options.isa) {
        auto parsed = riscv64::CpuFeatures::parse_isa_string(options.isa);
        if (parsed.is_error()) {
            char text[200];
            describe(parsed.error(), text, sizeof(text));
            fail(exit_usage, "--isa %s: %s", options.isa, text);
        }
        source = "--isa";
        return parsed.value();
    }
    hosted::DetectedCpu detected = hosted::detect_cpu_features();
    source = hosted::cpu_feature_source_name(detected.source);
    return detected.features;
}

// ---------------------------------------------------------------- --invoke-all

void print_value(const wasm::Value& value)
{
    switch (value.type) {
    case wasm::ValueType::I32: printf("i32:%u", value.i32); break;
    case wasm::ValueType::I64: printf("i64:%llu", (unsigned long long)value.i64); break;
    case wasm::ValueType::F32:
        // NaN payloads may differ between engines (the spec lets them).
        if ((value.f32_bits & 0x7f800000u) == 0x7f800000u && (value.f32_bits & 0x007fffffu))
            printf("f32:nan");
        else
            printf("f32:0x%08x", value.f32_bits);
        break;
    case wasm::ValueType::F64:
        if ((value.f64_bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (value.f64_bits & 0x000fffffffffffffull))
            printf("f64:nan");
        else
            printf("f64:0x%016llx", (unsigned long long)value.f64_bits);
        break;
    case wasm::ValueType::FuncRef:
    case wasm::ValueType::ExternRef: printf("ref:%s", value.ref ? "nonnull" : "null"); break;
    default: printf("v128"); break;
    }
}

// A log import's signature, copied out of the store (whose type table may
// move as more types are interned).
struct LogSignature {
    wasm::ValueType params[16];
    usize param_count { 0 };
    wasm::ValueType results[16];
    usize result_count { 0 };
};

Result<void> fuzzing_log(void* data, Span<const wasm::Value> args, Span<wasm::Value> results)
{
    auto* signature = static_cast<const LogSignature*>(data);
    // The JS API (what tests/hosted/differential.js runs in node) cannot
    // pass a v128 to or from a JS function: the call throws a TypeError.
    for (usize i = 0; i < signature->param_count; ++i) {
        if (signature->params[i] == wasm::ValueType::V128)
            return Error::from_code(ErrorCode::InvalidArgument, "type incompatibility when transforming from/to JS");
    }
    for (usize i = 0; i < signature->result_count; ++i) {
        if (signature->results[i] == wasm::ValueType::V128)
            return Error::from_code(ErrorCode::InvalidArgument, "type incompatibility when transforming from/to JS");
    }
    printf("log");
    for (usize i = 0; i < args.size() && i < signature->param_count; ++i) {
        wasm::Value v = args[i];
        v.type = signature->params[i];
        putchar(' ');
        print_value(v);
    }
    putchar('\n');
    for (usize i = 0; i < results.size() && i < signature->result_count; ++i)
        results[i] = wasm::Value::default_of(signature->results[i]);
    return {};
}

// Every import of module "fuzzing-support" gets a function of its own type
// that prints its arguments (log-i32, log-i64, log-f32, log-f64, ...).
Result<void> define_fuzzing_support(wasm::Store& store, wasm::Linker& linker, const wasm::Module& module, Vector<LogSignature*>& signatures)
{
    wasm::Instance* instance = TRY(store.create_instance());
    for (const wasm::Import& import : module.imports()) {
        if (import.kind != wasm::ExternKind::Function || import.module != "fuzzing-support")
            continue;
        if (instance->find_export(import.name))
            continue;
        wasm::FunctionType type = module.function_type(import.index);
        if (type.params.size() > 16 || type.results.size() > 16)
            return Error::from_code(ErrorCode::Unsupported, "fuzzing-support import with too many values");
        auto* signature = new LogSignature;
        TRY(signatures.try_append(signature));
        for (auto t : type.params)
            signature->params[signature->param_count++] = t;
        for (auto t : type.results)
            signature->results[signature->result_count++] = t;
        wasm::FunctionInstance* function = TRY(store.create_host_function(type, fuzzing_log, signature));
        StringView name = TRY(store.intern_string(import.name));
        TRY(instance->add_export(name, { wasm::ExternKind::Function, function }));
    }
    TRY(linker.register_instance("fuzzing-support", instance));
    return {};
}

// The kind of a trap as both engines can name it (differential.js maps
// V8's messages to the same words; "?" matches any kind).
const char* trap_class(const Error& error)
{
    wasm::TrapCode code;
    if (!jit::trap_code_of(error, code))
        return "?";
    switch (code) {
    case wasm::TrapCode::Unreachable: return "unreachable";
    case wasm::TrapCode::IntegerDivideByZero: return "divide-by-zero";
    case wasm::TrapCode::IntegerOverflow: return "integer-overflow";
    case wasm::TrapCode::InvalidConversion: return "conversion";
    case wasm::TrapCode::OutOfBoundsMemory: return "memory";
    case wasm::TrapCode::OutOfBoundsTable:
    case wasm::TrapCode::UndefinedElement: return "table";
    case wasm::TrapCode::IndirectCallTypeMismatch:
    case wasm::TrapCode::UninitializedElement: return "indirect-call";
    case wasm::TrapCode::NullReference: return "null";
    case wasm::TrapCode::CallStackExhausted: return "stack";
    case wasm::TrapCode::Interrupted: return "interrupted";
    }
    return "?";
}

// One module of --invoke-all. Problems with the module itself are lines of
// output ("unsupported ..." when the JIT does not cover it yet, "error ...")
// so one run covers many modules.
void invoke_all_in(jit::Engine& engine, const char* file)
{
    printf("module %s\n", file);
    auto report = [](const char* kind, const Error& error) {
        char text[200];
        describe(error, text, sizeof(text));
        printf("%s %s\n", kind, text);
    };
    Vector<u8> bytes;
    int read_error = 0;
    if (!read_file(file, bytes, read_error)) {
        printf("error %s\n", strerror(read_error));
        return;
    }
    auto module = wasm::read_module(bytes.span());
    if (module.is_error())
        return report("error", module.error());
    // --tier auto: the background compiler may still be reading the module
    // (jit/Engine.h): it finishes before the module goes.
    struct DrainTierUps {
        ~DrainTierUps()
        {
            if (s_tier_up_thread)
                s_tier_up_thread->drain();
        }
    } drain_tier_ups;
    wasm::Store store;
    wasm::Linker linker(store);
    struct Signatures {
        Vector<LogSignature*> list;
        ~Signatures()
        {
            for (LogSignature* s : list)
                delete s;
        }
    } signatures;
    if (auto r = define_fuzzing_support(store, linker, module.value(), signatures.list); r.is_error())
        return report("error", r.error());
    wasm::Instance* instance = nullptr;
    auto instantiated = engine.instantiate(linker, module.value(), &instance);
    if (instantiated.is_error()) {
        const Error& error = instantiated.error();
        if (jit::is_trap(error)) {
            printf("instantiate trap\n");
            return;
        }
        return report(error.code() == ErrorCode::Unsupported ? "unsupported" : "error", error);
    }
    instance = instantiated.value();
    const wasm::ExportEntry* hang_limit = instance->find_export("hangLimitInitializer");
    for (const wasm::ExportEntry& entry : instance->exports()) {
        if (entry.value.kind != wasm::ExternKind::Function)
            continue;
        wasm::FunctionInstance* function = entry.value.function();
        wasm::FunctionType type = store.type(function->type);
        if (hang_limit && hang_limit->value.kind == wasm::ExternKind::Function)
            (void)engine.invoke(hang_limit->value.function(), {}, {});
        printf("call %.*s\n", int(entry.name.length()), entry.name.data());
        wasm::Value args[64], results[16];
        bool has_v128 = false;
        for (auto t : type.params)
            has_v128 |= t == wasm::ValueType::V128;
        for (auto t : type.results)
            has_v128 |= t == wasm::ValueType::V128;
        if (has_v128 || type.params.size() > 64 || type.results.size() > 16) {
            printf("skipped\n");
            continue;
        }
        for (usize i = 0; i < type.params.size(); ++i)
            args[i] = wasm::Value::default_of(type.params[i]);
        for (usize i = 0; i < type.results.size(); ++i)
            results[i] = wasm::Value::default_of(type.results[i]);
        fflush(stdout);
        auto r = engine.invoke(function, Span<const wasm::Value>(args, type.params.size()), Span<wasm::Value>(results, type.results.size()));
        if (r.is_error()) {
            if (jit::is_trap(r.error()))
                printf("trap %s\n", trap_class(r.error()));
            else
                report(r.error().code() == ErrorCode::Unsupported ? "unsupported" : "error", r.error());
            continue;
        }
        printf("result");
        for (usize i = 0; i < type.results.size(); ++i) {
            wasm::Value v = results[i];
            v.type = type.results[i];
            putchar(' ');
            print_value(v);
        }
        putchar('\n');
    }
    fflush(stdout);
}

// ---------------------------------------------------------------- --tier auto

// The background compiler of --tier auto (one for the process; it outlives
// every engine: process exit ends it).
jit::TierUpQueue* tier_up_queue(const Options& options)
{
    if (options.tier_value != jit::Tier::Auto)
        return nullptr;
    if (!options.tier_up_thread) {
        static hosted::InlineTierUp s_inline;
        return &s_inline;
    }
    if (!s_tier_up_thread) {
        auto* thread = new hosted::TierUpThread;
        if (auto r = thread->start(); r.is_error())
            fail(exit_error, "%s", r.error().message_cstring());
        s_tier_up_thread = thread;
    }
    return s_tier_up_thread;
}

// ---------------------------------------------------------------- --timeout

jit::Engine* volatile s_timeout_engine = nullptr;

// SIGALRM: Engine::interrupt only stores words, so it is async-signal-safe.
void on_timeout(int)
{
    if (jit::Engine* engine = s_timeout_engine)
        engine->interrupt();
}

// A one-shot wall-clock timer that interrupts `engine`. SA_RESTART keeps
// WASI's system calls from failing with EINTR when it fires; SA_ONSTACK runs
// the handler on the alternate signal stack (hosted/platform installs one
// for faults), not on the guest's stack.
void arm_timeout(jit::Engine& engine, double seconds)
{
    s_timeout_engine = &engine;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_timeout;
    action.sa_flags = SA_RESTART | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, nullptr) != 0)
        fail(exit_error, "--timeout: sigaction: %s", strerror(errno));
    double whole = floor(seconds);
    struct itimerval timer;
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_sec = time_t(whole);
    timer.it_value.tv_usec = suseconds_t((seconds - whole) * 1e6);
    if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0)
        timer.it_value.tv_usec = 1; // zero would disarm it
    if (setitimer(ITIMER_REAL, &timer, nullptr) != 0)
        fail(exit_error, "--timeout: setitimer: %s", strerror(errno));
}

// ---------------------------------------------------------------- commands

int run_command(jit::Engine& engine, const wasm::Module& module, const Options& options)
{
    wasm::Store store;
    wasm::Linker linker(store);
    k23::wasi::WasiContext wasi(k23::wasi::posix::host());
    for (int i = 0; i < options.guest_argc; ++i) {
        if (wasi.add_argument(options.guest_argv[i]).is_error())
            fail(exit_error, "out of memory");
    }
    for (const char* env : options.envs) {
        if (!strchr(env, '='))
            fail(exit_usage, "--env %s: expected KEY=VALUE", env);
        if (wasi.add_environment(env).is_error())
            fail(exit_error, "out of memory");
    }
    for (const char* dir : options.dirs) {
        StringView spec(dir);
        StringView host = spec, guest = spec;
        for (usize i = 0; i + 1 < spec.length(); ++i) {
            if (spec[i] == ':' && spec[i + 1] == ':') {
                host = spec.substring(0, i);
                guest = spec.substring(i + 2);
                break;
            }
        }
        if (host.is_empty() || guest.is_empty())
            fail(exit_usage, "--dir %s: expected HOST[::GUEST]", dir);
        if (auto r = wasi.add_preopen(host, guest); r.is_error())
            fail(exit_error, "--dir %s: %s", dir, r.error().message_cstring());
    }

    if (auto r = hosted::bench::define(store, linker); r.is_error())
        fail(exit_error, "%s", r.error().message_cstring());
    if (auto r = k23::wasi::define(store, linker, module, wasi); r.is_error())
        fail(exit_error, "%s", r.error().message_cstring());

    wasm::Instance* instance = nullptr;
    wasi.set_instance_slot(&instance);
    auto finish = [&](const Error& error) -> int {
        fflush(stdout);
        if (error.code() == ErrorCode::Exit && wasi.has_exited())
            return int(wasi.exit_status());
        if (jit::is_trap(error)) {
            fprintf(stderr, "trap: %s\n", error.message_cstring());
            return exit_trap;
        }
        char text[200];
        describe(error, text, sizeof(text));
        fprintf(stderr, "%s: %s: %s\n", s_program, options.file, text);
        return exit_error;
    };

    auto instantiated = engine.instantiate(linker, module, &instance);
    if (instantiated.is_error())
        return finish(instantiated.error());
    instance = instantiated.value();
    const wasm::ExportEntry* start = instance->find_export("_start");
    if (!start || start->value.kind != wasm::ExternKind::Function)
        fail(exit_error, "%s: no exported function _start", options.file);
    wasm::FunctionType type = store.type(start->value.function()->type);
    if (!type.params.is_empty() || !type.results.is_empty())
        fail(exit_error, "%s: _start must take and return nothing", options.file);
    auto result = engine.invoke(start->value.function(), {}, {});
    if (result.is_error())
        return finish(result.error());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // A guest writing to a closed pipe gets EPIPE from fd_write, as on any
    // WASI runtime, instead of this process dying of SIGPIPE.
    signal(SIGPIPE, SIG_IGN);

    Options options;
    parse_options(argc, argv, options);

    StringView source;
    riscv64::CpuFeatures features = choose_features(options, source);
    if (options.print_isa) {
        char text[256];
        usize n = format_to(Span<char>(text, sizeof(text) - 1), "{}"_sv, features);
        text[n] = '\0';
        printf("%s (%.*s)\n", text, int(source.length()), source.data());
        return 0;
    }

    if (options.invoke_all) {
        // One engine per module: the engine caches compiled code per Module
        // object, and each module here lives only for its own run.
        for (int i = 0; i < options.guest_argc; ++i) {
            jit::EngineOptions engine_options;
            engine_options.features = features;
            engine_options.tier = options.tier_value;
            engine_options.tier_up_budget = options.tier_budget;
            engine_options.tier_up_queue = tier_up_queue(options);
            engine_options.tier_up_osr = options.tier_up_osr;
            auto engine = jit::Engine::create(engine_options);
            if (engine.is_error())
                fail(exit_error, "cannot create the JIT engine: %s", engine.error().message_cstring());
            if (!engine.value()->can_execute())
                fail(exit_error, "this build cannot execute guest code (k23-run runs on riscv64 Linux)");
            invoke_all_in(*engine.value(), options.guest_argv[i]);
            jit::Engine::destroy(engine.value());
        }
        return 0;
    }

    Vector<u8> bytes;
    int read_error = 0;
    if (!read_file(options.file, bytes, read_error))
        fail(exit_error, "%s: %s", options.file, strerror(read_error));

    auto module = wasm::read_module(bytes.span());
    if (module.is_error()) {
        char text[200];
        describe(module.error(), text, sizeof(text));
        fail(exit_error, "%s: %s", options.file, text);
    }

    jit::EngineOptions engine_options;
    engine_options.features = features;
    engine_options.perf_map = options.perf_map;
    engine_options.tier = options.tier_value;
    engine_options.tier_up_budget = options.tier_budget;
    engine_options.tier_up_queue = tier_up_queue(options);
    engine_options.tier_up_osr = options.tier_up_osr;
    auto engine = jit::Engine::create(engine_options);
    if (engine.is_error())
        fail(exit_error, "cannot create the JIT engine: %s", engine.error().message_cstring());
    if (!engine.value()->can_execute())
        fail(exit_error, "this build cannot execute guest code (k23-run runs on riscv64 Linux)");

    if (options.verbose) {
        // Compiled here (cached) so the counts come before the guest's output.
        if (auto compiled = engine.value()->compile(module.value()); compiled.is_error())
            fail(exit_error, "%s: %s", options.file, compiled.error().message_cstring());
        const jit::TierCounts& counts = engine.value()->tier_counts();
        fprintf(stderr, "k23-run: tier %s: %zu functions optimized, %zu baseline (%zu fell back%s%s)\n",
            options.tier, counts.optimized, counts.baseline, counts.fallbacks, counts.fallbacks ? "; first: " : "",
            counts.first_fallback);
    }
    if (options.timeout > 0)
        arm_timeout(*engine.value(), options.timeout);
    int status = run_command(*engine.value(), module.value(), options);
    fflush(stdout);
    if (options.verbose && options.tier_value == jit::Tier::Auto) {
        // What the tier-up did while the guest ran (./k23 bench reads this).
        // Compiles that finished after the guest's last helper call were
        // never installed: they count too.
        if (s_tier_up_thread)
            s_tier_up_thread->drain();
        engine.value()->install_finished_tier_ups();
        const jit::TierCounts& counts = engine.value()->tier_counts();
        fprintf(stderr, "k23-run: tier-up: %zu functions tiered up, %zu refused; code bytes: baseline %zu, optimizing %zu; "
                        "OSR: %zu loop entries, %zu transfers\n",
            counts.tiered_up, counts.tier_up_refused, counts.baseline_bytes, counts.optimized_bytes, counts.osr_entries,
            counts.osr_transfers);
    }
    // The background compiler reads the module, which goes away when main
    // returns: it stops first (the fresh-clone CI caught a compile reading a
    // destroyed module after the guest's last line; the regression test is
    // check_exit_while_tier_up_compiles). Engine and store are torn down by
    // process exit: nothing a guest left behind needs more than that.
    if (s_tier_up_thread)
        s_tier_up_thread->stop();
    return status;
}
