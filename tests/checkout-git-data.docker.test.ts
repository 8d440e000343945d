import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import type { CliRun } from "./support/corpus.js";
import { GIT_ENV } from "./support/git-repo.js";

const root = mkdtempSync(path.join(os.tmpdir(), "replay-checkout-data-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const git = (dir: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "protocol.file.allow=always", ...args], { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();

/** A repository at root/name holding `files`, committed. */
function repo(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  write(dir, files);
  git(root, "init", "-q", "-b", "main", dir);
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", name);
  return dir;
}
function write(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

/** An LFS pointer file's text, and the object that goes with it in an LFS store. */
function lfsPointer(content: string): { pointer: string; oid: string } {
  const oid = createHash("sha256").update(content).digest("hex");
  return { pointer: `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n`, oid };
}
function storeLfs(gitDir: string, oid: string, content: string): void {
  const dir = path.join(gitDir, "lfs", "objects", oid.slice(0, 2), oid.slice(2, 4));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, oid), content);
}

const steps = (withs: string, run: string): string => `    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
${withs ? `        with:\n${withs.replace(/^/gm, "          ")}\n` : ""}      - run: ${run}
`;
const SUBMODULES = `echo "lib [$(cat lib/lib.txt)] deep [$(cat lib/deep/nested.txt 2>/dev/null || ls -A lib/deep | wc -l)]"`;
const LFS = `echo "lfs [$(head -n 1 big.bin)] [$(head -c 7 lost.bin)] [$(git status --porcelain -- "*.bin" | wc -l)]"`;
const TAGS = `echo "tags [$(git tag | tr '\\n' ' ')] describe [$(git describe --tags 2>/dev/null || echo none)]"`;

// A second checkout into the repository the first left: checkout's `git clean -ffdx`
// first, or not (a first checkout empties a folder that holds no clone, clean or not).
const again = (withs: string): string => `    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo left > left.txt; echo changed > version.txt
      - uses: actions/checkout@v4
${withs ? `        with:\n          ${withs}\n` : ""}      - run: echo "again [$(ls | tr '\\n' ' ')] [$(cat version.txt)]"
`;

const WORKFLOW = `on: push
jobs:
  top:
${steps("submodules: true", SUBMODULES)}  recursive:
${steps("submodules: recursive", SUBMODULES)}  lfs:
${steps("lfs: true", LFS)}  no-lfs:
${steps("", LFS)}  tags-default:
${steps("", TAGS)}  tags-all:
${steps("fetch-depth: 0", TAGS)}  tags-fetched:
${steps("fetch-depth: 2\nfetch-tags: true", TAGS)}  ref-tag:
${steps("ref: v1", `echo "ref [$(cat version.txt)] $(git describe --tags)"`)}  clean-false:
${again("clean: false")}  clean-true:
${again("")}`;

const lines = (r: CliRun, jobKey: string): string[] =>
  r.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === jobKey).map((e) => String(e["line"]));
const line = (r: CliRun, jobKey: string, label: string): string | undefined => lines(r, jobKey).find((l) => l.startsWith(`${label} `));
const warnings = (r: CliRun, jobKey: string): string[] =>
  r.events.filter((e) => e["type"] === "step.annotation" && e["jobKey"] === jobKey && e["level"] === "warning").map((e) => String(e["message"]));

describe("replay's built-in actions/checkout: submodules, LFS and tags as GitHub's clone has them", () => {
  // root/nested, root/lib with nested as lib/deep (../nested), root/super with lib (../lib),
  // two LFS files (one object in super's store, one nowhere) and three tagged commits.
  repo("nested", { "nested.txt": "nested\n" });
  const lib = repo("lib", { "lib.txt": "from lib\n" });
  git(lib, "submodule", "add", "-q", "../nested", "deep");
  git(lib, "commit", "-qm", "deep");
  const big = lfsPointer("hello lfs\n");
  const lost = lfsPointer("nowhere\n");
  const sup = repo("super", { ".github/workflows/w.yml": WORKFLOW, "version.txt": "1\n", ".gitattributes": "*.bin filter=lfs diff=lfs merge=lfs -text\n", "big.bin": big.pointer, "lost.bin": lost.pointer });
  storeLfs(path.join(sup, ".git"), big.oid, "hello lfs\n");
  git(sup, "tag", "v1");
  for (const v of ["2", "3"]) {
    write(sup, { "version.txt": `${v}\n` });
    git(sup, "commit", "-qam", `version ${v}`);
    git(sup, "tag", "-a", "-m", `release ${v}`, `v${v}`);
  }
  // Your clone has lib in .git/modules (git submodule add), but not lib's own deep.
  git(sup, "submodule", "add", "-q", "../lib", "lib");
  git(sup, "commit", "-qm", "lib");

  it("takes submodules and LFS objects from your clone, copies what only your machine has, and leaves out the tags the clone would not fetch", async () => {
    const r = await runCli(["run", "--json"], sup);
    const failed = r.events.filter((e) => e["type"] === "job.completed" && e["result"] !== "success").map((e) => String(e["jobKey"]));
    expect(failed, failed.map((j) => lines(r, j).join("\n")).join("\n")).toEqual([]);
    // true: lib from .git/modules, its own submodule an empty folder; recursive: that
    // one cloned from ../nested on this machine.
    expect(line(r, "top", "lib")).toBe("lib [from lib] deep [0]");
    expect(line(r, "recursive", "lib")).toBe("lib [from lib] deep [nested]");
    // lfs: the object from .git/lfs, a clean status; the missing one named in a warning.
    expect(line(r, "lfs", "lfs")).toBe("lfs [hello lfs] [version] [0]");
    expect(warnings(r, "lfs")).toEqual([expect.stringMatching(/Git LFS objects found neither .*: lost\.bin$/)]);
    // Without lfs, pointer files, as on GitHub.
    expect(line(r, "no-lfs", "lfs")).toBe("lfs [version https://git-lfs.github.com/spec/v1] [version] [0]");
    // Depth 1 without fetch-tags: no tags (checkout fetches with --no-tags); depth 0:
    // all; fetch-tags at depth 2: the tags on those two commits.
    expect(line(r, "tags-default", "tags")).toBe("tags [] describe [none]");
    expect(line(r, "tags-all", "tags")).toBe("tags [v1 v2 v3 ] describe [v3-1-g" + git(sup, "rev-parse", "--short=7", "HEAD") + "]");
    expect(line(r, "tags-fetched", "tags")).toBe("tags [v3 ] describe [v3-1-g" + git(sup, "rev-parse", "--short=7", "HEAD") + "]");
    expect(line(r, "ref-tag", "ref")).toBe("ref [1] v1");
    expect(line(r, "clean-false", "again")).toBe("again [big.bin left.txt lib lost.bin version.txt ] [3]");
    expect(line(r, "clean-true", "again")).toBe("again [big.bin lib lost.bin version.txt ] [3]");
  });

  it("in a clone without submodules or LFS objects, copies them from the repository it was cloned from on this machine, and keeps your credentials out", async () => {
    const clone = path.join(root, "clone");
    git(root, "clone", "-q", sup, clone);
    // The working tree's workflow is what replays: only the two jobs.
    // Credentials in your clone's config (a token in a URL, an extraheader) stay on your
    // machine, with persist-credentials or without.
    git(clone, "remote", "add", "backup", "https://user:hunter2-pw@example.com/o/super.git");
    git(clone, "config", "http.https://example.com/.extraheader", "AUTHORIZATION: basic aHVudGVyMg==");
    const CREDS = `echo "creds [$(git config --list | grep -c -i 'hunter2\\|extraheader\\|aHVudGVy')] [$(git remote get-url backup)]"`;
    const workflow = `on: push\njobs:\n  recursive:\n${steps("submodules: recursive", SUBMODULES)}  lfs:\n${steps("lfs: true", LFS)}  persist:\n${steps("", CREDS)}  no-persist:\n${steps("persist-credentials: false", CREDS)}`;
    write(clone, { ".github/workflows/w.yml": workflow });
    const r = await runCli(["run", "--json"], clone);
    expect(r.exitCode, r.stderr + lines(r, "recursive").join("\n")).toBe(0);
    expect(line(r, "recursive", "lib")).toBe("lib [from lib] deep [nested]");
    expect(line(r, "lfs", "lfs")).toBe("lfs [hello lfs] [version] [0]");
    expect(warnings(r, "lfs")).toEqual([expect.stringContaining(`nor at its remote (${sup}); these files stay pointer files: lost.bin`)]);
    for (const job of ["persist", "no-persist"]) expect(line(r, job, "creds")).toBe("creds [0] [https://example.com/o/super.git]");
  });
});
