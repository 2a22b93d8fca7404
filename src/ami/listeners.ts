/**
 * A tiny typed event hub. Unlike EventEmitter, a listener that throws is reported
 * (onListenerError) and the other listeners still run: a bug in a consumer must never
 * unwind into a socket callback.
 */
export class Listeners<Events extends Record<string, unknown>> {
  private readonly map = new Map<keyof Events, Set<(value: never) => void>>();

  constructor(private readonly onListenerError: (event: keyof Events, error: unknown) => void) {}

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): void {
    let set = this.map.get(event);
    if (!set) this.map.set(event, (set = new Set()));
    set.add(listener as (value: never) => void);
  }

  off<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): void {
    this.map.get(event)?.delete(listener as (value: never) => void);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.map.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch (error) {
        try {
          this.onListenerError(event, error);
        } catch {
          // The error reporter itself failed: nothing sensible left to do.
        }
      }
    }
  }
}
