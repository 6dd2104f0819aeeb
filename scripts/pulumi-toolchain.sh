#!/usr/bin/env bash
# `make toolchain`: the Pulumi engine the tests and the demo run (`pulumi preview/up/refresh/destroy`).
#
# A machine with a `pulumi` CLI installed the normal way (Pulumi's installer) uses it when it is at least as new
# as the project's `pulumi` Python SDK. Otherwise this builds, from the Go module proxy, into .pulumi-toolchain/bin:
#   pulumi                          the CLI, github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at the version toolchain/go.mod pins
#   pulumi-language-python          the Python language host: our own (toolchain/cmd/pulumi-language-python says why)
#   pulumi-language-python-exec     the runner script the host starts, taken from the SDK module at the same version
#   pulumi-resource-pulumi-python   shims (toolchain/shims): the Python dynamic-provider host and the policy-pack
#   pulumi-analyzer-policy-python   launcher, each a few lines of sh starting `python -m ...` in the right virtualenv
# and the provider plugins of the Python provider packages the virtualenv holds (pulumi_random, pulumi_azuread) when
# the proxy serves their Go modules at those exact versions; what it cannot build is listed, with the reason, in
# .pulumi-toolchain/unavailable.
#
# A stamp (the inputs' hash) makes a second run a no-op that prints nothing; the Go build and module caches are the
# usual ones (GOCACHE, GOMODCACHE), so even a rebuild after a change mostly links. The first build takes minutes on
# two cores; a line per binary says how long it took.
#
# PULUMI_TOOLCHAIN_BUILD=1 builds even where a `pulumi` is installed.
#
# The engine then wants PATH starting with .pulumi-toolchain/bin (the language host and the shims are also found
# next to `pulumi`; provider plugins only on PATH), and, as nothing can be downloaded here,
# PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true and PULUMI_SKIP_UPDATE_CHECK=true.
set -euo pipefail
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$SELF")/.."
ROOT=$PWD
OUT=$ROOT/.pulumi-toolchain
BIN=$OUT/bin
VENV=${VENV:-.venv}
say() { echo "pulumi-toolchain: $*"; }
die() { echo "pulumi-toolchain: $*" >&2; exit 1; }

CLI_VERSION=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' toolchain/go.mod)
[ -n "$CLI_VERSION" ] || die "toolchain/go.mod does not require github.com/pulumi/pulumi/pkg/v3"

venv_python=$ROOT/$VENV/bin/python
# dist_version DIST: the version of a Python distribution installed in the project's virtualenv, or nothing.
dist_version() {
    [ -x "$venv_python" ] || return 0
    "$venv_python" -c 'import importlib.metadata as m, sys
try: print(m.version(sys.argv[1]))
except m.PackageNotFoundError: pass' "$1"
}
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# 1. A CLI the user installed.
sdk_version=$(dist_version pulumi)
if [ -z "${PULUMI_TOOLCHAIN_BUILD:-}" ] && installed=$(command -v pulumi) && [ "$installed" != "$BIN/pulumi" ]; then
    v=$("$installed" version 2>/dev/null || true)
    v=${v#v}
    if [ -n "$v" ] && version_ge "$v" "${sdk_version:-${CLI_VERSION#v}}" && [ "${v%%.*}" = 3 ]; then
        exit 0 # it brings its own language hosts and downloads provider plugins itself
    fi
    say "ignoring $installed ($v): older than the pulumi SDK ${sdk_version:-${CLI_VERSION#v}} the project uses"
fi

# 2. Build.
GO=$(command -v go || true)
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
[ -n "$GO" ] || die "no pulumi CLI and no Go to build one: install Pulumi (https://www.pulumi.com/docs/install/) or Go >= 1.26"

# Provider plugins to build: name, Go module, version (that of the Python package in the virtualenv).
providers=()
for spec in "random github.com/pulumi/pulumi-random/provider/v4 pulumi_random" \
    "azuread github.com/pulumi/pulumi-azuread/provider/v6 pulumi_azuread"; do
    read -r name module dist <<<"$spec"
    v=$(dist_version "$dist")
    [ -n "$v" ] && providers+=("$name $module v$v")
done

hash() { sha256sum | cut -d' ' -f1; }
go_inputs=$( { echo "$CLI_VERSION"; "$GO" env GOVERSION GOOS GOARCH; cat toolchain/go.mod toolchain/go.sum; } | hash)
host_sources=$(find toolchain/cmd -name '*.go' -print0 | sort -z | xargs -0 cat | hash)
stamp=$(echo "$go_inputs $host_sources ${providers[*]}" | cat - "$SELF" toolchain/shims/* | hash)
if [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi

mkdir -p "$BIN" "$OUT/stamps"
rm -f "$OUT/stamp" "$OUT/unavailable"
export CGO_ENABLED=0
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$CLI_VERSION"
gobuild() { # gobuild NAME PACKAGE KEY: a lean static binary (no symbols, no cgo, reproducible paths), unless built from KEY
    local name=$1 pkg=$2 key=$3 t0=$SECONDS
    if [ -x "$BIN/$name" ] && [ "$(cat "$OUT/stamps/$name" 2>/dev/null)" = "$key" ]; then
        return 0
    fi
    say "building $name $CLI_VERSION ..."
    (cd toolchain && "$GO" build -trimpath -ldflags "$ldflags" -o "$BIN/.$name.tmp" "$pkg")
    mv -f "$BIN/.$name.tmp" "$BIN/$name"
    echo "$key" >"$OUT/stamps/$name"
    say "built $name in $((SECONDS - t0))s"
}

t_all=$SECONDS
t0=$SECONDS
say "downloading the Go modules of pulumi $CLI_VERSION (GOMODCACHE=$("$GO" env GOMODCACHE)) ..."
(cd toolchain && "$GO" mod download)
say "modules ready in $((SECONDS - t0))s"

gobuild pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$go_inputs"
gobuild pulumi-language-python ./cmd/pulumi-language-python "$go_inputs $host_sources"
sdk_dir=$(cd toolchain && "$GO" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0644 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
install -m 0755 toolchain/shims/pulumi-resource-pulumi-python toolchain/shims/pulumi-analyzer-policy-python "$BIN/"

# Provider plugins. The engine finds `pulumi-resource-<name>` on PATH (PULUMI_IGNORE_AMBIENT_PLUGINS unset).
: >"$OUT/unavailable"
for p in "${providers[@]}"; do
    read -r name module version <<<"$p"
    t0=$SECONDS
    if ! err=$("$GO" mod download -json "$module@$version" 2>&1); then
        reason=$(printf '%s\n' "$err" | sed -n 's/.*"Error": "\(.*\)".*/\1/p' | head -n1 |
            sed 's/^.*: reading [^ ]*: //; s/\\n\\t/ /g')
        reason=${reason:-$(printf '%s\n' "$err" | tail -n1)}
        printf '%s %s go mod download -json %s@%s: %s\n' "$name" "$version" "$module" "$version" "$reason" \
            >>"$OUT/unavailable"
        say "pulumi-resource-$name $version not built: the Go module proxy refuses $module@$version ($reason)"
        continue
    fi
    # Served: the module's go.mod has local replaces (./shim, a module of its own that the zip leaves out) and
    # its main package embeds generated files; neither has been seen served here, so say so rather than guess.
    printf '%s %s %s@%s is served but building it is not scripted yet\n' "$name" "$version" "$module" "$version" \
        >>"$OUT/unavailable"
    say "pulumi-resource-$name $version: $module@$version is served now; building it is not scripted yet ($((SECONDS - t0))s)"
done

echo "$stamp" >"$OUT/stamp"
say "done in $((SECONDS - t_all))s: $BIN (put it first on PATH)"
