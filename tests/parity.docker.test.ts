import os from "node:os";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";

// `replay images parity` on the built runner image, through the CLI: the versions are read
// inside the image, so these figures move when the image does.

interface Item { name: string; status: string; found: string[]; reason?: { category: string }; note?: string }
interface Report { image: string; totals: { same: number; other: number; missing: number }; sections: { name: string; counts: Record<string, number>; items: Item[] }[] }

describe("replay images parity", () => {
  it("compares the runner image with GitHub's ubuntu-24.04, entry by entry, from inside the image", async () => {
    const run = await runCli(["images", "parity", "runner", "--json"], os.tmpdir());
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.image).toMatch(/^replay-runner:[0-9a-f]{12}$/);
    const t = report.totals;
    expect(t.same + t.other + t.missing).toBe(224);
    const item = (section: string, name: string): Item | undefined => report.sections.find((s) => s.name === section)?.items.find((i) => i.name === name);
    expect(item("Language and Runtime", "Node.js")).toMatchObject({ status: "same", found: [expect.stringMatching(/^22\./)] });
    expect(item("Language and Runtime", "GNU C++")).toMatchObject({ status: "same" });
    expect(item("Package Management", "Yarn")).toMatchObject({ status: "same", found: ["1.22.22"] });
    expect(item("Node.js", "24.19.0")).toMatchObject({ status: "same" });
    expect(item("Tools", "yq")).toMatchObject({ status: "other", note: expect.stringContaining("a different program") });
    expect(item("Rust Tools", "Rust")).toMatchObject({ status: "missing", reason: { category: "other-image" } });
    for (const i of report.sections.find((s) => s.name === "Android")?.items ?? []) expect(i.reason?.category).toBe("out-of-scope");
    expect(t.same).toBeGreaterThan(60);
  });

  it("prints the per-section table for people, and refuses an unknown image with exit 2", async () => {
    const run = await runCli(["images", "parity"], os.tmpdir());
    expect(run.stdout).toMatch(/^replay-runner:[0-9a-f]{12} against GitHub's ubuntu-24\.04 \(20260816\.277\.1\): \d+ at the same major version, \d+ at another, \d+ missing$/m);
    expect(run.stdout).toMatch(/^Node\.js\s+2\s+0\s+0$/m);
    const bad = await runCli(["images", "parity", "no-such-image:1"], os.tmpdir());
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("error: no image 'no-such-image:1' on the engine");
  });
});
