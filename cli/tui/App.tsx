import type { ReactElement } from "react";
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { Box, useInput } from "ink";
import type { Key } from "ink";
import type { StepPoint } from "../../runners/index.js";
import type { StepController } from "../stepping/index.js";
import { AnnotationList } from "./AnnotationList.js";
import { FinishedLog } from "./FinishedLog.js";
import { HelpOverlay } from "./HelpOverlay.js";
import { JobTree } from "./JobTree.js";
import { KeyHelp } from "./KeyHelp.js";
import { availableKeys } from "./keymap.js";
import { layout } from "./layout.js";
import { formatLog, hasGroups, lineText } from "./log-lines.js";
import { LogPane } from "./LogPane.js";
import { renderMarkdown } from "./markdown.js";
import { StatusLine } from "./StatusLine.js";
import { SummaryPane } from "./SummaryPane.js";
import { autoSelection, logStepOf, moveSelection, nextActiveJob, treeRows } from "./tree-model.js";
import { logKey } from "./tui-store.js";
import type { TuiStore } from "./tui-store.js";
import { useTerminalSize } from "./use-terminal-size.js";
import { logWindowStart, searchMatches } from "./view-state.js";
import type { ViewStore } from "./view-store.js";

export interface AppProps {
  store: TuiStore;
  stepping: StepController;
  view: ViewStore;
  /** Finished items an earlier mount already printed (before a shell). */
  staticFrom: number;
  /** `!`: open a shell where the paused step would run. */
  onShell: (point: StepPoint) => void;
  /** Ctrl-C once the replay is already cancelling: stop at once. */
  onInterrupt: () => void;
  /** q, Enter or Ctrl-C once the replay is over: the screen may close. */
  onDismiss?: () => void;
}

const EMPTY: readonly string[] = [];

/**
 * The container: reads the three stores, works out what to show, and turns keys into
 * calls on the stepping controller and the view. The panes below only draw what they get.
 */
export function App({ store, stepping, view, staticFrom, onShell, onInterrupt, onDismiss }: AppProps): ReactElement {
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const steps = useSyncExternalStore(stepping.subscribe, stepping.getSnapshot);
  const v = useSyncExternalStore(view.subscribe, view.getSnapshot);
  const { columns, rows } = useTerminalSize();

  // A new pause needs the user: show its step, whatever was selected.
  const newest = steps.pauses.reduce<(typeof steps.pauses)[number] | undefined>((a, p) => (a === undefined || p.id > a.id ? p : a), undefined);
  useEffect(() => {
    if (newest && newest.id > v.seenPauseId) view.dispatch({ type: "pause", id: newest.id, selection: { jobKey: newest.point.jobKey, step: newest.point.step } });
  }, [newest, v.seenPauseId, view]);

  const selection = v.selection ?? autoSelection(snap.run, steps);
  const tree = treeRows({ run: snap.run, planned: snap.planned, stepping: steps, selection, now: snap.now });
  const shownStep = logStepOf(snap.run, steps, selection, snap.planned);
  const rawLines = shownStep ? (snap.logs.get(logKey(shownStep.jobKey, shownStep.step)) ?? EMPTY) : EMPTY;
  const groupsOpen = v.groupsOpen ?? false;
  // `rawLines` grows in place: its length is what changes.
  const lines = useMemo(() => formatLog(rawLines, groupsOpen), [rawLines, rawLines.length, groupsOpen]);
  const job = selection ? snap.run.jobs.find((j) => j.jobKey === selection.jobKey) : undefined;
  const summaryWidth = Math.max(40, columns) - 1;
  const summary = useMemo(() => (job?.summary ? renderMarkdown(job.summary, summaryWidth) : []), [job?.summary, summaryWidth]);
  const size = layout({ columns, rows, annotations: job?.annotations.length ?? 0, summaryLines: summary.length });
  const start = logWindowStart(v, lines.length, size.logHeight);
  const query = v.search?.query ?? "";
  const matches = useMemo(() => searchMatches(lines.map(lineText), query), [lines, query]);

  const pause = (selection && steps.pauses.find((p) => p.point.jobKey === selection.jobKey)) ?? steps.pauses[0];
  const running = snap.run.status === "running" || snap.run.status === "pending";
  const active = snap.run.jobs.filter((j) => j.status === "running").length;
  const selectedRunning = job !== undefined && (job.status === "running" || job.status === "pending");
  const keys = availableKeys({
    pause,
    typingSearch: v.search?.editing ?? false,
    searchOpen: v.search !== undefined && !v.search.editing,
    stepSelected: selection?.step !== undefined && selectedRunning,
    jobSelected: selectedRunning,
    stepping: job !== undefined && steps.stepping(job.jobKey),
    canScroll: lines.length > size.logHeight,
    severalActive: active > 1,
    running,
    quitting: steps.quitting,
    hasGroups: hasGroups(rawLines),
    groupsOpen,
  });

  useInput((input: string, key: Key) => {
    if (v.help) {
      view.dispatch({ type: "toggleHelp" });
      return;
    }
    // The replay is over and its screen stays for browsing: q, Enter or Ctrl-C closes it.
    if (!running && onDismiss && !v.search?.editing && (input === "q" || key.return || (key.ctrl && input === "c"))) {
      onDismiss();
      return;
    }
    if (key.ctrl && input === "c") {
      if (steps.quitting) onInterrupt();
      else stepping.quit();
      return;
    }
    if (v.search?.editing) {
      if (key.escape) view.dispatch({ type: "searchClear" });
      else if (key.return) {
        view.dispatch({ type: "searchEnd" });
        view.dispatch({ type: "searchJump", direction: 1, matches, height: size.logHeight });
      } else if (key.backspace || key.delete) view.dispatch({ type: "searchBackspace" });
      else if (input && !key.ctrl && !key.meta) view.dispatch({ type: "searchType", text: input });
      return;
    }
    const page = Math.max(1, size.logHeight - 1);
    if (key.upArrow || key.downArrow) view.dispatch({ type: "select", selection: moveSelection(tree, selection, key.upArrow ? -1 : 1) });
    else if (key.tab) view.dispatch({ type: "select", selection: nextActiveJob(snap.run, steps, selection) });
    else if (key.pageUp || key.pageDown) view.dispatch({ type: "scroll", by: key.pageUp ? -page : page, total: lines.length, height: size.logHeight });
    else if (key.home || key.end) view.dispatch({ type: "scrollTo", where: key.home ? "top" : "bottom", total: lines.length, height: size.logHeight });
    else if (key.escape) view.dispatch({ type: "searchClear" });
    else if (input === "/") view.dispatch({ type: "searchStart" });
    else if (input === "?") view.dispatch({ type: "toggleHelp" });
    else if (input === "z") view.dispatch({ type: "toggleGroups" });
    else if ((input === "N" || input === "P") && v.search) view.dispatch({ type: "searchJump", direction: input === "N" ? 1 : -1, matches, height: size.logHeight });
    else if (input === "q") stepping.quit();
    else if (input === "s" && job && selectedRunning) stepping.toggleStepping(job.jobKey);
    else if (input === "b" && selection?.step !== undefined && selectedRunning) stepping.toggleBreakpoint(selection.jobKey, selection.step);
    else if (pause) {
      const jobKey = pause.point.jobKey;
      if (input === "n") stepping.next(jobKey);
      else if (input === "c") stepping.continue(jobKey);
      else if (input === "k") stepping.skip(jobKey);
      else if (input === "r") stepping.retry(jobKey);
      else if (input === "!") onShell(pause.point);
    }
  });

  const title = shownStep
    ? `${snap.run.jobs.find((j) => j.jobKey === shownStep.jobKey)?.name ?? shownStep.jobKey} › ${shownStep.name}`
    : job
      ? `${job.name} — ${job.status === "running" ? "starting" : job.status}${job.reason ? `: ${job.reason}` : ""}`
      : "no step selected";
  return (
    <>
      <FinishedLog items={snap.finished.slice(staticFrom)} />
      <Box flexDirection="column" width={size.width}>
        {v.help ? <HelpOverlay width={size.width} height={size.treeHeight + 2} /> : null}
        <Box display={v.help ? "none" : "flex"}>
          <JobTree rows={tree} width={size.treeWidth} height={size.treeHeight} />
          <LogPane
            title={title}
            lines={lines}
            start={start}
            width={size.logWidth}
            height={size.logHeight}
            following={v.follow && running}
            dropped={shownStep ? store.droppedLines(shownStep.jobKey, shownStep.step) : 0}
            {...(v.search ? { search: { query: v.search.query, line: v.search.line, matches: matches.length, editing: v.search.editing } } : {})}
          />
        </Box>
        {size.annotationLines > 0 && job ? <AnnotationList annotations={job.annotations} max={size.annotationLines} /> : null}
        {size.summaryLines > 0 && job ? <SummaryPane title={`Summary of ${job.name}`} lines={summary} height={size.summaryLines} /> : null}
        <StatusLine
          run={snap.run}
          pause={pause}
          otherPauses={Math.max(0, steps.pauses.length - (pause ? 1 : 0))}
          quitting={steps.quitting}
          {...(snap.lastNotice === undefined ? {} : { notice: snap.lastNotice })}
        />
        {/* Without a way to close it (no one waits for q), the last frame keeps no keys. */}
        {running || onDismiss ? <KeyHelp keys={keys} width={size.width} /> : null}
      </Box>
    </>
  );
}
