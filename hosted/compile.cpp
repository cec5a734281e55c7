// k23-compile: compiles a WebAssembly module with the baseline tier and
// writes the machine code as a RISC-V ELF relocatable object, for a
// disassembler (`./k23 disasm`, tools/driver/disasm.py).
//
//   k23-compile [--isa STRING] [--tier baseline|optimizing] FILE.wasm -o OUT.o
//
// The object has one .text section (the module's whole code blob: functions,
// trap stubs and literal pools, as the engine would publish it) and a global
// STT_FUNC symbol per compiled function at its code offset, named from the
// name section, else `func[N]` (N = the function index, imports included).
// The code is what the JIT emits for a landing pad at address 0; nothing in
// it is relocated. --isa defaults to rv64imafdcv_zba_zbb_zbs, so SIMD shows
// its RVV lowering; --isa rv64gc shows the scalar paths.
//
// Exit status: 0; 1 when the input cannot be read, is malformed or invalid,
// does not compile, or the output cannot be written (one line on stderr:
// `k23-compile: FILE: <message>`); 2 for a bad command line.

#include <jit/Code.h>
#include <base/Platform.h>
#include <jit/baseline/Compiler.h>
#include <wasm/BinaryReader.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

using namespace k23;

namespace {

constexpr const char* default_isa = "rv64imafdcv_zba_zbb_zbs";

// ---------------------------------------------------------------- ELF64 (LE)

struct ElfHeader {
    u8 ident[16];
    u16 type, machine;
    u32 version;
    u64 entry, phoff, shoff;
    u32 flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct ElfSection {
    u32 name, type;
    u64 flags, addr, offset, size;
    u32 link, info;
    u64 addralign, entsize;
};
struct ElfSymbol {
    u32 name;
    u8 info, other;
    u16 shndx;
    u64 value, size;
};
static_assert(sizeof(ElfHeader) == 64 && sizeof(ElfSection) == 64 && sizeof(ElfSymbol) == 24);

constexpr u16 et_rel = 1, em_riscv = 243;
constexpr u32 ef_riscv_rvc = 0x1, ef_riscv_float_abi_double = 0x4;
constexpr u32 sht_progbits = 1, sht_symtab = 2, sht_strtab = 3;
constexpr u64 shf_alloc = 0x2, shf_execinstr = 0x4;
constexpr u8 stb_global = 1, stt_func = 2;
enum : u16 { sec_null, sec_text, sec_symtab, sec_strtab, sec_shstrtab, sec_count };

// Appends `text` and a NUL to a string table; returns its offset.
u32 add_string(Vector<char>& table, StringView text)
{
    u32 offset = u32(table.size());
    MUST(table.try_extend(Span<const char>(text.data(), text.length())));
    MUST(table.try_append('\0'));
    return offset;
}

usize align_up(usize value, usize alignment) { return (value + alignment - 1) & ~(alignment - 1); }

bool write_object(FILE* file, const wasm::Module& module, const jit::CompiledModule& code)
{
    Vector<char> strtab, shstrtab;
    Vector<ElfSymbol> symbols;
    MUST(strtab.try_append('\0'));
    MUST(symbols.try_append(ElfSymbol {}));
    for (usize i = 0; i < code.functions.size(); ++i) {
        u32 index = code.first_function + u32(i);
        StringView name = module.function_name(index);
        char fallback[32];
        if (name.is_empty()) {
            int n = snprintf(fallback, sizeof(fallback), "func[%u]", index);
            name = StringView(fallback, usize(n));
        }
        ElfSymbol symbol {};
        symbol.name = add_string(strtab, name);
        symbol.info = u8((stb_global << 4) | stt_func);
        symbol.shndx = sec_text;
        symbol.value = code.functions[i].code_offset;
        symbol.size = code.functions[i].code_size;
        MUST(symbols.try_append(symbol));
    }
    MUST(shstrtab.try_append('\0'));
    u32 names[sec_count] = { 0, add_string(shstrtab, ".text"), add_string(shstrtab, ".symtab"),
        add_string(shstrtab, ".strtab"), add_string(shstrtab, ".shstrtab") };

    // Layout: header, .text, .symtab, .strtab, .shstrtab, section headers.
    ElfSection sections[sec_count] {};
    usize offset = sizeof(ElfHeader);
    auto place = [&](u16 index, u32 type, usize size, usize alignment) {
        offset = align_up(offset, alignment);
        sections[index].name = names[index];
        sections[index].type = type;
        sections[index].offset = offset;
        sections[index].size = size;
        sections[index].addralign = alignment;
        offset += size;
    };
    place(sec_text, sht_progbits, code.code_size, 16);
    sections[sec_text].flags = shf_alloc | shf_execinstr;
    place(sec_symtab, sht_symtab, symbols.size() * sizeof(ElfSymbol), 8);
    sections[sec_symtab].link = sec_strtab;
    sections[sec_symtab].info = 1; // the first global symbol: all but the null one are
    sections[sec_symtab].entsize = sizeof(ElfSymbol);
    place(sec_strtab, sht_strtab, strtab.size(), 1);
    place(sec_shstrtab, sht_strtab, shstrtab.size(), 1);
    usize section_headers = align_up(offset, 8);

    ElfHeader header {};
    memcpy(header.ident, "\x7f" "ELF", 4);
    header.ident[4] = 2; // ELFCLASS64
    header.ident[5] = 1; // ELFDATA2LSB
    header.ident[6] = 1; // EV_CURRENT
    header.type = et_rel;
    header.machine = em_riscv;
    header.version = 1;
    header.shoff = section_headers;
    header.flags = ef_riscv_rvc | ef_riscv_float_abi_double;
    header.ehsize = sizeof(ElfHeader);
    header.shentsize = sizeof(ElfSection);
    header.shnum = sec_count;
    header.shstrndx = sec_shstrtab;

    // Everything goes out in file order, zero-padded up to each offset.
    usize written = 0;
    auto put = [&](const void* data, usize size, usize at) {
        static const u8 zeros[16] {};
        for (; written < at; ++written)
            fwrite(zeros, 1, 1, file);
        fwrite(data, 1, size, file);
        written += size;
    };
    put(&header, sizeof(header), 0);
    put(code.code, code.code_size, sections[sec_text].offset);
    put(symbols.data(), symbols.size() * sizeof(ElfSymbol), sections[sec_symtab].offset);
    put(strtab.data(), strtab.size(), sections[sec_strtab].offset);
    put(shstrtab.data(), shstrtab.size(), sections[sec_shstrtab].offset);
    put(sections, sizeof(sections), section_headers);
    return !ferror(file);
}

// ---------------------------------------------------------------- the program

[[noreturn]] void fail(int status, const char* file, const char* message)
{
    fprintf(stderr, "k23-compile: %s%s%s\n", file ? file : "", file ? ": " : "", message);
    exit(status);
}

[[noreturn]] void fail(const char* file, const Error& error)
{
    char text[200];
    StringView message = error.message();
    if (message.is_empty())
        message = error_code_name(error.code());
    int n = snprintf(text, sizeof(text), "%.*s", int(message.length()), message.data());
    if (error.has_offset() && n >= 0 && usize(n) < sizeof(text))
        snprintf(text + n, sizeof(text) - usize(n), " at offset 0x%llx", (unsigned long long)error.offset());
    fail(1, file, text);
}

[[noreturn]] void usage(int status)
{
    fprintf(status ? stderr : stdout,
        "usage: k23-compile [--isa STRING] [--tier T] FILE.wasm -o OUT.o\n"
        "\n"
        "Compiles FILE.wasm with k23's baseline tier and writes the code as a RISC-V\n"
        "ELF object with a symbol per function (for llvm-objdump -d).\n"
        "\n"
        "  --isa STRING   RISC-V extensions to compile for (default %s)\n"
        "  --tier T       baseline (default) or optimizing\n",
        default_isa);
    exit(status);
}

} // namespace

int main(int argc, char** argv)
{
    const char* isa = default_isa;
    jit::Tier tier = jit::Tier::Baseline;
    const char* input = nullptr;
    const char* output = nullptr;
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
            usage(0);
        bool is_output = !strcmp(arg, "-o");
        if (!strcmp(arg, "--tier")) {
            if (i + 1 >= argc || !jit::parse_tier(StringView(argv[i + 1], strlen(argv[i + 1])), tier))
                fail(2, nullptr, "--tier needs baseline or optimizing");
            ++i;
        } else if (is_output || !strcmp(arg, "--isa")) {
            if (i + 1 >= argc)
                fail(2, nullptr, is_output ? "-o needs a file" : "--isa needs a value");
            (is_output ? output : isa) = argv[++i];
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "k23-compile: unknown option %s\n", arg);
            usage(2);
        } else if (input) {
            usage(2);
        } else {
            input = arg;
        }
    }
    if (!input || !output)
        usage(2);

    auto features = riscv64::CpuFeatures::parse_isa_string(StringView(isa, strlen(isa)));
    if (features.is_error()) {
        char text[160];
        snprintf(text, sizeof(text), "--isa %s: %s", isa, features.error().message_cstring());
        fail(2, nullptr, text);
    }

    FILE* in = fopen(input, "rb");
    if (!in)
        fail(1, input, strerror(errno));
    Vector<u8> bytes;
    u8 chunk[65536];
    for (usize n; (n = fread(chunk, 1, sizeof(chunk), in)) > 0;) {
        if (bytes.try_extend(Span<const u8>(chunk, n)).is_error())
            fail(1, input, strerror(ENOMEM));
    }
    if (ferror(in))
        fail(1, input, strerror(errno ? errno : EIO));
    fclose(in);

    auto module = wasm::read_module(bytes.span());
    if (module.is_error())
        fail(input, module.error());
    jit::CompileEnvironment env { features.value(), 0 };
    jit::CompiledModule compiled;
    jit::TierCounts counts;
    auto compiled_ok = jit::compile_module(module.value(), env, tier, compiled, &counts);
    if (!compiled_ok.is_error() && tier == jit::Tier::Optimizing) {
        fprintf(stderr, "k23-compile: %s: %zu functions optimized, %zu baseline (%zu fell back%s%s)\n", input,
            counts.optimized, counts.baseline, counts.fallbacks, counts.fallbacks ? "; first: " : "", counts.first_fallback);
    }
    if (compiled_ok.is_error()) {
        if (compiled.code)
            platform_code_release(compiled.code, compiled.code_size);
        fail(input, compiled_ok.error());
    }

    FILE* out = fopen(output, "wb");
    if (!out)
        fail(1, output, strerror(errno));
    bool ok = write_object(out, module.value(), compiled);
    ok = fclose(out) == 0 && ok;
    if (compiled.code)
        platform_code_release(compiled.code, compiled.code_size);
    if (!ok) {
        remove(output);
        fail(1, output, "cannot write the object");
    }
    return 0;
}
