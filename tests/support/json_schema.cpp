#include "support/json_schema.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "support/temp_dir.hpp"

namespace mailferry::testing {
namespace {

using nlohmann::json;

bool has_type(const json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  return false;
}

}  // namespace

JsonSchema JsonSchema::from_file(const std::string& path) {
  return JsonSchema(json::parse(read_file(path)));
}

const json& JsonSchema::resolve(const json& schema) const {
  if (!schema.contains("$ref")) return schema;
  const std::string ref = schema.at("$ref");
  if (ref.rfind("#/", 0) != 0) throw std::runtime_error("only local $ref is known: " + ref);
  return root_.at(json::json_pointer(ref.substr(1)));
}

std::string JsonSchema::check(const json& v, const json& schema_or_ref,
                              const std::string& at) const {
  const json& s = resolve(schema_or_ref);
  if (s.contains("$ref")) return check(v, s, at);
  if (s.contains("type") && !has_type(v, s.at("type")))
    return at + ": not a " + s.at("type").get<std::string>();
  if (s.contains("const") && v != s.at("const")) return at + ": not the required value";
  if (s.contains("enum") &&
      std::find(s.at("enum").begin(), s.at("enum").end(), v) == s.at("enum").end())
    return at + ": not one of the allowed values";
  if (s.contains("minLength") && v.is_string() && v.get<std::string>().size() < s.at("minLength"))
    return at + ": too short";
  if (s.contains("pattern") && v.is_string() &&
      !std::regex_search(v.get<std::string>(), std::regex(s.at("pattern").get<std::string>())))
    return at + ": does not match " + s.at("pattern").get<std::string>();
  if (s.contains("minimum") && v.is_number() && v.get<double>() < s.at("minimum").get<double>())
    return at + ": below the minimum";
  if (s.contains("maximum") && v.is_number() && v.get<double>() > s.at("maximum").get<double>())
    return at + ": above the maximum";
  if (s.contains("minItems") && v.is_array() && v.size() < s.at("minItems"))
    return at + ": too few items";
  if (v.is_object()) {
    for (const auto& key : s.value("required", json::array()))
      if (!v.contains(key)) return at + ": " + key.get<std::string>() + " is required";
    for (const auto& [key, item] : v.items()) {
      if (s.contains("properties") && s.at("properties").contains(key)) {
        if (auto e = check(item, s.at("properties").at(key), at + "." + key); !e.empty()) return e;
      } else if (s.contains("additionalProperties")) {
        const auto& extra = s.at("additionalProperties");
        if (extra.is_boolean() && !extra.get<bool>()) return at + ": unknown key " + key;
        if (extra.is_object())
          if (auto e = check(item, extra, at + "." + key); !e.empty()) return e;
      }
    }
  }
  if (v.is_array() && s.contains("items"))
    for (std::size_t i = 0; i < v.size(); ++i)
      if (auto e = check(v[i], s.at("items"), at + "[" + std::to_string(i) + "]"); !e.empty())
        return e;
  if (s.contains("oneOf")) {
    int matches = 0;
    for (const auto& option : s.at("oneOf")) matches += check(v, option, at).empty();
    if (matches != 1) return at + ": matches " + std::to_string(matches) + " of oneOf";
  }
  if (s.contains("anyOf")) {
    bool any = false;
    for (const auto& option : s.at("anyOf")) any = any || check(v, option, at).empty();
    if (!any) return at + ": matches nothing of anyOf";
  }
  if (s.contains("not") && check(v, s.at("not"), at).empty())
    return at + ": matches what is not allowed";
  return "";
}

}  // namespace mailferry::testing
