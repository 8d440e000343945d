/** Numeric like GitHub's run ids, unique per machine and time (the largest is the newest). */
export function newRunId(): string {
  return `${Date.now()}${Math.floor(Math.random() * 1000).toString().padStart(3, "0")}`;
}
