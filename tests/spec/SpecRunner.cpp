// k23-spec: executes the binary-checkable commands of the WebAssembly spec
// test suite for tools/driver/spec.py. One command per stdin line, one
// answer per stdout line:
//
//   features LIST          comma-separated: extended-const,tail-call,
//                          multi-memory,relaxed-simd (or "none")  -> ok
//   reset                  forget all modules and registrations    -> ok
//                          (an error if no engine could be created)
//   load NAME|- FILE       read, validate, link, instantiate; becomes the
//                          current module (and $NAME if given)
//   check FILE             read and validate only
//   link FILE              read, validate, link, instantiate, then forget
//   register AS NAME|-     make $NAME (or the current module) importable as AS
//   invoke NAME|- FIELD [TYPE:VALUE ...]
//                          call an export (baseline tier)  -> ok [TYPE:VALUE ...]
//   get NAME|- FIELD       read an exported global         -> ok TYPE:VALUE
//   vector on|off          compile for a hart with the V extension (SIMD
//                          in RVV; off: the scalar SIMD path) from the
//                          next reset                             -> ok
//
// Values: i32/i64/f32/f64 as the decimal of their bits; funcref:null or
// funcref:<address>; externref:null or externref:N (the spec's ref.extern N,
// passed to the engine as the reference N + 1); v128:<32 hex digits>, byte 0
// (the lowest lane's lowest byte) first. Where the JIT cannot execute
// (not riscv64), modules are only linked and instantiated, and invoke/get
// answer "skip needs the baseline tier".
//
// Answers: "ok", "skip REASON", or "error KIND MESSAGE" where KIND is the
// lower-case error code (malformed, invalid, unlinkable, trap, ...).
// Arguments: --tier baseline|optimizing|auto (jit/Compile.h; default
// baseline), --tier-budget N (auto's budget, else $K23_TIER_BUDGET; tier-ups
// compile synchronously here, in the helper),
// and the hidden --leak-for-test (the last engine is never destroyed:
// LeakSanitizer's report must fail the host ring).
// A test tool, not engine code: it uses the C++ library freely.

#include <base/Error.h>
#include <jit/Engine.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasm;

namespace {

std::string describe(const Error& error);

struct State {
    std::unique_ptr<Store> store;
    std::unique_ptr<Linker> linker;
    std::vector<std::unique_ptr<Module>> modules;
    std::map<std::string, Instance*> named;
    Instance* current { nullptr };
    jit::Engine* engine { nullptr };
    bool vector { false };
    jit::Tier tier { jit::Tier::Baseline }; // --tier
    u32 tier_budget { jit::EngineOptions {}.tier_up_budget }; // --tier-budget
    // --leak-for-test: keep the last engine, as State did before it had a
    // destructor, so the host ring can check that LeakSanitizer's report
    // fails it (tests/driver/test_status.py).
    bool leak_engine_for_test { false };

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State()
    {
        if (leak_engine_for_test)
            engine = nullptr;
        release();
    }

    // Frees everything reset() made.
    void release()
    {
        // The engine first: it unhooks the store's functions from its code.
        if (engine)
            jit::Engine::destroy(engine);
        engine = nullptr;
        named.clear();
        current = nullptr;
        linker.reset();
        store.reset();
        modules.clear();
    }

    // Starts afresh; returns "ok", or the error that left it without an
    // engine (then nothing could execute: the driver fails the file).
    std::string reset()
    {
        release();
        store = std::make_unique<Store>();
        linker = std::make_unique<Linker>(*store);
        (void)linker->define_spectest();
        jit::EngineOptions options;
        options.features = riscv64::CpuFeatures::rv64gc().with(riscv64::Extension::Zba).with(riscv64::Extension::Zbb);
        if (vector)
            options.features = options.features.with(riscv64::Extension::V);
        // K23_JIT_ISA=rv64imafdc... compiles for exactly that ISA (e.g. to
        // check the fallbacks used without Zba/Zbb).
        if (const char* isa = std::getenv("K23_JIT_ISA")) {
            auto parsed = riscv64::CpuFeatures::parse_isa_string(StringView(isa));
            if (!parsed.is_error())
                options.features = parsed.value();
        }
        options.tier = tier;
        options.tier_up_budget = tier_budget;
        auto created = jit::Engine::create(options);
        if (created.is_error())
            return describe(created.error());
        engine = created.release_value();
        return "ok";
    }
    bool can_execute() const { return engine && engine->can_execute(); }
};

bool parse_value(const std::string& text, Value& value)
{
    auto colon = text.find(':');
    if (colon == std::string::npos)
        return false;
    std::string type = text.substr(0, colon), rest = text.substr(colon + 1);
    if (type == "v128") {
        if (rest.size() != 32)
            return false;
        value = Value::default_of(ValueType::V128);
        for (int i = 0; i < 16; ++i)
            value.v128[i] = u8(std::stoul(rest.substr(2 * i, 2), nullptr, 16));
        return true;
    }
    if (type == "funcref" || type == "externref") {
        ValueType t = type == "funcref" ? ValueType::FuncRef : ValueType::ExternRef;
        if (rest == "null")
            value = Value::from_ref(t, nullptr);
        else
            value = Value::from_ref(t, reinterpret_cast<void*>(uintptr_t(std::stoull(rest) + 1)));
        return true;
    }
    unsigned long long bits = std::stoull(rest);
    if (type == "i32") value = Value::from_i32(u32(bits));
    else if (type == "i64") value = Value::from_i64(bits);
    else if (type == "f32") value = Value::from_f32_bits(u32(bits));
    else if (type == "f64") value = Value::from_f64_bits(bits);
    else return false;
    return true;
}

std::string format_value(const Value& v)
{
    switch (v.type) {
    case ValueType::I32: return "i32:" + std::to_string(v.i32);
    case ValueType::I64: return "i64:" + std::to_string(v.i64);
    case ValueType::F32: return "f32:" + std::to_string(v.f32_bits);
    case ValueType::F64: return "f64:" + std::to_string(v.f64_bits);
    case ValueType::FuncRef: return v.ref ? "funcref:" + std::to_string(uintptr_t(v.ref)) : "funcref:null";
    case ValueType::ExternRef: return v.ref ? "externref:" + std::to_string(uintptr_t(v.ref) - 1) : "externref:null";
    case ValueType::V128: {
        std::string out = "v128:";
        char digits[3];
        for (u8 b : v.v128) {
            std::snprintf(digits, sizeof digits, "%02x", b);
            out += digits;
        }
        return out;
    }
    default: return "?";
    }
}

std::string lower_code(ErrorCode code)
{
    StringView name = error_code_name(code);
    std::string s(name.data(), name.length());
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string describe(const Error& error)
{
    std::string message(error.message().data(), error.message().length());
    for (char& c : message) {
        if (c == '\n')
            c = ' ';
    }
    return "error " + lower_code(error.code()) + " " + message;
}

// Names arrive percent-encoded (they may contain spaces or any byte).
std::string unquote(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += char(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool read_file(const std::string& path, std::vector<u8>& bytes)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);
    State state;
    if (const char* budget = std::getenv("K23_TIER_BUDGET"))
        state.tier_budget = u32(std::strtoul(budget, nullptr, 10));
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--leak-for-test") {
            state.leak_engine_for_test = true;
        } else if (std::string(argv[i]) == "--tier" && i + 1 < argc
            && jit::parse_tier(StringView(argv[i + 1], strlen(argv[i + 1])), state.tier)) {
            ++i;
        } else if (std::string(argv[i]) == "--tier-budget" && i + 1 < argc) {
            state.tier_budget = u32(std::strtoul(argv[++i], nullptr, 10));
        } else {
            std::cerr << "k23-spec: unknown argument " << argv[i] << " (commands come on stdin)\n";
            return 2;
        }
    }
    (void)state.reset(); // its error, if any, is the answer to the driver's first "reset"
    ReadOptions options;
    options.features = Features::wasm2();
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream words(line);
        std::string command;
        words >> command;
        std::string answer;
        if (command == "features") {
            std::string list;
            words >> list;
            Features f = Features::wasm2();
            std::stringstream items(list);
            std::string item;
            while (std::getline(items, item, ',')) {
                if (item == "extended-const") f.extended_const = true;
                else if (item == "tail-call") f.tail_call = true;
                else if (item == "multi-memory") f.multi_memory = true;
                else if (item == "relaxed-simd") f.relaxed_simd = true;
            }
            options.features = f;
            answer = "ok";
        } else if (command == "vector") {
            std::string mode;
            words >> mode;
            state.vector = mode == "on";
            answer = "ok";
        } else if (command == "reset") {
            answer = state.reset();
        } else if (command == "register") {
            std::string as, name;
            words >> as >> name;
            as = unquote(as);
            name = unquote(name);
            Instance* instance = name == "-" ? state.current : (state.named.count(name) ? state.named[name] : nullptr);
            if (!instance) {
                answer = "error notfound no module " + name;
            } else {
                auto result = state.linker->register_instance(StringView(as.data(), as.size()), instance);
                answer = result.is_error() ? describe(result.error()) : "ok";
            }
        } else if (command == "load" || command == "check" || command == "link") {
            std::string name, path;
            if (command == "load") {
                words >> name;
                name = unquote(name);
            }
            words >> path;
            std::vector<u8> bytes;
            if (!read_file(path, bytes)) {
                answer = "error io cannot read " + path;
            } else {
                auto module = read_module(ReadonlyBytes(bytes.data(), bytes.size()), options);
                if (module.is_error()) {
                    answer = describe(module.error());
                } else if (command == "check") {
                    answer = "ok";
                } else {
                    auto owned = std::make_unique<Module>(module.release_value());
                    Instance* instance = nullptr;
                    auto result = state.can_execute() ? state.engine->instantiate(*state.linker, *owned, &instance)
                                                      : state.linker->instantiate(*owned, &instance);
                    state.modules.push_back(std::move(owned));
                    if (result.is_error() && result.error().code() == ErrorCode::Unsupported)
                        answer = std::string("skip ") + result.error().message_cstring();
                    else if (result.is_error())
                        answer = describe(result.error());
                    else
                        answer = "ok";
                    // A module whose start function could not run is still
                    // the current module: later commands may refer to it.
                    if (command == "load" && instance && (!result.is_error() || result.error().code() == ErrorCode::Unsupported)) {
                        state.current = instance;
                        if (name != "-")
                            state.named[name] = instance;
                    }
                }
            }
        } else if (command == "invoke" || command == "get") {
            std::string name, field;
            words >> name >> field;
            name = unquote(name);
            field = unquote(field);
            Instance* instance = name == "-" ? state.current : (state.named.count(name) ? state.named[name] : nullptr);
            const ExportEntry* entry = instance ? instance->find_export(StringView(field.data(), field.size())) : nullptr;
            if (!state.can_execute()) {
                answer = "skip needs the baseline tier";
            } else if (!entry) {
                answer = "error notfound no export " + field;
            } else if (command == "get") {
                if (entry->value.kind != ExternKind::Global)
                    answer = "error notfound not a global " + field;
                else
                    answer = "ok " + format_value(entry->value.global()->value);
            } else if (entry->value.kind != ExternKind::Function) {
                answer = "error notfound not a function " + field;
            } else {
                FunctionInstance* function = entry->value.function();
                FunctionType type = state.store->type(function->type);
                std::vector<Value> args, results(type.results.size());
                std::string item;
                bool ok = true;
                while (words >> item) {
                    Value v;
                    if (!parse_value(item, v))
                        ok = false;
                    args.push_back(v);
                }
                if (!ok || args.size() != type.params.size()) {
                    answer = "error invalidargument bad arguments";
                } else {
                    auto result = state.engine->invoke(function, Span<const Value>(args.data(), args.size()),
                        Span<Value>(results.data(), results.size()));
                    if (result.is_error()) {
                        answer = describe(result.error());
                    } else {
                        answer = "ok";
                        for (usize i = 0; i < results.size(); ++i) {
                            results[i].type = type.results[i];
                            answer += " " + format_value(results[i]);
                        }
                    }
                }
            }
        } else if (command.empty()) {
            continue;
        } else {
            answer = "error invalidargument unknown command " + command;
        }
        std::cout << answer << '\n';
        std::cout.flush();
    }
    return 0;
}
