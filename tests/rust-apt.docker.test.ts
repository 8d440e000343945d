import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, runCli } from "./support/corpus.js";
import { stepLog, tempRepo } from "./support/temp-repo.js";

// A Rust job as real ones are written: it installs what its crate's native parts need
// with apt (g++, musl-tools, libssl-dev, pkg-config, as GitHub's image allows), then
// builds and runs a crate whose build script compiles C and C++ (tests/fixtures/rust-c-dep:
// crates.io cannot be reached here, so no `cc` crate). It runs in the rust image, and
// the runner image's apt works the same.

const WORKFLOW = `on: push
jobs:
  native:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install native build dependencies
        run: sudo apt-get update -q && sudo apt-get install -y g++ musl-tools libssl-dev pkg-config
      - name: Build and run
        run: |
          cargo build --offline
          cargo run --offline -q
          pkg-config --modversion openssl
          musl-gcc --version | head -n 1
  plain:
    runs-on: ubuntu-latest
    steps:
      - name: apt in the runner image
        run: sudo apt-get update -q && sudo apt-get install -y --no-install-recommends musl-tools libpq-dev && musl-gcc --version | head -n 1
`;

const repo = tempRepo("replay-rust-apt-", { ".github/workflows/ci.yml": WORKFLOW }, path.join(PROJECT_ROOT, "tests/fixtures/rust-c-dep"));
afterAll(() => repo.dispose());


describe("apt in replay's images", () => {
  it("installs g++, musl-tools, libssl-dev and pkg-config in the rust image, and a crate with C and C++ parts builds and runs", async () => {
    const run = await runCli(["job", "native", "--json"], repo.dir);
    const log = stepLog(run.events);
    const completed = run.events.find((e) => e["type"] === "job.completed");
    expect(completed?.["result"], log.slice(-4000) + run.stderr.slice(-2000)).toBe("success");
    expect(String(run.events.find((e) => e["type"] === "job.started")?.["image"])).toContain("replay-rust:");
    expect(log).toContain("answer from C: 42");
    expect(log).toContain("twice from C++: 42");
    expect(log).toMatch(/^3\.\d+\.\d+/m);
  });

  it("installs packages in the runner image too", async () => {
    const run = await runCli(["job", "plain", "--json"], repo.dir);
    const completed = run.events.find((e) => e["type"] === "job.completed");
    expect(completed?.["result"], stepLog(run.events).slice(-4000) + run.stderr.slice(-2000)).toBe("success");
  });
});
