/** The one-column mark of a step's or job's result in plain output. */
export const RESULT_MARK: Readonly<Record<string, string>> = { success: "✓", failure: "✗", skipped: "-", cancelled: "⊘", "not-replayed": "○" };

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms % 60_000) / 1000)}s`;
}
