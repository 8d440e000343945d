import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExpressionEvaluationError } from "./errors.js";
import { evaluateTemplateAsync } from "./evaluate.js";
import { hashFiles } from "./hash-files.js";

let base: string;
let ws: string;

const files: Record<string, string> = {
  "package-lock.json": "root lock\n",
  "a/package-lock.json": "a lock\n",
  "b/c/package-lock.json": "c lock\n",
  "a/x.txt": "a x\n",
  "a-b/x.txt": "a-b x\n",
  "skip/y.txt": "skip y\n",
  "dir/one.md": "one\n",
  "dir/sub/two.md": "two\n",
  "[weird]/z.txt": "weird\n",
};

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), "replay-hashfiles-"));
  ws = path.join(base, "work space");
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    writeFileSync(path.join(ws, rel), content);
  }
  writeFileSync(path.join(base, "outside.txt"), "outside\n");
  symlinkSync(path.join(ws, "a", "x.txt"), path.join(ws, "link-to-file.txt"));
  symlinkSync(path.join(ws, "dir"), path.join(ws, "link-to-dir"));
  symlinkSync(ws, path.join(base, "ws-link"));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/** The runner's result for these workspace files, in this order. */
function expected(rels: string[]): string {
  if (rels.length === 0) return "";
  const total = createHash("sha256");
  for (const rel of rels) total.update(createHash("sha256").update(readFileSync(path.join(ws, rel))).digest());
  return total.digest("hex");
}

describe("hashFiles", () => {
  it.each<[string[], string[]]>([
    [["package-lock.json"], ["package-lock.json"]],
    // depth first, each directory's entries by name: a/… before a-b/…, unlike a sort of whole paths
    [["**/x.txt"], ["a/x.txt", "a-b/x.txt"]],
    [["**/package-lock.json"], ["a/package-lock.json", "b/c/package-lock.json", "package-lock.json"]],
    [["**/package-lock.json", "**/x.txt"], ["a/package-lock.json", "a/x.txt", "a-b/x.txt", "b/c/package-lock.json", "package-lock.json"]],
    [["**/*.txt", "!skip/**", "!**/link-*"], ["[weird]/z.txt", "a/x.txt", "a-b/x.txt"]],
    [["./a/x.txt"], ["a/x.txt"]],
    // a directory pattern matches the files below it; directories themselves are skipped
    [["dir"], ["dir/one.md", "dir/sub/two.md"]],
    // a symbolic link to a file is hashed as the file; one to a directory is not followed
    [["link-to-file.txt"], ["a/x.txt"]],
    [["link-to-dir/**"], []],
    [["--follow-symbolic-links", "link-to-dir/**"], ["dir/one.md", "dir/sub/two.md"]],
    [["# a comment", "nothing-matches"], []],
  ])("%j hashes %j", async (patterns, rels) => {
    expect(await hashFiles(ws, patterns)).toBe(expected(rels));
  });

  it("gives the sha256 of the files' sha256 digests", async () => {
    const one = createHash("sha256").update("root lock\n").digest();
    expect(await hashFiles(ws, ["package-lock.json"])).toBe(createHash("sha256").update(one).digest("hex"));
  });

  it("ignores files outside the workspace", async () => {
    expect(await hashFiles(ws, [path.join(base, "outside.txt")])).toBe("");
  });

  it("works through a symbolic link to the workspace", async () => {
    expect(await hashFiles(path.join(base, "ws-link"), ["**/x.txt"])).toBe(expected(["a/x.txt", "a-b/x.txt"]));
  });

  it.each([
    [["--bogus", "x"], /unknown option '--bogus'/],
    [["../outside.txt"], /hashFiles\('\.\.\/outside\.txt'\) failed\. Fail to hash files under directory/],
  ])("%j fails with an ExpressionEvaluationError", async (patterns, message) => {
    await expect(hashFiles(ws, patterns)).rejects.toThrow(ExpressionEvaluationError);
    await expect(hashFiles(ws, patterns)).rejects.toThrow(message);
  });

  it("fails clearly when the workspace does not exist", async () => {
    await expect(hashFiles(path.join(base, "missing"), ["x"])).rejects.toThrow(/does not exist/);
  });

  it("writes nothing to our stdout (@actions/glob logs ::debug:: lines there)", async () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await hashFiles(ws, ["**/x.txt"]);
    } finally {
      process.stdout.write = original;
    }
    expect(written.join("")).not.toContain("::debug::");
  });

  it("is what ${{ hashFiles(…) }} evaluates to", async () => {
    const value = await evaluateTemplateAsync("${{ hashFiles('**/x.txt') }}", {
      contexts: {},
      hashFiles: (p) => hashFiles(ws, p),
    });
    expect(value).toBe(expected(["a/x.txt", "a-b/x.txt"]));
  });
});
