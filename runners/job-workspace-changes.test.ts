// Which files a job changed in its checkout, from its listing and what went into it.
import { describe, expect, it } from "vitest";
import { changesSince, parseListing } from "./job-workspace-changes.js";
import type { Fingerprint, JobListing } from "./job-workspace-changes.js";

const FILE = 0o100644;
const EXEC = 0o100755;
/** A host file that went in at second 1000.25, and the job's view of it (whole seconds). */
const fp = (size: number, mode = FILE): Fingerprint => ({ size, mtimeMs: 1_000_250, mode });
const same = (size: number, executable = false): { size: number; mtimeS: number; executable: boolean } => ({ size, mtimeS: 1000, executable });

const listing = (files: Record<string, { size: number; mtimeS: number; executable: boolean }>, ignored: string[] = []): JobListing => ({
  files: new Map(Object.entries(files)),
  ignored,
});

describe("changesSince", () => {
  const base = new Map([
    ["a.ts", fp(3)],
    ["run.sh", fp(5)],
    ["gone.txt", fp(1)],
    ["untracked-on-host.txt", fp(2)],
  ]);
  const inJob = new Set(["a.ts", "run.sh", "gone.txt"]);

  it.each([
    ["nothing changed", { "a.ts": same(3), "run.sh": same(5), "gone.txt": same(1) }, [], { changed: [], added: [], deleted: [] }],
    ["a new size", { "a.ts": same(4), "run.sh": same(5), "gone.txt": same(1) }, [], { changed: ["a.ts"], added: [], deleted: [] }],
    ["a new mtime, same size", { "a.ts": { size: 3, mtimeS: 2000, executable: false }, "run.sh": same(5), "gone.txt": same(1) }, [], { changed: ["a.ts"], added: [], deleted: [] }],
    ["chmod +x only", { "a.ts": same(3), "run.sh": same(5, true), "gone.txt": same(1) }, [], { changed: ["run.sh"], added: [], deleted: [] }],
    ["a file the job made", { "a.ts": same(3), "run.sh": same(5), "gone.txt": same(1), "new.txt": same(9) }, [], { changed: [], added: ["new.txt"], deleted: [] }],
    ["a file the job deleted", { "a.ts": same(3), "run.sh": same(5) }, [], { changed: [], added: [], deleted: ["gone.txt"] }],
    ["a file ignored now is not deleted", { "a.ts": same(3), "run.sh": same(5) }, ["gone.txt"], { changed: [], added: [], deleted: [] }],
    ["nor one in a folder ignored now", { "a.ts": same(3), "gone.txt": same(1) }, ["run.sh/"], { changed: [], added: [], deleted: ["run.sh"] }],
    // An untracked host file was never in the job: the job's own file there is added.
    ["a host-only file made by the job", { "a.ts": same(3), "run.sh": same(5), "gone.txt": same(1), "untracked-on-host.txt": same(2) }, [], { changed: [], added: ["untracked-on-host.txt"], deleted: [] }],
  ])("%s", (_name, files, ignored, want) => {
    expect(changesSince(base, inJob, listing(files, ignored))).toEqual(want);
  });

  it("compares the executable bit as git does (the owner's x)", () => {
    const b = new Map([["x.sh", fp(5, EXEC)]]);
    expect(changesSince(b, new Set(["x.sh"]), listing({ "x.sh": same(5, true) }))).toEqual({ changed: [], added: [], deleted: [] });
    expect(changesSince(b, new Set(["x.sh"]), listing({ "x.sh": same(5, false) })).changed).toEqual(["x.sh"]);
  });
});

describe("parseListing", () => {
  it("reads the container's NUL-separated stat lines, keeps regular files, then what git ignores", () => {
    const out = ["12 1700000000 81a4 src/a b.ts", "5 1700000001 81ed run.sh", "7 1700000002 a1ff link", "4096 1700000003 41ed sub", "", "dist/", "x.log", ""].join("\0");
    const l = parseListing(out);
    expect([...l.files]).toEqual([
      ["src/a b.ts", { size: 12, mtimeS: 1_700_000_000, executable: false }],
      ["run.sh", { size: 5, mtimeS: 1_700_000_001, executable: true }],
    ]);
    expect(l.ignored).toEqual(["dist/", "x.log"]);
  });

  it("an empty checkout lists nothing", () => {
    expect(parseListing("\0")).toEqual({ files: new Map(), ignored: [] });
  });
});
