// A real terminal for end-to-end tests of the TUI: a tmux server of the test's own (its
// own socket, so the user's sessions are never touched), a pane of a fixed size, keys
// sent with send-keys and the screen read with capture-pane, polled against a deadline.
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

/** Fails with what to do when tmux is missing, instead of skipping the test. */
export function requireTmux(): void {
  const r = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      "the TUI end-to-end tests need tmux, and it is not installed (`tmux -V` failed). " +
        "Install it (`apt-get install -y tmux`) or run `make setup`, which installs it with Docker.",
    );
  }
}

/** What the CLI in the terminal gets from the test's environment: no CI, a real TERM. */
export function terminalEnv(): Record<string, string> {
  const keep = /^(PATH|HOME|USER|DOCKER_.*|XDG_RUNTIME_DIR|REPLAY_.*|NODE_EXTRA_CA_CERTS|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$/;
  const env: Record<string, string> = { TERM: "xterm-256color", LANG: "C.UTF-8" };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && keep.test(k)) env[k] = v;
  return env;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TmuxSession {
  /** The visible screen. */
  screen(): string;
  /** The screen and everything scrolled off it. */
  history(): string;
  /** Keys by tmux name (`Enter`, `C-c`) or, with `literal`, text typed as it is. */
  send(keys: string, literal?: boolean): void;
  /** Polls the screen (or history) until `ok` holds; fails with the screen at the deadline. */
  waitFor(what: string, ok: (text: string) => boolean, o?: { timeoutMs?: number; history?: boolean }): Promise<string>;
  kill(): void;
}

/**
 * Starts `argv` in a fresh tmux server in `cwd`, in a `columns`×`rows` pane. The command
 * gets only `env` (no CI, no TERM of the test runner's); when it ends, `[exit N]` is
 * printed and the pane stays so the end can be read.
 */
export function startTmux(argv: string[], o: { cwd: string; env: Record<string, string>; columns?: number; rows?: number }): TmuxSession {
  const socket = `replay-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  const env = Object.entries(o.env).map(([k, v]) => `${k}=${quote(v)}`).join(" ");
  const command = `env -i ${env} ${argv.map(quote).join(" ")}; echo "[exit $?]"; sleep 3600`;
  tmux("new-session", "-d", "-s", "tui", "-x", String(o.columns ?? 200), "-y", String(o.rows ?? 50), "-c", o.cwd, command);
  const screen = (): string => tmux("capture-pane", "-p", "-t", "tui");
  const history = (): string => tmux("capture-pane", "-p", "-S", "-", "-t", "tui");
  return {
    screen,
    history,
    send: (keys, literal = false) => void tmux("send-keys", "-t", "tui", ...(literal ? ["-l"] : []), keys),
    waitFor: async (what, ok, w = {}) => {
      const until = Date.now() + (w.timeoutMs ?? 60_000);
      for (;;) {
        const text = w.history ? history() : screen();
        if (ok(text)) return text;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the terminal shows:\n${history()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    kill: () => {
      try {
        // tmux leaves its socket file behind.
        const socketPath = tmux("display-message", "-p", "#{socket_path}").trim();
        tmux("kill-server");
        if (socketPath) rmSync(socketPath, { force: true });
      } catch {
        // Already gone.
      }
    },
  };
}

/** The last line with text on a screen. */
export const lastLine = (screen: string): string => screen.split("\n").filter((l) => l.trim() !== "").at(-1) ?? "";
