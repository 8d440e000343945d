// `replay watch [job…]`: a replay after each change of the working tree, as a push of the
// changed files would start one (or of the jobs named). A change while a replay runs
// cancels it, as `concurrency: cancel-in-progress` would, and starts the next. One
// process: the engine's connection, the images, the tool cache and the caches stay warm.
import { ReplayError, UsageError } from "../../common/index.js";
import { prestartNext } from "../../common/prestart.js";
import { initialRunState, reduceRunState } from "../../runners/index.js";
import type { ReplayEvent, Reporter, RunState } from "../../runners/index.js";
import { connectDocker } from "../../runners/docker/index.js";
import { planEvent } from "../../workflows/index.js";
import { loadRepo } from "../load-repo.js";
import { RESULT_MARK, formatDuration } from "../reporters/format.js";
import { INTERRUPT_EXIT } from "../run-interrupts.js";
import type { InterruptReason } from "../run-interrupts.js";
import { prepareInteractive, wantsTui } from "../tui/index.js";
import { replayCommand } from "./replay-command.js";
import type { ReplayCommandOptions } from "./replay-command.js";
import { watchTree } from "./watch-changes.js";

export interface WatchCommandOptions {
  /** What every replay runs with (`replay job`'s options). */
  replay: Omit<ReplayCommandOptions, "reporters" | "job" | "changedFiles" | "repoInfo">;
  /** Job ids; none: every job a push of the changed files triggers. */
  jobs: string[];
  /** false with --no-tui. */
  tui: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/** Collects one replay's state, for its verdict line. */
class StateReporter implements Reporter {
  state: RunState = initialRunState;
  onEvent(event: ReplayEvent): void {
    this.state = reduceRunState(this.state, event);
  }
  async close(): Promise<void> {}
}

function changedText(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(", ");
  return files.length > 3 ? `${shown} (+${files.length - 3})` : shown;
}

/** Answers the exit status once the watch ends (130 on Ctrl-C, 143 on SIGTERM). */
export async function watchCommand(o: WatchCommandOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  const { repo, loaded } = await loadRepo(o.replay.dir, o.replay.workflow);
  const known = new Set(loaded.workflows.flatMap((w) => w.jobs.map((j) => j.id)));
  const unknown = o.jobs.filter((j) => !known.has(j));
  if (unknown.length) {
    throw new UsageError(`replay watch: no job ${unknown.map((j) => `'${j}'`).join(", ")} in the workflows that loaded`, `jobs there are: ${[...known].join(", ") || "none"}`);
  }
  const tty = wantsTui({ tui: o.tui, json: false }, process.env, process.stdout, process.stdin);
  const docker = connectDocker();
  docker.catch(() => undefined);
  // The repository's git questions are asked again each replay (a commit or a checkout in
  // between changes the sha and the branch the filters see).
  const base = o.replay;

  let previous: string | undefined;
  let current: { cancel: AbortController; done: Promise<void> } | undefined;
  const pending = new Set<string>();
  let stopping: InterruptReason | undefined;
  let end: (code: number) => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;
  const ended = new Promise<number>((resolve, reject) => ((end = resolve), (fail = reject)));

  const say = (line: string): void => {
    previous = line;
    out.write(`${line}\n`);
    if (tty && !stopping) out.write("watching for changes (Ctrl-C to stop)\n");
  };

  const round = async (files: string[], cancel: AbortSignal): Promise<void> => {
    const started = Date.now();
    const changed = `changed ${changedText(files)}`;
    let targets: (string | undefined)[] = o.jobs;
    let jobsText = o.jobs.join(", ");
    if (o.jobs.length === 0) {
      const { repo: now, loaded: workflows } = await loadRepo(base.dir, base.workflow);
      const plan = planEvent(workflows.workflows, base.event, { ref: now.ref, changedFiles: files });
      if (plan.workflows.length === 0) {
        const why = plan.notTriggered.map((n) => `${n.workflow}: ${n.reason}`).join("; ");
        say(`${RESULT_MARK["skipped"]} nothing to replay · ${changed} · a ${base.event} of ${files.length === 1 ? "it" : "them"} triggers no workflow${why ? ` (${why})` : ""}`);
        return;
      }
      targets = [undefined];
      jobsText = plan.workflows.flatMap((pw) => pw.jobs.map((j) => j.id)).join(", ");
    }
    const states: RunState[] = [];
    let quit = false;
    for (const job of targets) {
      if (cancel.aborted) break;
      const state = new StateReporter();
      const interactive = tty ? await prepareInteractive({ tui: true, json: false, step: false, breakOnFailure: false, breakAt: [] }, { stayOpen: false }) : undefined;
      // The screen's status line shows it (an informational notice) until the run's own notices.
      interactive?.reporters[0]?.onEvent({ type: "notice", level: "info", message: `replay watch · previous: ${previous ?? "none yet"} · now: ${changed}`, at: new Date().toISOString() });
      await replayCommand({
        ...base,
        ...(job === undefined ? { changedFiles: files } : { job }),
        docker,
        reporters: [state, ...(interactive?.reporters ?? [])],
        signal: interactive ? AbortSignal.any([cancel, interactive.signal]) : cancel,
        ...(interactive ? { control: interactive.control, onPlan: interactive.onPlan } : {}),
      }).finally(() => interactive?.dispose());
      states.push(state.state);
      // The screen's q or Ctrl-C: the user is done watching, not only with this replay.
      if (interactive?.signal.aborted && !cancel.aborted) quit = true;
      if (quit || stopping) break;
    }
    const ran = states.flatMap((s) => s.jobs).filter((j) => j.status !== "pending" && j.status !== "skipped");
    const failed = ran.filter((j) => j.status === "failure").map((j) => j.name);
    const broken = states.some((s) => s.status === "failure" || s.error !== undefined);
    const verdict = cancel.aborted || stopping || quit ? "cancelled" : failed.length || broken || states.length === 0 ? "failure" : "success";
    const jobs = ran.length ? ran.map((j) => (verdict === "cancelled" ? j.name : `${j.name} ${RESULT_MARK[j.status] ?? j.status}`)).join(", ") : jobsText;
    const why = verdict === "cancelled" ? (stopping || quit ? " · stopped" : " · a change came in") : "";
    const run = states.at(-1)?.runId;
    if (quit) stopping = "interrupt";
    say(`${RESULT_MARK[verdict]} ${verdict} · ${jobs} · ${formatDuration(Date.now() - started)} · ${changed}${why}${run ? ` · run ${run}` : ""}`);
  };

  const start = (): void => {
    const files = [...pending].sort();
    pending.clear();
    const cancel = new AbortController();
    const done = round(files, cancel.signal)
      .catch((e: unknown) => {
        // A workflow being edited may not parse for a moment: said, and the watch goes on.
        if (!(e instanceof ReplayError)) throw e;
        say(`${RESULT_MARK["failure"]} error · changed ${changedText(files)} · ${e.message}${e.hint ? ` (hint: ${e.hint})` : ""}`);
      })
      .then(() => {
        current = undefined;
        if (stopping) return void finish();
        // The next replay's container, started while the watch waits (common/prestart.ts).
        prestartNext();
        if (pending.size) start();
      }, fail);
    current = { cancel, done };
  };

  const watcher = await watchTree({
    dir: repo.dir,
    onChange: (files) => {
      for (const f of files) pending.add(f);
      if (stopping) return;
      if (current) current.cancel.abort();
      else start();
    },
  });
  const finish = async (): Promise<void> => {
    await current?.done.catch(() => undefined);
    await watcher.close();
    end(INTERRUPT_EXIT[stopping ?? "interrupt"]);
  };
  // During a replay its own handler (watchInterrupts) cancels it first, and quits at once
  // on a second signal; this one, a turn later, ends the watch once the replay is cleaned up.
  const onSignal = (why: InterruptReason) => (): void => {
    if (stopping) return;
    stopping = why;
    setImmediate(() => {
      current?.cancel.abort();
      if (!current) void finish();
    });
  };
  const onSigint = onSignal("interrupt");
  const onSigterm = onSignal("terminate");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  await watcher.ready;
  const what = o.jobs.length ? o.jobs.join(", ") : `the jobs a ${base.event} of the changed files triggers`;
  (tty ? out : err).write(`replay watch: watching ${repo.dir} — replays ${what} on each change (Ctrl-C to stop)\n`);
  try {
    return await ended;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}
