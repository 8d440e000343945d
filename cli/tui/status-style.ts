import { assertNever } from "../../common/index.js";
import { formatDuration } from "../reporters/format.js";
import type { RowStatus } from "./tree-model.js";

/** The icon and colour of a status; the icons are one column wide in every terminal. */
export function statusStyle(status: RowStatus | "queued"): { icon: string; color?: string; dim?: boolean } {
  switch (status) {
    case "success":
      return { icon: "✓", color: "green" };
    case "failure":
      return { icon: "✗", color: "red" };
    case "running":
      return { icon: "▶", color: "yellow" };
    case "paused":
      return { icon: "‖", color: "magenta" };
    case "skipped":
      return { icon: "-", dim: true };
    case "cancelled":
      return { icon: "⊘", dim: true };
    case "not-replayed":
      return { icon: "○", dim: true };
    case "pending":
    case "planned":
    case "queued":
      return { icon: "·", dim: true };
    default:
      return assertNever(status, "status");
  }
}

export const durationText = (ms: number | undefined): string => (ms === undefined ? "" : formatDuration(ms));

/** `left` cut to fit, then `right` against the right edge of `width` columns. */
export function fitColumns(left: string, right: string, width: number): string {
  const room = Math.max(0, width - right.length - (right ? 1 : 0));
  const shown = left.length > room ? `${left.slice(0, Math.max(0, room - 1))}…` : left.padEnd(room);
  return right ? `${shown} ${right}` : shown;
}
