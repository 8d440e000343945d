import { describe, expect, it } from "vitest";
import { parseWorkflow, planEvent } from "../../workflows/index.js";
import type { Plan, Workflow } from "../../workflows/index.js";
import { chooseJobs, secretsUsed } from "./job-choice.js";
import type { JobChoiceOptions } from "./job-choice.js";

function workflow(text: string, file = ".github/workflows/ci.yml"): Workflow {
  const { workflow: w, problems } = parseWorkflow(file, text);
  if (!w) throw new Error(problems.map((p) => p.message).join("; "));
  return w;
}

const CI = workflow(`
on: push
env:
  FROM_WORKFLOW: \${{ secrets.WORKFLOW_WIDE }}
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: npm run lint
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
        env:
          TOKEN: \${{ secrets.GITHUB_TOKEN }}
  publish:
    runs-on: ubuntu-latest
    needs: test
    steps:
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: \${{ secrets.npm_token }}
      - if: secrets['SLACK_HOOK'] != ''
        run: echo notify
  deploy:
    runs-on: ubuntu-latest
    needs: lint
    environment:
      name: production
      url: https://example.com
    steps:
      - run: ./deploy
  smoke:
    runs-on: ubuntu-latest
    needs: deploy
    steps:
      - run: ./smoke
  windows:
    runs-on: [self-hosted, windows-latest]
    steps:
      - run: echo win
  rusty:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test
`);

// The workflow-wide secret would leave out every job; these cases supply it.
const base: JobChoiceOptions = { secrets: ["WORKFLOW_WIDE"], imageOverrides: {} };
const plan = (...ws: Workflow[]): Plan => planEvent(ws, "push", { ref: "refs/heads/main" });
const chosen = (p: Plan): string[] => p.workflows.flatMap((pw) => pw.jobs.map((j) => j.id));

describe("chooseJobs", () => {
  it.each<[string, Partial<JobChoiceOptions>, string[], string[], Record<string, RegExp>]>([
    [
      "by default: no environment, no missing secret, a runner here",
      {},
      ["lint", "test", "rusty"],
      ["publish", "deploy", "smoke", "windows"],
      {
        publish: /^needs secrets NPM_TOKEN, SLACK_HOOK /,
        deploy: /^deploys to environment 'production'/,
        smoke: /^needs 'deploy', which is left out$/,
        windows: /^not replayed here: Windows runner \('windows-latest'/,
      },
    ],
    ["secrets the user supplied (any case) count", { secrets: ["WORKFLOW_WIDE", "NPM_TOKEN", "slack_hook"] }, ["lint", "test", "publish", "rusty"], ["deploy", "smoke", "windows"], {}],
    [
      "a workflow-wide secret use is every job's",
      { secrets: [] },
      [],
      ["lint", "test", "publish", "deploy", "smoke", "windows", "rusty"],
      { lint: /^needs secret WORKFLOW_WIDE /, publish: /^needs secrets WORKFLOW_WIDE, NPM_TOKEN, SLACK_HOOK / },
    ],
    ["a mapped Windows label runs", { imageOverrides: { "windows-latest": "my/win-tools" } }, ["lint", "test", "windows", "rusty"], ["publish", "deploy", "smoke"], {}],
    [
      "an image that cannot be built here",
      { imageProblem: (j) => (j.id === "rusty" ? "needs the rust image, which cannot be built here" : undefined) },
      ["lint", "test"],
      ["publish", "deploy", "smoke", "windows", "rusty"],
      { rusty: /rust image/ },
    ],
    [
      "chosen jobs run with what they need, missing secrets or not; the others are named with the setting",
      { chosen: ["publish"], chosenBy: ".replay.yml's hook.jobs" },
      ["test", "publish"],
      ["lint", "deploy", "smoke", "windows", "rusty"],
      { lint: /^not in \.replay\.yml's hook\.jobs \(publish\)$/, rusty: /hook\.jobs/ },
    ],
    [
      "a chosen job that deploys is still left out, and what needs it",
      { chosen: ["smoke"], chosenBy: "--jobs" },
      ["lint"],
      ["test", "publish", "deploy", "smoke", "windows", "rusty"],
      { test: /^not in --jobs \(smoke\)$/, deploy: /environment/, smoke: /needs 'deploy'/ },
    ],
    ["a chosen job that is not in the plan chooses nothing", { chosen: ["nope"] }, [], ["lint", "test", "publish", "deploy", "smoke", "windows", "rusty"], { lint: /not in/ }],
  ])("%s", (_what, options, jobs, leftOut, reasons) => {
    const r = chooseJobs(plan(CI), { ...base, ...options });
    expect(chosen(r.plan)).toEqual(jobs);
    expect(r.skipped.map((s) => s.job)).toEqual(leftOut);
    const why = Object.fromEntries(r.skipped.map((s) => [s.job, s.reason]));
    for (const [job, re] of Object.entries(reasons)) expect(why[job]).toMatch(re);
  });

  it("drops a workflow left with no job, keeps the others", () => {
    const deployOnly = workflow("on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    environment: prod\n    steps:\n      - run: x\n", ".github/workflows/deploy.yml");
    const r = chooseJobs(plan(CI, deployOnly), { ...base, chosen: ["lint", "d"] });
    expect(r.plan.workflows.map((pw) => pw.workflow.file)).toEqual([".github/workflows/ci.yml"]);
    expect(r.skipped.filter((x) => x.job === "d")).toEqual([{ workflow: ".github/workflows/deploy.yml", job: "d", reason: expect.stringMatching(/environment 'prod'/) }]);
  });

  it("a called workflow that cannot be replayed leaves its caller out", () => {
    const caller = workflow("on: push\njobs:\n  call:\n    uses: octo/other/.github/workflows/x.yml@v1\n  after:\n    needs: call\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n");
    const r = chooseJobs(plan(caller), { ...base, callProblem: () => "reusable workflows from other repositories are not supported" });
    expect(r.skipped.map((s) => [s.job, s.reason])).toEqual([
      ["call", "reusable workflows from other repositories are not supported"],
      ["after", "needs 'call', which is left out"],
    ]);
  });
});

describe("secretsUsed", () => {
  it("finds dotted and indexed uses, upper-cased, GITHUB_TOKEN aside", () => {
    const w = workflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.One }} ${{ secrets['two-2'] }} ${{ secrets.GITHUB_TOKEN }} ${{ env.mysecrets }}\n");
    const pw = plan(w).workflows[0];
    if (!pw) throw new Error("not planned");
    expect([...secretsUsed(pw, pw.jobs[0] as never)]).toEqual(["ONE", "TWO-2"]);
  });
});
