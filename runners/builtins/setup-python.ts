import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import type { RunStores } from "../services/index.js";
import { restoreToolchainCache, saveToolchainCache } from "./toolchain-cache.js";
import { ToolchainError, chooseVersion, imageOsPart, isTrue, readWorkspaceFile, run, warnUnknownInputs } from "./toolchain-setup.js";
import type { ToolchainMismatch } from "./toolchain-setup.js";
import { pythonAsk, pythonVersionFile } from "./toolchain-versions.js";

// actions/setup-python@v5/v6 on the job image's CPython (the runner image's Debian
// python3): the version asked is checked against it, and, as setup-python's Python lives
// in the tool cache, the built-in makes one there: a venv of the image's Python with pip
// and setuptools from Debian's wheels (0.5 s; `pip install` works in it, as it does on
// GitHub, where Debian's own python3 refuses: PEP 668). pythonLocation, Python*_ROOT_DIR,
// PKG_CONFIG_PATH, LD_LIBRARY_PATH and PATH are set as setup-python sets them.

const INPUTS = ["python-version", "python-version-file", "cache", "architecture", "check-latest", "token", "cache-dependency-path", "update-environment", "allow-prereleases", "freethreaded", "pip-version", "pip-install"];

const CACHES: Record<string, { dir: string; patterns: string[] }> = {
  pip: { dir: "python -m pip cache dir", patterns: ["**/requirements.txt"] },
  pipenv: { dir: 'echo "$HOME/.local/share/virtualenvs"', patterns: ["**/Pipfile.lock"] },
  poetry: { dir: "poetry config cache-dir", patterns: ["**/poetry.lock"] },
};

async function versionSpecs(host: StepHost): Promise<string[]> {
  const direct = (host.inputs["python-version"] ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  const fileInput = host.inputs["python-version-file"]?.trim() ?? "";
  if (direct.length && fileInput) host.warn("Both python-version and python-version-file inputs are specified, only python-version will be used.");
  if (direct.length) return direct;
  const file = fileInput || ".python-version";
  if (!fileInput) host.warn("Neither 'python-version' nor 'python-version-file' inputs were supplied. Attempting to find '.python-version' file.");
  const text = await readWorkspaceFile(host, file);
  if (text === undefined) {
    if (fileInput) throw new ToolchainError(`The specified python version file at: ${file} doesn't exist.`);
    host.warn(".python-version doesn't exist: the python on PATH is used");
    return [];
  }
  const v = pythonVersionFile(file, text);
  if (!v) throw new ToolchainError(`${file} names no Python version`);
  host.log(`Resolved ${file} as ${v}`);
  return [v];
}

/** The image's CPythons: version → interpreter. */
async function imagePythons(host: StepHost): Promise<Map<string, string>> {
  const r = await run(host, `for p in /usr/bin/python3.[0-9]* /usr/local/bin/python3.[0-9]*; do case "$p" in *-config|*m) continue;; esac; [ -x "$p" ] && "$p" -c 'import platform,sys; print(platform.python_version(), sys.executable)'; done; true`);
  const pythons = new Map<string, string>();
  for (const line of r.out.split("\n")) {
    const [version, exe] = line.trim().split(" ");
    if (version && exe && !pythons.has(version)) pythons.set(version, exe);
  }
  return pythons;
}

/** setup-python's tool cache folder for `version`, made once per job from the image's interpreter. */
async function toolCachePython(host: StepHost, version: string, exe: string): Promise<string> {
  const dir = `${host.paths.toolCache}/Python/${version}/x64`;
  const script = [
    "set -e",
    `d="${dir}"`,
    'if [ -f "$d/../x64.complete" ]; then exit 0; fi',
    `"${exe}" -m venv --without-pip "$d"`,
    'site=$("$d/bin/python" -c "import sysconfig; print(sysconfig.get_paths()[\'purelib\'])")',
    'for w in /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl; do [ -f "$w" ] && "$d/bin/python" -m zipfile -e "$w" "$site"; done',
    'for n in pip pip3; do printf \'#!/bin/sh\\nexec "$(dirname "$0")/python" -m pip "$@"\\n\' >"$d/bin/$n"; chmod +x "$d/bin/$n"; done',
    'touch "$d/../x64.complete"',
  ].join("\n");
  const r = await run(host, script);
  if (!r.ok) throw new ToolchainError(`could not make Python ${version}'s folder in the tool cache (${dir}): ${r.out}`);
  return dir;
}

export const setupPython = (stores: RunStores, policy: ToolchainMismatch = "fail"): BuiltinAction => ({
  name: "actions/setup-python",
  async main(host) {
    warnUnknownInputs(host, "actions/setup-python", INPUTS);
    const arch = (await run(host, "uname -m")).out === "aarch64" ? "arm64" : "x64";
    const wanted = host.inputs["architecture"]?.trim();
    if (wanted && wanted !== arch) host.warn(`architecture ${wanted} is not this job's (${arch}): replay uses the image's Python`);
    if (isTrue(host.inputs["check-latest"])) host.warn("check-latest: replay cannot ask for the newest Python release; it takes the image's");
    for (const k of ["pip-version", "pip-install"]) if (host.inputs[k]?.trim()) host.warn(`${k} is not honoured by replay's built-in setup-python: pip is Debian's, and PyPI is not reachable here`);
    let dir: string | undefined;
    let version = "";
    try {
      if (isTrue(host.inputs["freethreaded"])) throw new ToolchainError("freethreaded: the job's image has no free-threaded Python build");
      const pythons = await imagePythons(host);
      for (const spec of await versionSpecs(host)) {
        const ask = pythonAsk(spec);
        if ("unsupported" in ask) throw new ToolchainError(`Python ${spec} was asked for, but ${ask.unsupported} and the job's image ${host.cell.image} has CPython ${[...pythons.keys()].join(", ")}`);
        version = chooseVersion(host, { tool: "Python", ask, versions: [...pythons.keys()], policy, image: host.cell.image });
        dir = await toolCachePython(host, version, pythons.get(version) ?? "python3");
        host.log(`Successfully set up CPython (${version})`);
      }
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    if (dir) {
      if (isTrue(host.inputs["update-environment"] ?? "true")) {
        host.exportVariable("pythonLocation", dir);
        host.exportVariable("PKG_CONFIG_PATH", `${dir}/lib/pkgconfig`);
        for (const n of ["Python_ROOT_DIR", "Python2_ROOT_DIR", "Python3_ROOT_DIR"]) host.exportVariable(n, dir);
        const ld = host.stepEnv["LD_LIBRARY_PATH"];
        host.exportVariable("LD_LIBRARY_PATH", `${dir}/lib${ld ? `:${ld}` : ""}`);
        host.addPath(dir);
        host.addPath(`${dir}/bin`);
      }
      host.setOutput("python-version", version);
      host.setOutput("python-path", `${dir}/bin/python`);
    }
    const cache = host.inputs["cache"]?.trim();
    if (!cache) return true;
    const spec = CACHES[cache];
    if (!spec) {
      host.log(`##[error]Caching for '${cache}' is not supported`);
      return false;
    }
    const env = dir ? { PATH: `${dir}/bin:${host.env["PATH"] ?? ""}` } : {};
    const folder = await run(host, spec.dir, env);
    if (!folder.ok || !folder.out) {
      host.log(`##[error]Could not get the ${cache} cache folder: ${folder.out}`);
      return false;
    }
    const patterns = (host.inputs["cache-dependency-path"]?.trim() ? host.inputs["cache-dependency-path"].split("\n") : spec.patterns).map((l) => l.trim()).filter(Boolean);
    const imageOs = await imageOsPart(host);
    return restoreToolchainCache(host, stores, {
      paths: [folder.out.split("\n").pop() ?? folder.out],
      keyPrefix: `setup-python-${host.env["RUNNER_OS"] || "Linux"}-${arch}-${imageOs}python-${version}-${cache}`,
      dependencyFiles: patterns,
      missing: { level: "error", message: `No file in ${host.workspace} matched to [${patterns.join(",")}], make sure you have checked out the target repository` },
    });
  },
  post: (host) => saveToolchainCache(host, stores),
});
