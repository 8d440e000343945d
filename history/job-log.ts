// A CI job's log is one text for the whole job. It is cut into steps by the markers the
// runner prints: everything before the first `##[group]Run …` is "Set up job", each
// step that ran starts with its own `##[group]Run …` (its header: the script, shell and
// env), "Post job cleanup." starts each post step, and "Cleaning up orphan processes"
// belongs to "Complete job". The API's step times have second resolution only, so they
// cannot place lines; the order of the steps and the markers can.
import type { CiStep } from "./ci-run.js";
import { stripTimestamp } from "./log-normalize.js";

const SETUP = new Set(["Set up job", "Set up runner", "Initialize containers", "Set up container"]);
const COMPLETE = new Set(["Complete job", "Complete runner", "Stop containers"]);
const RUN_MARKER = "##[group]Run ";
const POST_MARKER = "Post job cleanup.";
const COMPLETE_MARKERS = ["Cleaning up orphan processes", "Evaluate and set job outputs", "##[group]Evaluate and set job outputs", "Stop and remove containers"];

export type StepKind = "setup" | "main" | "pre" | "post" | "complete";

/** What the runner adds around a job's own steps. */
export function stepKind(name: string): StepKind {
  if (SETUP.has(name)) return "setup";
  if (COMPLETE.has(name)) return "complete";
  if (name.startsWith("Post ")) return "post";
  if (name.startsWith("Pre ")) return "pre";
  return "main";
}

/** Runner bookkeeping: steps a replay need not have. */
export function isBookkeeping(name: string): boolean {
  return stepKind(name) !== "main";
}

const ran = (s: CiStep): boolean => s.conclusion !== "skipped" && s.status !== "queued" && s.status !== "pending" && s.status !== "waiting";

/** `Run cargo test` matches a header `Run cargo test`; a long first line may be cut on one side. */
function sameMarker(marker: string, hint: string): boolean {
  if (marker === hint) return true;
  const [short, long] = marker.length < hint.length ? [marker, hint] : [hint, marker];
  return short.length >= 20 && long.startsWith(short.replace(/\.\.\.$|…$/, ""));
}

/**
 * Splits a job log into the steps that printed it, by step number. `markersFor` gives,
 * for a step, the `Run …` header it starts with when its name does not say so (a named
 * `run:` step's header is its script's first line, known from the workflow).
 */
export function splitJobLog(log: string, steps: readonly CiStep[], markersFor: (step: CiStep) => readonly string[] = () => []): Map<number, string[]> {
  const lines = log.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  const text = lines.map(stripTimestamp);
  const sections = new Map<number, string[]>();
  const ordered = [...steps].sort((a, b) => a.number - b.number);

  // Where the post and complete parts begin: after them no `Run` header starts a step.
  let tailStart = text.length;
  const postStarts: number[] = [];
  let completeStart: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const t = text[i] ?? "";
    if (t === POST_MARKER) {
      postStarts.push(i);
      tailStart = Math.min(tailStart, i);
    } else if (completeStart === undefined && COMPLETE_MARKERS.some((m) => t.startsWith(m)) && i > 0) {
      completeStart = i;
      tailStart = Math.min(tailStart, i);
    }
  }
  const markers: { line: number; title: string }[] = [];
  for (let i = 0; i < tailStart; i++) {
    const t = text[i] ?? "";
    if (t.startsWith(RUN_MARKER)) markers.push({ line: i, title: t.slice("##[group]".length) });
  }

  // Each main step that ran takes the next marker that fits it; a step whose header is
  // not known takes the next marker in order.
  const starts: { step: CiStep; line: number }[] = [];
  let next = 0;
  for (const step of ordered) {
    if (stepKind(step.name) !== "main" || !ran(step)) continue;
    const hints = [...(step.name.startsWith("Run ") ? [step.name] : []), ...markersFor(step)];
    let found = -1;
    if (hints.length) {
      for (let k = next; k < markers.length; k++) {
        const title = markers[k]?.title ?? "";
        if (hints.some((h) => sameMarker(title, h))) {
          found = k;
          break;
        }
      }
    }
    if (found < 0 && !hints.length && next < markers.length) found = next;
    if (found < 0) continue;
    starts.push({ step, line: markers[found]?.line ?? 0 });
    next = found + 1;
  }

  const firstStart = starts[0]?.line ?? tailStart;
  const setup = ordered.find((s) => stepKind(s.name) === "setup");
  if (setup && firstStart > 0) sections.set(setup.number, lines.slice(0, firstStart));
  starts.forEach((s, k) => sections.set(s.step.number, lines.slice(s.line, starts[k + 1]?.line ?? tailStart)));

  const posts = ordered.filter((s) => stepKind(s.name) === "post" && ran(s));
  const tailEnd = completeStart ?? text.length;
  posts.forEach((p, k) => {
    const from = postStarts[k];
    if (from === undefined) return;
    const to = Math.min(postStarts[k + 1] ?? tailEnd, tailEnd);
    if (to > from) sections.set(p.number, lines.slice(from, to));
  });
  const complete = ordered.find((s) => stepKind(s.name) === "complete");
  if (complete && completeStart !== undefined) sections.set(complete.number, lines.slice(completeStart));
  return sections;
}

/**
 * A step's own output: its section without the `Run …` header groups the runner prints
 * (the script, shell and env), which a replay does not print. A composite action's inner
 * steps print headers of their own; those go too.
 */
export function stepOutput(section: readonly string[]): string[] {
  const out: string[] = [];
  let inHeader = false;
  for (const line of section) {
    const t = stripTimestamp(line);
    if (inHeader) {
      if (t === "##[endgroup]") inHeader = false;
      continue;
    }
    if (t.startsWith(RUN_MARKER)) {
      inHeader = true;
      continue;
    }
    out.push(line);
  }
  return out;
}

/** The header lines of a step's section (its `Run …` group): what it ran, for the diff's verdict. */
export function stepHeader(section: readonly string[]): string[] {
  const out: string[] = [];
  let inHeader = false;
  for (const line of section) {
    const t = stripTimestamp(line);
    if (t.startsWith(RUN_MARKER)) inHeader = true;
    if (inHeader) out.push(t);
    if (t === "##[endgroup]") inHeader = false;
  }
  return out;
}
