import { describe, expect, it } from "vitest";
import { asResult, oneSidedVerdict, resultVerdict, toolsOf, versionOf } from "./verdict.js";
import type { ResultDifference } from "./verdict.js";

const clippy = [{ tool: "clippy", ci: "1.95.0", local: "1.85.1" }];
const base: ResultDifference = { name: "Clippy", ci: "failure", local: "success", tools: [], replayCannotRun: false, differentCommit: false };

describe("resultVerdict", () => {
  it.each<[string, Partial<ResultDifference>, string]>([
    ["toolchain drift", { tools: clippy }, "Clippy: failed on CI (clippy 1.95.0), passed locally (clippy 1.85.1): toolchain drift"],
    ["drift wins over another commit", { tools: clippy, differentCommit: true }, "Clippy: failed on CI (clippy 1.95.0), passed locally (clippy 1.85.1): toolchain drift"],
    ["the same versions", { tools: [{ tool: "clippy", ci: "1.95.0", local: "1.95.0" }], differentCommit: true }, "Clippy: failed on CI (clippy 1.95.0), passed locally (clippy 1.95.0): the commit differs"],
    ["a version only one side printed is not drift", { tools: [{ tool: "clippy", ci: "1.95.0" }] }, "Clippy: failed on CI (clippy 1.95.0), passed locally: same commit and toolchains: see the log lines (environment, network or a flaky test)"],
    ["skipped after a failure", { name: "Unit tests", ci: "skipped", tools: clippy, ciFailedBefore: "Clippy" }, "Unit tests: skipped on CI, passed locally: CI skipped it after Clippy failed"],
    ["skipped locally by its condition", { name: "Deploy", ci: "success", local: "skipped" }, "Deploy: passed on CI, skipped locally: its if: condition went the other way in the replay"],
    ["cancelled on CI", { ci: "cancelled" }, "Clippy: was cancelled on CI, passed locally: CI's run was cancelled (or timed out)"],
    ["a step the replay cannot run", { ci: "success", local: "failure", replayCannotRun: true, tools: clippy }, "Clippy: passed on CI (clippy 1.95.0), failed locally (clippy 1.85.1): replay cannot run this step yet (see its error below)"],
  ])("%s", (_what, d, expected) => expect(resultVerdict({ ...base, ...d })).toBe(expected));
});

describe("oneSidedVerdict", () => {
  it.each<[string, "ci" | "local", string, boolean, string]>([
    ["Docs", "ci", "success", false, "Docs: passed on CI, not in the replay: the replay has no such step"],
    ["Bench", "local", "failure", false, "Bench: failed locally, not on CI: CI's run has no such step"],
    ["Docs", "ci", "success", true, "Docs: passed on CI, not in the replay: the workflow may differ between CI's commit and the replay's"],
  ])("%s only on %s", (name, side, result, differentCommit, expected) => expect(oneSidedVerdict(name, side, result, differentCommit)).toBe(expected));
});

describe("toolsOf and versionOf", () => {
  it.each<[string, string, string[]]>([
    ["Clippy", "cargo clippy --all-targets -- -D warnings", ["clippy", "rustc", "cargo"]],
    ["Format", "cargo fmt --all -- --check", ["rustfmt", "rustc", "cargo"]],
    ["Run dtolnay/rust-toolchain@stable", "with:\n  components: rustfmt, clippy", ["rustc", "cargo", "clippy", "rustfmt"]],
    ["Run npm ci", "", ["node", "npm"]],
    ["Run actions/setup-node@v4", "", ["node"]],
    ["Build wasm", "wasm-pack build --target web", ["wasm-pack"]],
    ["Scan", "aquasecurity/trivy-action@0.28.0", ["trivy"]],
    ["Run ./script.sh", "", []],
  ])("%s (%j) uses %j", (name, ran, tools) => expect(toolsOf([name], [ran])).toEqual(tools));

  it("clippy goes by rustc's version; other tools by their own, the last seen", () => {
    expect(versionOf({ rustc: ["1.95.0"], clippy: ["0.1.95"] }, "clippy")).toBe("1.95.0");
    expect(versionOf({ clippy: ["0.1.95"] }, "clippy")).toBe("0.1.95");
    expect(versionOf({ node: ["18.20.8", "20.19.5"] }, "node")).toBe("20.19.5");
    expect(versionOf({}, "node")).toBeUndefined();
  });

  it.each([
    ["success", "success"],
    ["neutral", "success"],
    ["timed_out", "failure"],
    ["startup_failure", "failure"],
    ["stale", "skipped"],
    ["cancelled", "cancelled"],
    [undefined, undefined],
  ])("CI's %s is the replay's %s", (c, r) => expect(asResult(c)).toBe(r));
});
