import { describe, expect, it } from "vitest";
import { cacheKey, dtolnayToolchain, parseRustcVerbose, splitList, toolchainMismatch } from "./rust-toolchain.js";
import { wasmPackVersion } from "./wasm-pack.js";

const VERBOSE = `rustc 1.85.1 (4eb161250 2025-03-15)
binary: rustc
commit-hash: 4eb161250e340c8f48f66e2b929ef4a5bed7c181
commit-date: 2025-03-15
host: x86_64-unknown-linux-gnu
release: 1.85.1
LLVM version: 19.1.7`;

describe("the Rust toolchain built-ins", () => {
  it("read rustc --version --verbose and make dtolnay's cachekey (commit date, then hash, 12 characters)", () => {
    const info = parseRustcVerbose(VERBOSE);
    expect(info).toEqual({ release: "1.85.1", commitHash: "4eb161250e340c8f48f66e2b929ef4a5bed7c181", commitDate: "2025-03-15", line: "rustc 1.85.1 (4eb161250 2025-03-15)" });
    expect(cacheKey(info as NonNullable<typeof info>)).toBe("202503154eb1");
  });

  it("make a cachekey for a rustc built without git information too", () => {
    const info = parseRustcVerbose("rustc 1.85.1 (Debian)\nbinary: rustc\ncommit-hash: unknown\ncommit-date: unknown\nrelease: 1.85.1\n");
    expect(info?.release).toBe("1.85.1");
    expect(cacheKey(info as NonNullable<typeof info>)).toMatch(/^[0-9a-f]{12}$/);
  });

  it.each<[string, string | undefined]>([
    ["stable", undefined],
    ["1.85.1", undefined],
    ["1.85", undefined],
    ["1.84", "it is 1.85.1, not 1.84"],
    ["1.85.0", "it is 1.85.1, not 1.85.0"],
    ["nightly", "it is 1.85.1, not a nightly"],
    ["nightly-2024-01-01", "it is 1.85.1, not a nightly"],
    ["beta", "it is 1.85.1, not a beta"],
    ["stable 2 months ago", undefined],
  ])("a workflow asking for %s: %s", (asked, mismatch) => {
    expect(toolchainMismatch(asked, parseRustcVerbose(VERBOSE) as NonNullable<ReturnType<typeof parseRustcVerbose>>)).toBe(mismatch);
  });

  it.each<[string, string | undefined, string]>([
    ["dtolnay/rust-toolchain@stable", undefined, "stable"],
    ["dtolnay/rust-toolchain@1.85.0", undefined, "1.85.0"],
    ["dtolnay/rust-toolchain@nightly", undefined, "nightly"],
    ["dtolnay/rust-toolchain@master", undefined, ""],
    ["dtolnay/rust-toolchain@master", "1.80", "1.80"],
    ["dtolnay/rust-toolchain@v1", undefined, ""],
    [`dtolnay/rust-toolchain@${"a".repeat(40)}`, undefined, ""],
    ["dtolnay/rust-toolchain@stable", "nightly", "nightly"],
  ])("%s with toolchain %j installs %j", (uses, input, toolchain) => {
    expect(dtolnayToolchain(uses, input)).toBe(toolchain);
  });

  it("split components and targets on commas and blanks", () => {
    expect(splitList("rustfmt, clippy\n rust-src")).toEqual(["rustfmt", "clippy", "rust-src"]);
    expect(splitList(undefined)).toEqual([]);
  });
});

describe("jetli/wasm-pack-action", () => {
  it.each<[string, string | undefined]>([
    ["wasm-pack 0.13.1", "0.13.1"],
    ["wasm-pack v0.12.1\n", "0.12.1"],
    ["bash: wasm-pack: command not found", undefined],
  ])("%j is version %s", (text, version) => {
    expect(wasmPackVersion(text)).toBe(version);
  });
});
