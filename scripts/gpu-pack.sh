#!/usr/bin/env bash
# Packs a build made here for a GPU machine that cannot build Tessera (no LLVM 19 there, such
# as the CUDA image the `device` tool lends): into .dev/ (ignored by git) go tsr and
# cublas_yardstick, the shared libraries they need beyond glibc and libstdc++ (libLLVM-19 and
# its dependencies; libxml2 and libz3, which LLVM needs only for Windows manifests and its Z3
# solver, as empty stand-ins, which keeps the pack small), and the Fashion-MNIST files.
# scripts/gpu-run-packed.sh runs the GPU checks from it there.
#   scripts/gpu-pack.sh [build-dir]        (then carry .dev, about 56 MiB)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out="$root/.dev"; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
grep -qx '/.dev/' "$root/.git/info/exclude" 2>/dev/null || { mkdir -p "$root/.git/info"; echo /.dev/ >> "$root/.git/info/exclude"; }
mkdir -p "$out/data" "$work/lib" "$work/bin"
cp "$build/dsl/tsr" "$build/bench/cublas_yardstick" "$work/bin/" && strip "$work/bin/tsr"
for lib in $(ldd "$build/dsl/tsr" | awk '/=>/ {print $3}'); do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|libxml2.so*|libz3.so*|libicu*) ;;
    *) cp -L "$lib" "$work/lib/" ;;
  esac
done
# The stand-ins: the symbol versions LLVM asks of libxml2, and its one data symbol.
printf 'void* xmlFree = 0;\n' > "$work/xml2.c"
printf 'LIBXML2_2.4.30 { global: xmlFree; local: *; };\nLIBXML2_2.6.0 { } LIBXML2_2.4.30;\n' > "$work/xml2.map"
gcc -shared -fPIC -o "$work/lib/libxml2.so.2" -Wl,-soname,libxml2.so.2 -Wl,--version-script="$work/xml2.map" "$work/xml2.c"
printf 'void tsr_no_z3(void) {}\n' > "$work/z3.c"
gcc -shared -fPIC -o "$work/lib/libz3.so.4" -Wl,-soname,libz3.so.4 "$work/z3.c"
LD_LIBRARY_PATH="$work/lib" "$work/bin/tsr" -e 'print(1 + 1)' > /dev/null || { echo "tsr does not run with the packed libraries"; exit 1; }
tar -C "$work" -cJf "$out/lib.tar.xz" lib
tar -C "$work" -cJf "$out/bin.tar.xz" bin
cp -r /usr/share/datasets/fashion-mnist "$out/data/" 2>/dev/null || echo "no Fashion-MNIST files here: the MLP epoch will say so"
cp "$root/scripts/gpu-run-packed.sh" "$out/run.sh"
du -sh "$out"
