// The PNG writer behind `Data.save_png` (stdlib/Data/png.tsr): `__write_png(path, img)` writes a
// UInt8 tensor laid out (H, W) as grayscale, (H, W, 3) as RGB or (H, W, 4) as RGBA, row-major
// (the layout of the tensor's memory is the layout of PNG rows). libpng's simplified API
// encodes into memory (no setjmp/longjmp crossing C++ frames); the bytes are then written to a
// temporary file and renamed over the path (atomic_file.hpp), so a reader never sees half a PNG.
#include <png.h>

#include <string>
#include <vector>

#include "jit/atomic_file.hpp"
#include "jit/builtin_registrar.hpp"
#include "runtime/errors.hpp"
#include "runtime/type_printer.hpp"

namespace tsr::jit {

namespace {

std::string shape_text(const TensorObject& t) {
  std::string s = "(";
  for (int i = 0; i < t.rank; ++i) s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + (t.rank == 1 ? ",)" : ")");
}

Value write_png(TypeRegistry& t, const std::string& path, const Value& img) {
  const char* expected = "save_png: the image is a UInt8 tensor (H, W) (grayscale), (H, W, 3) (RGB) or (H, W, 4) (RGBA)";
  if (!is_tensor(img)) throw ArgumentError(std::string(expected) + ", got a value of type " + show_type(img.type()));
  const TensorObject& obj = tensor_of(img);
  std::string got = ", got a " + shape_text(obj) + " " + show_type(img.type());
  if (obj.dtype != DType::UInt8)
    throw ArgumentError(std::string(expected) + got + " (convert floats in [0, 1] with round.(UInt8, clamp.(x, 0, 1) .* 255))");
  int channels = obj.rank == 2 ? 1 : obj.rank == 3 ? int(obj.shape[2]) : 0;
  if (channels != 1 && channels != 3 && channels != 4) throw ArgumentError(std::string(expected) + got);
  if (obj.rank == 3 && channels == 1) throw ArgumentError(std::string(expected) + got);
  if (obj.shape[0] < 1 || obj.shape[1] < 1 || obj.shape[0] > PNG_UINT_31_MAX || obj.shape[1] > PNG_UINT_31_MAX)
    throw ArgumentError("save_png: a PNG needs a height and width from 1 to 2^31 - 1" + got);
  if (obj.storage && obj.storage->device != Device::CPU)
    throw ArgumentError("save_png: the image is on the GPU; save cpu(img)");
  Value c = obj.contiguous() ? img : tensor_copy(t, img);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(obj.shape[1]);
  image.height = png_uint_32(obj.shape[0]);
  image.format = channels == 1 ? PNG_FORMAT_GRAY : channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  const void* pixels = tensor_of(c).data();
  png_alloc_size_t bytes = 0;
  // The first call measures the encoded size, the second encodes.
  if (!png_image_write_to_memory(&image, nullptr, &bytes, 0, pixels, 0, nullptr))
    throw ErrorException("save_png(\"" + path + "\"): libpng: " + image.message);
  std::vector<char> png(bytes);
  if (!png_image_write_to_memory(&image, png.data(), &bytes, 0, pixels, 0, nullptr))
    throw ErrorException("save_png(\"" + path + "\"): libpng: " + image.message);
  replace_file_atomically(path, "save_png", {{png.data(), bytes}});
  return Value::singleton(t.Nothing);
}

}  // namespace

void register_png_writer(Registrar& r) {
  TypeRegistry& t = r.t_;
  r.add("__write_png", {t.String, t.Any}, {"path", "img"}, t.Nothing,
        [&t](std::span<const Value> a) { return write_png(t, a[0].as_string(), a[1]); });
}

}  // namespace tsr::jit
