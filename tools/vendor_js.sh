#!/usr/bin/env bash
# Copy the JavaScript the book serves itself into .vendor/ (git-ignored).
#
# Why: the built book must typeset maths (MathJax 3) and show stored widget
# state (ipywidgets' HTML manager + RequireJS) with no internet, so we ship
# the files instead of pointing at a CDN. _config.yml adds .vendor/ to
# html_static_path, so everything below ends up in _build/html/_static/.
#
# Idempotent: `npm ci` runs only when node_modules/ is missing or was
# installed from a different package-lock.json; .vendor/ is rebuilt from
# scratch every time (it is small and the copy takes well under a second).
#
# Usage: tools/vendor_js.sh   (from anywhere; needs node + npm the first time)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

nm="$root/node_modules"
vendor="$root/.vendor"
stamp="$nm/.aelab-package-lock.sha256"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"

if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
    echo "vendor_js: installing npm packages (npm ci)"
    # --ignore-scripts: we only copy files, no package needs to build anything.
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    echo "$lock_sum" > "$stamp"
fi

tmp="$(mktemp -d "$root/.vendor.tmp.XXXXXX")"
chmod 755 "$tmp"  # mktemp makes it private; the book is served to others
trap 'rm -rf "$tmp"' EXIT

# --- MathJax 3: the tex-chtml component (TeX input, CommonHTML output, menu
# and assistive MathML in one file), its web fonts, and the TeX extensions it
# autoloads on first use (\boldsymbol, \cancel, mathtools, ...). Not copied:
# the speech rule engine and explorer (4 MB, loaded only if a reader turns on
# speech in MathJax's menu) and the other input/output components.
mj="$nm/mathjax/es5"
mkdir -p "$tmp/mathjax/output/chtml/fonts" "$tmp/mathjax/input/tex"
cp "$mj/tex-chtml.js" "$tmp/mathjax/"
cp -r "$mj/output/chtml/fonts/woff-v2" "$tmp/mathjax/output/chtml/fonts/"
cp -r "$mj/input/tex/extensions" "$tmp/mathjax/input/tex/"
cp "$nm/mathjax/LICENSE" "$tmp/mathjax/LICENSE"

# --- Jupyter widgets: RequireJS + the embed-amd bundle of
# @jupyter-widgets/html-manager 1.x (base, controls, output for ipywidgets 8)
# and the Font Awesome web fonts its CSS refers to (woff2/woff are enough
# for every current browser).
hm="$nm/@jupyter-widgets/html-manager"
mkdir -p "$tmp/jupyter-widgets"
cp "$nm/requirejs/require.js" "$tmp/jupyter-widgets/require.js"
cp "$hm/dist/embed-amd.js" "$tmp/jupyter-widgets/"
cp "$hm"/dist/*.woff2 "$hm"/dist/*.woff "$tmp/jupyter-widgets/"

# Glue between the two, loaded after require.js and before embed-amd.js
# (see nb_ipywidgets_js in _config.yml). Ours, not third-party.
cat > "$tmp/jupyter-widgets/aelab-widgets-setup.js" <<'EOF'
// Written by tools/vendor_js.sh. Two fixes so stored widgets render offline.
(function () {
  "use strict";
  // 1. Each module of the embed bundle finds its icon fonts next to the URL
  //    RequireJS gives that module ("@jupyter-widgets/controls", ...); by
  //    default that is relative to the page. Point them all at this folder.
  var here = document.currentScript.src.replace(/[^/]*$/, "").replace(/\/$/, "");
  window.require.config({
    paths: { "@jupyter-widgets/html-manager/dist": here, "@jupyter-widgets": here },
  });

  // 2. ipywidgets typesets widget labels with MathJax 2's MathJax.Hub.Queue;
  //    the book loads MathJax 3. Forward such calls to MathJax 3.
  function queue(command) {
    var mj = window.MathJax;
    var element = command && command[2];
    if (!mj || typeof mj.typesetPromise !== "function") return;
    var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
    ready
      .then(function () { return mj.typesetPromise(element ? [element] : undefined); })
      .catch(function (err) { console.warn("aelab: could not typeset a widget label", err); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    // MathJax 3 (a deferred script) has replaced its configuration object by now.
    var mj = window.MathJax;
    if (mj && mj.version && !mj.Hub) mj.Hub = { Queue: queue };
  });
})();
EOF

# Say what was copied, from which version, under which licence.
{
    echo "Third-party files copied by tools/vendor_js.sh from node_modules/:"
    for pkg in mathjax @jupyter-widgets/html-manager requirejs; do
        # shellcheck disable=SC2016  # the backticks are JavaScript, not shell
        node -e 'const p = require(process.argv[1]);
                 console.log(`- ${p.name} ${p.version} (${p.license}) ${p.homepage || ""}`);' \
            "$nm/$pkg/package.json"
    done
} > "$tmp/NOTICE.txt"

rm -rf "$vendor"
mv "$tmp" "$vendor"
trap - EXIT
echo "vendor_js: $(du -sh "$vendor" | cut -f1) in .vendor/"
