#pragma once

// Test support for the RV64 assembler.
//
// Encodings: each case emits with our assembler; on the host the bytes are
// wrapped into an ELF with llvm-objcopy-16 and disassembled by
// llvm-objdump-16 (-M no-aliases, so compressed forms show as c.*), and the
// text is compared with the hand-written expectation. Branch targets are
// rewritten to ".+N"/".-N" relative to the instruction. One objdump run per
// table. Under qemu-riscv64 (no llvm there) these tests skip; the execution
// tests run instead.

#include <arch/riscv64/asm/MacroAssembler.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <type_traits>
#include <string>
#include <unistd.h>
#include <vector>

namespace k23::riscv64::test {

// A = Assembler, or MacroAssembler for its sequences (check_cases<MacroAssembler>).
template<typename A>
struct BasicAsmCase {
    void (*emit)(A&);
    const char* expected; // instructions joined with "; "
};
using AsmCase = BasicAsmCase<Assembler>;

template<typename A = Assembler>
inline std::vector<u8> assemble(void (*emit)(std::type_identity_t<A>&), CpuFeatures features = CpuFeatures::all(), bool compress = false)
{
    CodeOptions options;
    options.compress = compress;
    CodeHolder code(features, options);
    A a(code);
    emit(a);
    auto result = code.finalize();
    EXPECT_FALSE(result.is_error()) << (result.is_error() ? result.error().message_cstring() : "");
    if (result.is_error())
        return {};
    std::vector<u8> bytes(code.code_size());
    EXPECT_FALSE(code.copy_to(Span<u8>(bytes.data(), bytes.size())).is_error());
    return bytes;
}

#if defined(__riscv)
inline constexpr bool has_objdump = false;
#else
inline constexpr bool has_objdump = true;
#endif

struct DisassembledLine {
    u64 address;
    std::string text;
};

inline std::string run_command(const std::string& command)
{
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return output;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
        output.append(buffer, n);
    pclose(pipe);
    return output;
}

inline std::vector<DisassembledLine> disassemble(const std::vector<u8>& bytes)
{
    char bin_path[] = "/tmp/k23-asm-XXXXXX";
    int fd = mkstemp(bin_path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
    close(fd);
    std::string bin(bin_path);
    std::string obj = bin + ".o";
    std::string command = "llvm-objcopy-16 -I binary -O elf64-littleriscv " + bin + " " + obj
        + " && llvm-objdump-16 -D -j .data -M no-aliases --mattr=+m,+a,+f,+d,+c,+v,+zba,+zbb,+zbs " + obj + " 2>/dev/null";
    std::string output = run_command(command);
    unlink(bin.c_str());
    unlink(obj.c_str());

    std::vector<DisassembledLine> lines;
    static const std::regex line_re(R"(^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*\t([^\t]+)(?:\t(.*))?$)");
    static const std::regex target_re(R"(0x([0-9a-f]+) <[^>]*>)");
    size_t start = 0;
    while (start < output.size()) {
        size_t end = output.find('\n', start);
        if (end == std::string::npos)
            end = output.size();
        std::string line = output.substr(start, end - start);
        start = end + 1;
        std::smatch m;
        if (!std::regex_match(line, m, line_re))
            continue;
        u64 address = std::stoull(m[1].str(), nullptr, 16);
        std::string text = m[2].str();
        if (m[3].matched && !m[3].str().empty()) {
            std::string operands = m[3].str();
            std::smatch t;
            if (std::regex_search(operands, t, target_re)) {
                i64 delta = i64(std::stoull(t[1].str(), nullptr, 16)) - i64(address);
                std::string relative = delta >= 0 ? ".+" + std::to_string(delta) : ".-" + std::to_string(-delta);
                operands = t.prefix().str() + relative + t.suffix().str();
            }
            text += " " + operands;
        }
        lines.push_back({ address, text });
    }
    return lines;
}

// Assembles every case, disassembles them all at once, compares each.
template<typename A = Assembler>
inline void check_cases(const std::vector<BasicAsmCase<A>>& cases, CpuFeatures features = CpuFeatures::all(), bool compress = false)
{
    if (!has_objdump)
        GTEST_SKIP() << "llvm-objdump-16 runs on the host only";
    std::vector<u8> all;
    std::vector<std::pair<size_t, size_t>> ranges;
    for (const auto& c : cases) {
        auto bytes = assemble<A>(c.emit, features, compress);
        ranges.push_back({ all.size(), all.size() + bytes.size() });
        all.insert(all.end(), bytes.begin(), bytes.end());
        // Keep each case 4-byte aligned so a stray 2-byte case cannot shift decoding.
        while (all.size() % 4 != 0) {
            all.push_back(0x01); // c.nop
            all.push_back(0x00);
        }
    }
    auto lines = disassemble(all);
    ASSERT_FALSE(lines.empty()) << "llvm-objdump-16 produced nothing";
    for (size_t i = 0; i < cases.size(); ++i) {
        std::string text;
        for (const auto& line : lines) {
            if (line.address >= ranges[i].first && line.address < ranges[i].second) {
                if (!text.empty())
                    text += "; ";
                text += line.text;
            }
        }
        EXPECT_EQ(text, cases[i].expected) << "case " << i;
    }
}

inline u32 first_word(const std::vector<u8>& bytes)
{
    if (bytes.size() < 4)
        return 0;
    return u32(bytes[0]) | (u32(bytes[1]) << 8) | (u32(bytes[2]) << 16) | (u32(bytes[3]) << 24);
}

} // namespace k23::riscv64::test
