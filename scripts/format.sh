#!/usr/bin/env bash
# clang-format over the tree.  scripts/format.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cc' '*.h')
if [ "${1:-}" = --check ]; then
  clang-format --dry-run --Werror $files && echo "format: 1 passed, 0 failed"
else
  clang-format -i $files
fi
