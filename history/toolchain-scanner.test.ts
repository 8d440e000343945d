import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ToolchainScanner, mergeToolchains, scanToolchains } from "./toolchain-scanner.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/fixtures/github-api/rust-gates");

describe("ToolchainScanner", () => {
  it.each<[string, string, string, Record<string, string[]>]>([
    ["rustc --version", "", "rustc 1.95.0 (59807616e 2026-04-14)", { rustc: ["1.95.0"] }],
    ["Debian's rustc", "", "rustc 1.85.1 (4eb161250 2025-03-15) (built from a source tarball)", { rustc: ["1.85.1"] }],
    ["rustup's channel line", "", "info: latest update on 2026-04-16, rust version 1.95.0 (59807616e 2026-04-14)", { rustc: ["1.95.0"] }],
    ["cargo --version", "", "cargo 1.95.0 (f2d3ce0bd 2026-03-21)", { cargo: ["1.95.0"] }],
    ["cargo clippy --version", "", "clippy 0.1.95 (59807616e 2026-04-14)", { clippy: ["0.1.95"] }],
    ["rustfmt --version", "", "rustfmt 1.8.0-stable (59807616e 2026-04-14)", { rustfmt: ["1.8.0-stable"] }],
    ["wasm-pack --version", "", "wasm-pack 0.12.1", { "wasm-pack": ["0.12.1"] }],
    ["trivy --version", "Run trivy --version", "Version: 0.58.1", { trivy: ["0.58.1"] }],
    ["trivy's own line", "", "trivy version 0.58.1", { trivy: ["0.58.1"] }],
    ["node --version", "Run node --version", "v20.19.5", { node: ["20.19.5"] }],
    ["npm --version", "Run npm --version", "10.8.2", { npm: ["10.8.2"] }],
    ["npm's user agent", "", "npm/10.8.2 node/v20.19.5 linux x64", { npm: ["10.8.2"], node: ["20.19.5"] }],
    ["setup-node from the tool cache", "", "Found in cache @ /opt/hostedtoolcache/node/20.19.5/x64", { node: ["20.19.5"] }],
    ["the runner's version", "", "Current runner version: '2.329.0'", { runner: ["2.329.0"] }],
    ["a bare version without context is nobody's", "Run ./print-version.sh", "1.2.3", {}],
    ["a crate version is not a tool's", "", "   Compiling ggen-lite v0.1.0 (/home/runner/work/a/a)", {}],
    ["a line with GitHub's timestamp", "", "2026-11-20T09:14:25.7691810Z rustc 1.95.0 (59807616e 2026-04-14)", { rustc: ["1.95.0"] }],
  ])("%s", (_what, context, line, expected) => {
    const s = new ToolchainScanner();
    s.beginStep(context);
    s.scan(line);
    expect(s.toolchains).toEqual(expected);
  });

  it("keeps the Found in cache lines", () => {
    const s = new ToolchainScanner();
    s.scan("Found in cache @ /opt/hostedtoolcache/node/18.20.8/x64");
    s.scan("Found in cache @ /opt/hostedtoolcache/node/18.20.8/x64");
    expect(s.cacheHits).toEqual(["Found in cache @ /opt/hostedtoolcache/node/18.20.8/x64"]);
  });

  it("reads rustc, cargo, the runner and its image off CI's fast-feedback log", () => {
    const log = readFileSync(path.join(FIXTURES, "job-29347710101.txt"), "utf8").split("\n");
    expect(scanToolchains(log).toolchains).toEqual({
      runner: ["2.329.0"],
      "runner-image": ["ubuntu-24.04 20251112.124.1"],
      rustc: ["1.95.0"],
      cargo: ["1.95.0"],
    });
  });

  it("a step's script in its CI header gives the context", () => {
    const s = new ToolchainScanner();
    for (const l of ["##[group]Run node --version && npm --version", "node --version && npm --version", "##[endgroup]", "v20.19.5", "10.8.2"]) s.scan(l);
    expect(s.toolchains).toEqual({ node: ["20.19.5"], npm: ["10.8.2"] });
  });

  it("mergeToolchains keeps each version once, in first-seen order", () => {
    expect(mergeToolchains([{ rustc: ["1.95.0"] }, { rustc: ["1.95.0", "1.96.0"], node: ["20.1.0"] }])).toEqual({ rustc: ["1.95.0", "1.96.0"], node: ["20.1.0"] });
  });
});
