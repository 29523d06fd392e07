// A small JSON reader for the test tooling (the pupil reference files).
// Not for untrusted input: it assumes well-formed JSON and throws on
// anything else.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace json_lite {

struct Value {
    enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string text;
    std::vector<Value> items;
    std::map<std::string, Value> fields;

    bool is_null() const { return kind == Kind::Null; }
    const Value &operator[](const std::string &key) const {
        auto it = fields.find(key);
        if (it == fields.end()) throw std::runtime_error("missing JSON field '" + key + "'");
        return it->second;
    }
    const Value &operator[](size_t i) const { return items.at(i); }
};

Value parse(const std::string &text);
Value parse_file(const std::string &path);

}  // namespace json_lite
