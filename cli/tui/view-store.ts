import { initialViewState, reduceView } from "./view-state.js";
import type { ViewAction, ViewState } from "./view-state.js";

/** The view state as an external store: it outlives the Ink app while a shell runs. */
export class ViewStore {
  private state: ViewState = initialViewState;
  private readonly listeners = new Set<() => void>();

  dispatch = (action: ViewAction): void => {
    const next = reduceView(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ViewState => this.state;
}
