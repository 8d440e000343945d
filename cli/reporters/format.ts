/** The one-column mark of a step's or job's result in plain output. */
export const RESULT_MARK: Readonly<Record<string, string>> = { success: "✓", failure: "✗", skipped: "-", cancelled: "⊘", "not-replayed": "○" };

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A retried step's record in words: "passed on attempt 2", "failed on all 3 attempts". */
export function attemptsText(attempts: readonly { outcome: string }[] | undefined): string | undefined {
  if (!attempts || attempts.length < 2) return undefined;
  const last = attempts.at(-1)?.outcome;
  if (last === "success") return `passed on attempt ${attempts.length}`;
  return `${last ?? "failed"} on all ${attempts.length} attempts`;
}

/** What a step's or job's duration leaves out: " (+21.4s paused)", or "". */
export const pausedText = (pausedMs: number | undefined): string => (pausedMs ? ` (+${formatDuration(pausedMs)} paused)` : "");
