// The tools the comparison with gitlab-ci-local needs, installed by the benchmark itself
// into its own cache (~/.cache/replay/bench, or $XDG_CACHE_HOME/replay/bench) so that
// `npm install` of the project stays as it is on every platform:
// - gitlab-ci-local, pinned, with `npm install --prefix`;
// - Node 22, which it needs: the node-<platform>-<arch> package of the npm registry (the
//   official binary), fetched with `npm pack` and unpacked; the running Node when it is 22+;
// - rsync, which its Docker executor calls on the host: Debian's package, with apt-get.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const GCL_VERSION = "4.75.1";
const NODE_MAJOR = 22;

export const benchCacheDir = () => path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "replay", "bench");

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

export function ensureRsync() {
  if (has("rsync")) return;
  const sudo = process.getuid?.() === 0 ? [] : has("sudo") ? ["sudo"] : null;
  if (!sudo || !has("apt-get")) throw new Error("gitlab-ci-local needs rsync on the host: install it (apt-get install rsync)");
  log("installing rsync (gitlab-ci-local's Docker executor needs it on the host)");
  const apt = (...args) => execFileSync(sudo[0] ?? "apt-get", [...(sudo.length ? ["apt-get"] : []), ...args], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  try {
    apt("install", "-y", "-qq", "--no-install-recommends", "rsync");
  } catch {
    apt("update", "-qq");
    apt("install", "-y", "-qq", "--no-install-recommends", "rsync");
  }
}

/** A Node ≥ 22 binary: this one, or the registry's node-<platform>-<arch>@22 unpacked into the bench cache. */
export function ensureNode22() {
  if (Number(process.versions.node.split(".")[0]) >= NODE_MAJOR) return process.execPath;
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = path.join(benchCacheDir(), `${pkg}-${NODE_MAJOR}`);
  const bin = path.join(dir, "package/bin/node");
  if (existsSync(bin)) return bin;
  log(`fetching Node ${NODE_MAJOR} (${pkg}@${NODE_MAJOR}) from the npm registry into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const tgz = npm(["pack", `${pkg}@${NODE_MAJOR}`, "--pack-destination", dir, "--silent"], dir).trim().split("\n").at(-1);
    execFileSync("tar", ["-xzf", path.join(dir, tgz), "-C", dir, "package/bin/node", "package/LICENSE"]);
    rmSync(path.join(dir, tgz));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return bin;
}

/** gitlab-ci-local's entry point, GCL_VERSION installed into the bench cache. */
export function ensureGitlabCiLocal() {
  const dir = path.join(benchCacheDir(), `gitlab-ci-local-${GCL_VERSION}`);
  const entry = path.join(dir, "node_modules/gitlab-ci-local/dist/index.js");
  if (existsSync(entry)) return entry;
  log(`installing gitlab-ci-local@${GCL_VERSION} into ${dir}`);
  mkdirSync(dir, { recursive: true });
  npm(["install", "--prefix", dir, "--no-save", "--no-package-lock", `gitlab-ci-local@${GCL_VERSION}`], dir);
  return entry;
}

/** Everything the gitlab-ci-local figures need: `[node, entry]` to spawn it with. */
export function gitlabCiLocal() {
  ensureRsync();
  return [ensureNode22(), ensureGitlabCiLocal()];
}
