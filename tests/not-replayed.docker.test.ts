import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { workflowRepo } from "./support/git-repo.js";

// A three-OS matrix, as real projects write it: the Linux cell runs, the macOS and Windows
// cells are not replayed (not failed), and neither is the job that needs the matrix.
const WORKFLOW = `on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest, windows-latest]
        node-version: [22.x]
    runs-on: \${{ matrix.os }}
    steps:
      - run: echo "tested on \${{ matrix.os }}"
  publish:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: echo published
`;

const repo = workflowRepo("not-replayed", WORKFLOW);
afterAll(() => repo.dispose());

type Completed = { jobKey: string; result: string; reason?: string; runner?: string };
const completed = (events: Record<string, unknown>[]): Completed[] => events.filter((e) => e["type"] === "job.completed") as unknown as Completed[];

describe("macOS and Windows jobs", () => {
  it("are not replayed: their own result in --json, out of the exit status, and the jobs that need them too", async () => {
    const r = await runCli(["job", "publish", "--json"], repo.dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const byKey = Object.fromEntries(completed(r.events).map((e) => [e.jobKey, e]));
    expect(byKey["test (os=ubuntu-latest, node-version=22.x)"]?.result).toBe("success");
    expect(byKey["test (os=macos-latest, node-version=22.x)"]).toMatchObject({ result: "not-replayed", reason: "not replayed here: macOS runner ('macos-latest')", runner: "macos-latest" });
    expect(byKey["test (os=windows-latest, node-version=22.x)"]).toMatchObject({ result: "not-replayed", reason: "not replayed here: Windows runner ('windows-latest')", runner: "windows-latest" });
    expect(byKey["publish"]).toMatchObject({ result: "not-replayed", reason: "not replayed here: it needs 'test', which was not replayed" });
    expect(r.events.find((e) => e["type"] === "run.completed")).toMatchObject({ result: "success", exitCode: 0 });
  });

  it("are listed in the plain summary with the --image hint; --matrix picks the Linux cell alone", async () => {
    const r = await runCli(["job", "test", "--matrix", "node-version=22.x"], repo.dir);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("[test (macos-latest, 22.x)] job not-replayed: not replayed here: macOS runner ('macos-latest')");
    expect(r.stdout).toMatch(/test \(windows-latest, 22\.x\)\s+not-replayed/);
    expect(r.stdout).toContain("3 job(s), 0 failed, 2 not replayed, in");
    expect(r.stdout).toContain("hint: 2 job(s) not replayed (they need a macOS or Windows runner); --image macos-latest=<image> --image windows-latest=<image> runs them in a Linux image anyway, --strict fails them");

    const linux = await runCli(["job", "test", "--matrix", "os=ubuntu-latest", "--json"], repo.dir);
    expect(linux.exitCode, linux.stderr).toBe(0);
    expect(completed(linux.events).map((e) => [e.jobKey, e.result])).toEqual([["test (os=ubuntu-latest, node-version=22.x)", "success"]]);
  });

  it("fail with --strict, and run in a Linux image with --image", async () => {
    const strict = await runCli(["job", "test", "--strict", "--json"], repo.dir);
    expect(strict.exitCode).toBe(1);
    expect(completed(strict.events).find((e) => e.jobKey === "test (os=macos-latest, node-version=22.x)")).toMatchObject({
      result: "failure",
      reason: "not replayed here: macOS runner ('macos-latest') (failed by --strict)",
    });

    const mapped = await runCli(["job", "test", "--image", "macos-latest=replay-base:bookworm", "--matrix", "os=macos-latest", "--json"], repo.dir);
    expect(mapped.exitCode, mapped.stderr).toBe(0);
    expect(completed(mapped.events).map((e) => [e.jobKey, e.result])).toEqual([["test (os=macos-latest, node-version=22.x)", "success"]]);
  });
});
