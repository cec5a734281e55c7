#pragma once

// A small module builder for the JIT tests: sections with LEB128 sizes,
// types, imports, functions, memory, table, globals, exports, elements and
// a name section, so tests can hand-build what they execute.

#include <base/Span.h>
#include <jit/Engine.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>

#include <memory>
#include <string>
#include <vector>

// Skips a test that runs JIT code where the engine cannot (the host build is
// a cross-compiler).
#define REQUIRE_EXECUTION(f)                                      \
    do {                                                          \
        if (!(f).engine->can_execute())                           \
            GTEST_SKIP() << "JIT execution needs a riscv64 host"; \
    } while (0)

namespace k23::jit::test {

using ByteList = std::vector<u8>;

inline void uleb(ByteList& out, u64 v)
{
    do {
        u8 b = v & 0x7f;
        v >>= 7;
        out.push_back(v ? (b | 0x80) : b);
    } while (v);
}

inline void sleb(ByteList& out, i64 v)
{
    for (;;) {
        u8 b = v & 0x7f;
        v >>= 7;
        bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
        out.push_back(done ? b : (b | 0x80));
        if (done)
            return;
    }
}

inline void name(ByteList& out, const std::string& s)
{
    uleb(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

// Instruction helpers (a few; the rest are raw bytes).
inline ByteList i32_const(i32 v) { ByteList b { 0x41 }; sleb(b, v); return b; }
inline ByteList i64_const(i64 v) { ByteList b { 0x42 }; sleb(b, v); return b; }
inline ByteList local_get(u32 i) { ByteList b { 0x20 }; uleb(b, i); return b; }
inline ByteList call(u32 f) { ByteList b { 0x10 }; uleb(b, f); return b; }
inline ByteList cat(std::initializer_list<ByteList> parts)
{
    ByteList out;
    for (const ByteList& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

constexpr u8 I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

struct ModuleBuilder {
    struct Type { ByteList params, results; };
    struct Func { u32 type; ByteList locals; ByteList code; std::string name; };
    struct Import { std::string module, field; u32 type; };
    std::vector<Type> types;
    std::vector<Import> imports;
    std::vector<Func> funcs;
    std::vector<std::pair<std::string, u32>> exports;
    bool has_memory { false };
    u32 memory_min { 0 }, memory_max { 0 };
    u32 table_size { 0 };
    std::vector<u32> elements; // active at table offset 0

    u32 type(ByteList params, ByteList results)
    {
        types.push_back({ params, results });
        return u32(types.size() - 1);
    }
    u32 import_function(std::string module, std::string field, u32 t)
    {
        imports.push_back({ module, field, t });
        return u32(imports.size() - 1);
    }
    // Returns the function index (imports first). `locals`: one byte per local.
    u32 function(u32 t, ByteList locals, ByteList code, std::string export_name = "", std::string debug_name = "")
    {
        funcs.push_back({ t, locals, code, debug_name });
        u32 index = u32(imports.size() + funcs.size() - 1);
        if (!export_name.empty())
            exports.push_back({ export_name, index });
        return index;
    }

    ByteList build() const
    {
        ByteList out { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
        auto section = [&](u8 id, const ByteList& contents) {
            out.push_back(id);
            uleb(out, contents.size());
            out.insert(out.end(), contents.begin(), contents.end());
        };
        ByteList s;
        uleb(s, types.size());
        for (const Type& t : types) {
            s.push_back(0x60);
            uleb(s, t.params.size());
            s.insert(s.end(), t.params.begin(), t.params.end());
            uleb(s, t.results.size());
            s.insert(s.end(), t.results.begin(), t.results.end());
        }
        section(1, s);
        if (!imports.empty()) {
            s.clear();
            uleb(s, imports.size());
            for (const Import& i : imports) {
                name(s, i.module);
                name(s, i.field);
                s.push_back(0x00);
                uleb(s, i.type);
            }
            section(2, s);
        }
        s.clear();
        uleb(s, funcs.size());
        for (const Func& f : funcs)
            uleb(s, f.type);
        section(3, s);
        if (table_size) {
            s = { 0x01, 0x70, 0x00 };
            uleb(s, table_size);
            section(4, s);
        }
        if (has_memory) {
            s = { 0x01, 0x01 };
            uleb(s, memory_min);
            uleb(s, memory_max);
            section(5, s);
        }
        s.clear();
        uleb(s, exports.size());
        for (const auto& [n, index] : exports) {
            name(s, n);
            s.push_back(0x00);
            uleb(s, index);
        }
        section(7, s);
        if (!elements.empty()) {
            s = { 0x01, 0x00, 0x41, 0x00, 0x0b };
            uleb(s, elements.size());
            for (u32 e : elements)
                uleb(s, e);
            section(9, s);
        }
        s.clear();
        uleb(s, funcs.size());
        for (const Func& f : funcs) {
            ByteList body;
            uleb(body, f.locals.size());
            for (u8 l : f.locals) {
                body.push_back(0x01);
                body.push_back(l);
            }
            body.insert(body.end(), f.code.begin(), f.code.end());
            body.push_back(0x0b);
            uleb(s, body.size());
            s.insert(s.end(), body.begin(), body.end());
        }
        section(10, s);
        bool any_name = false;
        for (const Func& f : funcs)
            any_name |= !f.name.empty();
        if (any_name) {
            ByteList names;
            u32 count = 0;
            ByteList entries;
            for (usize i = 0; i < funcs.size(); ++i) {
                if (funcs[i].name.empty())
                    continue;
                ++count;
                uleb(entries, imports.size() + i);
                name(entries, funcs[i].name);
            }
            ByteList sub;
            uleb(sub, count);
            sub.insert(sub.end(), entries.begin(), entries.end());
            name(names, "name");
            names.push_back(0x01);
            uleb(names, sub.size());
            names.insert(names.end(), sub.begin(), sub.end());
            section(0, names);
        }
        return out;
    }
};

// An engine, store and linker with "spectest" defined.
struct JitFixture {
    wasm::Store store;
    wasm::Linker linker { store };
    Engine* engine { nullptr };
    std::vector<std::unique_ptr<wasm::Module>> modules;

    // stack_size 0: the engine's default guest stack.
    explicit JitFixture(riscv64::CpuFeatures features = riscv64::CpuFeatures::rv64gc(), usize stack_size = 0)
    {
        MUST(linker.define_spectest());
        EngineOptions options;
        options.features = features;
        if (stack_size)
            options.stack_size = stack_size;
        engine = MUST(Engine::create(options));
    }
    ~JitFixture() { Engine::destroy(engine); }

    Result<wasm::Module*> read(const ByteList& bytes)
    {
        wasm::ReadOptions options;
        options.features = wasm::Features::all();
        auto m = TRY(wasm::read_module(ReadonlyBytes(bytes.data(), bytes.size()), options));
        modules.push_back(std::make_unique<wasm::Module>(k23::move(m)));
        return modules.back().get();
    }
    Result<wasm::Instance*> instantiate(const ByteList& bytes)
    {
        wasm::Module* m = TRY(read(bytes));
        return engine->instantiate(linker, *m);
    }
    static wasm::FunctionInstance* exported(wasm::Instance* instance, const char* name)
    {
        const wasm::ExportEntry* e = instance->find_export(StringView(name));
        return e ? e->value.function() : nullptr;
    }
};

inline std::string message(const Error& e) { return std::string(e.message().data(), e.message().length()); }

} // namespace k23::jit::test
