// hashFiles() as the runner computes it (src/Misc/expressionFunc/hashFiles): @actions/glob run
// with the workspace as working directory, files outside the workspace and directories
// skipped, in the globber's order; the result is the sha256 of the concatenated sha256
// digests of the files, or '' when nothing matched.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { ExpressionEvaluationError } from "./errors.js";

const TIMEOUT_MS = 120_000;
const FOLLOW_OPTION = "--follow-symbolic-links";
const MARKER = "__REPLAY_HASHFILES__";

// Runs in a child process, as the runner runs its hashFiles script: @actions/glob resolves
// patterns against the working directory and writes `::debug::` lines to stdout, which must
// not reach ours.
const GLOB_SCRIPT = `
const glob = await import(process.env.REPLAY_GLOB_MODULE);
const globber = await glob.create(process.env.REPLAY_PATTERNS, { followSymbolicLinks: process.env.REPLAY_FOLLOW === "true" });
const files = [];
for await (const file of globber.globGenerator()) files.push(file);
process.stderr.write("${MARKER}" + JSON.stringify(files) + "\\n");
`;

/** The value of `hashFiles(...patterns)` for a workspace on this machine. */
export async function hashFiles(workspaceDir: string, patterns: string[]): Promise<string> {
  const [first, ...rest] = patterns;
  let follow = false;
  let globs = patterns;
  if (first?.startsWith("--")) {
    if (first.toLowerCase() !== FOLLOW_OPTION) {
      throw new ExpressionEvaluationError(`hashFiles: unknown option '${first}'; the only option is '${FOLLOW_OPTION}'`);
    }
    follow = true;
    globs = rest;
  }
  const described = `hashFiles('${globs.join(", ")}')`;
  let root: string;
  try {
    root = await realpath(workspaceDir);
  } catch (e) {
    throw new ExpressionEvaluationError(`${described} failed: the workspace '${workspaceDir}' does not exist`, e);
  }
  const files = await globFiles(root, globs.join("\n"), follow, described);
  const total = createHash("sha256");
  let count = 0;
  for (const file of files) {
    if (!file.startsWith(root + path.sep)) continue;
    try {
      if ((await stat(file)).isDirectory()) continue;
      const one = createHash("sha256");
      await pipeline(createReadStream(file), one);
      total.update(one.digest());
      count++;
    } catch (e) {
      throw new ExpressionEvaluationError(`${described} failed: cannot read '${file}'`, e);
    }
  }
  return count === 0 ? "" : total.digest("hex");
}

function globFiles(cwd: string, patterns: string, follow: boolean, described: string): Promise<string[]> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    REPLAY_GLOB_MODULE: globModuleUrl(),
    REPLAY_PATTERNS: patterns,
    REPLAY_FOLLOW: String(follow),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", GLOB_SCRIPT], {
      cwd,
      env,
      stdio: ["ignore", "ignore", "pipe"],
      timeout: TIMEOUT_MS,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (e) => reject(new ExpressionEvaluationError(`${described} failed: ${e.message}`, e)));
    child.on("close", (code, signal) => {
      const line = stderr.split("\n").find((l) => l.startsWith(MARKER));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(MARKER.length)) as string[]);
        return;
      }
      const why =
        signal === "SIGTERM"
          ? `couldn't finish within ${TIMEOUT_MS / 1000} seconds`
          : `failed. Fail to hash files under directory '${cwd}'${lastErrorLine(stderr)}`;
      reject(new ExpressionEvaluationError(`${described} ${why}`));
    });
  });
}

function lastErrorLine(stderr: string): string {
  const line = stderr
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /Error/.test(l));
  return line ? ` (${line})` : "";
}

/** Where Node would find @actions/glob from here (import.meta.resolve is not available under vitest). */
function globModuleUrl(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths("@actions/glob") ?? []) {
    const pkgDir = path.join(dir, "@actions", "glob");
    const pkgFile = path.join(pkgDir, "package.json");
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { exports?: { ".": { import?: string } } };
    const entry = path.join(pkgDir, pkg.exports?.["."].import ?? "lib/glob.js");
    if (existsSync(entry)) return pathToFileURL(entry).href;
  }
  throw new ExpressionEvaluationError("hashFiles: the @actions/glob package is missing; reinstall replay");
}
