import type http from 'node:http';

/**
 * Ends keep-alive at shutdown. `server.close()` closes the connections idle at that moment, but a connection whose
 * request is still running becomes idle later and would stay open until its keep-alive timeout (or the shutdown's
 * grace period): the process then waits on sockets nobody uses. Once draining, every response says
 * `Connection: close`, and any connection that falls idle is closed at once.
 */
export class KeepAliveDrain {
  private readonly active = new Set<http.ServerResponse>();
  private draining = false;

  constructor(private readonly server: http.Server) {}

  /** Follows one request's response (called for every request). */
  track(res: http.ServerResponse): void {
    if (this.draining) res.shouldKeepAlive = false;
    this.active.add(res);
    res.once('close', () => {
      this.active.delete(res);
      // After Node has marked the connection idle (it does so once the response is done).
      if (this.draining) setImmediate(() => this.server.closeIdleConnections());
    });
  }

  /** From now on, no connection is kept alive after its current response. */
  start(): void {
    this.draining = true;
    for (const res of this.active) if (!res.headersSent) res.shouldKeepAlive = false;
    this.server.closeIdleConnections();
  }
}
