import { describe, expect, it } from "vitest";
import { ReplayError } from "../common/index.js";
import { resolveCalledWorkflows } from "./called-workflows.js";
import type { ReadCalledWorkflow } from "./called-workflows.js";
import { checkCallSecrets } from "./call-secrets.js";
import type { SuppliedSecrets } from "./call-secrets.js";
import { parseWorkflow } from "./parse-workflow.js";
import { planEvent, planJob } from "./plan.js";
import type { Plan } from "./plan.js";

const CALLER = ".github/workflows/ci.yml";
const DEPLOY = ".github/workflows/deploy.yml";
const INNER = ".github/workflows/inner.yml";

const deploy = `on:
  workflow_call:
    secrets:
      DEPLOY_TOKEN:
        required: true
      OPTIONAL:
        required: false
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploying
`;

const memory =
  (files: Record<string, string>): ReadCalledWorkflow =>
  async (ref) => {
    if (ref.kind !== "local") return undefined;
    const text = files[ref.path];
    return text === undefined ? undefined : { file: ref.path, text };
  };

async function planned(callerJob: string, extra: Record<string, string> = {}, job?: string): Promise<Plan> {
  const files = { [DEPLOY]: deploy, ...extra, [CALLER]: `on: push\njobs:\n  setup:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n  call:\n${callerJob}\n` };
  const parsed = parseWorkflow(CALLER, files[CALLER] ?? "");
  if (!parsed.workflow) throw new Error(parsed.problems.map((p) => `${p.line}: ${p.message}`).join("; "));
  const plan = job === undefined ? planEvent([parsed.workflow], "push") : planJob([parsed.workflow], job, "push");
  return resolveCalledWorkflows(plan, memory(files));
}

function refusal(plan: Plan, supplied: SuppliedSecrets): ReplayError | undefined {
  try {
    checkCallSecrets(plan, supplied);
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  return undefined;
}

const mapped = "    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}";

describe("checkCallSecrets: a required secret of a called workflow must be supplied", () => {
  it("refuses a mapped secret the user did not supply, naming it, the called file and how to supply it", async () => {
    const e = refusal(await planned(mapped), { secrets: {} });
    expect(e?.code).toBe("missing-secret");
    expect(e?.exitCode).toBe(2);
    expect(e?.message).toBe(`required secret not supplied: DEPLOY_TOKEN (required by ${DEPLOY}, called by job 'call' of ${CALLER})`);
    expect(e?.hint).toContain("--secret DEPLOY_TOKEN=…");
  });

  it.each<{ label: string; job: string; supplied: SuppliedSecrets }>([
    { label: "a mapped secret supplied", job: mapped, supplied: { secrets: { DEPLOY_TOKEN: "t" } } },
    { label: "inherit with the secret supplied", job: "    uses: ./.github/workflows/deploy.yml\n    secrets: inherit", supplied: { secrets: { DEPLOY_TOKEN: "t" } } },
    { label: "a literal value", job: "    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_TOKEN: not-secret-at-all", supplied: { secrets: {} } },
    {
      label: "a value computed from a var",
      job: "    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_TOKEN: ${{ vars.TOKEN_PREFIX }}-x",
      supplied: { secrets: {}, vars: { TOKEN_PREFIX: "p" } },
    },
    {
      // Known only when setup has run: checked by nobody before the run, as on GitHub.
      label: "a value from a job's outputs",
      job: "    needs: setup\n    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_TOKEN: ${{ needs.setup.outputs.token }}",
      supplied: { secrets: {} },
    },
    {
      label: "GITHUB_TOKEN from --github-token",
      job: "    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
      supplied: { secrets: {}, githubToken: "ghs_x" },
    },
  ])("lets the replay start with $label", async ({ job, supplied }) => {
    expect(refusal(await planned(job), supplied)).toBeUndefined();
  });

  it("refuses inherit when the user did not supply the secret", async () => {
    const e = refusal(await planned("    uses: ./.github/workflows/deploy.yml\n    secrets: inherit"), { secrets: { OTHER: "x" } });
    expect(e?.message).toContain("DEPLOY_TOKEN");
    expect(e?.hint).toContain("--secret DEPLOY_TOKEN=…");
  });

  it("asks for the caller's secret when the mapping renames it", async () => {
    const e = refusal(await planned("    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_TOKEN: ${{ secrets.PROD_TOKEN }}"), { secrets: {} });
    expect(e?.message).toContain("DEPLOY_TOKEN");
    expect(e?.message).toContain("which passes it secrets.PROD_TOKEN");
    expect(e?.hint).toContain("--secret PROD_TOKEN=…");
  });

  it("follows secrets through nested calls, back to the secret the user supplies", async () => {
    const inner = `on:
  workflow_call:
    secrets:
      TOKEN:
        required: true
jobs:
  call-deploy:
    uses: ./.github/workflows/deploy.yml
    secrets:
      DEPLOY_TOKEN: \${{ secrets.TOKEN }}
`;
    const job = "    uses: ./.github/workflows/inner.yml\n    secrets:\n      TOKEN: ${{ secrets.ROOT_TOKEN }}";
    const plan = await planned(job, { [INNER]: inner });
    const e = refusal(plan, { secrets: {} });
    expect(e?.message).toContain(`TOKEN (required by ${INNER}`);
    expect(e?.message).toContain(`DEPLOY_TOKEN (required by ${DEPLOY}, called by job 'call-deploy' of ${INNER}, which passes it secrets.ROOT_TOKEN)`);
    expect(e?.hint).toBe("supply it with --secret ROOT_TOKEN=… (or --secret ROOT_TOKEN to read it from the environment, --secret-file FILE, or a ROOT_TOKEN=… line in .secrets)");
    expect(refusal(plan, { secrets: { ROOT_TOKEN: "r" } })).toBeUndefined();
  });

  it("checks only the calls of the jobs the replay runs", async () => {
    const plan = await planned(mapped, {}, "setup");
    expect(refusal(plan, { secrets: {} })).toBeUndefined();
  });

  it("refuses a workflow_call workflow replayed directly without its required secret", async () => {
    const parsed = parseWorkflow(DEPLOY, deploy);
    if (!parsed.workflow) throw new Error("does not load");
    const plan = planEvent([parsed.workflow], "workflow_call");
    const e = refusal(plan, { secrets: {} });
    expect(e?.message).toBe(`required secret not supplied: DEPLOY_TOKEN (required by ${DEPLOY}, replayed as a workflow_call)`);
    expect(refusal(plan, { secrets: { DEPLOY_TOKEN: "x" } })).toBeUndefined();
  });
});
