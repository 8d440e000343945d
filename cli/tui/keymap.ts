// Which keys work now, for the footer: the footer lists exactly these, so a key that
// does nothing at the moment is never advertised.
import type { Pause } from "../stepping/index.js";

export interface KeyContext {
  /** The pause n, c, k, r and ! act on. */
  pause: Pause | undefined;
  /** A search query is being typed. */
  typingSearch: boolean;
  /** A search is open (its matches can be jumped to). */
  searchOpen: boolean;
  /** A step row is selected (b sets a breakpoint there). */
  stepSelected: boolean;
  /** A job is selected whose stepping `s` can switch. */
  jobSelected: boolean;
  /** The selected job pauses before each step. */
  stepping: boolean;
  /** The log has more lines than the pane shows. */
  canScroll: boolean;
  /** More than one job is running or paused (tab moves between them). */
  severalActive: boolean;
  /** The replay is still going (stepping keys apply). */
  running: boolean;
  quitting: boolean;
  /** The shown log has `##[group]` folds (z opens and closes them). */
  hasGroups?: boolean;
  /** The folds are open. */
  groupsOpen?: boolean;
}

export interface KeyHint {
  keys: string;
  label: string;
  /** Shown however narrow the terminal: how to leave, and how to learn the rest. */
  pinned?: boolean;
}

/** Every key, for the `?` overlay: what it does and when it works. */
export const ALL_KEYS: readonly KeyHint[] = [
  { keys: "↑ ↓", label: "select a job or step" },
  { keys: "tab", label: "next running or paused job" },
  { keys: "pgup pgdn", label: "scroll the log a page" },
  { keys: "home end", label: "top of the log / follow its end" },
  { keys: "/", label: "search the log (enter: find, esc: cancel)" },
  { keys: "N P", label: "next / previous match" },
  { keys: "esc", label: "close the search" },
  { keys: "z", label: "open or close the log's groups" },
  { keys: "s", label: "pause before each step of the selected job (or stop)" },
  { keys: "b", label: "breakpoint on the selected step" },
  { keys: "n", label: "paused: run this step / go on, and pause at the next" },
  { keys: "c", label: "paused: continue to the end or the next breakpoint" },
  { keys: "k", label: "paused before a step: skip it" },
  { keys: "r", label: "paused after a failure: retry the step in the same container" },
  { keys: "!", label: "paused: a shell in the job's container, as the step would run" },
  { keys: "q", label: "quit (cancels a running replay); once it ended: close" },
  { keys: "enter", label: "once the replay ended: close" },
  { keys: "ctrl-c", label: "cancel; twice: quit now" },
  { keys: "?", label: "this help (any key closes it)" },
];

const hintWidth = (k: KeyHint, first: boolean): number => (first ? 0 : 3) + k.keys.length + 1 + k.label.length;

/**
 * The hints that fit `width` columns: pinned ones always, the others in the order
 * given (their priority) while there is room; shown in their original order.
 */
export function fitKeys(keys: readonly KeyHint[], width: number): KeyHint[] {
  const pinned = keys.filter((k) => k.pinned);
  let used = pinned.reduce((n, k, i) => n + hintWidth(k, i === 0), 0);
  const keep = new Set<KeyHint>(pinned);
  for (const k of keys) {
    if (k.pinned) continue;
    const w = hintWidth(k, keep.size === 0);
    if (used + w > width) break;
    keep.add(k);
    used += w;
  }
  return keys.filter((k) => keep.has(k));
}

export function availableKeys(c: KeyContext): KeyHint[] {
  if (c.quitting) return [{ keys: "ctrl-c", label: "quit now" }];
  if (c.typingSearch) {
    return [
      { keys: "enter", label: "find" },
      { keys: "esc", label: "cancel search" },
    ];
  }
  const keys: KeyHint[] = [];
  if (c.pause) {
    if (c.pause.kind === "before") {
      keys.push({ keys: "n", label: "run this step" }, { keys: "c", label: "continue" }, { keys: "k", label: "skip step" });
    } else {
      keys.push({ keys: "r", label: "retry step" }, { keys: "n", label: "next step" }, { keys: "c", label: "continue" });
    }
    keys.push({ keys: "!", label: "shell" });
  }
  keys.push({ keys: "↑↓", label: "select" });
  if (c.severalActive) keys.push({ keys: "tab", label: "next running" });
  if (c.canScroll) keys.push({ keys: "pgup/pgdn/home/end", label: "scroll" });
  keys.push({ keys: "/", label: "search" });
  if (c.searchOpen) keys.push({ keys: "N/P", label: "next/prev match" }, { keys: "esc", label: "close search" });
  if (c.running && c.jobSelected) keys.push({ keys: "s", label: c.stepping ? "stop stepping" : "step" });
  if (c.running && c.stepSelected) keys.push({ keys: "b", label: "breakpoint" });
  if (c.hasGroups) keys.push({ keys: "z", label: c.groupsOpen ? "close groups" : "open groups" });
  keys.push(c.running ? { keys: "q", label: "quit (cancels)", pinned: true } : { keys: "q/enter", label: "close", pinned: true });
  keys.push({ keys: "?", label: "help", pinned: true });
  return keys;
}
