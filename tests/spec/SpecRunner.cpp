// k23-spec: executes the binary-checkable commands of the WebAssembly spec
// test suite for tools/driver/spec.py. One command per stdin line, one
// answer per stdout line:
//
//   features LIST          comma-separated: extended-const,tail-call,
//                          multi-memory,relaxed-simd (or "none")  -> ok
//   reset                  forget all modules and registrations    -> ok
//   load NAME|- FILE       read, validate, link, instantiate; becomes the
//                          current module (and $NAME if given)
//   check FILE             read and validate only
//   link FILE              read, validate, link, instantiate, then forget
//   register AS NAME|-     make $NAME (or the current module) importable as AS
//
// Answers: "ok", "skip REASON", or "error KIND MESSAGE" where KIND is the
// lower-case error code (malformed, invalid, unlinkable, trap, ...).
// A test tool, not engine code: it uses the C++ library freely.

#include <base/Error.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>

#include <cstdio>
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

struct State {
    std::unique_ptr<Store> store;
    std::unique_ptr<Linker> linker;
    std::vector<std::unique_ptr<Module>> modules;
    std::map<std::string, Instance*> named;
    Instance* current { nullptr };

    void reset()
    {
        named.clear();
        current = nullptr;
        linker.reset();
        store.reset();
        modules.clear();
        store = std::make_unique<Store>();
        linker = std::make_unique<Linker>(*store);
        (void)linker->define_spectest();
    }
};

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

int main()
{
    std::ios::sync_with_stdio(false);
    State state;
    state.reset();
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
        } else if (command == "reset") {
            state.reset();
            answer = "ok";
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
                    auto result = state.linker->instantiate(*owned, &instance);
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
