import { describe, expect, it } from "vitest";
import { parseWorkflow } from "./parse-workflow.js";
import { toolchainNeeds } from "./toolchain-needs.js";

/** The job `j` of a workflow whose steps are the given YAML lines. */
function job(steps: string): Parameters<typeof toolchainNeeds>[0] {
  const text = `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${steps
    .trim()
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n")}\n`;
  const { workflow, problems } = parseWorkflow(".github/workflows/ci.yml", text);
  expect(problems).toEqual([]);
  const j = workflow?.jobs[0];
  if (j === undefined) throw new Error("no job");
  return j;
}

describe("toolchainNeeds", () => {
  it.each<[string, string, string[]]>([
    ["a Node job", "- uses: actions/setup-node@v4\n  with: {node-version: 20}\n- run: npm ci && npm test", []],
    ["dtolnay/rust-toolchain", "- uses: dtolnay/rust-toolchain@stable\n  with: {components: clippy}", ["rust"]],
    ["actions-rs/toolchain", "- uses: actions-rs/toolchain@v1\n  with: {toolchain: stable}", ["rust"]],
    ["cargo in a script", "- run: cargo test --locked", ["rust"]],
    ["rustup after &&", "- run: echo hi && rustup component add clippy", ["rust"]],
    ["rustc on a later line", "- run: |\n    set -e\n    rustc --version", ["rust"]],
    ["a word that only contains cargo", "- run: echo cargoship && ./cargo-like.sh", []],
    ["wasm-pack implies rust", "- run: wasm-pack build --target web", ["rust", "wasm-pack"]],
    ["the wasm-pack action", "- uses: jetli/wasm-pack-action@v0.4.0", ["rust", "wasm-pack"]],
    ["trivy-action", "- uses: aquasecurity/trivy-action@0.28.0\n  with: {scan-type: fs}", ["trivy"]],
    ["trivy in a script", "- run: trivy fs --exit-code 1 .", ["trivy"]],
    ["npx playwright install", "- run: npx playwright install --with-deps", ["browsers"]],
    ["pnpm exec playwright test", "- run: pnpm exec playwright test", ["browsers"]],
    ["installing @playwright/test", "- run: npm i -D @playwright/test", ["browsers"]],
    ["Rust and browsers together", "- run: cargo build\n- run: npx playwright test", ["rust", "browsers"]],
    ["a docker action is not a toolchain", "- uses: docker://aquasec/trivy:0.50.0", []],
    ["actions/setup-go", "- uses: actions/setup-go@v5\n  with: {go-version-file: go.mod}", ["go"]],
    ["go test in a script", "- run: go test ./...", ["go"]],
    ["go build after &&", "- run: make gen && go build -o bin/app .", ["go"]],
    ["go as an English word is not Go", "- run: echo ready to go && echo go", []],
    ["actions/setup-java", "- uses: actions/setup-java@v4\n  with: {distribution: temurin, java-version: 17}", ["java"]],
    ["mvn in a script", "- run: mvn -B verify", ["java"]],
    ["./gradlew in a script", "- run: ./gradlew build", ["java"]],
  ])("%s", (_name, steps, expected) => {
    expect(toolchainNeeds(job(steps)).toolchains).toEqual(expected);
  });

  it("names the first step that needs each toolchain, as GitHub names steps", () => {
    const needs = toolchainNeeds(job("- uses: actions/checkout@v4\n- name: Lint\n  run: cargo clippy\n- run: cargo test"));
    expect(needs.reasons).toEqual([{ toolchain: "rust", step: "Lint", why: "runs cargo, rustc or rustup" }]);
  });

  it("collects setup-node's versions as written", () => {
    const needs = toolchainNeeds(job("- uses: actions/setup-node@v4\n  with: {node-version: 18}\n- uses: actions/setup-node@v4\n  with:\n    node-version: ${{ matrix.node }}"));
    expect(needs.nodeVersions).toEqual(["18", "${{ matrix.node }}"]);
  });
});
