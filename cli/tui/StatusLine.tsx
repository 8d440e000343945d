import type { ReactElement } from "react";
import { Text } from "ink";
import type { RunState } from "../../runners/index.js";
import type { Pause } from "../stepping/index.js";
import { durationText } from "./status-style.js";
import { notReplayedHint } from "../reporters/not-replayed-hint.js";

export interface StatusLineProps {
  run: RunState;
  /** The pause the keys act on. */
  pause: Pause | undefined;
  /** Paused jobs besides that one. */
  otherPauses: number;
  quitting: boolean;
  notice?: string;
}

function jobName(run: RunState, jobKey: string): string {
  return run.jobs.find((j) => j.jobKey === jobKey)?.name ?? jobKey;
}

/** One line under the panes: what waits for the user, else how the replay is doing. */
export function StatusLine({ run, pause, otherPauses, quitting, notice }: StatusLineProps): ReactElement {
  if (quitting && run.status === "running") {
    return <Text color="yellow">cancelling: stopping running steps and removing containers…</Text>;
  }
  if (pause) {
    const others = otherPauses > 0 ? ` (+${otherPauses} more paused)` : "";
    const where = `“${pause.point.name}” (${jobName(run, pause.point.jobKey)})`;
    if (pause.kind === "failure") {
      return (
        <Text wrap="truncate-end">
          <Text color="red" bold>{`✗ ${where} failed`}</Text>
          <Text>{` — paused: r retries it in the same container, ! opens a shell there${others}`}</Text>
        </Text>
      );
    }
    const why = pause.reason === "breakpoint" ? "breakpoint" : "stepping";
    return (
      <Text wrap="truncate-end">
        <Text color="magenta" bold>{`‖ paused before ${where}`}</Text>
        <Text>{` — ${why}${others}`}</Text>
      </Text>
    );
  }
  if (run.status !== "running" && run.status !== "pending") {
    const failed = run.jobs.filter((j) => j.status === "failure").length;
    const notReplayed = notReplayedHint(run.jobs);
    return (
      <Text wrap="truncate-end" bold color={run.status === "success" ? "green" : run.status === "failure" ? "red" : "yellow"}>
        {`replay ${run.runId ?? ""} ended: ${run.status}${failed ? `, ${failed} job(s) failed` : ""} in ${durationText(run.durationMs)} (exit ${run.exitCode ?? "?"})${notReplayed ? ` — ${notReplayed.hint}` : ""}`}
      </Text>
    );
  }
  if (run.error) return <Text color="red" wrap="truncate-end">{`error: ${run.error.message}`}</Text>;
  const running = run.jobs.filter((j) => j.status === "running").length;
  const done = run.jobs.filter((j) => j.status !== "running" && j.status !== "pending").length;
  return (
    <Text wrap="truncate-end" dimColor>
      {notice ?? (run.runId === undefined ? "replay: starting…" : `replay ${run.runId}: ${running} running, ${done} done`)}
    </Text>
  );
}
