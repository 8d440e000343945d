import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { INTERRUPT_EXIT, watchInterrupts } from "./run-interrupts.js";

function watched(cancelled?: AbortSignal): { signals: EventEmitter; stdout: EventEmitter; said: () => string; quits: number[]; interrupts: ReturnType<typeof watchInterrupts> } {
  const signals = new EventEmitter();
  const stdout = new EventEmitter();
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (d: Buffer) => (text += d.toString()));
  const quits: number[] = [];
  const interrupts = watchInterrupts({ quit: (status) => void quits.push(status), signals, stdout, stderr, ...(cancelled ? { cancelled } : {}) });
  return { signals, stdout, said: () => text, quits, interrupts };
}

const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });

describe("interrupts of a replay", () => {
  it.each<{ label: string; first: () => [string, unknown?]; reason: string; message: string; exit: number }>([
    { label: "Ctrl-C", first: () => ["SIGINT"], reason: "interrupt", message: "cancelling: stopping running steps and removing containers (Ctrl-C again to quit at once)", exit: 130 },
    { label: "SIGTERM", first: () => ["SIGTERM"], reason: "terminate", message: "terminated: stopping running steps and removing containers", exit: 143 },
    { label: "a closed stdout", first: () => ["error", epipe], reason: "stdout-closed", message: "", exit: 141 },
  ])("$label cancels once, with its exit status; a second signal quits at once", ({ first, reason, message, exit }) => {
    const w = watched();
    const [name, arg] = first();
    (name === "error" ? w.stdout : w.signals).emit(name, arg);
    expect(w.interrupts.signal.aborted).toBe(true);
    expect(w.interrupts.reason).toBe(reason);
    expect(w.interrupts.reason && INTERRUPT_EXIT[w.interrupts.reason]).toBe(exit);
    expect(w.said().trim()).toBe(message);
    // More EPIPEs (one a write) are not a second interrupt; a signal is, with its own status.
    w.stdout.emit("error", epipe);
    expect(w.quits).toEqual([]);
    w.signals.emit("SIGTERM");
    expect(w.quits).toEqual([143]);
    w.interrupts.dispose();
  });

  it("a run cancelled another way already (the TUI's q) quits at the first signal", () => {
    const tui = new AbortController();
    tui.abort();
    const w = watched(tui.signal);
    w.signals.emit("SIGINT");
    expect(w.quits).toEqual([130]);
    w.interrupts.dispose();
  });

  it("another error of stdout is not an interrupt; after dispose nothing listens", () => {
    const w = watched();
    w.stdout.emit("error", Object.assign(new Error("EIO"), { code: "EIO" }));
    expect(w.interrupts.signal.aborted).toBe(false);
    w.interrupts.dispose();
    expect(w.signals.listenerCount("SIGINT") + w.signals.listenerCount("SIGTERM") + w.stdout.listenerCount("error")).toBe(0);
  });
});
