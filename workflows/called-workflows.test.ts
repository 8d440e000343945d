import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ReplayError, WorkflowProblemsError } from "../common/index.js";
import { MAX_UNIQUE_CALLED_WORKFLOWS, MAX_WORKFLOW_LEVELS, resolveCalledWorkflows, workflowReader } from "./called-workflows.js";
import type { ReadCalledWorkflow } from "./called-workflows.js";
import { parseWorkflow } from "./parse-workflow.js";
import { planEvent } from "./plan.js";
import type { Plan } from "./plan.js";

const CALLER = ".github/workflows/ci.yml";

/** A reader over files held in memory, as the repository would hold them. */
function memory(files: Record<string, string>): ReadCalledWorkflow {
  return async (ref, uses) => {
    if (ref.kind === "remote") throw new Error(`no remote workflows in this test: ${uses}`);
    const text = files[ref.path];
    return text === undefined ? undefined : { file: ref.path, text };
  };
}

function planOf(files: Record<string, string>): Plan {
  const parsed = parseWorkflow(CALLER, files[CALLER] ?? "");
  if (!parsed.workflow) throw new Error(parsed.problems.map((p) => p.message).join("; "));
  return planEvent([parsed.workflow], "push");
}

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  try {
    await resolveCalledWorkflows(planOf(files), memory(files));
  } catch (e) {
    if (e instanceof WorkflowProblemsError) return e.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    throw e;
  }
  return [];
}

const called = (on: string, jobs = "  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"): string => `on:\n${on}\njobs:\n${jobs}`;

const caller = (job: string): string => `on: push
jobs:
  call:
${job}
`;

describe("resolveCalledWorkflows", () => {
  it("plans the called workflow's jobs in needs order, nested calls included", async () => {
    const files = {
      [CALLER]: caller("    uses: ./.github/workflows/a.yml"),
      ".github/workflows/a.yml": called("  workflow_call:", "  second:\n    needs: first\n    uses: ./.github/workflows/b.yml\n  first:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo 1\n"),
      ".github/workflows/b.yml": called("  workflow_call:"),
    };
    const plan = await resolveCalledWorkflows(planOf(files), memory(files));
    const a = plan.workflows[0]?.calls?.["call"];
    expect(a).toMatchObject({ uses: "./.github/workflows/a.yml", level: 2 });
    expect(a?.called.jobs.map((j) => j.id)).toEqual(["first", "second"]);
    expect(a?.called.calls?.["second"]).toMatchObject({ level: 3 });
    expect(a?.called.calls?.["second"]?.called.workflow.file).toBe(".github/workflows/b.yml");
  });

  it.each<{ label: string; job: string; calledOn?: string; expected: string }>([
    {
      label: "a file that does not exist",
      job: "    uses: ./.github/workflows/nope.yml",
      expected: `${CALLER}:4: job 'call' calls './.github/workflows/nope.yml', and there is no such file`,
    },
    {
      label: "a workflow without on: workflow_call",
      job: "    uses: ./.github/workflows/called.yml",
      calledOn: "  push:",
      expected: `${CALLER}:4: job 'call' calls .github/workflows/called.yml, which is not a reusable workflow: it has no \`on: workflow_call\``,
    },
    {
      label: "an input the called workflow does not declare",
      job: "    uses: ./.github/workflows/called.yml\n    with:\n      tagret: web",
      calledOn: "  workflow_call:\n    inputs:\n      target:\n        type: string",
      expected: `${CALLER}:5: job 'call': .github/workflows/called.yml declares no input 'tagret' (its inputs are: target)`,
    },
    {
      label: "a required input not given",
      job: "    uses: ./.github/workflows/called.yml",
      calledOn: "  workflow_call:\n    inputs:\n      target:\n        type: string\n        required: true",
      expected: `${CALLER}:4: job 'call': input 'target' of .github/workflows/called.yml is required, but not provided while calling`,
    },
    {
      label: "a literal of the wrong type",
      job: "    uses: ./.github/workflows/called.yml\n    with:\n      verbose: 'true'",
      calledOn: "  workflow_call:\n    inputs:\n      verbose:\n        type: boolean",
      expected: `${CALLER}:5: job 'call': input 'verbose' is a boolean and cannot take a string ('true') (write true without quotes, or \`\${{ … == 'true' }}\` for text)`,
    },
    {
      label: "a secret the called workflow does not declare",
      job: "    uses: ./.github/workflows/called.yml\n    secrets:\n      TOKEN: x",
      calledOn: "  workflow_call:",
      expected: `${CALLER}:5: job 'call': .github/workflows/called.yml declares no secret 'TOKEN' (it declares no secrets)`,
    },
    {
      label: "a required secret the caller does not pass",
      job: "    uses: ./.github/workflows/called.yml",
      calledOn: "  workflow_call:\n    secrets:\n      DEPLOY_TOKEN:\n        required: true",
      expected: `${CALLER}:4: job 'call': secret 'DEPLOY_TOKEN' is required by .github/workflows/called.yml, but not passed: add \`DEPLOY_TOKEN: \${{ secrets.DEPLOY_TOKEN }}\` under \`secrets:\`, or write \`secrets: inherit\``,
    },
  ])("refuses $label, at the caller's line", async ({ job, calledOn, expected }) => {
    const files: Record<string, string> = { [CALLER]: caller(job) };
    if (calledOn !== undefined) files[".github/workflows/called.yml"] = called(calledOn);
    expect(await problemsOf(files)).toEqual([expected]);
  });

  it("passes a required secret given by inherit and an expression-valued input to the run", async () => {
    const files = {
      [CALLER]: caller("    uses: ./.github/workflows/called.yml\n    secrets: inherit\n    with:\n      verbose: ${{ github.ref == 'refs/heads/main' }}"),
      ".github/workflows/called.yml": called("  workflow_call:\n    inputs:\n      verbose:\n        type: boolean\n    secrets:\n      T:\n        required: true"),
    };
    expect(await problemsOf(files)).toEqual([]);
  });

  it("reports the called file's own problems with their positions in that file", async () => {
    const files = {
      [CALLER]: caller("    uses: ./.github/workflows/called.yml"),
      ".github/workflows/called.yml": "on: workflow_call\njobs:\n  build:\n    runs-on: ubuntu-latest\n    stepz: []\n",
    };
    const problems = await problemsOf(files);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(".github/workflows/called.yml:"))).toBe(true);
    expect(problems.join("\n")).toContain("stepz");
  });

  it(`allows ${MAX_WORKFLOW_LEVELS} levels of workflows and refuses an eleventh`, async () => {
    const chain = (levels: number): Record<string, string> => {
      const files: Record<string, string> = { [CALLER]: caller("    uses: ./.github/workflows/w2.yml") };
      for (let n = 2; n <= levels; n++) {
        const last = n === levels;
        files[`.github/workflows/w${n}.yml`] = called("  workflow_call:", last ? undefined : `  call:\n    uses: ./.github/workflows/w${n + 1}.yml\n`);
      }
      return files;
    };
    expect(await problemsOf(chain(MAX_WORKFLOW_LEVELS))).toEqual([]);
    const refused = await problemsOf(chain(MAX_WORKFLOW_LEVELS + 1));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(`.github/workflows/w${MAX_WORKFLOW_LEVELS}.yml:5: job 'call' calls './.github/workflows/w${MAX_WORKFLOW_LEVELS + 1}.yml' as level 11 (${CALLER} → .github/workflows/w2.yml`);
    expect(refused[0]).toContain("GitHub connects at most 10 levels of workflows");
  });

  it("stops a workflow that calls itself at the depth limit", async () => {
    const files = {
      [CALLER]: caller("    uses: ./.github/workflows/loop.yml"),
      ".github/workflows/loop.yml": called("  workflow_call:", "  again:\n    uses: ./.github/workflows/loop.yml\n"),
    };
    const problems = await problemsOf(files);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("GitHub connects at most 10 levels");
  });

  it(`refuses more than ${MAX_UNIQUE_CALLED_WORKFLOWS} unique called workflows, and counts one called twice once`, async () => {
    const many = (n: number): Record<string, string> => {
      const jobs = Array.from({ length: n }, (_, i) => `  c${i}:\n    uses: ./.github/workflows/u${i}.yml\n`).join("");
      const files: Record<string, string> = { [CALLER]: `on: push\njobs:\n${jobs}  again:\n    uses: ./.github/workflows/u0.yml\n` };
      for (let i = 0; i < n; i++) files[`.github/workflows/u${i}.yml`] = called("  workflow_call:");
      return files;
    };
    expect(await problemsOf(many(MAX_UNIQUE_CALLED_WORKFLOWS))).toEqual([]);
    expect(await problemsOf(many(MAX_UNIQUE_CALLED_WORKFLOWS + 1))).toEqual([
      `${CALLER}:1: ${CALLER} calls 51 different reusable workflows (nested calls included); GitHub allows at most 50`,
    ]);
  });
});

describe("workflowReader", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it("reads a local workflow from the repository and refuses another repository's, naming it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "replay-called-"));
    dirs.push(dir);
    await mkdir(path.join(dir, ".github/workflows"), { recursive: true });
    await writeFile(path.join(dir, ".github/workflows/r.yml"), "on: workflow_call\n");
    const read = workflowReader(dir);
    const parsed = parseWorkflow(CALLER, caller("    uses: ./.github/workflows/r.yml"));
    if (!parsed.workflow) throw new Error("caller does not load");
    // The bytes, so that parseWorkflow refuses a file that is not UTF-8.
    expect(await read({ kind: "local", path: ".github/workflows/r.yml" }, "./.github/workflows/r.yml", parsed.workflow)).toEqual({
      file: ".github/workflows/r.yml",
      text: Buffer.from("on: workflow_call\n"),
    });
    expect(await read({ kind: "local", path: ".github/workflows/none.yml" }, "./.github/workflows/none.yml", parsed.workflow)).toBeUndefined();
    const remote = "octo/shared/.github/workflows/build.yml@v1";
    const refused = read({ kind: "remote", owner: "octo", repo: "shared", path: ".github/workflows/build.yml", ref: "v1" }, remote, parsed.workflow);
    await expect(refused).rejects.toBeInstanceOf(ReplayError);
    await expect(refused).rejects.toThrow(`replay cannot call '${remote}' yet`);
  });

  it("reads another repository's workflow through the remote source, and local references inside it from that repository", async () => {
    const local = await mkdtemp(path.join(os.tmpdir(), "replay-called-local-"));
    const shared = await mkdtemp(path.join(os.tmpdir(), "replay-called-remote-"));
    dirs.push(local, shared);
    await mkdir(path.join(shared, ".github/workflows"), { recursive: true });
    await writeFile(path.join(shared, ".github/workflows/build.yml"), "on: workflow_call\njobs:\n  inner:\n    uses: ./.github/workflows/helper.yml\n");
    await writeFile(path.join(shared, ".github/workflows/helper.yml"), "on: workflow_call\njobs:\n  help:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo help\n");
    const fetched: string[] = [];
    const read = workflowReader(local, {
      fetch: async (r) => {
        fetched.push(`${r.owner}/${r.repo}@${r.ref}`);
        return { repoDir: shared };
      },
    });
    const ci = parseWorkflow(CALLER, caller("    uses: octo/shared/.github/workflows/build.yml@v1"));
    if (!ci.workflow) throw new Error("caller does not load");
    const plan = await resolveCalledWorkflows(planEvent([ci.workflow], "push"), read);
    const build = plan.workflows[0]?.calls?.["call"]?.called;
    expect(build?.workflow.file).toBe("octo/shared/.github/workflows/build.yml@v1");
    expect(build?.calls?.["inner"]?.called.workflow.file).toBe("octo/shared/.github/workflows/helper.yml@v1");
    expect(fetched).toEqual(["octo/shared@v1"]);
  });
});
