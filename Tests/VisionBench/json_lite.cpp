#include "json_lite.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace json_lite {
namespace {

struct Parser {
    const std::string &s;
    size_t i = 0;

    void skip() { while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i; }
    [[noreturn]] void fail(const char *what) { throw std::runtime_error(std::string("JSON: ") + what + " at " + std::to_string(i)); }
    void expect(char c) { skip(); if (i >= s.size() || s[i] != c) fail("unexpected character"); ++i; }

    Value value() {
        skip();
        if (i >= s.size()) fail("unexpected end");
        Value v;
        const char c = s[i];
        if (c == '{') {
            v.kind = Value::Kind::Object; ++i; skip();
            if (s[i] == '}') { ++i; return v; }
            for (;;) {
                skip();
                std::string key = string();
                expect(':');
                v.fields[key] = value();
                skip();
                if (s[i] == ',') { ++i; continue; }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.kind = Value::Kind::Array; ++i; skip();
            if (s[i] == ']') { ++i; return v; }
            for (;;) {
                v.items.push_back(value());
                skip();
                if (s[i] == ',') { ++i; continue; }
                expect(']');
                return v;
            }
        }
        if (c == '"') { v.kind = Value::Kind::String; v.text = string(); return v; }
        if (s.compare(i, 4, "null") == 0) { i += 4; return v; }
        if (s.compare(i, 4, "true") == 0) { i += 4; v.kind = Value::Kind::Bool; v.boolean = true; return v; }
        if (s.compare(i, 5, "false") == 0) { i += 5; v.kind = Value::Kind::Bool; return v; }
        char *end = nullptr;
        v.number = std::strtod(s.c_str() + i, &end);
        if (end == s.c_str() + i) fail("bad value");
        v.kind = Value::Kind::Number;
        i = static_cast<size_t>(end - s.c_str());
        return v;
    }

    std::string string() {
        if (s[i] != '"') fail("expected string");
        ++i;
        std::string out;
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\') { ++i; out += s[i] == 'n' ? '\n' : s[i]; }  // enough for our files
            else out += s[i];
            ++i;
        }
        ++i;
        return out;
    }
};

}  // namespace

Value parse(const std::string &text) {
    Parser p{text};
    return p.value();
}

Value parse_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str());
}

}  // namespace json_lite
