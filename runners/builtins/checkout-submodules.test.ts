import { describe, expect, it } from "vitest";
import { parseLsFiles } from "./checkout-lfs.js";
import { localPath, resolveUrl, withNames } from "./checkout-submodules.js";

describe("checkout's submodule URLs", () => {
  it.each([
    ["../lib.git", "https://github.com/o/super.git", "https://github.com/o/lib.git"],
    ["./lib", "https://github.com/o/super", "https://github.com/o/super/lib"],
    ["../../x/lib", "/srv/git/o/super/", "/srv/git/x/lib"],
    ["../lib.git", "git@github.com:o/super.git", "git@github.com:o/lib.git"],
    ["https://example.com/lib.git", "/srv/super", "https://example.com/lib.git"],
  ])("%s relative to %s is %s, as git resolves it", (url, base, want) => {
    expect(resolveUrl(url, base)).toBe(want);
  });

  it.each([
    ["/srv/git/lib", "/srv/git/lib"],
    ["file:///srv/git/lib", "/srv/git/lib"],
    ["https://github.com/o/lib", undefined],
    ["git@github.com:o/lib.git", undefined],
  ])("%s names the folder %s on this machine", (url, want) => {
    expect(localPath(url)).toBe(want);
  });

  it("names each gitlink from .gitmodules by its path, and drops one .gitmodules does not map", () => {
    const gitmodules = "submodule.a.b.path\nlibs/one\0submodule.a.b.url\n../one\0submodule.two.path\ntwo\0submodule.two.url\n/srv/two\0";
    const links = [{ sha: "1".repeat(40), path: "libs/one" }, { sha: "2".repeat(40), path: "two" }, { sha: "3".repeat(40), path: "unmapped" }];
    expect(withNames(links, gitmodules)).toEqual([
      { name: "a.b", path: "libs/one", sha: "1".repeat(40), url: "../one" },
      { name: "two", path: "two", sha: "2".repeat(40), url: "/srv/two" },
    ]);
  });

  it("takes the LFS files still pointers from git lfs ls-files --long", () => {
    const a = "a".repeat(64);
    const b = "b".repeat(64);
    expect(parseLsFiles(`${a} * big.bin\n${b} - dir/with space.bin\n`)).toEqual([{ oid: b, path: "dir/with space.bin" }]);
  });
});
