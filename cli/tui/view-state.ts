// What the user changed about the view (selection, scrolling, search), as a pure reducer.
// It lives outside React so that it survives the TUI being unmounted for a shell.
import { assertNever } from "../../common/index.js";
import type { Selection } from "./tree-model.js";

export interface SearchState {
  query: string;
  /** The query is being typed. */
  editing: boolean;
  /** The line of the current match, or -1 before the first jump. */
  line: number;
}

export interface ViewState {
  /** What the user picked; undefined while the view follows the activity on its own. */
  selection?: Selection;
  /** The log pane shows the newest lines as they come. */
  follow: boolean;
  /** The first log line shown when not following. */
  scrollTop: number;
  search?: SearchState;
  /** The newest pause the view has jumped to. */
  seenPauseId: number;
  /** `z`: the log's `##[group]` folds are open. */
  groupsOpen?: boolean;
  /** `?`: the help overlay listing every key is shown. */
  help?: boolean;
}

export const initialViewState: ViewState = { follow: true, scrollTop: 0, seenPauseId: 0 };

export type ViewAction =
  | { type: "select"; selection: Selection | undefined }
  /** A pause the view has not shown yet: show its step. */
  | { type: "pause"; id: number; selection: Selection }
  | { type: "scroll"; by: number; total: number; height: number }
  | { type: "scrollTo"; where: "top" | "bottom"; total: number; height: number }
  | { type: "searchStart" }
  | { type: "searchType"; text: string }
  | { type: "searchBackspace" }
  | { type: "searchJump"; direction: 1 | -1; matches: readonly number[]; height: number }
  | { type: "searchEnd" }
  | { type: "searchClear" }
  | { type: "toggleGroups" }
  | { type: "toggleHelp" };

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/** The first line shown of `total` in `height` rows. */
export function logWindowStart(view: ViewState, total: number, height: number): number {
  const max = Math.max(0, total - height);
  return view.follow ? max : clamp(view.scrollTop, 0, max);
}

export function reduceView(view: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case "select": {
      const { search, ...rest } = view;
      const next: ViewState = { ...rest, follow: true, scrollTop: 0 };
      if (action.selection) next.selection = action.selection;
      else delete next.selection;
      // A search keeps its query for the next step's log, but starts over.
      if (search) next.search = { ...search, line: -1 };
      return next;
    }
    case "pause":
      if (action.id <= view.seenPauseId) return view;
      return { ...reduceView(view, { type: "select", selection: action.selection }), seenPauseId: action.id };
    case "scroll": {
      const max = Math.max(0, action.total - action.height);
      const top = clamp(logWindowStart(view, action.total, action.height) + action.by, 0, max);
      // Scrolling down to the end follows the tail again.
      return { ...view, scrollTop: top, follow: action.by > 0 && top >= max };
    }
    case "scrollTo":
      return action.where === "bottom" ? { ...view, follow: true } : { ...view, follow: false, scrollTop: 0 };
    case "searchStart":
      return { ...view, search: { query: "", editing: true, line: -1 } };
    case "searchType":
      return view.search ? { ...view, search: { ...view.search, query: view.search.query + action.text, line: -1 } } : view;
    case "searchBackspace":
      return view.search ? { ...view, search: { ...view.search, query: view.search.query.slice(0, -1), line: -1 } } : view;
    case "searchJump": {
      const s = view.search;
      if (!s || action.matches.length === 0) return view;
      const after = action.direction === 1 ? action.matches.find((m) => m > s.line) : [...action.matches].reverse().find((m) => m < s.line);
      const line = after ?? (action.direction === 1 ? action.matches[0] : action.matches.at(-1)) ?? 0;
      return { ...view, search: { ...s, line }, follow: false, scrollTop: Math.max(0, line - Math.floor(action.height / 2)) };
    }
    case "searchEnd":
      return view.search ? { ...view, search: { ...view.search, editing: false } } : view;
    case "searchClear": {
      const { search: _search, ...rest } = view;
      return rest;
    }
    case "toggleGroups":
      return { ...view, groupsOpen: !(view.groupsOpen ?? false) };
    case "toggleHelp":
      return { ...view, help: !(view.help ?? false) };
    default:
      return assertNever(action, "view action");
  }
}

/** Lines (indices) containing the query, case-insensitively. */
export function searchMatches(lines: readonly string[], query: string): number[] {
  if (query === "") return [];
  const q = query.toLowerCase();
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (l.toLowerCase().includes(q)) out.push(i);
  });
  return out;
}
