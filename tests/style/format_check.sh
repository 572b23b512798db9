#!/usr/bin/env bash
# Fails when clang-format (the repo's .clang-format) would change any tracked C++ file, and
# names the files and the first differing lines. `make format` fixes them.
set -euo pipefail
root="${1:?usage: format_check.sh SOURCE_DIR}"
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format not installed (make setup)"; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
else
  mapfile -t files < <(find core sdk plugins tests bench -name '*.cpp' -o -name '*.hpp' -o -name '*.h')
fi
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! out=$(clang-format --dry-run -Werror "$f" 2>&1); then
    bad=$((bad + 1))
    echo "$out" | head -n 6
  fi
done
if [ "$bad" -ne 0 ]; then
  echo "format: $bad of ${#files[@]} files differ from .clang-format; run 'make format'"
  exit 1
fi
echo "format: ${#files[@]} files match .clang-format"
