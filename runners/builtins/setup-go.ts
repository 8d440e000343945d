import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import type { RunStores } from "../services/index.js";
import { restoreToolchainCache, saveToolchainCache } from "./toolchain-cache.js";
import { ToolchainError, chooseVersion, imageOsPart, isTrue, readWorkspaceFile, run, warnUnknownInputs } from "./toolchain-setup.js";
import type { ToolchainMismatch } from "./toolchain-setup.js";
import { goAsk, goVersionFile } from "./toolchain-versions.js";
import type { VersionAsk } from "./toolchain-versions.js";

// actions/setup-go@v5/v6 on the job image's Go (replay's go image, Debian's Go, laid out in
// the tool cache as setup-go looks for it): the version asked is checked against it, its
// bin and `go env GOPATH`/bin go on PATH (GOROOT is set only for Go < 1.9, as setup-go
// does), `go-version` is the output, and `cache` (on by default) keeps the module and
// build caches in the run's cache store.

const INPUTS = ["go-version", "go-version-file", "check-latest", "token", "cache", "cache-dependency-path", "architecture", "go-download-base-url"];

async function versionAsk(host: StepHost): Promise<VersionAsk | undefined> {
  const direct = host.inputs["go-version"]?.trim() ?? "";
  const file = host.inputs["go-version-file"]?.trim() ?? "";
  if (direct && file) host.warn("Both go-version and go-version-file inputs are specified, only go-version will be used");
  if (direct) return goAsk(direct);
  if (!file) return undefined;
  const text = await readWorkspaceFile(host, file);
  if (text === undefined) throw new ToolchainError(`The specified go version file at: ${file} does not exist`);
  const ask = goVersionFile(file, text);
  if (!ask) throw new ToolchainError(`${file} names no Go version (no go or toolchain line)`);
  return ask;
}

/** The Go versions of the image: its tool cache's (as setup-go finds them) and the go on PATH; version → GOROOT. */
async function imageGos(host: StepHost): Promise<Map<string, string>> {
  const tc = `${host.paths.toolCache}/go`;
  const listed = await run(host, `for d in "${tc}"/*/x64; do [ -f "$d.complete" ] && echo "$(basename "$(dirname "$d")") $d"; done; command -v go >/dev/null && echo "$(go env GOVERSION | sed 's/^go//') $(go env GOROOT)"; true`);
  const gos = new Map<string, string>();
  for (const line of listed.out.split("\n")) {
    const [version, root] = line.trim().split(" ");
    if (version && root && !version.includes("*") && !gos.has(version)) gos.set(version, root);
  }
  return gos;
}

export const setupGo = (stores: RunStores, policy: ToolchainMismatch = "fail"): BuiltinAction => ({
  name: "actions/setup-go",
  async main(host) {
    warnUnknownInputs(host, "actions/setup-go", INPUTS);
    const arch = (await run(host, "uname -m")).out === "aarch64" ? "arm64" : "x64";
    const wanted = host.inputs["architecture"]?.trim();
    if (wanted && wanted !== arch) host.warn(`architecture ${wanted} is not this job's (${arch}): replay uses the image's Go for ${arch}`);
    if (isTrue(host.inputs["check-latest"])) host.warn("check-latest: replay cannot ask go.dev for the newest release; it takes the image's Go");
    let goBin: string | undefined;
    try {
      const ask = await versionAsk(host);
      if (ask) {
        host.log(`Setup go version spec ${ask.text}`);
        const gos = await imageGos(host);
        const version = chooseVersion(host, { tool: "Go", ask, versions: [...gos.keys()], policy, image: host.cell.image });
        const root = gos.get(version) ?? "";
        host.log(`Found in cache @ ${root}`);
        goBin = `${root}/bin`;
        host.addPath(goBin);
        host.log("Added go to the path");
        if (/^1\.[0-8](\.|$)/.test(version)) host.exportVariable("GOROOT", root);
        host.log(`Successfully set up Go version ${ask.text}`);
      } else {
        host.warn("go-version input was not specified. The action will try to use pre-installed version.");
      }
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    const env = goBin ? { PATH: `${goBin}:${host.env["PATH"] ?? ""}` } : {};
    const gopath = await run(host, 'gp=$(go env GOPATH) && mkdir -p "$gp/bin" && echo "$gp"', env);
    if (gopath.ok && gopath.out) host.addPath(`${gopath.out}/bin`);
    const version = await run(host, "go version", env);
    if (!version.ok) {
      host.log("##[error]go is not on PATH in the job's image: run the job in replay's go image (it is chosen for jobs that use actions/setup-go) or map it with --image");
      return false;
    }
    host.log(version.out);
    const goVersion = version.out.split(" ")[2]?.replace(/^go/, "") ?? "";
    host.setOutput("go-version", goVersion);
    if (!isTrue(host.inputs["cache"] ?? "true")) return true;
    const dirs = await run(host, "go env GOMODCACHE GOCACHE", env);
    const imageOs = await imageOsPart(host);
    const dependencyFiles = (host.inputs["cache-dependency-path"]?.trim() || "go.sum").split("\n").map((l) => l.trim()).filter(Boolean);
    return restoreToolchainCache(host, stores, {
      paths: dirs.out.split("\n").map((l) => l.trim()).filter(Boolean),
      keyPrefix: `setup-go-${host.env["RUNNER_OS"] || "Linux"}-${arch}-${imageOs}go-${goVersion}`,
      dependencyFiles,
      missing: { level: "warning", message: `Restore cache failed: Dependencies file is not found in ${host.workspace}. Supported file pattern: ${dependencyFiles.join(", ")}` },
    });
  },
  post: (host) => saveToolchainCache(host, stores),
});
