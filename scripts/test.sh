#!/usr/bin/env bash
# Every check of the workspace: formatting, clippy (warnings are errors), and all tests
# (unit, integration, doc tests, and the examples run end to end by api/tests/examples.rs),
# then the Python package's pytest suite.
#
# Runs every step even when an earlier one fails, then prints a summary; exits non-zero if any
# step failed. Builds go to $CARGO_TARGET_DIR when it is set, else to ./target.
# Extra arguments are passed to `cargo test` (e.g. `scripts/test.sh -- --nocapture`).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "test.sh: cargo not found; install Rust with rustup (https://rustup.rs)" >&2
    exit 2
fi

# A minimal rustup profile has neither rustfmt nor clippy.
for component in rustfmt clippy; do
    probe=("cargo" "fmt" "--version")
    [ "$component" = clippy ] && probe=("cargo" "clippy" "--version")
    if ! "${probe[@]}" >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
            echo "test.sh: installing the $component component with rustup"
            rustup component add "$component"
        fi
    fi
done

names=()
results=()
times=()
failed=0

step() {
    local name="$1"
    shift
    echo
    echo "==> $name: $*"
    local start=$SECONDS
    if "$@"; then
        results+=("ok")
    else
        results+=("FAILED")
        failed=1
    fi
    names+=("$name")
    times+=("$((SECONDS - start))s")
}

# The Python tools of the SQL tests, in a virtual environment under the target directory:
# tpchgen-cli generates the TPC-H data and DuckDB computes the reference answers
# (api/tests/integration/tpch.rs); moto_server is the S3 server of the object store tests
# (api/tests/integration/moto.rs, python/tests/test_s3.py). The tests find the environment through EMBER_PYTHON and
# fail, not skip, when it is missing.
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target_dir"
venv="$(cd "$target_dir" && pwd)/py-venv"
python_tools() {
    if "$venv/bin/python" -c 'import duckdb, sys; sys.exit(duckdb.__version__ != "2.0.0")' \
        2>/dev/null && [ -x "$venv/bin/tpchgen-cli" ] && [ -x "$venv/bin/moto_server" ]; then
        return 0
    fi
    python3 -m venv "$venv" &&
        "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb==2.0.0 tpchgen-cli==4.0.0 \
            'moto[server]==5.2.5'
}
# pyspark's example programs, which python/tests/test_submit.py runs through ember-submit: the
# deps/examples directory of pyspark's source distribution, downloaded once (455 MB, checked
# against its SHA-256), extracted alone, the archive deleted. The tests find the directory
# through EMBER_PYSPARK_EXAMPLES and fail, not skip, when it is missing.
pyspark_version=4.3.0
pyspark_sha256=e8c517948eff7088a7aa07449aa8eafa4a15a8d50319de2525a6fd26622476c6
pyspark_root="$(cd "$target_dir" && pwd)/pyspark-examples"
export EMBER_PYSPARK_EXAMPLES="$pyspark_root/pyspark-$pyspark_version/deps/examples"
pyspark_examples() {
    [ -f "$EMBER_PYSPARK_EXAMPLES/wordcount.py" ] && return 0
    local download="$pyspark_root/download"
    local sdist="$download/pyspark-$pyspark_version.tar.gz"
    rm -rf "$download" && mkdir -p "$download/extract" &&
        "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
            -d "$download" "pyspark==$pyspark_version" &&
        echo "$pyspark_sha256  $sdist" | sha256sum --check --quiet &&
        tar -xzf "$sdist" -C "$download/extract" "pyspark-$pyspark_version/deps/examples" &&
        rm -rf "$pyspark_root/pyspark-$pyspark_version" &&
        mv "$download/extract/pyspark-$pyspark_version" "$pyspark_root/" &&
        rm -rf "$download"
    local status=$?
    rm -rf "$download"
    return "$status"
}
python_step() { python_tools && pyspark_examples; }
step python python_step

# Debian packages of the web UI tests (issue 7): headless Chromium and ChromeDriver for the
# browser tests, and promtool (package prometheus), which checks every /metrics exposition.
# The tests find them on PATH and fail, not skip, when they are missing.
debian_packages() {
    local missing=0 tool
    for tool in chromium chromedriver promtool; do
        command -v "$tool" >/dev/null 2>&1 || missing=1
    done
    [ "$missing" -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "test.sh: chromium, chromedriver or promtool is missing, and installing them needs root or sudo" >&2
            return 1
        fi
        sudo=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: chromium, chromedriver or promtool is missing, and apt-get is not here to install them" >&2
        return 1
    fi
    echo "test.sh: installing chromium chromium-driver prometheus with apt-get"
    "${sudo[@]}" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
            chromium chromium-driver prometheus || {
        echo "test.sh: apt-get could not install chromium chromium-driver prometheus" >&2
        return 1
    }
    for tool in chromium chromedriver promtool; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "test.sh: $tool is still missing after apt-get" >&2
            return 1
        }
    done
}
step packages debian_packages
export EMBER_PYTHON="$venv/bin/python"
export PATH="$venv/bin:$PATH"

step fmt cargo fmt --all -- --check
step clippy cargo clippy --workspace --all-targets -- -D warnings
step doc env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
test_log=$(mktemp)
trap 'rm -f "$test_log"' EXIT
run_tests() {
    cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$test_log"
    return "${PIPESTATUS[0]}"
}
step test run_tests "$@"

# The Python package (python/, issue 4): built with maturin (debug profile, so it shares the
# dependencies `cargo test` compiles) into its own virtual environment (with pyarrow, pandas and
# numpy, which ember.sql uses), then its pytest suite (tests/ and the doctests of the ember
# package; tests/test_submit.py runs pyspark's examples through the ember-submit script).
py_venv="$(cd "$target_dir" && pwd)/ember-pyenv"
# The `ember` binary `cargo test` built, for the standalone-cluster test
# (python/tests/test_cluster_standalone.py starts `ember master` and `ember worker`).
export EMBER_BIN="$(cd "$target_dir" && pwd)/debug/ember"
python_package() {
    if ! [ -x "$py_venv/bin/maturin" ] ||
        ! "$py_venv/bin/python" -c 'import cloudpickle, pytest, pyarrow, pandas, numpy' 2>/dev/null; then
        python3 -m venv "$py_venv" &&
            "$py_venv/bin/pip" install --quiet --disable-pip-version-check \
                maturin cloudpickle pytest pyarrow pandas numpy ||
            return 1
    fi
    (cd python && VIRTUAL_ENV="$py_venv" "$py_venv/bin/maturin" develop --quiet &&
        "$py_venv/bin/python" -m pytest -q -p no:cacheprovider)
}
step pytest python_package

echo
echo "==> summary (target dir: ${CARGO_TARGET_DIR:-./target})"
for i in "${!names[@]}"; do
    printf '    %-8s %-7s %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
done
# Totals over every test binary, as one closing line.
totals=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
              END { printf "%d passed, %d failed", p, f }' "$test_log")
if [ "$failed" -ne 0 ]; then
    echo "FAILED"
    echo "$totals"
    exit 1
fi
echo "all checks passed"
echo "$totals"
