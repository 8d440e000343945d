import type { JobContainer } from "../job-container.js";
import type { NodeArch } from "./node-index.js";

/** A Node in one of a job's tool caches: `<root>/<version>/<arch>`. */
export interface InstalledNode {
  version: string;
  root: string;
}

async function run(container: JobContainer, cmd: string[], user: string): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await container.exec({ cmd, env: {}, user, onStdout: (c) => (stdout += c.toString()), onStderr: () => undefined });
  return { code, stdout };
}

/** The job container's architecture as Node's builds name it, or what `uname -m` says when there is none. */
export async function jobArch(container: JobContainer, user: string): Promise<{ arch?: NodeArch; machine: string }> {
  const machine = (await run(container, ["uname", "-m"], user)).stdout.trim();
  const arch = machine === "x86_64" || machine === "" ? "x64" : machine === "aarch64" || machine === "arm64" ? "arm64" : undefined;
  return { ...(arch ? { arch } : {}), machine };
}

/** Every complete `<root>/<version>/<arch>` (marked `<arch>.complete`, as setup-node trusts them) under the roots, in their order. */
export async function installedNodes(container: JobContainer, user: string, roots: readonly string[], arch: string): Promise<InstalledNode[]> {
  const script = 'a="$1"; shift; for r in "$@"; do for d in "$r"/*/; do v="${d%/}"; [ -f "$v/$a.complete" ] && echo "$r ${v##*/}"; done; done; true';
  const { stdout } = await run(container, ["sh", "-c", script, "sh", arch, ...new Set(roots)], user);
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ root: l.slice(0, l.lastIndexOf(" ")), version: l.slice(l.lastIndexOf(" ") + 1) }));
}
