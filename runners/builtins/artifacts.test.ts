import { describe, expect, it } from "vitest";
import { commonAncestor, isHidden, searchRoot } from "./artifacts.js";

describe("searchRoot", () => {
  it.each<[string, string]>([
    ["dist", "dist"],
    ["dist/", "dist"],
    ["path/to/file.txt", "path/to/file.txt"],
    ["dist/*.js", "dist"],
    ["dist/**/*.js", "dist"],
    ["reports/junit-*.xml", "reports"],
    ["a/b?c/d", "a"],
    ["a/[bc]d/e", "a"],
    ["**/*.log", "."],
    ["*", "."],
    ["./out/*", "./out"],
    ["/tmp/reports/**", "/tmp/reports"],
  ])("%s searches from %s", (pattern, root) => {
    expect(searchRoot(pattern)).toBe(root);
  });
});

describe("commonAncestor", () => {
  it.each<[string[], string]>([
    [[], "."],
    [["dist"], "dist"],
    [["dist/a", "dist/b"], "dist"],
    [["dist/a/x", "dist/a/y", "dist/b"], "dist"],
    [["a/b", "a/b/c"], "a/b"],
    [["dist/app", "dist/apple"], "dist"],
    [["a", "b"], "."],
    [[".", "dist"], "."],
    [["./out", "out/sub"], "out"],
    [["out/../dist/a", "dist/b"], "dist"],
    [["/tmp/a/x", "/tmp/a/y"], "/tmp/a"],
  ])("%j: %s", (dirs, root) => {
    expect(commonAncestor(dirs)).toBe(root);
  });
});

describe("the artifact root of several paths (upload-artifact v4)", () => {
  const root = (patterns: string[]): string => commonAncestor(patterns.filter((p) => !p.startsWith("!")).map(searchRoot));

  it.each<[string, string[], string]>([
    // upload-artifact's README: the least common ancestor becomes the root.
    ["folders and an exclusion", ["path/output/bin/", "path/output/test-results", "!path/**/*.tmp"], "path/output"],
    ["wildcards under one folder", ["build/linux/*.tar.gz", "build/mac/**/*.dmg"], "build"],
    ["a wildcard at the top", ["**/*.log", "dist/app"], "."],
    ["siblings with a shared name prefix", ["out/app", "out/apple/*"], "out"],
  ])("%s", (_name, patterns, expected) => {
    expect(root(patterns)).toBe(expected);
  });
});

describe("hidden files (left out unless include-hidden-files)", () => {
  it.each<[string, string, boolean]>([
    ["dist/app.js", "dist", false],
    ["dist/.env", "dist", true],
    ["dist/.cache/x.js", "dist", true],
    ["out/a/b.txt", ".", false],
    [".github/workflows/ci.yml", ".", true],
    // The search root itself counts, as @actions/glob checks every item it walks.
    [".hidden/file", ".hidden", true],
    ["/tmp/reports/r.xml", "/tmp/reports", false],
  ])("%s under %s: %s", (file, root, hidden) => {
    expect(isHidden(file, root)).toBe(hidden);
  });
});
