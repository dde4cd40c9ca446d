import { badInput, type CrmError } from '@crm/core';
import { PassThrough, type Readable } from 'node:stream';

/** A file part that arrived before its reader asked for it, held by backpressure (a small one is buffered whole). */
interface Arrived {
  stream: PassThrough;
  /** Its buffer is full: the request is held until it is read, so no later part can arrive. */
  full: boolean;
}

const outOfOrder = (wanted: string, came: string) =>
  badInput(`file: the operation reads file ${wanted} before part ${came}, which was sent first; send the files in the order the operation reads them`, 'file');

/**
 * The file parts of one multipart request, handed to their readers in the order they arrive. A part waits (by
 * backpressure) until it is read; a reader waiting for a part behind an unread one that fills its buffer would wait
 * forever, so it is refused instead (BAD_USER_INPUT): the files must be sent in the order the operation reads them,
 * unless the earlier ones are small. Each part is read once.
 */
export class FileParts {
  readonly #arrived = new Map<string, Arrived>();
  readonly #claimed = new Set<string>();
  readonly #reading = new Set<Readable>();
  readonly #names = new Map<string, string>();
  #waiting: { part: string; resolve: (stream: Readable) => void; reject: (error: Error) => void } | null = null;
  #ended = false;
  #failure: CrmError | null = null;

  /** The file name a part was sent with ('' before it arrives). */
  nameOf(part: string): string {
    return this.#names.get(part) ?? '';
  }

  /** Busboy's stream of a mapped part (a second part of the same name is discarded). */
  arrive(part: string, source: Readable, fileName: string): void {
    if (this.#failure || this.#names.has(part)) return void source.resume();
    this.#names.set(part, fileName);
    const entry: Arrived = { stream: new PassThrough(), full: false };
    // Busboy fails a part with a plain error (the body ended inside it): its reader gets BAD_USER_INPUT.
    source.on('error', (error: Error) => entry.stream.destroy(badInput(`file: the multipart body is malformed: ${error.message}`, 'file')));
    source.on('end', () => entry.stream.end());
    source.on('data', (chunk: Buffer) => {
      if (entry.stream.write(chunk)) return;
      source.pause();
      entry.full = true;
      entry.stream.once('drain', () => {
        entry.full = false;
        source.resume();
      });
      this.#checkOrder();
    });
    if (this.#waiting?.part === part) {
      const { resolve } = this.#waiting;
      this.#waiting = null;
      return resolve(this.#handOut(entry.stream));
    }
    this.#arrived.set(part, entry);
    this.#checkOrder();
  }

  /** The body has ended: a part still waited for is missing. */
  end(): void {
    this.#ended = true;
    if (this.#waiting) this.#reject(badInput(`file: the request has no file part ${this.#waiting.part} (named in map)`, 'file'));
  }

  /** The part named `part`, as soon as it arrives. */
  open(part: string): Promise<Readable> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#claimed.has(part)) return Promise.reject(badInput(`file: file ${part} was already read (a streamed file is read once)`, 'file'));
    this.#claimed.add(part);
    const arrived = this.#arrived.get(part);
    if (arrived) {
      this.#arrived.delete(part);
      return Promise.resolve(this.#handOut(arrived.stream));
    }
    if (this.#ended || this.#names.has(part)) return Promise.reject(badInput(`file: the request has no file part ${part} (named in map)`, 'file'));
    return new Promise((resolve, reject) => {
      this.#waiting = { part, resolve, reject };
      this.#checkOrder();
    });
  }

  /** Fails whatever is being read or waited for, and discards the parts nobody read. */
  fail(error: CrmError): void {
    this.#failure ??= error;
    if (this.#waiting) this.#reject(error);
    for (const stream of this.#reading) stream.destroy(error);
    this.discard();
  }

  /** Lets unread parts flow into the void, so that the rest of the body can be read past them. */
  discard(): void {
    for (const { stream } of this.#arrived.values()) stream.resume();
    this.#arrived.clear();
  }

  #handOut(stream: PassThrough): Readable {
    this.#reading.add(stream);
    stream.once('close', () => this.#reading.delete(stream));
    return stream;
  }

  #checkOrder(): void {
    if (!this.#waiting) return;
    for (const [part, { full }] of this.#arrived) if (full) return this.#reject(outOfOrder(this.#waiting.part, part));
  }

  #reject(error: Error): void {
    const { reject } = this.#waiting!;
    this.#waiting = null;
    reject(error);
  }
}
