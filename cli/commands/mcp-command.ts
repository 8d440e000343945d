// `replay mcp`: the Model Context Protocol over stdio, for coding agents. stdout carries
// only the protocol's messages; a tool's failure is a tool error (isError), never a crash.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// The SDK builds each tool's JSON Schema from zod's classic schemas (`.describe()` among
// them), which the mini API of common/zod.ts does not have.
// eslint-disable-next-line no-restricted-imports
import { z } from "zod";
import { ReplayError, formatProblem } from "../../common/index.js";
import { readRunRecord, diffReplay } from "../../history/index.js";
import { loadRepo } from "../load-repo.js";
import { listWorkflows } from "./list-command.js";
import { validateWorkflows } from "./validate-command.js";
import { defaultDiffDeps, diffOptions } from "./diff-command.js";
import { DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, mcpRun } from "./mcp-run.js";

const MAX_LOG_LINES = 2000;

type ToolAnswer = { content: { type: "text"; text: string }[]; isError?: boolean };

/** The tools that start no replay (list, validate, logs, diff: the GitHub API) answer within this. */
const QUICK_TOOL_TIMEOUT_MS = 120_000;

class ToolTimeout extends Error {}

/** `work`'s answer, or a timeout answer once `timeoutMs` has passed (a run bounds itself, and cancels its replay). */
async function answer(work: () => Promise<unknown>, timeoutMs = QUICK_TOOL_TIMEOUT_MS): Promise<ToolAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ToolTimeout()), timeoutMs);
  });
  try {
    return { content: [{ type: "text", text: JSON.stringify(await Promise.race([work(), late]), null, 2) }] };
  } catch (e) {
    if (e instanceof ToolTimeout) return { content: [{ type: "text", text: `error: no answer within ${timeoutMs / 1000} s` }], isError: true };
    if (!(e instanceof ReplayError)) throw e;
    return { content: [{ type: "text", text: `error: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ""}` }], isError: true };
  } finally {
    clearTimeout(timer);
  }
}

export function mcpServer(dir: string): McpServer {
  const server = new McpServer({ name: "replay", version: "1" });
  const workflow = z.string().optional().describe("a workflow file, or a folder of them (default .github/workflows)");
  server.registerTool("list", { description: "Workflows, their events, jobs, needs and matrix cells (as `replay list --json`)", inputSchema: { workflow } }, (a) =>
    answer(async () => {
      const { loaded } = await loadRepo(dir, a.workflow);
      return { workflows: listWorkflows(loaded.workflows), problems: loaded.problems };
    }),
  );
  server.registerTool("validate", { description: "Every problem of the workflow files, as file:line:col", inputSchema: { workflow } }, (a) =>
    answer(async () => {
      const r = await validateWorkflows(dir, a.workflow);
      return { files: r.files, valid: r.valid, problems: r.problems.map(formatProblem) };
    }),
  );
  server.registerTool(
    "run",
    {
      description: `Replay one job (or matrix cell) in Docker as GitHub would; answers the verdict, the failing step's last log lines, annotations and the run id. Never deploys: jobs with an environment or missing secrets are refused. Bounded by timeoutSeconds (default ${DEFAULT_TIMEOUT_SECONDS}, at most ${MAX_TIMEOUT_SECONDS}); on timeout the replay is cancelled and its containers removed.`,
      inputSchema: {
        job: z.string().describe("the job id"),
        workflow,
        event: z.string().optional().describe("the triggering event (default push)"),
        matrix: z.array(z.string()).optional().describe("matrix cell selectors, key=value"),
        timeoutSeconds: z.number().int().positive().max(MAX_TIMEOUT_SECONDS).optional(),
        logLines: z.number().int().positive().max(MAX_LOG_LINES).optional().describe("how many last lines of the failing step (default 50)"),
      },
    },
    // The run bounds itself by its timeoutSeconds, and cancels its replay when it passes.
    (a) => answer(() => mcpRun({ dir, ...a }), (MAX_TIMEOUT_SECONDS + 60) * 1000),
  );
  server.registerTool(
    "logs",
    {
      description: "A recorded replay's steps and their log lines (the newest run when runId is not given)",
      inputSchema: {
        runId: z.string().optional(),
        job: z.string().optional().describe("the job's id or display name"),
        step: z.number().int().nonnegative().optional(),
        maxLines: z.number().int().positive().max(MAX_LOG_LINES).optional().describe("last lines per step (default 200)"),
      },
    },
    (a) =>
      answer(async () => {
        const run = await readRunRecord(dir, a.runId);
        const max = a.maxLines ?? 200;
        const jobs = run.meta.jobs.filter((j) => a.job === undefined || j.job === a.job || j.name === a.job);
        return {
          runId: run.id,
          jobs: jobs.map((j) => ({
            job: j.job,
            name: j.name,
            result: j.result,
            steps: j.steps
              .filter((s) => a.step === undefined || s.index === a.step)
              .map((s) => ({ step: s.index, name: s.name, result: s.result, lines: run.stepLog(j.jobKey, s.index).slice(-max) })),
          })),
        };
      }),
  );
  server.registerTool(
    "diff",
    { description: "Diff a recorded replay against the newest CI run of its workflow (as `replay diff --json`)", inputSchema: { runId: z.string().optional(), offline: z.boolean().optional() } },
    (a) =>
      answer(async () => {
        const r = await diffReplay(diffOptions(dir, a.runId, { offline: a.offline ?? false, json: true }, process.env), defaultDiffDeps(true));
        return { localRun: r.localRun, reports: r.reports };
      }),
  );
  return server;
}

/** Serves until the client closes stdin. */
export async function mcpCommand(dir: string): Promise<void> {
  await mcpServer(dir).connect(new StdioServerTransport());
}
