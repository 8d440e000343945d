import { describe, expect, it } from "vitest";
import { firstDifference, normalizeLine, stripTimestamp } from "./log-normalize.js";

describe("normalizeLine", () => {
  it.each([
    ["GitHub's timestamp prefix", "2026-11-20T09:14:27.9713730Z hello", "hello"],
    ["a timestamp prefix after a BOM", "\uFEFF2024-01-01T00:00:00.0000000Z first", "first"],
    ["ANSI colours", "\x1b[1m\x1b[32m    Finished\x1b[0m dev", "    Finished dev"],
    ["cargo's duration", "    Finished `dev` profile [unoptimized + debuginfo] target(s) in 3.71s", "    Finished `dev` profile [unoptimized + debuginfo] target(s) in <duration>"],
    ["libtest's duration", "test result: ok. 1 passed; 0 failed; finished in 0.00s", "test result: ok. 1 passed; 0 failed; finished in <duration>"],
    ["milliseconds and minutes", "done (12ms), total 1m 3s", "done (<duration>), total <duration> <duration>"],
    ["CI's workspace", "    Checking ggen-lite v0.1.0 (/home/runner/work/ggen-lite/ggen-lite)", "    Checking ggen-lite v0.1.0 ($WORKSPACE)"],
    ["a replay's workspace under another folder name", "    Checking ggen-lite v0.1.0 (/home/runner/work/rust-gates/rust-gates)", "    Checking ggen-lite v0.1.0 ($WORKSPACE)"],
    ["a path inside the workspace", "Initialized empty Git repository in /home/runner/work/a/a/.git/", "Initialized empty Git repository in $WORKSPACE/.git/"],
    ["the runner's temp folder with a uuid", "HOME='/home/runner/work/_temp/4b1f0d5e-7c2a-4f0e-9a61-2f5c8e1d3b70' before", "HOME='$RUNNER_TEMP/<uuid>' before"],
    ["/tmp paths", "wrote /tmp/replay-123/out.txt: ok", "wrote $TMP: ok"],
    ["the tool cache", "Found in cache @ /opt/hostedtoolcache/node/20.19.5/x64", "Found in cache @ $TOOL_CACHE/node/20.19.5/x64"],
    ["commit ids", "HEAD is now at 3f9c2a7 Render placeholders", "HEAD is now at <hash> Render placeholders"],
    ["cargo's crate hashes", "     Running unittests src/lib.rs (target/debug/deps/ggen_lite-5f0c2a9d13b7e844)", "     Running unittests src/lib.rs (target/debug/deps/ggen_lite-<hash>)"],
    ["versions stay", "rustc 1.95.0 (59807616e 2026-04-14)", "rustc 1.95.0 (<hash> 2026-04-14)"],
    ["words of hex letters stay", "deface accede effaced", "deface accede effaced"],
    ["a timestamp inside a line", "built at 2026-11-20T09:14:27Z by ci", "built at <time> by ci"],
    ["trailing whitespace and CR", "text   \r", "text"],
  ])("%s", (_what, line, expected) => {
    expect(normalizeLine(line)).toBe(expected);
  });

  it("takes further workspaces (a host path) as the workspace", () => {
    expect(normalizeLine("error in /home/me/src/app/src/lib.rs", { workspaces: ["/home/me/src/app"] })).toBe("error in $WORKSPACE/src/lib.rs");
  });

  it("stripTimestamp leaves a line without a prefix as it is", () => {
    expect(stripTimestamp("plain 2026-11-20T09:14:27Z")).toBe("plain 2026-11-20T09:14:27Z");
  });
});

describe("firstDifference", () => {
  it.each<[string, string[], string[], ReturnType<typeof firstDifference>]>([
    ["same after normalisation", ["2026-11-20T09:14:27.1Z a in 1.2s", "/home/runner/work/x/x"], ["a in 3.4s", "/home/runner/work/y/y"], undefined],
    [
      "a changed line in the middle",
      ["one", "two", "three"],
      ["one", "TWO", "three"],
      { ciLine: 2, localLine: 2, ci: ["two"], local: ["TWO"] },
    ],
    [
      "CI has more lines (an error) before a common tail",
      ["Checking", "error: x", "  --> src/lib.rs:9", "Finished"],
      ["Checking", "Finished"],
      { ciLine: 2, localLine: 2, ci: ["error: x", "  --> src/lib.rs:9"], local: [] },
    ],
    ["the replay printed nothing", ["a", "b"], [], { ciLine: 1, localLine: 1, ci: ["a", "b"], local: [] }],
    [
      "lines are shown without their timestamps",
      ["2026-11-20T09:14:30.2715100Z error: boom"],
      ["ok"],
      { ciLine: 1, localLine: 1, ci: ["error: boom"], local: ["ok"] },
    ],
  ])("%s", (_what, ci, local, expected) => {
    expect(firstDifference(ci, local)).toEqual(expected);
  });

  it("shows at most maxLines lines a side", () => {
    const ci = Array.from({ length: 30 }, (_, i) => `ci ${i}`);
    const d = firstDifference(ci, ["local"], { maxLines: 3 });
    expect(d?.ci).toEqual(["ci 0", "ci 1", "ci 2"]);
    expect(d?.local).toEqual(["local"]);
  });

  it("compares logs too long for the full table by their first lines", () => {
    const ci = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const local = [...ci];
    local[10] = "changed";
    expect(firstDifference(ci, local)).toMatchObject({ ciLine: 11, localLine: 11, ci: ["line 10"], local: ["changed"] });
  });
});
