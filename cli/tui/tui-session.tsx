import { openSync } from "node:fs";
import tty from "node:tty";
import { render } from "ink";
import type { Instance } from "ink";
import type { ReplayEvent, Reporter, ShellTarget, StepPoint } from "../../runners/index.js";
import type { Plan } from "../../workflows/index.js";
import type { StepController } from "../stepping/index.js";
import { App } from "./App.js";
import { plannedSteps } from "./planned-steps.js";
import { TuiStore } from "./tui-store.js";
import { ViewStore } from "./view-store.js";

export interface TuiSessionOptions {
  stepping: StepController;
  /** Runs a shell on the terminal; resolves when the user leaves it. */
  openShell: (target: ShellTarget) => Promise<number>;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /**
   * Keep the finished run on the screen until q, Enter or Ctrl-C (default true): the user
   * browses every job's log, annotations and summary, and why jobs did not run.
   */
  stayOpen?: boolean;
}

/**
 * The Ink reporter: events go into the batched store, the App draws it. The screen comes
 * up with the plan (a replay refused before that prints only its error). For a shell the
 * app is unmounted (giving the terminal and stdin back), and mounted again afterwards
 * from the same stores.
 */
export class TuiSession implements Reporter {
  private readonly store = new TuiStore();
  private readonly view = new ViewStore();
  private instance: Instance | undefined;
  private staticFrom = 0;
  private shell: Promise<void> | undefined;
  private started = false;
  private closed = false;
  /** The terminal Ink reads keys from, opened per mount (see input()). */
  private keyboard: tty.ReadStream | undefined;
  private dismiss: () => void = () => undefined;
  /** Resolved by q, Enter or Ctrl-C on the finished run (or a signal). */
  private readonly dismissed = new Promise<void>((resolve) => (this.dismiss = resolve));
  private readonly onSignal = (): void => {
    // After the replay command's own handler, which cancels first and exits on a second signal.
    setImmediate(() => {
      this.options.stepping.quit();
      this.dismiss();
    });
  };

  constructor(private readonly options: TuiSessionOptions) {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  setPlan(plan: Plan): void {
    this.store.setPlanned(plannedSteps(plan));
    this.start();
  }

  onEvent(event: ReplayEvent): void {
    this.store.push(event);
    this.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.shell;
    this.store.close();
    // The run is over (not cancelled with q): its screen stays until the user closes it.
    const run = this.store.getSnapshot().run;
    const over = run.status !== "running" && run.status !== "pending";
    if (this.instance && over && (this.options.stayOpen ?? true) && !this.options.stepping.getSnapshot().quitting) await this.dismissed;
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
    const instance = this.instance;
    this.instance = undefined;
    if (instance) {
      // Let the last batch render before the final frame is left on the screen.
      await new Promise((resolve) => setTimeout(resolve, 60));
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    }
    this.releaseKeyboard();
  }

  /**
   * Keys are read from a stream of our own on the terminal, not process.stdin: a Node
   * stream keeps reading its file descriptor after its last listener goes, so while a
   * shell runs it would take the keys meant for the shell. Ours is destroyed for the
   * shell and opened again after it.
   */
  private input(): NodeJS.ReadStream | undefined {
    if (this.options.stdin) return this.options.stdin;
    try {
      this.keyboard = new tty.ReadStream(openSync("/dev/tty", "r"));
      return this.keyboard;
    } catch {
      return undefined;
    }
  }

  private releaseKeyboard(): void {
    this.keyboard?.destroy();
    this.keyboard = undefined;
  }

  private start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.mount();
  }

  private mount(): void {
    const stdin = this.input();
    this.instance = render(
      <App
        store={this.store}
        stepping={this.options.stepping}
        view={this.view}
        staticFrom={this.staticFrom}
        onShell={(point) => this.openShell(point)}
        onInterrupt={() => process.kill(process.pid, "SIGINT")}
        {...((this.options.stayOpen ?? true) ? { onDismiss: () => this.dismiss() } : {})}
      />,
      {
        ...(this.options.stdout ? { stdout: this.options.stdout } : {}),
        ...(stdin ? { stdin } : {}),
        ...(this.options.stderr ? { stderr: this.options.stderr } : {}),
        exitOnCtrlC: false,
        patchConsole: false,
      },
    );
  }

  private openShell(point: StepPoint): void {
    if (this.shell || !this.instance) return;
    const instance = this.instance;
    this.shell = (async () => {
      this.store.flush();
      this.staticFrom = this.store.getSnapshot().finished.length;
      this.instance = undefined;
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
      this.releaseKeyboard();
      try {
        await this.options.openShell(point.shell);
      } finally {
        this.mount();
        this.shell = undefined;
      }
    })();
  }
}
