// The public event contract: what `--json` prints, one event per line, and what a run
// record's events.jsonl holds. docs/events.md explains it; docs/events.schema.json is this
// module's JSON Schema (`npm run events-schema` writes it; a test fails when it is stale).
//
// Within a version, fields are only added, never removed, renamed or given another
// meaning: a reader ignores fields it does not know. A change that would break a reader
// is a new version. The engine's own events (runners/events.ts) map onto these in one
// place, runners/public-events.ts; this module is loaded only by what reads events back
// (records, tests), not on a replay's way to its first step.
import * as z from "../common/zod.js";

/** The version every event carries as `version`. Records written before it existed are version 1. */
export const PUBLIC_EVENTS_VERSION = 1;

const at = z.string().check(z.describe("When the event happened: an ISO 8601 time, UTC."));
const jobKey = z.string().check(z.describe("The job cell's key, unique in the run: `build`, `build (20)`, `ci.yml/build`, `caller/called`."));
const step = z.int().check(z.nonnegative(), z.describe("The step's index in its job, from 0."));
const stepResult = z.enum(["success", "failure", "skipped", "cancelled"]);
const jobResult = z.enum(["success", "failure", "skipped", "cancelled", "not-replayed"]);
const matrix = z.nullable(z.record(z.string(), z.json())).check(z.describe("The matrix cell's values, or null for a job without a matrix."));
const durationMs = z.number().check(z.nonnegative());

/** The fields every event has. */
const base = { version: z.literal(PUBLIC_EVENTS_VERSION), at };

const runStarted = z.strictObject({
  type: z.literal("run.started"),
  ...base,
  runId: z.string(),
  event: z.string().check(z.describe("The event replayed: push, pull_request, workflow_dispatch, …")),
  sha: z.string(),
  ref: z.string(),
  workflows: z.array(z.string()).check(z.describe("The workflow files the run replays, relative to the repository.")),
});

const jobStarted = z.strictObject({
  type: z.literal("job.started"),
  ...base,
  jobKey,
  job: z.string().check(z.describe("The job id; `caller/called` inside a called workflow.")),
  workflow: z.string(),
  name: z.string().check(z.describe("The name GitHub would show, e.g. `build (20)`.")),
  matrix,
  image: z.string().check(z.describe("The image the job's container runs.")),
  engine: z.optional(z.string().check(z.describe("The engine the job runs on, as --engine or .replay.yml's engines: name it, when the replay spreads over several."))),
});

const stepStarted = z.strictObject({ type: z.literal("step.started"), ...base, jobKey, step, name: z.string() });

const stepOutput = z.strictObject({
  type: z.literal("step.output"),
  ...base,
  jobKey,
  step,
  line: z.string().check(z.describe("One line of the step's output, secrets masked.")),
  stream: z.optional(z.enum(["stdout", "stderr"])),
});

const stepAnnotation = z.strictObject({
  type: z.literal("step.annotation"),
  ...base,
  jobKey,
  step,
  level: z.enum(["error", "warning", "notice"]),
  message: z.string(),
  file: z.optional(z.string()),
  line: z.optional(z.int()),
  col: z.optional(z.int()),
  title: z.optional(z.string()),
});

const stepAttempt = z.strictObject({ attempt: z.int().check(z.positive()), outcome: stepResult, durationMs });

const stepCompleted = z.strictObject({
  type: z.literal("step.completed"),
  ...base,
  jobKey,
  step,
  name: z.string(),
  result: stepResult.check(z.describe("The conclusion, after continue-on-error.")),
  outcome: stepResult.check(z.describe("The result before continue-on-error.")),
  durationMs: durationMs.check(z.describe("The time the step ran, every attempt's together; time paused left out.")),
  pausedMs: z.optional(durationMs.check(z.describe("Time paused before the step or after a failed attempt (stepping, a shell)."))),
  attempts: z.optional(z.array(stepAttempt).check(z.describe("Each attempt, oldest first, when the step was retried."))),
});

const jobCompleted = z.strictObject({
  type: z.literal("job.completed"),
  ...base,
  jobKey,
  job: z.string(),
  workflow: z.string(),
  name: z.string(),
  matrix,
  result: jobResult.check(z.describe("`not-replayed`: a job replay cannot run here (a macOS or Windows runner), or one that needs it.")),
  outputs: z.record(z.string(), z.string()),
  durationMs: durationMs.check(z.describe("The time the job ran; time its steps spent paused left out.")),
  pausedMs: z.optional(durationMs),
  reason: z.optional(z.string().check(z.describe("Why the job did not run or was cut short, when it did not simply run."))),
  runner: z.optional(z.string().check(z.describe("The runs-on label replay could not run, for a not-replayed job."))),
});

const jobSummary = z.strictObject({
  type: z.literal("job.summary"),
  ...base,
  jobKey,
  markdown: z.string().check(z.describe("What the job's steps wrote to GITHUB_STEP_SUMMARY.")),
});

const runCompleted = z.strictObject({
  type: z.literal("run.completed"),
  ...base,
  runId: z.string(),
  result: stepResult,
  exitCode: z.int(),
  durationMs,
});

const error = z.strictObject({
  type: z.literal("error"),
  ...base,
  message: z.string(),
  hint: z.optional(z.string()),
  file: z.optional(z.string()),
  line: z.optional(z.int()),
  col: z.optional(z.int()),
  exitCode: z.optional(z.int().check(z.describe("The exit status the error ends the command with."))),
});

const cacheNotice = z.strictObject({
  action: z.enum(["restore", "save"]),
  result: z.enum(["hit", "partial", "miss", "saved", "not-saved"]),
  key: z.string(),
  step,
  matchedKey: z.optional(z.string()),
  sizeBytes: z.optional(z.number().check(z.nonnegative())),
});

const runnerSizeNotice = z.strictObject({
  label: z.string(),
  cpus: z.number(),
  memoryBytes: z.number(),
  appliedCpus: z.number(),
  appliedMemoryBytes: z.number(),
  degraded: z.optional(z.string()),
});

const notice = z.strictObject({
  type: z.literal("notice"),
  ...base,
  level: z.enum(["info", "warning"]),
  message: z.string(),
  jobKey: z.optional(jobKey),
  cache: z.optional(cacheNotice.check(z.describe("Set when the notice reports a cache restore or save."))),
  runnerSize: z.optional(runnerSizeNotice.check(z.describe("Set when the notice tells a job's runner size and what its container got."))),
});

export const publicEventSchema = z.discriminatedUnion("type", [
  runStarted,
  jobStarted,
  stepStarted,
  stepOutput,
  stepAnnotation,
  stepCompleted,
  jobCompleted,
  jobSummary,
  runCompleted,
  error,
  notice,
]);

/** One event of the public stream, as a record keeps it. */
export type PublicEvent = z.infer<typeof publicEventSchema>;

/**
 * `replay job … --diff --json`: once the replay is over, one more line of the stream with
 * the diff against CI, as `replay diff --json` prints it (never recorded).
 */
const diff = z.object({
  type: z.literal("diff"),
  ...base,
  localRun: z.string().check(z.describe("The id of the replay the diff is of.")),
  reports: z.array(z.record(z.string(), z.unknown())).check(z.describe("A report per workflow run on CI compared: jobs, steps, toolchains and verdicts, as `replay diff --json` has them.")),
});

/** One line of the `--json` stream: an event, or the diff after `--diff`. */
const streamLineSchema = z.union([publicEventSchema, diff]);

/** The JSON Schema of one line of the stream, as docs/events.schema.json has it. */
export function eventsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(streamLineSchema),
    $id: "https://github.com/replay-ci/replay/docs/events.schema.json",
    title: `replay event, version ${PUBLIC_EVENTS_VERSION}`,
    description: "One line of `replay … --json` and of a run record's events.jsonl. See docs/events.md.",
  };
}

/**
 * Reads one event back (a record's line, parsed): an event of this version, or why it is
 * not one. A line without `version` is from a record written before the field existed.
 */
export function readPublicEvent(value: unknown): { event: PublicEvent } | { problem: string } {
  const withVersion = value && typeof value === "object" && !Array.isArray(value) && !("version" in value) ? { ...value, version: PUBLIC_EVENTS_VERSION } : value;
  const version = (withVersion as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version > PUBLIC_EVENTS_VERSION) {
    return { problem: `an event of version ${version}, written by a newer replay (this one reads version ${PUBLIC_EVENTS_VERSION})` };
  }
  const r = publicEventSchema.safeParse(withVersion);
  if (r.success) return { event: r.data };
  const issue = r.error.issues[0];
  return { problem: `not an event of version ${PUBLIC_EVENTS_VERSION}: ${issue ? `${issue.path.join(".") || "the event"}: ${issue.message}` : "invalid"}` };
}
