import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./support/corpus.js";
import { gitRepo } from "./support/git-repo.js";
import { leftAfterRemoval } from "./support/engine-leftovers.js";

// Reusable workflows end to end on Docker, through the built CLI: a matrix caller, a nested
// call, mapped and inherited secrets, typed inputs and outputs flowing back to `needs`.
const repo = gitRepo("reusable", {
  ".github/workflows/ci.yml": `name: CI
on: push
jobs:
  call:
    strategy:
      matrix:
        target: [web, api]
    uses: ./.github/workflows/build.yml
    with:
      target: \${{ matrix.target }}
      verbose: \${{ matrix.target == 'api' }}
    secrets:
      TOKEN: \${{ secrets.DEPLOY_TOKEN }}
  release:
    needs: call
    uses: ./.github/workflows/release.yml
    secrets: inherit
  report:
    needs: [call, release]
    runs-on: ubuntu-latest
    steps:
      - name: Outputs came back
        run: |
          echo "artifact=\${{ needs.call.outputs.artifact }} notes=\${{ needs.release.outputs.notes }}"
          test "\${{ needs.release.outputs.notes }}" = "notes for v1"
`,
  ".github/workflows/build.yml": `name: Build
on:
  workflow_call:
    inputs:
      target:
        type: string
        required: true
      verbose:
        type: boolean
        default: false
    secrets:
      TOKEN:
        required: true
    outputs:
      artifact:
        value: \${{ jobs.bundle.outputs.artifact }}
jobs:
  bundle:
    runs-on: ubuntu-latest
    outputs:
      artifact: \${{ steps.b.outputs.artifact }}
    steps:
      - name: Bundle
        id: b
        run: |
          echo "building \${{ inputs.target }} verbose=\${{ inputs.verbose }} in $GITHUB_WORKFLOW"
          echo "token is $TOKEN"
          echo "artifact=\${{ inputs.target }}.tgz" >> "$GITHUB_OUTPUT"
        env:
          TOKEN: \${{ secrets.TOKEN }}
`,
  ".github/workflows/release.yml": `on:
  workflow_call:
    outputs:
      notes:
        value: \${{ jobs.notes.outputs.notes }}
jobs:
  notes:
    uses: ./.github/workflows/notes.yml
    with:
      version: v1
    secrets: inherit
`,
  ".github/workflows/notes.yml": `on:
  workflow_call:
    inputs:
      version:
        type: string
    outputs:
      notes:
        value: \${{ jobs.write.outputs.notes }}
jobs:
  write:
    runs-on: ubuntu-latest
    outputs:
      notes: \${{ steps.w.outputs.notes }}
    steps:
      - name: Write
        id: w
        run: |
          echo "inherited token is \${{ secrets.DEPLOY_TOKEN }}"
          echo "notes=notes for \${{ inputs.version }}" >> "$GITHUB_OUTPUT"
`,
});
afterAll(() => repo.dispose());

type Event = Record<string, unknown>;
/** The runs this file started: other replays may be running on the same engine meanwhile. */
const runIds: string[] = [];

describe("reusable workflows on Docker", () => {
  it("runs each matrix cell's call and the nested call, passing secrets, inputs and outputs", async () => {
    const run = await runCli(["run", "--json", "--secret", "DEPLOY_TOKEN=s3cr3t-value"], repo.dir);
    runIds.push(...run.events.filter((e) => e["type"] === "run.started").map((e) => String(e["runId"])));
    const completed = run.events.filter((e) => e["type"] === "job.completed");
    const job = (key: string): Event | undefined => completed.find((e) => e["jobKey"] === key);
    const lines = (key: string): string[] => run.events.filter((e) => e["type"] === "step.output" && e["jobKey"] === key).map((e) => String(e["line"]));
    const failed = completed.filter((e) => e["result"] !== "success").map((e) => `${String(e["jobKey"])}: ${String(e["result"])} ${String(e["reason"] ?? "")}`);
    expect(run.exitCode, `${failed.join("\n")}\n${run.stderr.slice(-3000)}`).toBe(0);

    expect(job("call (target=web)/bundle")).toMatchObject({ job: "call/bundle", name: "call (web) / bundle", workflow: ".github/workflows/build.yml", result: "success", outputs: { artifact: "web.tgz" } });
    expect(job("call (target=api)/bundle")).toMatchObject({ job: "call/bundle", name: "call (api) / bundle", result: "success", outputs: { artifact: "api.tgz" } });
    expect(lines("call (target=api)/bundle")).toEqual(expect.arrayContaining(["building api verbose=true in CI", "token is ***"]));
    expect(lines("call (target=web)/bundle")).toContain("building web verbose=false in CI");
    expect(job("call (target=web)")).toMatchObject({ job: "call", name: "call (web)", matrix: { target: "web" }, result: "success" });

    expect(job("release/notes/write")).toMatchObject({ job: "release/notes/write", name: "release / notes / write", workflow: ".github/workflows/notes.yml", result: "success" });
    expect(lines("release/notes/write")).toContain("inherited token is ***");
    expect(job("release")).toMatchObject({ result: "success", outputs: { notes: "notes for v1" } });
    expect(job("report")).toMatchObject({ result: "success" });
    expect(run.stdout).not.toContain("s3cr3t-value");
  });

  it("refuses the replay by the secret's name when it is not supplied, starting nothing", async () => {
    const run = await runCli(["job", "report"], repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("required secret not supplied: TOKEN (required by .github/workflows/build.yml");
    expect(run.stderr).toContain("--secret DEPLOY_TOKEN=…");
  });

});

// Another repository's workflow, cloned through the remote actions' cache from a bare
// repository given as --github-url; its own `./` reference names a file of that repository.
describe("a reusable workflow of another repository", () => {
  const served = mkdtempSync(path.join(os.tmpdir(), "replay-served-"));
  const cache = mkdtempSync(path.join(os.tmpdir(), "replay-cache-"));
  const shared = gitRepo("shared", {
    ".github/workflows/build.yml": `on:
  workflow_call:
    inputs:
      who:
        type: string
    outputs:
      greeting:
        value: \${{ jobs.helper.outputs.greeting }}
jobs:
  helper:
    uses: ./.github/workflows/helper.yml
    with:
      who: \${{ inputs.who }}
`,
    ".github/workflows/helper.yml": `on:
  workflow_call:
    inputs:
      who:
        type: string
    outputs:
      greeting:
        value: \${{ jobs.greet.outputs.greeting }}
jobs:
  greet:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.g.outputs.greeting }}
    steps:
      - id: g
        run: echo "greeting=hello \${{ inputs.who }} from the shared repository" >> "$GITHUB_OUTPUT"
`,
  });
  execFileSync("git", ["tag", "v1"], { cwd: shared.dir });
  execFileSync("git", ["clone", "-q", "--bare", shared.dir, path.join(served, "octo/shared.git")]);
  const caller = gitRepo("remote-caller", {
    ".github/workflows/ci.yml": `on: push
jobs:
  call:
    uses: octo/shared/.github/workflows/build.yml@v1
    with:
      who: replay
  show:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: test "\${{ needs.call.outputs.greeting }}" = "hello replay from the shared repository"
`,
  });
  afterAll(() => {
    shared.dispose();
    caller.dispose();
    rmSync(served, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it("runs it, nested local call included, and gives its outputs back", async () => {
    const run = await runCli(["run", "--json", "--github-url", served], caller.dir, { XDG_CACHE_HOME: cache });
    runIds.push(...run.events.filter((e) => e["type"] === "run.started").map((e) => String(e["runId"])));
    const completed = run.events.filter((e) => e["type"] === "job.completed");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(completed.find((e) => e["jobKey"] === "call/helper/greet")).toMatchObject({
      job: "call/helper/greet",
      name: "call / helper / greet",
      workflow: "octo/shared/.github/workflows/helper.yml@v1",
      result: "success",
    });
    expect(completed.find((e) => e["jobKey"] === "call")).toMatchObject({ result: "success", outputs: { greeting: "hello replay from the shared repository" } });
    expect(completed.find((e) => e["jobKey"] === "show")).toMatchObject({ result: "success" });
  });

  it("with --offline and nothing cached, refuses the replay naming the workflow", async () => {
    const run = await runCli(["run", "--offline"], caller.dir, { XDG_CACHE_HOME: path.join(cache, "empty") });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("octo/shared/.github/workflows/build.yml@v1");
  });
});

describe("after the reusable workflow replays", () => {
  it("leaves no container, network or volume behind", async () => {
    expect(runIds).toHaveLength(2);
    for (const id of runIds) {
      const left = await Promise.all((["containers", "networks", "volumes"] as const).map((kind) => leftAfterRemoval([`dev.replay.run=${id}`], kind)));
      expect(left).toEqual(["", "", ""]);
    }
  });
});
