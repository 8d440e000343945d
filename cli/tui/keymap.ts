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
}

export interface KeyHint {
  keys: string;
  label: string;
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
      keys.push({ keys: "r", label: "retry step" }, { keys: "n", label: "go on, pause at next" }, { keys: "c", label: "continue" });
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
  keys.push({ keys: "q", label: c.running ? "quit (cancels)" : "quit" });
  return keys;
}
