import { describe, expect, it } from "vitest";
import { checkedOutHashFiles, patternsUnder } from "./checked-out-hash-files.js";

describe("patternsUnder", () => {
  it.each([
    [["a/b/package.json"], "a/b", ["package.json"]],
    [["./a/b/src/**/*.ts"], "a/b", ["src/**/*.ts"]],
    [["**/package-lock.json"], "a/b", ["**/package-lock.json"]],
    [["a/**/x"], "a/b", ["**/x"]],
    [["*/b/x"], "a/b", ["x"]],
    [["a/b"], "a/b", ["**"]],
    [["a"], "a/b", ["**"]],
    [["package.json"], "a/b", []],
    [["c/b/x"], "a/b", []],
    [["a/b/x\n!a/b/y\n# note"], "a/b", ["x", "!y"]],
    [["/abs/path"], "a", ["/abs/path"]],
  ])("%j under %s is %j", (patterns, dir, expected) => {
    expect(patternsUnder(patterns, dir)).toEqual(expected);
  });
});

describe("checkedOutHashFiles", () => {
  const seen: string[][] = [];
  const hash = async (patterns: string[]): Promise<string> => {
    seen.push(patterns);
    return "h";
  };
  it.each([
    [[], ["**/x"], "", undefined],
    [[""], ["**/x"], "h", ["**/x"]],
    [["sub", ""], ["sub/x"], "h", ["sub/x"]],
    [["sub"], ["sub/x"], "h", ["x"]],
    [["sub"], ["--follow-symbolic-links", "sub/x"], "h", ["--follow-symbolic-links", "x"]],
    [["sub"], ["other/x"], "", undefined],
  ])("checked out at %j, %j hashes to %j (asking for %j)", async (at, patterns, expected, asked) => {
    seen.length = 0;
    expect(await checkedOutHashFiles(hash, () => at)(patterns)).toBe(expected);
    expect(seen[0]).toEqual(asked);
  });
});
