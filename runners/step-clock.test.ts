import { describe, expect, it, vi } from "vitest";
import { StepClock } from "./step-clock.js";

describe("StepClock", () => {
  it("counts the time a step ran, apart from the time it waited for the user, and each attempt", async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const clock = new StepClock();
      const answer = clock.pause(new Promise<string>((resolve) => setTimeout(() => resolve("run"), 20_000)));
      await vi.advanceTimersByTimeAsync(20_000);
      await expect(answer).resolves.toBe("run");
      clock.beginAttempt();
      vi.advanceTimersByTime(1_000);
      clock.endAttempt("failure");
      const again = clock.pause(new Promise<void>((resolve) => setTimeout(resolve, 30_000)));
      await vi.advanceTimersByTimeAsync(30_000);
      await again;
      clock.beginAttempt();
      vi.advanceTimersByTime(500);
      clock.endAttempt("success");
      expect(clock.ranMs).toBe(1_500);
      expect(clock.eventFields()).toEqual({
        pausedMs: 50_000,
        attempts: [
          { attempt: 1, outcome: "failure", durationMs: 1_000 },
          { attempt: 2, outcome: "success", durationMs: 500 },
        ],
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("a step run once, never paused, adds nothing to its event", () => {
    const clock = new StepClock();
    clock.beginAttempt();
    clock.endAttempt("success");
    expect(clock.eventFields()).toEqual({});
  });
});
