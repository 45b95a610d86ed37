// The safetensors header (jit/safetensors_header.hpp): what the writer makes reads back, and the
// reader refuses every header that is not exactly the schema, saying what is wrong.
#include <catch2/catch.hpp>

#include <string>

#include "jit/safetensors_header.hpp"

using tsr::DType;
using tsr::jit::format_safetensors_header;
using tsr::jit::HeaderError;
using tsr::jit::parse_safetensors_header;
using tsr::jit::SafetensorsHeader;

namespace {
// The message of the HeaderError that parsing json (with data_bytes of data) raises.
std::string refusal(const std::string& json, uint64_t data_bytes) {
  try {
    parse_safetensors_header(json, data_bytes);
  } catch (const HeaderError& e) {
    return e.what();
  }
  return "(accepted)";
}
const std::string kOne = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
}  // namespace

TEST_CASE("a written header reads back, padded to 8 bytes, tensors end to end", "[jit][safetensors]") {
  SafetensorsHeader h;
  h.metadata = {{"format", "pt"}, {"note", "quote \" backslash \\ newline \n é"}};
  h.tensors = {{"layers.1.weight", DType::Float32, {3, 2}, 0, 0},
               {"scalar", DType::Float64, {}, 0, 0},
               {"empty", DType::Int64, {0, 4}, 0, 0},
               {"mask \"q\"", DType::Bool, {5}, 0, 0},
               {"h", DType::BFloat16, {2}, 0, 0}};
  std::string json = format_safetensors_header(h);
  CHECK(json.size() % 8 == 0);
  CHECK(json.rfind(R"({"__metadata__":{"format":"pt",)", 0) == 0);
  CHECK(json.find(R"("layers.1.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]})") != std::string::npos);
  SafetensorsHeader back = parse_safetensors_header(json, 24 + 8 + 0 + 5 + 4);
  REQUIRE(back.tensors.size() == 5);
  CHECK(back.metadata == h.metadata);
  const char* names[] = {"layers.1.weight", "scalar", "empty", "mask \"q\"", "h"};
  uint64_t begins[] = {0, 24, 32, 32, 37};
  for (int i = 0; i < 5; ++i) {
    CHECK(back.tensors[i].name == names[i]);
    CHECK(back.tensors[i].dtype == h.tensors[i].dtype);
    CHECK(back.tensors[i].shape == h.tensors[i].shape);
    CHECK(back.tensors[i].begin == begins[i]);
  }
}

TEST_CASE("tensors come back in the order of their data, whatever the JSON's order", "[jit][safetensors]") {
  auto h = parse_safetensors_header(
      R"({"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}, "a" : {"shape":[1],"data_offsets":[0,4],"dtype":"I32"}}  )", 6);
  REQUIRE(h.tensors.size() == 2);
  CHECK(h.tensors[0].name == "a");
  CHECK(h.tensors[1].name == "b");
  CHECK(parse_safetensors_header(R"({"\u00e9\ud83d\ude00":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})", 4)
            .tensors[0].name == "é😀");
  CHECK(parse_safetensors_header("{}", 0).tensors.empty());
}

TEST_CASE("headers that are not the schema's JSON are refused with what is wrong", "[jit][safetensors]") {
  CHECK(refusal("", 8) == "the header is not valid JSON at byte 0: expected '{' at the start of the header, found the end of the header");
  CHECK(refusal("[1]", 8).find("expected '{' at the start of the header") != std::string::npos);
  CHECK(refusal("{" + kOne + "} x", 8) == "the header is not valid JSON at byte 55: more text after the header's object");
  CHECK(refusal("{" + kOne + "," + kOne + "}", 8).find("the key \"a\" appears twice in one object") != std::string::npos);
  CHECK(refusal("{" + kOne, 8).find("expected ',' or '}' in an object") != std::string::npos);
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8).find("not an integer") != std::string::npos);
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8).find("a negative number") != std::string::npos);
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}})", 8).find("leading zero") != std::string::npos);
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}})", 8).find("too large") !=
        std::string::npos);
  CHECK(refusal(R"({"a\q":1})", 8).find("an unknown escape \\q") != std::string::npos);
  CHECK(refusal(R"({"\udc00":1})", 8).find("lone low surrogate") != std::string::npos);
  CHECK(refusal("{\"a\xff\":1}", 8) == "the header is not valid JSON at byte 3: a byte that is not UTF-8");
  CHECK(refusal("{\"a\nb\":1}", 8).find("a control character inside a string") != std::string::npos);
  CHECK(refusal(R"({"__metadata__":{"k":1}})", 0).find("expected a string value in \"__metadata__\"") != std::string::npos);
  CHECK(refusal(R"({"a":null})", 0).find("expected an object {\"dtype\", \"shape\", \"data_offsets\"} for a tensor") !=
        std::string::npos);
}

TEST_CASE("entries that break safetensors' rules are refused naming the tensor", "[jit][safetensors]") {
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}})", 8) ==
        "tensor \"a\" has an unknown field \"extra\" (an entry has dtype, shape and data_offsets)");
  CHECK(refusal(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", 8) == "tensor \"a\" has no shape");
  CHECK(refusal(R"({"a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}})", 4) ==
        "tensor \"a\" has dtype I16, which no tensor type here holds (F32, F64, F16, BF16, I64, I32, U8 and BOOL are read)");
  CHECK(refusal(R"({"a":{"dtype":"float","shape":[2],"data_offsets":[0,4]}})", 4).find("\"float\", not a safetensors dtype") !=
        std::string::npos);
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}})", 9) ==
        "tensor \"a\" has 3 data_offsets, not two (begin and end)");
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8) ==
        "tensor \"a\" has data_offsets [8, 0] that end before they begin");
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8) ==
        "tensor \"a\" has data_offsets 0..8 (8 bytes) but its shape and dtype need 12 bytes");
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 6) ==
        "tensor \"a\" has data_offsets 0..8 past the end of the data (6 bytes): the file is cut short");
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}})", 10) ==
        "tensors \"a\" (bytes 0..8) and \"b\" (bytes 6..10) overlap");
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12) ==
        "bytes 0..4 of the data belong to no tensor");
  CHECK(refusal(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 10) ==
        "2 bytes after the last tensor's data (the data has 10 bytes, the tensors cover 8)");
  CHECK(refusal(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8) ==
        "tensor \"a\" has a shape whose size overflows");
  CHECK(refusal(R"({"a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}})", 1) ==
        "tensor \"a\" has 9 dimensions; tensors here have at most 8");
}
