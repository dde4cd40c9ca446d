import type { Duplex } from 'node:stream';

/**
 * Batches socket writes in time: the first write to a socket in a window corks it, and one timer for the whole
 * gateway uncorks every corked socket when the window ends, so what was written to a socket meanwhile leaves in one
 * system call. Fan-out pays per system call (at 1,000 subscribers × 100 events/s one `writev` per message was the
 * largest cost of the gateway), and a window of a few milliseconds costs a live dashboard nothing it can see.
 * A window of 0 batches only what is written in the same turn of the event loop.
 */
export class WriteBatcher {
  private readonly corked = new Set<Duplex>();
  /** Cancels the pending flush; set while a window is open. */
  private cancel: (() => void) | null = null;

  constructor(readonly windowMs: number) {}

  /** Holds `socket`'s writes until the current window ends. */
  hold(socket: Duplex): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.cancel) return;
    if (this.windowMs > 0) {
      const timer = setTimeout(this.flush, this.windowMs);
      this.cancel = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(this.flush);
      this.cancel = () => clearImmediate(immediate);
    }
  }

  /** Lets `socket`'s held writes go now (a socket that is closing must not wait for the window). */
  release(socket: Duplex): void {
    if (this.corked.delete(socket)) socket.uncork();
  }

  readonly flush = (): void => {
    this.cancel = null;
    const sockets = [...this.corked];
    this.corked.clear();
    for (const socket of sockets) socket.uncork();
  };

  /** Flushes and stops the timer. */
  close(): void {
    this.cancel?.();
    this.flush();
  }
}
