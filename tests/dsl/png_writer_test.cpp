// Data.save_png writes PNGs that libpng reads back pixel for pixel (RGB, grayscale, RGBA, and
// a view with gaps), replaces an existing file whole, and rejects what is not an image; and
// Data.show_batch draws a batch's images, masks, points and boxes where they belong.
#include <catch2/catch.hpp>
#include <png.h>

#include <filesystem>
#include <fstream>
#include <sstream>
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

TEST_CASE("show_batch draws images, masks, points and boxes in a grid", "[data][png]") {
  fs::path dir = fs::temp_directory_path() / ("tsr_show_batch_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  tsr::Driver d;
  REQUIRE(d.load_base() == 0);
  // Two 4x5 grey items magnified twice, 4-pixel gaps: cell (k) starts at canvas column
  // 5 + 14 (k - 1) and row 5. Item 2 has mask label 1 at pixel (row 2, column 3); item 1 a
  // point on pixel (1, 1); item 2 a box around its pixel (row 4, column 5).
  REQUIRE(d.run_source("show.tsr", R"(
    using Data
    imgs = TensorImage(fill(0.5f0, 2, 4, 5)); imgs[2, 1, 1] = 1f0
    masks = TensorMask(zeros(Int64, 2, 4, 5)); masks[2, 2, 3] = 1
    pts = TensorPoint(zeros(Float32, 2, 1, 2)); pts[1, 1, 1] = 1f0; pts[1, 1, 2] = 1f0; pts[2, 1, 1] = 6f0; pts[2, 1, 2] = 2f0
    boxes = TensorBBox(zeros(Float32, 2, 1, 4)); boxes[1, 1, :] .= -50f0; boxes[2, 1, 1] = 5f0; boxes[2, 1, 2] = 4f0
    boxes[2, 1, 3] = 5f0; boxes[2, 1, 4] = 4f0
    show_batch((imgs, masks, pts, boxes, ["first", "second"]), ")" + (dir / "grid.png").string() + R"("; scale = 2)
  )") == 0);
  Decoded g = read_png(dir / "grid.png");
  REQUIRE(g.channels == 3);
  REQUIRE(g.width == 32);   // 2 * (5 * 2 + 4) + 4
  REQUIRE(g.height == 16);  // 4 * 2 + 4 + 4
  auto px = [&](int row, int col, int c) { return int(g.pixels[((row - 1) * g.width + (col - 1)) * 3 + c]); };
  CHECK(px(1, 1, 0) == 255);                       // the background
  CHECK(px(12, 14, 0) == 128);                     // item 1, pixel (4, 5): grey 0.5
  CHECK(px(5, 19, 0) == 255);                      // item 2, pixel (1, 1): white
  CHECK(px(5, 19, 2) == 255);
  // Mask label 1 over grey: 0.55 * 0.5 + 0.45 * colour 1 (0.12, 0.47, 0.71).
  CHECK(px(8, 24, 0) == int(std::lround((0.55f * 0.5f + 0.45f * 0.12f) * 255)));
  CHECK(px(8, 24, 2) == int(std::lround((0.55f * 0.5f + 0.45f * 0.71f) * 255)));
  CHECK(px(10, 24, 0) == 128);                     // no label below it
  CHECK(px(6, 6, 0) == 255);                       // item 1's point: a yellow dot at (6, 6)
  CHECK(px(6, 6, 1) == 240);
  CHECK(px(6, 6, 2) == 0);
  CHECK(px(8, 8, 0) == 0);                         // its dark rim
  CHECK(px(8, 30, 2) == 255);                      // item 2's point (6, 2) is off its image: not drawn
  // Item 2's box around its pixel (4, 5), canvas rows 11-12 and columns 27-28: green edges.
  CHECK(px(11, 27, 1) == 255);
  CHECK(px(12, 28, 0) == 0x20);
  CHECK(px(11, 27, 0) == 0x20);
  std::ifstream captions(dir / "grid.png.txt");
  std::stringstream text;
  text << captions.rdbuf();
  CHECK(text.str() == "1: first\n2: second\n");
  fs::remove_all(dir);
}
