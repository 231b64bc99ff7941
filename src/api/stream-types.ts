import type { Readable } from 'node:stream';
import type { Secret } from '../secrets/secret.js';

/** The shapes of a streamed call (backups): apart from stream-call.ts so api/types.ts can name them without a cycle. */
export interface StreamRequest {
  method: 'GET' | 'POST';
  /** Path plus query, below the base path. */
  path: string;
  headers?: Record<string, string>;
  body?: Readable;
  /** Secrets in the headers: scrubbed from anything the server echoes back. */
  secrets?: Secret[];
  signal?: AbortSignal;
  /** Called once the request went out on a connected socket. */
  onSent?: () => void;
}

export interface StreamAnswer {
  status: number;
  header(name: string): string | undefined;
  body: Readable;
}
