// Data.save_png writes PNGs that libpng reads back pixel for pixel (RGB, grayscale, RGBA, and
// a view with gaps), replaces an existing file whole, and rejects what is not an image.
#include <catch2/catch.hpp>
#include <png.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dsl/driver/driver.hpp"

namespace fs = std::filesystem;

namespace {

struct Decoded {
  png_uint_32 width = 0, height = 0, channels = 0;
  std::vector<unsigned char> pixels;
};

// The file's pixels in its own format (gray, RGB or RGBA), as libpng decodes them.
Decoded read_png(const fs::path& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&image, path.c_str()) != 0);
  Decoded d;
  d.width = image.width;
  d.height = image.height;
  d.channels = PNG_IMAGE_SAMPLE_CHANNELS(image.format);
  d.pixels.resize(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr) != 0);
  return d;
}

}  // namespace

TEST_CASE("save_png writes what libpng reads back", "[data][png]") {
  fs::path dir = fs::temp_directory_path() / ("tsr_png_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  tsr::Driver d;
  REQUIRE(d.load_base() == 0);
  std::string folder = dir.string();
  tsr::Value last;
  // Pixel (i, j, c) holds (7i + 3j + 50c) mod 256 (1-based), so every position is checked.
  REQUIRE(d.run_source("png.tsr", R"(
    using Data
    folder = ")" + folder + R"("
    rgb = zeros(UInt8, 5, 7, 3)
    for i in 1:5, j in 1:7, c in 1:3
        rgb[i, j, c] = UInt8((7i + 3j + 50c) % 256)
    end
    save_png(folder * "/rgb.png", zeros(UInt8, 2, 2, 3))   # replaced by the next save
    save_png(folder * "/rgb.png", rgb)
    save_png(folder * "/gray.png", rgb[:, :, 2])           # a view with gaps
    save_png(folder * "/rgba.png", zeros(UInt8, 3, 4, 4) .+ 0x10)
    bad = 0
    for (img, name) in ((zeros(Float32, 4, 4, 3), "float"), (zeros(UInt8, 4, 4, 2), "two channels"),
                        (zeros(UInt8, 4), "1-d"), (zeros(UInt8, 0, 4), "empty"), (1, "number"))
        try
            save_png(folder * "/bad.png", img)
        catch e
            bad += e isa ArgumentError ? 1 : 0
        end
    end
    missing_folder = try save_png(folder * "/no/such/x.png", rgb); false catch e; e isa SystemError end
    (bad, missing_folder)
  )", &last) == 0);
  CHECK(last.as_struct().fields[0].as_int() == 5);
  CHECK(last.as_struct().fields[1].as_bool());
  Decoded rgb = read_png(dir / "rgb.png");
  REQUIRE(rgb.width == 7);
  REQUIRE(rgb.height == 5);
  REQUIRE(rgb.channels == 3);
  for (int i = 1; i <= 5; ++i)
    for (int j = 1; j <= 7; ++j)
      for (int c = 1; c <= 3; ++c)
        CHECK(int(rgb.pixels[((i - 1) * 7 + (j - 1)) * 3 + (c - 1)]) == (7 * i + 3 * j + 50 * c) % 256);
  Decoded gray = read_png(dir / "gray.png");
  REQUIRE(gray.channels == 1);
  for (int i = 1; i <= 5; ++i)
    for (int j = 1; j <= 7; ++j) CHECK(int(gray.pixels[(i - 1) * 7 + (j - 1)]) == (7 * i + 3 * j + 100) % 256);
  Decoded rgba = read_png(dir / "rgba.png");
  CHECK(rgba.channels == 4);
  CHECK(rgba.width == 4);
  CHECK(rgba.pixels[0] == 0x10);
  CHECK_FALSE(fs::exists(dir / "bad.png"));
  // No temporary file stays behind.
  int files = 0;
  for (const auto& f : fs::directory_iterator(dir)) files += f.path().filename().string()[0] == '.' ? 100 : 1;
  CHECK(files == 3);
  fs::remove_all(dir);
}
