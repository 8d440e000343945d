import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { cacheVersion, inputLines, isExactKeyMatch } from "./cache-version.js";

// The real @actions/cache (a devDependency): its package exports do not expose the
// internal module, so it is imported by path.
const utilsUrl = pathToFileURL(path.resolve("node_modules/@actions/cache/lib/internal/cacheUtils.js")).href;
const real = (await import(utilsUrl)) as { getCacheVersion: (paths: string[], method?: string, cross?: boolean) => string };

describe("cacheVersion is @actions/cache's version", () => {
  it.each<[string[], "gzip" | "zstd-without-long" | "zstd", boolean]>([
    [["node_modules"], "zstd-without-long", false],
    [["~/.npm", "packages/*/dist"], "zstd-without-long", false],
    [["packages/cli/dist"], "gzip", false],
    [["a", "b"], "zstd", true],
  ])("%j %s crossOs=%s", (paths, method, cross) => {
    expect(cacheVersion(paths, method, { enableCrossOsArchive: cross })).toBe(real.getCacheVersion(paths, method, cross));
  });

  it("differs by path list and by compressor", () => {
    expect(cacheVersion(["a"], "gzip")).not.toBe(cacheVersion(["a"], "zstd-without-long"));
    expect(cacheVersion(["a", "b"], "gzip")).not.toBe(cacheVersion(["b", "a"], "gzip"));
  });
});

describe("inputs as actions/cache reads them", () => {
  it.each<[string, string[]]>([
    ["a\nb\n", ["a", "b"]],
    ["  a  \n\n!  b", ["a", "!b"]],
    // As actions/cache does it: the space after `!` goes only when `!` starts the line.
    ["  ! b", ["! b"]],
    ["", []],
  ])("%j", (text, lines) => expect(inputLines(text)).toEqual(lines));

  it.each<[string, string | undefined, boolean]>([
    ["Linux-abc", "Linux-abc", true],
    ["Linux-abc", "linux-ABC", true],
    ["Linux-abc", "Linux-ab", false],
    ["Linux-abc", undefined, false],
    ["café", "cafe", false],
  ])("isExactKeyMatch(%s, %s) = %s", (key, matched, exact) => expect(isExactKeyMatch(key, matched)).toBe(exact));
});
