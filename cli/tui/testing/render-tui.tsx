// The one way component tests render: ink-testing-library with FORCE_COLOR=0, so frames
// are plain text. Import this first in a test file (before anything that loads ink).
import "./no-color.js";
import type { ReactElement } from "react";
import { render } from "ink-testing-library";

/** What a key sends on a terminal. */
export const KEYS = {
  up: "\u001B[A",
  down: "\u001B[B",
  pageUp: "\u001B[5~",
  pageDown: "\u001B[6~",
  home: "\u001B[H",
  end: "\u001B[F",
  enter: "\r",
  escape: "\u001B",
  tab: "\t",
  backspace: "\u007F",
  ctrlC: "\u0003",
} as const;

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RenderedTui {
  /** The live frame as the terminal shows it. */
  frame(): string;
  /** Everything written, <Static> output included. */
  output(): string;
  /** Types keys, then lets React draw. */
  press(...keys: string[]): Promise<void>;
  /** Waits until the frame satisfies `ok` (or fails after `timeoutMs`). */
  waitFor(ok: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
  rerender(node: ReactElement): void;
  unmount(): void;
}

export function renderTui(node: ReactElement): RenderedTui {
  const r = render(node);
  const frame = (): string => r.lastFrame() ?? "";
  return {
    frame,
    output: () => r.frames.join(""),
    press: async (...keys) => {
      for (const k of keys) {
        r.stdin.write(k);
        // A lone ESC waits to see whether a sequence follows.
        await tick(k === KEYS.escape ? 120 : 15);
      }
      await tick(15);
    },
    waitFor: async (ok, timeoutMs = 2000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (ok(frame())) return frame();
        if (Date.now() > until) throw new Error(`the frame never matched; last frame:\n${frame()}`);
        await tick(10);
      }
    },
    rerender: (n) => r.rerender(n),
    unmount: () => r.unmount(),
  };
}
