// The GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec), streamed:
// `operations` and `map` come first, so the GraphQL request is built from them and runs while the files are still
// arriving; each file is read from the request as the resolver reads it (backpressure through @fastify/busboy).
import { Busboy, type BusboyFileStream, type BusboyHeaders } from '@fastify/busboy';
import { badInput, CrmError } from '@crm/core';
import { GraphQLError } from 'graphql';
import type { GraphQLParams } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestError } from '../request-error.js';
import { FileParts } from './file-parts.js';
import { StreamedFile } from './streamed-file.js';

export interface MultipartLimits {
  /** Bytes of the whole request (`MAX_UPLOAD_BYTES`), counted as they arrive. */
  maxUploadBytes: number;
  /** Bytes of the `operations` and `map` parts each. */
  maxFieldBytes: number;
}

/** Refused before the operation runs: the request is malformed (400) or too large (413). */
const refused = (message: string, status = 400) =>
  status === 400 ? requestError(message, 'BAD_USER_INPUT') : new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status } } });

/** Replaces the `null` at `path` ("variables.file", "variables.files.0") in `operations` with `file`. */
function place(operations: Record<string, unknown>, path: string, file: StreamedFile, part: string) {
  const keys = path.split('.');
  let holder: unknown = operations;
  for (const [i, key] of keys.entries()) {
    const last = i === keys.length - 1;
    const value = holder !== null && typeof holder === 'object' && Object.hasOwn(holder, key) ? (holder as Record<string, unknown>)[key] : undefined;
    if (last && value === null) return void ((holder as Record<string, unknown>)[key] = file);
    if (last || value === null || typeof value !== 'object') break;
    holder = value;
  }
  throw refused(`map: file ${part} names ${path}, which is not a null placeholder of the operations`);
}

/**
 * Reads a multipart GraphQL request from `req`: resolves with the GraphQL params once `operations`, `map` and the
 * first file's headers are in (or the body has ended), each mapped variable a {@link StreamedFile}. Problems found
 * before the operation runs reject with BAD_USER_INPUT (400, or 413 over the limit); later ones (a file missing,
 * out of order, the client gone, the limit passed) fail the file's stream with BAD_USER_INPUT, so its reader (the
 * import) stops and rolls its current batch back. The rest of an unread body is discarded once the response is out.
 */
export function receiveMultipart(req: IncomingMessage, res: ServerResponse, limits: MultipartLimits): Promise<GraphQLParams> {
  let operations: Record<string, unknown> | null = null;
  /** Part name → its file, for the parts `map` names. */
  const files = new Map<string, StreamedFile>();
  const parts = new FileParts();
  let mapped = false;
  let overLimit = false;
  let failed = false;
  let settled = false;
  let settle!: { resolve: (params: GraphQLParams) => void; reject: (error: Error) => void };
  const params = new Promise<GraphQLParams>((resolve, reject) => (settle = { resolve, reject }));

  const ready = () => {
    if (settled || !operations) return;
    settled = true;
    settle.resolve(operations as GraphQLParams);
  };
  /** Stops the request: before the operation runs its params reject, after it the file being read fails. */
  const fail = (before: GraphQLError, after: CrmError) => {
    if (failed) return;
    failed = true;
    if (!settled) {
      settled = true;
      settle.reject(before);
    }
    parts.fail(after);
    req.unpipe(busboy);
  };

  const busboy = Busboy({
    headers: req.headers as BusboyHeaders,
    limits: { fieldSize: limits.maxFieldBytes, fields: 2 },
    // Every part but `operations` and `map` is a file, with or without a file name: never buffered as a field.
    isPartAFile: (name: string | undefined) => name !== 'operations' && name !== 'map',
  });
  let bytes = 0;
  const countBytes = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= limits.maxUploadBytes) return;
    const message = `The upload is over ${limits.maxUploadBytes} bytes (MAX_UPLOAD_BYTES)`;
    overLimit = true;
    fail(refused(message, 413), badInput(`file: ${message}`, 'file'));
    // Nothing more is read: the connection closes once the response is out.
    if (!res.headersSent) res.setHeader('connection', 'close');
    req.off('data', countBytes);
    req.pause();
  };
  const cutOff = () => {
    if (req.complete) return;
    fail(refused('The request body ended early'), badInput('file: the upload was cut off before its end (the client stopped sending)', 'file'));
  };

  busboy.on('field', (name: string, value: string, _nameTruncated: boolean, truncated: boolean) => {
    if (truncated) return fail(refused(`${name}: over ${limits.maxFieldBytes} bytes`, 413), badInput(`${name}: too large`));
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return fail(refused(`${name}: not valid JSON`), badInput(`${name}: not valid JSON`));
    }
    const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    if (name === 'operations') {
      if (operations) return;
      if (!isObject) return fail(refused('operations: one GraphQL request (an object with query and variables)'), badInput('operations'));
      operations = parsed as Record<string, unknown>;
      return;
    }
    if (!operations) return fail(refused('map: the operations part comes first, then map, then the files'), badInput('map'));
    if (mapped) return;
    mapped = true;
    if (!isObject) return fail(refused('map: an object of file part → [variable path]'), badInput('map'));
    try {
      for (const [part, paths] of Object.entries(parsed as Record<string, unknown>)) {
        if (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string')) throw refused(`map: ${part} must name a list of variable paths`);
        if (paths.length !== 1) throw refused(`map: file ${part} is named ${paths.length} times; a streamed file is read once, so send it once per variable`);
        const file = new StreamedFile(part, () => parts.nameOf(part), () => parts.open(part));
        place(operations, paths[0] as string, file, part);
        files.set(part, file);
      }
    } catch (error) {
      return fail(error as GraphQLError, badInput('map'));
    }
    if (!files.size) ready();
  });
  busboy.on('file', (part: string, stream: BusboyFileStream, fileName: string | undefined) => {
    if (failed) return void stream.resume();
    if (!mapped) {
      stream.resume();
      return fail(refused('The operations and map parts come before the files (GraphQL multipart request spec)'), badInput('file'));
    }
    // A part map does not name: not used, discarded.
    if (!files.has(part)) return void stream.resume();
    parts.arrive(part, stream, fileName ?? '');
    ready();
  });
  busboy.on('finish', () => {
    ready();
    parts.end();
  });
  busboy.on('error', (error: Error) => fail(refused(`The multipart body is malformed: ${error.message}`), badInput(`file: the multipart body is malformed: ${error.message}`, 'file')));

  req.on('data', countBytes);
  req.once('close', cutOff);
  // Once the response is out, whatever of the body nobody read is discarded (the connection can be reused).
  res.once('close', () => {
    req.off('close', cutOff);
    if (!req.complete) fail(refused('The request was answered before its body was read'), badInput('file: the operation ended before reading this file', 'file'));
    parts.discard();
    if (!req.complete && !overLimit) req.resume();
  });
  req.pipe(busboy);
  return params;
}
