import type { Plugin } from 'graphql-yoga';
import type { NodeServerContext } from '../graphql-app.js';
import { type MultipartLimits, receiveMultipart } from './multipart-upload.js';

const isMultipart = (contentType: string | null) => /^multipart\/form-data\s*(;|$)/i.test(contentType ?? '');

/**
 * Parses multipart GraphQL requests (file uploads) as streams instead of Yoga's parser, which reads the whole body
 * into memory first (`multipart: false` in graphql-app.ts turns that one off). Everything after parsing (context,
 * the input guard, query cost, masking) is Yoga's as for any request.
 */
export function useStreamingUpload(limits: MultipartLimits): Plugin<Record<string, unknown>, NodeServerContext> {
  return {
    onRequestParse({ request, serverContext, setRequestParser }) {
      const { req, res } = serverContext as Partial<NodeServerContext>;
      if (request.method !== 'POST' || !req || !res || !isMultipart(request.headers.get('content-type'))) return;
      setRequestParser(() => receiveMultipart(req, res, limits));
    },
  };
}
