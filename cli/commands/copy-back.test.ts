// When a replay offers to copy the jobs' changes back, and what it says and asks.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { prepareCopyBack } from "./copy-back.js";
import type { CopyBackFlags, CopyBackIo } from "./copy-back.js";

const flags = (o: Partial<CopyBackFlags> = {}): CopyBackFlags => ({ from: "worktree", step: false, breakOnFailure: false, breakAt: [], ...o });

describe("prepareCopyBack", () => {
  it.each([
    ["replay debug asks", flags(), true, true],
    ["--step asks", flags({ step: true }), false, true],
    ["--break-on-failure asks", flags({ breakOnFailure: true }), false, true],
    ["a plain replay offers nothing", flags(), false, false],
    ["--copy-back copies in any replay", flags({ copyBack: true }), false, true],
    ["--no-copy-back never offers", flags({ copyBack: false }), true, false],
    ["--from HEAD has no working tree to copy to", flags({ from: "HEAD" }), true, false],
  ])("%s", (_name, f, debug, offered) => {
    expect(prepareCopyBack(f, { debug }) !== undefined).toBe(offered);
  });

  it("refuses --copy-back with --from HEAD before anything runs", () => {
    const refusal = (): unknown => prepareCopyBack(flags({ copyBack: true, from: "HEAD" }), { debug: false });
    expect(refusal).toThrow(ReplayError);
    expect(refusal).toThrow(/--copy-back .* --from HEAD/);
  });
});

/** A working tree with a.txt, and a ledger holding the job's new a.txt. */
function session(f: CopyBackFlags, answer: string): { dir: string; said: string[]; asked: string[]; finish: () => Promise<void> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-copyback-cli-"));
  writeFileSync(path.join(dir, "a.txt"), "old\n");
  const said: string[] = [];
  const asked: string[] = [];
  const io: CopyBackIo = { ask: async (q) => (asked.push(q), answer), say: (l) => void said.push(l) };
  const s = prepareCopyBack(f, { debug: true, io });
  if (!s) throw new Error("no copy-back session");
  s.ledger.attach(dir);
  s.ledger.add({ job: "t", files: new Map([["a.txt", { content: Buffer.from("new\n"), executable: false, base: undefined }]]), deleted: new Map() });
  return { dir, said, asked, finish: s.finish };
}

describe("the end of the session", () => {
  it("names a conflict and asks nothing when nothing else can be copied", async () => {
    const s = session(flags(), "y");
    // a.txt is in the working tree and the job never had it: a conflict, not copied.
    await s.finish();
    expect(s.asked).toEqual([]);
    expect(s.said).toEqual(["not copied back: a.txt (your working tree has a file there the job never had)"]);
    rmSync(s.dir, { recursive: true, force: true });
  });

  it.each([
    ["y", true],
    ["yes", true],
    ["", false],
    ["n", false],
  ])("answered %j: copied %s", async (answer, copied) => {
    const s = session(flags(), answer);
    // The working tree has no a.txt now: the job's new one can be copied.
    rmSync(path.join(s.dir, "a.txt"));
    await s.finish();
    expect(s.asked).toEqual(["copy 1 file the job changed back to your working tree? a.txt [y/N] "]);
    expect(s.said).toEqual([copied ? "copied 1 file into your working tree: a.txt" : "nothing copied back"]);
    expect(existsSync(path.join(s.dir, "a.txt"))).toBe(copied);
    rmSync(s.dir, { recursive: true, force: true });
  });

  it("--copy-back copies without asking", async () => {
    const s = session(flags({ copyBack: true }), "n");
    rmSync(path.join(s.dir, "a.txt"));
    await s.finish();
    expect(s.asked).toEqual([]);
    expect(s.said).toEqual(["copied 1 file into your working tree: a.txt"]);
    expect(readFileSync(path.join(s.dir, "a.txt"), "utf8")).toBe("new\n");
    rmSync(s.dir, { recursive: true, force: true });
  });
});
