#pragma once

// Helpers for the optimizing tier's IR tests: a module from WebAssembly
// text (wat2wasm, Debian's wabt, which `./k23 setup` installs), one
// function's IR built, verified and printed, and passes run by name with
// the verifier after each.

#include <arch/riscv64/asm/CpuFeatures.h>
#include <base/Platform.h>
#include <jit/optimizing/Builder.h>
#include <jit/optimizing/IR.h>
#include <jit/optimizing/Verifier.h>
#include <wasm/BinaryReader.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace k23::jit::optimizing::test {

using WasmBytes = std::vector<u8>;

inline std::string message_of(const Error& e)
{
    StringView code = error_code_name(e.code());
    return std::string(code.characters_without_null_termination(), code.length()) + ": "
        + std::string(e.message().characters_without_null_termination(), e.message().length());
}

inline bool have_tool(const char* name)
{
    std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

// A temporary directory, removed with its files.
struct TempDir {
    std::string path;
    TempDir()
    {
        char templ[] = "/tmp/k23-opt-XXXXXX";
        char* made = mkdtemp(templ);
        path = made ? made : "/tmp";
    }
    ~TempDir()
    {
        std::string cmd = "rm -rf '" + path + "'";
        (void)std::system(cmd.c_str());
    }
};

inline WasmBytes read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return WasmBytes { std::istreambuf_iterator<char>(in), {} };
}

// wat2wasm of `text`; empty on failure (with the tool's output in *log).
inline WasmBytes wat(const std::string& text, std::string* log = nullptr)
{
    TempDir dir;
    std::string source = dir.path + "/m.wat";
    std::string binary = dir.path + "/m.wasm";
    std::string output = dir.path + "/log";
    {
        std::ofstream out(source);
        out << text;
    }
    std::string cmd = "wat2wasm --enable-tail-call '" + source + "' -o '" + binary + "' >'" + output + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
        if (log) {
            WasmBytes text = read_file(output);
            *log = "wat2wasm failed: " + std::string(text.begin(), text.end());
        }
        return {};
    }
    return read_file(binary);
}

inline Result<wasm::Module> read(const WasmBytes& bytes)
{
    wasm::ReadOptions options;
    options.features = wasm::Features::all();
    return wasm::read_module(ReadonlyBytes(bytes.data(), bytes.size()), options);
}

inline std::string print(const Function& f)
{
    Vector<char> text;
    auto result = print_function(f, text);
    if (result.is_error())
        return "print failed: " + message_of(result.error());
    return std::string(text.data(), text.size());
}

// RV64IMAFD without C: every instruction is one aligned 32-bit word, so
// tests can read the code as words.
inline riscv64::CpuFeatures rv64g_without_c()
{
    using riscv64::Extension;
    return riscv64::CpuFeatures::rv64i()
        .with(Extension::M)
        .with(Extension::A)
        .with(Extension::F)
        .with(Extension::D)
        .with(Extension::Zicsr)
        .with(Extension::Zifencei);
}

// Index of the exported function `name`.
inline u32 exported_function(const wasm::Module& m, const char* name)
{
    for (const wasm::Export& e : m.exports()) {
        if (e.kind == wasm::ExternKind::Function && e.name == StringView(name))
            return e.index;
    }
    return ~0u;
}

using Pass = Result<bool> (*)(Function&);

// Builds function `name` of the module in `text`, verifies it, runs the
// passes (verifying after each) and returns the printed IR, or a line
// saying what went wrong.
struct IrCase {
    std::unique_ptr<wasm::Module> module;
    Function function;
    std::string error;

    IrCase(const std::string& text, const char* name)
    {
        std::string log;
        WasmBytes bytes = wat(text, &log);
        if (bytes.empty()) {
            error = log;
            return;
        }
        auto m = read(bytes);
        if (m.is_error()) {
            error = "read: " + message_of(m.error());
            return;
        }
        module = std::make_unique<wasm::Module>(k23::move(m.value()));
        u32 index = exported_function(*module, name);
        if (index == ~0u) {
            error = std::string("no export ") + name;
            return;
        }
        auto built = build_function(*module, index, function);
        if (built.is_error()) {
            error = "build: " + message_of(built.error());
            return;
        }
        verify("build");
    }

    void verify(const char* after)
    {
        if (!error.empty())
            return;
        auto v = verify_function(function);
        if (v.is_error())
            error = std::string("after ") + after + ": " + message_of(v.error()) + "\n" + print(function);
    }

    // Runs `pass`, verifies, and returns whether it changed anything.
    bool run(Pass pass, const char* name)
    {
        if (!error.empty())
            return false;
        auto changed = pass(function);
        if (changed.is_error()) {
            error = std::string(name) + ": " + message_of(changed.error());
            return false;
        }
        verify(name);
        return changed.value();
    }

    std::string text() const { return error.empty() ? print(function) : error; }
};

} // namespace k23::jit::optimizing::test
