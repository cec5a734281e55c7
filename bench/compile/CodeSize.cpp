// k23-codesize: bytes of machine code a tier (default the baseline) emits per module, for
// ./k23 bench's code-size comparison with Cranelift (DESIGN.md "How it is
// measured"). Exact: the size of the code blob compile_module produces
// (functions, trap stubs, literal pools and branch islands), which is what
// k23-compile writes as the .text of its object.
//
//   k23-codesize --isa STRING [--tier baseline|optimizing] FILE.wasm...
//
// Prints one JSON object {"FILE.wasm": bytes or "error: message", ...}.

#include <base/Platform.h>
#include <jit/baseline/Compiler.h>
#include <wasm/BinaryReader.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace k23;

namespace {

std::string quoted(const std::string& s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
        out += c;
    }
    return out + "\"";
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3 || std::strcmp(argv[1], "--isa") != 0) {
        std::fprintf(stderr, "usage: k23-codesize --isa STRING [--tier T] FILE.wasm...\n");
        return 2;
    }
    auto features = riscv64::CpuFeatures::parse_isa_string(StringView(argv[2], std::strlen(argv[2])));
    if (features.is_error()) {
        std::fprintf(stderr, "k23-codesize: --isa %s: %s\n", argv[2], features.error().message_cstring());
        return 2;
    }
    jit::CompileEnvironment env { features.value(), 0 };
    jit::Tier tier = jit::Tier::Baseline;
    int first = 3;
    if (argc > 4 && std::strcmp(argv[3], "--tier") == 0) {
        if (!jit::parse_tier(StringView(argv[4], std::strlen(argv[4])), tier)) {
            std::fprintf(stderr, "k23-codesize: --tier %s: baseline or optimizing\n", argv[4]);
            return 2;
        }
        first = 5;
    }
    std::printf("{");
    for (int i = first; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::vector<u8> bytes { std::istreambuf_iterator<char>(in), {} };
        std::string value;
        auto module = wasm::read_module(ReadonlyBytes(bytes.data(), bytes.size()));
        if (!in && !in.eof()) {
            value = quoted("error: cannot read");
        } else if (module.is_error()) {
            value = quoted(std::string("error: ") + module.error().message_cstring());
        } else {
            jit::CompiledModule out;
            auto r = jit::compile_module(module.value(), env, tier, out);
            value = r.is_error() ? quoted(std::string("error: ") + r.error().message_cstring())
                                 : std::to_string(out.code_size);
            if (out.code)
                platform_code_release(out.code, out.code_size);
        }
        std::printf("%s%s: %s", i > first ? ", " : "", quoted(argv[i]).c_str(), value.c_str());
    }
    std::printf("}\n");
    return 0;
}
