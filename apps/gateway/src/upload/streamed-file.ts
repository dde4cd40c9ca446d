import type { Readable } from 'node:stream';

/**
 * A file of a multipart request (the `Upload` scalar's value), read while its part arrives: `stream()` pulls from
 * the request one chunk at a time (a web stream with no buffer of its own), so a slow reader holds the client back
 * instead of the gateway holding the file. It can be read once.
 */
export class StreamedFile {
  readonly #open: () => Promise<Readable>;
  readonly #nameOf: () => string;

  constructor(
    /** The part's name in the request (`map`'s key). */
    readonly part: string,
    nameOf: () => string,
    open: () => Promise<Readable>,
  ) {
    this.#nameOf = nameOf;
    this.#open = open;
  }

  /** The file name the client sent with the part ('' until the part has arrived). */
  get name(): string {
    return this.#nameOf();
  }

  stream(): ReadableStream<Uint8Array> {
    let part: Readable | null = null;
    let chunks: AsyncIterator<Buffer> | null = null;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (!chunks) {
            part = await this.#open();
            // Not destroyed when the reader stops early: the rest of the part is then discarded (`cancel`), so the
            // multipart parser behind it is not left waiting.
            chunks = part.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]();
          }
          const { done, value } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        },
        cancel: async () => {
          await chunks?.return?.();
          part?.resume();
        },
      },
      { highWaterMark: 0 },
    );
  }
}
