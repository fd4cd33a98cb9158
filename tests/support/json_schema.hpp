// A JSON Schema validator for the schemas the project ships (the job file's
// and the report's): the part of JSON Schema they use — type, const, enum,
// minLength, pattern, minimum, maximum, minItems, required, properties,
// additionalProperties, items, oneOf, anyOf, not and local $ref. A keyword it
// does not know is not checked, so a schema that starts using one must have it
// added here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mailferry::testing {

class JsonSchema {
 public:
  explicit JsonSchema(nlohmann::json schema) : root_(std::move(schema)) {}
  // Reads the schema from a file. Throws std::runtime_error.
  static JsonSchema from_file(const std::string& path);

  // Empty when valid, else the first problem found, with its JSON path.
  std::string validate(const nlohmann::json& value) const { return check(value, root_, "$"); }

 private:
  const nlohmann::json& resolve(const nlohmann::json& schema) const;
  std::string check(const nlohmann::json& v, const nlohmann::json& schema_or_ref,
                    const std::string& at) const;

  nlohmann::json root_;
};

}  // namespace mailferry::testing
